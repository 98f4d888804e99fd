"""phishing under evasion: mutated lures and lookalikes stay caught, hard negatives stay clean.

Runs the policy as shipped (its YAML file) through the engine.
"""

from __future__ import annotations

import random

import pytest
from detector_runs import message_action, policy_engine
from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.adversarial import WORD_MUTATIONS, mutate
from trustwatch.verdicts import Action

POLICY = "phishing"


ENGINE = policy_engine(POLICY)


def action(text: str) -> Action:
    return message_action(ENGINE, POLICY, text)


LURES = [
    (
        "Depop Support Team: verify your account to release your funds",
        ["verify", "account", "release", "funds", "Support"],
    ),
    ("scan the QR code to receive payment", ["scan", "receive", "payment"]),
    ("your payment is on hold, confirm your bank details", ["payment", "hold", "confirm"]),
    ("send me the verification code you just got", ["verification"]),
    (
        "PayPal: payment of £45 pending, seller must upgrade to business account",
        ["payment", "pending", "upgrade", "business"],
    ),
]
HARD_NEGATIVES = [
    "I'll verify the measurements tonight and get back to you",
    "my payment is pending on the app, can you wait a bit?",
    "can you confirm your address for shipping?",
    "scan the QR code at the post office to get your label printed",
    "did you receive the money? the app says it went through",
    "the seller must have sent the wrong size",
    "please release the hem before you send it, thanks",
]
OWN_LINKS = [
    "https://www.depop.com/products/janedoe-levis/",
    "https://depop.com/login",
    "https://www.paypal.com/signin",
]


@pytest.mark.parametrize("mutation", WORD_MUTATIONS)
@settings(max_examples=20, deadline=None)
@given(case=st.sampled_from(LURES), seed=st.integers(0, 2**32 - 1))
def test_disguised_lures_stay_caught(mutation: str, case: tuple[str, list[str]], seed: int) -> None:
    text, targets = case
    mutated = mutate(mutation, text, random.Random(seed), targets)
    assert action(mutated) != Action.ALLOW, mutated


@settings(max_examples=30, deadline=None)
@given(url=st.sampled_from(OWN_LINKS), seed=st.integers(0, 2**32 - 1))
def test_homoglyphs_in_a_real_domain_make_a_phishing_link(url: str, seed: int) -> None:
    host = url.split("/")[2]
    name = host.removeprefix("www.").split(".")[0]
    mutated = mutate("homoglyph", url, random.Random(seed), [name])
    assert mutated != url
    assert action(f"have a look: {mutated}") in (Action.HOLD, Action.BLOCK), mutated


@pytest.mark.parametrize("url", OWN_LINKS)
def test_the_real_domains_themselves_are_clean(url: str) -> None:
    assert action(f"have a look: {url}") == Action.ALLOW


@pytest.mark.parametrize("mutation", WORD_MUTATIONS)
@settings(max_examples=20, deadline=None)
@given(text=st.sampled_from(HARD_NEGATIVES), seed=st.integers(0, 2**32 - 1))
def test_disguised_hard_negatives_stay_clean(mutation: str, text: str, seed: int) -> None:
    mutated = mutate(mutation, text, random.Random(seed), share=0.5)
    assert action(mutated) == Action.ALLOW, mutated
