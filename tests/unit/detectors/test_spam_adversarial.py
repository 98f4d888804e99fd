"""spam under evasion: disguised promo phrases, stuffing and blasts stay caught.

Runs the policy as shipped (its YAML file) through the engine.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.adversarial import WORD_MUTATIONS, mutate
from trustwatch.counters import InMemoryCounters
from trustwatch.engine import Engine
from trustwatch.policy.pack import DEFAULT_PACK, Pack
from trustwatch.verdicts import Action

POLICY = "spam"


def _pack() -> Pack:
    head = yaml.safe_load((DEFAULT_PACK / "pack.yaml").read_text(encoding="utf-8"))
    body = yaml.safe_load((DEFAULT_PACK / "policies" / f"{POLICY}.yaml").read_text("utf-8"))
    return Pack.model_validate({**head, "policies": body["policies"]})


PACK = _pack()
ENGINE = Engine(PACK)
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def message(text: str, actor: str = "u_1", recipient: str = "u_2", n: int = 0) -> dict[str, Any]:
    return {
        "id": f"e_{n}",
        "type": "message.sent",
        "occurred_at": (T0 + timedelta(seconds=n)).isoformat(),
        "actor": {"id": actor},
        "message": {"id": f"m_{n}", "recipient_id": recipient, "text": text},
    }


def listing(title: str, description: str) -> dict[str, Any]:
    return {
        "id": "e",
        "type": "listing.created",
        "occurred_at": T0.isoformat(),
        "actor": {"id": "u_1"},
        "listing": {"id": "l_1", "title": title, "description": description},
    }


def action(event: dict[str, Any], engine: Engine = ENGINE) -> Action:
    decision = engine.evaluate(event).decision(POLICY)
    return decision.action if decision else Action.ALLOW


PROMOS = [
    ("free followers for your shop", ["followers"]),
    ("follow for follow? i follow back", ["follow"]),
    ("earn money from home today", ["money"]),
]
STUFFED = "plain tee size M nike adidas gucci prada supreme balenciaga vintage y2k"
BLAST = "hey! check out my shop for 50% off everything, new drops every day, follow me back"
HARD_NEGATIVES = [
    "hi! is this still available?",
    "I follow you, love your style!",
    "I work from home so I can post any day",
    "check out my other items for bundle deals!",
]


@pytest.mark.parametrize("mutation", WORD_MUTATIONS)
@settings(max_examples=15, deadline=None)
@given(case=st.sampled_from(PROMOS), seed=st.integers(0, 2**32 - 1))
def test_disguised_promo_phrases_stay_caught(
    mutation: str, case: tuple[str, list[str]], seed: int
) -> None:
    text, targets = case
    mutated = mutate(mutation, text, random.Random(seed), targets)
    assert action(message(mutated)) != Action.ALLOW, mutated


@pytest.mark.parametrize("mutation", ["case", "fullwidth", "zero_width", "homoglyph", "enclosed"])
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_disguised_brand_walls_stay_caught(mutation: str, seed: int) -> None:
    mutated = mutate(mutation, STUFFED, random.Random(seed), ["nike", "gucci", "balenciaga"])
    assert action(listing("Plain tee", mutated)) != Action.ALLOW, mutated


@pytest.mark.parametrize("mutation", ["case", "fullwidth", "zero_width", "homoglyph", "leet"])
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_blast_with_a_word_disguised_per_message_is_still_a_blast(
    mutation: str, seed: int
) -> None:
    engine = Engine(PACK, counters=InMemoryCounters())
    rng = random.Random(seed)
    actions = [
        action(message(mutate(mutation, BLAST, rng, ["shop"]), "u_spam", f"u_{i}", i), engine)
        for i in range(12)
    ]
    assert actions[-1] != Action.ALLOW


@pytest.mark.parametrize("mutation", WORD_MUTATIONS)
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_blast_with_every_word_disguised_anew_per_message_is_still_a_blast(
    mutation: str, seed: int
) -> None:
    # Each copy draws its own disguise per word: "c.h.e.c.k o-u-t m_y s*h*o*p" in one,
    # "c-h-e-c-k o*u*t m.y s_h_o_p" in the next.
    engine = Engine(PACK, counters=InMemoryCounters())
    rng = random.Random(seed)
    copies = [mutate(mutation, BLAST, rng, [BLAST]) for _ in range(12)]
    actions = [
        action(message(text, "u_spam", f"u_{i}", i), engine) for i, text in enumerate(copies)
    ]
    assert actions[-1] != Action.ALLOW, copies[-1]


@pytest.mark.parametrize("mutation", WORD_MUTATIONS)
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_listing_repeated_with_every_word_disguised_anew_is_still_repeated(
    mutation: str, seed: int
) -> None:
    engine = Engine(PACK, counters=InMemoryCounters())
    rng = random.Random(seed)
    text = "Vintage leather jacket, brown, size M. Great condition, worn a few times. Fast postage"
    actions = []
    for i in range(4):
        event = listing("Leather jacket", mutate(mutation, text, rng, [text]))
        event["id"], event["listing"]["id"] = f"e_{i}", f"l_{i}"
        event["occurred_at"] = (T0 + timedelta(minutes=i)).isoformat()
        actions.append(action(event, engine))
    assert actions[-1] != Action.ALLOW


@pytest.mark.parametrize("mutation", WORD_MUTATIONS)
@settings(max_examples=15, deadline=None)
@given(text=st.sampled_from(HARD_NEGATIVES), seed=st.integers(0, 2**32 - 1))
def test_disguised_hard_negatives_stay_clean(mutation: str, text: str, seed: int) -> None:
    mutated = mutate(mutation, text, random.Random(seed), share=0.5)
    assert action(message(mutated)) == Action.ALLOW, mutated
