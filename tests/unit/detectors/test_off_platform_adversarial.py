"""off_platform under evasion: mutated true positives stay caught, hard negatives stay clean.

Runs the policy as shipped (its YAML file) through the engine, so the normalize views,
the entity extractor and both detectors are exercised together.
"""

from __future__ import annotations

import random

import pytest
from detector_runs import message_action, policy_engine
from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.adversarial import WORD_MUTATIONS, mutate
from trustwatch.verdicts import Action

POLICY = "off_platform"


ENGINE = policy_engine(POLICY)


def action(text: str) -> Action:
    return message_action(ENGINE, POLICY, text)


# (message, the words a scammer would disguise)
POSITIVES = [
    ("pay me on paypal friends and family and i'll ship today", ["paypal", "family"]),
    ("I can do bank transfer instead, it's quicker", ["transfer"]),
    ("pay outside the app to avoid the fees", ["outside", "avoid"]),
    ("text me on whatsapp and we can sort it", ["whatsapp"]),
    ("add me on telegram for more pics", ["telegram"]),
    ("send the money to my revolut", ["revolut"]),
    ("do you accept bitcoin?", ["bitcoin"]),
    ("cheaper if you pay direct", ["cheaper", "direct"]),
    ("send it as a gift on paypal so there are no fees", ["gift", "paypal"]),
]
CONTACTS = [
    ("my number is 07700 900123", ["07700 900123"]),
    ("email me at jane.doe@gmail.com", ["jane.doe@gmail.com"]),
    ("call me on +44 7700 900123 tonight", ["+44 7700 900123"]),
]
LINKS = [
    ("https://wa.me/447700900123", ["wa.me"]),
    ("https://t.me/janedoe_shop", ["t.me"]),
]
HARD_NEGATIVES = [
    "I paid through the app, thanks!",
    "checkout lets me use PayPal, so I'll buy it now",
    "can I use PayPal at checkout?",
    "does the app take Apple Pay?",
    "whatsapp me? no thanks, I'll keep it in the app",
    "Signal hoodie, size M, barely worn",
    "it would make a lovely gift for a friend",
    "dm me if you have any questions!",
    "is this still available? would you take £20?",
    "I got scammed on whatsapp once so I only buy on here",
]


@pytest.mark.parametrize("mutation", WORD_MUTATIONS)
@settings(max_examples=20, deadline=None)
@given(case=st.sampled_from(POSITIVES), seed=st.integers(0, 2**32 - 1))
def test_disguised_off_app_requests_stay_caught(
    mutation: str, case: tuple[str, list[str]], seed: int
) -> None:
    text, targets = case
    mutated = mutate(mutation, text, random.Random(seed), targets)
    assert action(mutated) != Action.ALLOW, mutated


@pytest.mark.parametrize("mutation", (*WORD_MUTATIONS, "separators", "spelled_digits"))
@settings(max_examples=15, deadline=None)
@given(case=st.sampled_from(CONTACTS), seed=st.integers(0, 2**32 - 1))
def test_disguised_numbers_and_emails_stay_caught(
    mutation: str, case: tuple[str, list[str]], seed: int
) -> None:
    text, targets = case
    mutated = mutate(mutation, text, random.Random(seed), targets)
    assert action(mutated) != Action.ALLOW, mutated


@pytest.mark.parametrize("mutation", (*WORD_MUTATIONS, "separators"))
@settings(max_examples=10, deadline=None)
@given(case=st.sampled_from(LINKS), seed=st.integers(0, 2**32 - 1))
def test_disguised_messaging_links_stay_caught(
    mutation: str, case: tuple[str, list[str]], seed: int
) -> None:
    text, targets = case
    mutated = mutate(mutation, text, random.Random(seed), targets)
    assert action(mutated) != Action.ALLOW, mutated


# Leetspeak is left out: "$h1pped" and "@pple" are real $cashtag and @handle syntax.
@pytest.mark.parametrize("mutation", [m for m in WORD_MUTATIONS if m != "leet"])
@settings(max_examples=20, deadline=None)
@given(text=st.sampled_from(HARD_NEGATIVES), seed=st.integers(0, 2**32 - 1))
def test_disguised_hard_negatives_stay_clean(mutation: str, text: str, seed: int) -> None:
    mutated = mutate(mutation, text, random.Random(seed), share=0.5)
    assert action(mutated) == Action.ALLOW, mutated
