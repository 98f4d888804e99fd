"""phishing_language's prefilter never hides a match: every text a lure pattern matches
(in any normalized view) holds one of that family's anchor words."""

from __future__ import annotations

import re

import pytest
from detector_runs import message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustwatch.detectors import phishing_language as language
from trustwatch.detectors._views import distinct_views


@pytest.mark.parametrize("family", sorted(language._FAMILIES))
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_text_a_lure_pattern_matches_passes_the_prefilter(
    family: str, data: st.DataObject
) -> None:
    rx: re.Pattern[str] = language._FAMILIES[family]
    text = data.draw(st.from_regex(rx, fullmatch=True))
    views = distinct_views(message(f"hi {text} thanks"), "message.text")
    if any(rx.search(v.text) for v in views):
        assert family in language._ANCHORS.found(views), text
