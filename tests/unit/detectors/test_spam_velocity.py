"""spam_velocity: near-duplicate blasts, campaigns across senders, repeated listings."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.adversarial import WORD_MUTATIONS, mutate
from trustwatch.counters import InMemoryCounters
from trustwatch.detectors.base import Context, Item, Signal
from trustwatch.detectors.spam_velocity import (
    SpamVelocity,
    SpamVelocityParams,
    content_words,
    fingerprint_keys,
)
from trustwatch.events import parse_event
from trustwatch.normalize import fold
from trustwatch.verdicts import Mode

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
PROMO = "hey! check out my shop for 50% off everything, new drops every day, follow me back"


def message(text: str, actor: str, recipient: str, at: datetime, n: int = 0) -> dict[str, Any]:
    return {
        "id": f"e_{actor}_{recipient}_{n}",
        "type": "message.sent",
        "occurred_at": at.isoformat(),
        "actor": {"id": actor},
        "message": {"id": f"m_{n}", "recipient_id": recipient, "text": text},
    }


def listing(listing_id: str, title: str, description: str, at: datetime) -> dict[str, Any]:
    return {
        "id": f"e_{listing_id}",
        "type": "listing.created",
        "occurred_at": at.isoformat(),
        "actor": {"id": "u_seller"},
        "listing": {"id": listing_id, "title": title, "description": description},
    }


class Run:
    """Feeds events through one detector sharing one counter store, like the engine."""

    def __init__(self, **params: Any) -> None:
        self.detector = SpamVelocity(SpamVelocityParams(**params))
        self.counters = InMemoryCounters()

    def __call__(self, raw: dict[str, Any]) -> list[Signal]:
        event = parse_event(raw)
        ctx = Context(Mode.LIVE, event.occurred_at, self.counters)
        return self.detector.detect(Item(event), ctx)


def top(signals: list[Signal]) -> float:
    return max((s.score for s in signals), default=0.0)


def test_one_text_to_many_recipients_is_a_blast() -> None:
    run = Run()
    scores = [
        top(run(message(PROMO, "u_spam", f"u_{i}", T0 + timedelta(seconds=i)))) for i in range(12)
    ]
    assert scores[6] == 0.0  # seven recipients: under the threshold of eight
    assert scores[7] >= 0.5
    assert scores[-1] >= scores[7]


def test_small_edits_still_collide() -> None:
    variants = [
        PROMO,
        PROMO.replace("50%", "60%"),
        PROMO.replace("every day", "daily"),
        PROMO + " xx",
        PROMO.replace("hey!", "hiya,"),
        PROMO.replace("check out", "visit"),
        PROMO.replace("https", ""),
        PROMO + " https://bit.ly/abc123",
        PROMO.upper(),
        PROMO.replace("shop", "shop!!"),
    ]
    run = Run()
    signals: list[Signal] = []
    for i, text in enumerate(variants):
        signals = run(message(text.lower(), "u_spam", f"u_{i}", T0 + timedelta(seconds=i)))
    assert signals and signals[0].details["kind"] == "blast"
    assert signals[0].details["recipients"] >= 8


def test_redelivered_events_do_not_inflate_the_count() -> None:
    run = Run()
    for _ in range(20):
        signals = run(message(PROMO, "u_spam", "u_same", T0))
    assert signals == []


def test_different_messages_from_one_buyer_are_not_a_blast() -> None:
    run = Run()
    results = [
        run(message(t, "u_buyer", f"u_{i}", T0 + timedelta(minutes=i), i))
        for i, t in enumerate(MARKETPLACE_CHATTER)
    ]
    assert all(r == [] for r in results)


def test_one_templated_offer_sent_to_many_sellers_is_a_blast() -> None:
    run = Run()
    items = ["jacket", "boots", "scarf", "jeans", "dress", "bag", "cardigan", "coat", "hat"]
    signals: list[Signal] = []
    for i, item in enumerate(items):
        text = f"hi! would you take £{20 + i} for the {item}? I can pay today through the app"
        signals = run(message(text, "u_buyer", f"u_{i}", T0 + timedelta(minutes=i), i))
    assert signals and signals[0].details["kind"] == "blast"


def test_short_generic_questions_are_not_fingerprinted() -> None:
    assert fingerprint_keys("hi is this still available?", 6, 2, 5) == []


def test_the_window_forgets_old_messages() -> None:
    run = Run(window_s=600)
    for i in range(12):
        signals = run(message(PROMO, "u_spam", f"u_{i}", T0 + timedelta(minutes=2 * i)))
    assert signals == []  # never more than five recipients inside ten minutes


def test_the_same_text_from_many_senders_is_a_campaign() -> None:
    run = Run()
    for i in range(6):
        signals = run(message(PROMO, f"u_bot{i}", f"u_{i}", T0 + timedelta(seconds=i)))
    assert [s.details["kind"] for s in signals] == ["campaign"]
    assert signals[0].details["senders"] == 6


def test_repeated_listings_by_one_seller_are_flagged_but_updates_are_not() -> None:
    run = Run()
    title, description = "Nike Air Max 90 size 9", "worn twice, box included, smoke free home"
    for _ in range(5):
        assert run(listing("l_1", title, description, T0)) == []
    run(listing("l_2", title, description + " (relisted)", T0 + timedelta(hours=1)))
    signals = run(listing("l_3", title, description, T0 + timedelta(hours=2)))
    assert signals and signals[0].details == {"kind": "repeated_listing", "listings": 3}


def test_evidence_is_the_whole_message() -> None:
    run = Run(recipients=2)
    run(message(PROMO, "u_spam", "u_1", T0))
    (signal,) = run(message(PROMO, "u_spam", "u_2", T0))
    (span,) = signal.evidence
    assert (span.field, span.start, span.end, span.text) == ("message.text", 0, len(PROMO), PROMO)


MARKETPLACE_CHATTER = [
    "would you accept twenty pounds for the denim jacket including postage to leeds",
    "does the knitted jumper have any holes or bobbling on the sleeves at all",
    "could you measure the waist and inside leg of the black cargo trousers please",
    "love these boots but are they true to size or do they come up small",
    "is the leather bag real leather and does it come with the dust bag",
    "can you send it recorded delivery because my last parcel went missing somewhere",
    "just bought the floral dress, really excited, could you post it tomorrow morning",
    "any chance of a bundle discount if i buy the two skirts and cardigan",
    "what colour is the hoodie in daylight because the photos look quite dark",
    "my daughter wants the trainers for school, are the soles still in good condition",
    "received the coat today and it is lovely, thank you so much for packing",
    "would you consider swapping the vintage shirt for my corduroy jacket in size medium",
    "hey is the gold necklace tarnished anywhere or still shiny like the pictures",
    "are the jeans high waisted and how stretchy is the denim on them",
    "please could you tell me the pit to pit measurement of the sweatshirt",
    "i live nearby in manchester, could i collect the chair instead of shipping",
    "the tracking hasn't updated for three days, do you know what happened",
    "is the football shirt an official one with the club badge stitched on",
    "how old is the pram and does the rain cover come with it too",
    "thanks for the quick dispatch, the trainers fit perfectly and look brand new",
]


def test_different_messages_from_many_senders_are_not_a_campaign() -> None:
    run = Run(senders=3)
    for i, text in enumerate(MARKETPLACE_CHATTER):
        assert run(message(text, f"u_{i}", f"u_seller{i}", T0 + timedelta(seconds=i), i)) == []


BLASTS = [
    PROMO,
    "Hiii follow me and I'll follow back 🔥 check out my shop for a giveaway!",
    "earn £500 a day from home 💸 no experience needed, dm me for info",
    "Vintage leather jacket, brown, size M. Great condition, worn a few times. Fast postage",
    "use my code CREPIQQZ for €10 off ur first order!! free money",
]


@pytest.mark.parametrize("mutation", [m for m in WORD_MUTATIONS if m != "leet"])
@settings(max_examples=25, deadline=None)
@given(text=st.sampled_from(BLASTS), seed=st.integers(0, 2**32 - 1))
def test_a_text_disguised_word_by_word_fingerprints_as_the_plain_text(
    mutation: str, text: str, seed: int
) -> None:
    # Leet aside (a digit can read two ways), every disguise folds away entirely, so each
    # copy of a blast shares every band key whatever disguise it drew.
    disguised = mutate(mutation, text, random.Random(seed), [text])
    assert content_words(fold(disguised)) == content_words(fold(text)), disguised
