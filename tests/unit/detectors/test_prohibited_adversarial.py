"""Prohibited-item detection under evasion: mutated items stay caught, fashion words clean."""

from __future__ import annotations

import random

from detector_runs import listing, run
from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.adversarial import WORD_MUTATIONS, mutate
from trustwatch.detectors.prohibited_items import ProhibitedItems, ProhibitedItemsParams

DETECTOR = ProhibitedItems(ProhibitedItemsParams())
REVIEW = 0.5
# Leetspeak has a test of its own below.
EVASIONS = [m for m in WORD_MUTATIONS if m != "leet"]

POSITIVES = [
    ("Flick knife for sale", ["Flick knife"], "weapons"),
    ("Brass knuckle duster", ["knuckle duster"], "weapons"),
    ("Taser, fully charged", ["Taser"], "weapons"),
    ("Pepper spray", ["Pepper spray"], "weapons"),
    ("Cocaine available", ["Cocaine"], "drugs"),
    ("Ketamine", ["Ketamine"], "drugs"),
    ("Magic mushrooms, dried", ["Magic mushrooms"], "drugs"),
    ("Xanax bars 2mg", ["Xanax"], "medicines"),
    ("Tramadol tablets", ["Tramadol"], "medicines"),
    ("Disposable vape, mint", ["vape"], "tobacco"),
    ("Rhino horn carving", ["Rhino horn"], "wildlife"),
    ("Shahtoosh shawl", ["Shahtoosh"], "wildlife"),
    ("Asbestos sheets", ["Asbestos"], "hazardous"),
]
NEGATIVES = [
    ("Khaki bomber jacket", ["bomber"]),
    ("Knife pleat midi skirt", ["Knife pleat"]),
    ("Killer heels", ["Killer"]),
    ("Bag with gunmetal hardware", ["gunmetal"]),
    ("Ivory wedding dress", ["Ivory"]),
    ("Faux fur coat", ["fur"]),
    ("Velvet smoking jacket", ["smoking"]),
    ("Stihl weed eater", ["weed eater"]),
    ("Camo cargo pants", ["Camo"]),
    ("YSL Opium perfume", ["Opium"]),
    ("Black cigarette trousers", ["cigarette"]),
]


def categories(title: str) -> dict[str, float]:
    return {s.details["category"]: s.score for s in run(DETECTOR, listing(title))}


@settings(max_examples=250, deadline=None)
@given(st.sampled_from(EVASIONS), st.sampled_from(POSITIVES), st.integers(0, 2**16))
def test_evaded_prohibited_items_are_still_caught(
    evasion: str, case: tuple[str, list[str], str], seed: int
) -> None:
    text, targets, category = case
    mutated = mutate(evasion, text, random.Random(seed), targets)
    assert categories(mutated).get(category, 0.0) >= REVIEW, mutated


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(EVASIONS), st.sampled_from(NEGATIVES), st.integers(0, 2**16))
def test_evaded_fashion_words_stay_clean(
    evasion: str, case: tuple[str, list[str]], seed: int
) -> None:
    text, targets = case
    mutated = mutate(evasion, text, random.Random(seed), targets)
    assert categories(mutated) == {}, mutated


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(POSITIVES), st.integers(0, 2**16))
def test_leetspeak_prohibited_items_are_still_caught(
    case: tuple[str, list[str], str], seed: int
) -> None:
    text, targets, category = case
    mutated = mutate("leet", text, random.Random(seed), targets)
    assert categories(mutated).get(category, 0.0) >= REVIEW
