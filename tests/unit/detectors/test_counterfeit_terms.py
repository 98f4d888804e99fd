"""counterfeit_terms: replica and bulk wording around protected brands, with hard negatives."""

from __future__ import annotations

from typing import Any

import pytest
from detector_runs import evidence_reads, listing, run, top_score

from trustwatch.detectors.base import Signal
from trustwatch.detectors.counterfeit_terms import CounterfeitTerms, CounterfeitTermsParams

DETECTOR = CounterfeitTerms(CounterfeitTermsParams())
REVIEW = 0.5


def detect(title: str, description: str = "", **extra: Any) -> list[Signal]:
    return run(DETECTOR, listing(title, description=description, **extra))


def score(title: str, description: str = "", **extra: Any) -> float:
    return top_score(detect(title, description, **extra))


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ("Gucci Marmont bag 1:1 replica", ""),
        ("LV Neverfull", "mirror quality, comes with box"),
        ("Jordan 4 Military Black", "PK batch, UK 9"),
        ("Rolex Submariner super clone", ""),
        ("Nike Dunk Low", "unauthorized authentic"),
        ("Chanel flap bag", "not authentic but great quality"),
        ("Canada Goose parka", "AAA+ grade"),
        ("Moncler Maya puffer", "it's a fake, very good one"),
        ("Off-White industrial belt", "knock off"),
        ("Prada nylon bag", "ordered from pandabuy, qc pics available"),
    ],
)
def test_strong_replica_wording_with_a_brand_holds(title: str, description: str) -> None:
    assert score(title, description) >= 0.8


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ("Yeezy 350 reps", ""),
        ("Nike Dunk Low UA", ""),
        ("Gucci dupe belt", ""),
        ("Chanel inspired tweed jacket", ""),
        ("Balenciaga Triple S 1:1", ""),
    ],
)
def test_medium_replica_wording_with_a_brand_is_reviewed(title: str, description: str) -> None:
    assert score(title, description) >= REVIEW


def test_brand_style_alone_is_descriptive_but_adds_to_other_evidence() -> None:
    assert score("Barbour style wax jacket") < REVIEW
    assert score("Dior style saddle bag", "no receipt") >= REVIEW


def test_strong_wording_without_a_brand_is_reviewed_but_weaker() -> None:
    branded = score("Gucci bag 1:1 replica")
    unbranded = score("designer bag 1:1 replica")
    assert REVIEW <= unbranded < branded


@pytest.mark.parametrize(
    ("title", "description", "extra"),
    [
        ("Authentic Gucci Marmont with receipt", "", {}),
        ("Gucci loafers", "100% genuine, comes with receipt and dust bag", {"brand": "Gucci"}),
        ("Flared jeans inspired by the 70s", "", {}),
        ("Charlotte Tilbury lipstick dupe", "", {}),
        ("Dior lip oil dupe", "glossy, new", {}),
        ("Nike trainers, worn twice", "", {"brand": "Nike"}),
        ("Faux fur coat", "fake fur, so soft", {}),
        ("England replica home shirt", "official replica kit", {}),
        ("Off white linen shirt", "", {}),
        ("Supreme quality leather bag", "handmade", {}),
        ("Nike tech fleece", "not fake, can send proof of purchase", {}),
        ("Coach jacket in navy", "", {}),
        ("Vintage band tees job lot", "all sizes, 20 pieces", {}),
        ("Small batch soy candle", "", {}),
        ("Mirror selfie crop top", "", {}),
        ("Copy of the receipt included", "Prada bag, genuine", {}),
        ("Nike hoodie", "sales rep sample", {}),
        ("Adidas gym vest", "great for reps and sets", {}),
        ("Sent via Hermes", "Zara dress", {}),
    ],
)
def test_hard_negatives_stay_clean(title: str, description: str, extra: dict[str, Any]) -> None:
    assert score(title, description, **extra) < REVIEW


def test_cosmetic_dupe_is_not_counted_even_next_to_a_brand() -> None:
    (signal,) = detect("Gucci dupe belt") or [None]
    assert signal is not None and "dupe" in signal.details["replica_terms"]
    assert detect("Dior lipstick dupe") == []


def test_wholesale_wording_counts_only_with_a_brand() -> None:
    assert score("Wholesale Nike trainers", "all sizes available, DM for catalogue") >= 0.8
    assert score("Wholesale plain tees", "all sizes available, DM for catalogue") == 0.0


def test_quantities_add_to_wholesale_wording() -> None:
    with_qty = score("Stone Island jackets", "wholesale, 50 pcs")
    without = score("Stone Island jackets", "wholesale")
    assert with_qty > without


def test_assurances_halve_medium_only_scores_but_not_strong_ones() -> None:
    assert score("Gucci bag", "no receipt, 100% authentic") < score("Gucci bag", "no receipt")
    assert score("Gucci bag 1:1 replica", "100% authentic quality") >= 0.8


def test_negated_replica_words_do_not_count() -> None:
    assert score("Louis Vuitton wallet", "not fake, never sell fakes") == 0.0


def test_brand_field_alone_makes_medium_terms_count() -> None:
    assert score("Trainers UA version", brand="Yeezy") >= REVIEW
    assert score("Trainers UA version") == 0.0


def test_ambiguous_brand_names_need_fashion_context() -> None:
    assert score("Supreme court mug 1:1 copy") < score("Supreme box logo hoodie 1:1 copy")


def test_signal_names_brands_terms_and_original_spans() -> None:
    title = "Gucci Marmont bag 1:1 replica"
    (signal,) = detect(title)
    assert signal.details["brands"] == ["gucci"]
    assert signal.details["replica_terms"] == ["1:1 replica"]
    assert {"1:1 replica", "Gucci"} <= set(evidence_reads(signal, title))
    assert {e.field for e in signal.evidence} == {"listing.title"}
