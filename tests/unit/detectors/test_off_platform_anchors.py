"""The off_platform detectors' prefilters never hide a match: every text a pattern matches
(in any normalized view) holds one of that pattern's anchor words."""

from __future__ import annotations

import re

import pytest
from detector_runs import message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustwatch.detectors import contact_off_platform as contact
from trustwatch.detectors import payment_off_platform as payment
from trustwatch.detectors._views import AnchorGroups, distinct_views

CASES = [
    *((payment._ANCHORS, name, rx) for name, rx in payment._PATTERNS.items()),
    *((contact._ANCHORS, name, rx) for name, rx in contact._PATTERNS.items()),
]


@pytest.mark.parametrize(
    ("anchors", "name", "rx"),
    CASES,
    ids=[("payment-" if a is payment._ANCHORS else "contact-") + n for a, n, _ in CASES],
)
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_text_a_pattern_matches_passes_its_prefilter(
    anchors: AnchorGroups, name: str, rx: re.Pattern[str], data: st.DataObject
) -> None:
    text = data.draw(st.from_regex(rx, fullmatch=True))
    views = distinct_views(message(f"hi {text} thanks"), "message.text")
    if any(rx.search(v.text) for v in views):
        assert name in anchors.found(views), text
