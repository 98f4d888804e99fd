"""Counterfeit detection under evasion: mutated true positives stay caught, hard negatives clean."""

from __future__ import annotations

import random

from detector_runs import listing, run, top_score
from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.adversarial import WORD_MUTATIONS, mutate
from trustwatch.detectors.counterfeit_terms import CounterfeitTerms, CounterfeitTermsParams

DETECTOR = CounterfeitTerms(CounterfeitTermsParams())
REVIEW = 0.5
# Leetspeak has a test of its own below.
EVASIONS = [m for m in WORD_MUTATIONS if m != "leet"]

POSITIVES = [
    ("Gucci Marmont bag replica", ["Gucci", "replica"]),
    ("Rolex Submariner super clone", ["Rolex", "super clone"]),
    ("Louis Vuitton wallet, it is a fake", ["Louis Vuitton", "fake"]),
    ("Jordan 4 retro PK batch", ["PK batch"]),
    ("Moncler jacket counterfeit", ["Moncler", "counterfeit"]),
    ("Prada bag mirror quality", ["Prada", "mirror quality"]),
    ("Chanel flap bag, not authentic", ["Chanel", "not authentic"]),
    ("Balenciaga trainers knockoff", ["Balenciaga", "knockoff"]),
]
NEGATIVES = [
    ("Authentic Gucci bag with receipt", ["Gucci", "Authentic", "receipt"]),
    ("Flared jeans inspired by the 70s", ["inspired"]),
    ("Faux fur coat, fake fur", ["fake", "fur"]),
    ("Charlotte Tilbury lipstick dupe", ["dupe", "lipstick"]),
    ("Nike trainers, worn twice", ["Nike", "trainers"]),
    ("England replica home shirt", ["replica", "shirt"]),
]


def score(title: str) -> float:
    return top_score(run(DETECTOR, listing(title)))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(EVASIONS), st.sampled_from(POSITIVES), st.integers(0, 2**16))
def test_evaded_counterfeits_are_still_caught(
    evasion: str, case: tuple[str, list[str]], seed: int
) -> None:
    text, targets = case
    mutated = mutate(evasion, text, random.Random(seed), targets)
    assert score(mutated) >= REVIEW, mutated


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(EVASIONS), st.sampled_from(NEGATIVES), st.integers(0, 2**16))
def test_evaded_hard_negatives_stay_clean(
    evasion: str, case: tuple[str, list[str]], seed: int
) -> None:
    text, targets = case
    mutated = mutate(evasion, text, random.Random(seed), targets)
    assert score(mutated) < REVIEW, mutated


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(POSITIVES), st.integers(0, 2**16))
def test_leetspeak_counterfeits_are_still_caught(case: tuple[str, list[str]], seed: int) -> None:
    text, targets = case
    assert score(mutate("leet", text, random.Random(seed), targets)) >= REVIEW
