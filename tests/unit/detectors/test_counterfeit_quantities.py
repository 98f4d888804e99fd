"""Quantities ("50 pcs") are read from the casefolded field, skipped when it has no digit."""

from __future__ import annotations

import re
import sys

from detector_runs import listing, run

from trustwatch.detectors.counterfeit_terms import CounterfeitTerms, CounterfeitTermsParams


def test_casefolding_never_makes_a_digit() -> None:
    """The ground for skipping a field without a digit: casefolding cannot add one."""
    digit = re.compile(r"\d")
    made = [
        hex(i)
        for i in range(sys.maxunicode + 1)
        if not digit.search(chr(i)) and digit.search(chr(i).casefold())
    ]
    assert made == []


def test_a_quantity_beside_a_brand_counts_as_bulk_stock() -> None:
    detector = CounterfeitTerms(CounterfeitTermsParams())
    (signal,) = run(detector, listing("Gucci belts", description="50 PCS available"))
    assert any(s.text == "50 PCS" for s in signal.evidence)
    assert run(detector, listing("Gucci belts", description="plenty available")) == []
