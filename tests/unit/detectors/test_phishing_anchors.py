"""phishing_language's prefilter never hides a match: every text a lure pattern matches
(in any normalized view) holds one of that family's anchor words."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustwatch.detectors import phishing_language as language
from trustwatch.detectors._views import distinct_views
from trustwatch.detectors.base import Item
from trustwatch.events import parse_event


def item(text: str) -> Item:
    return Item(
        parse_event(
            {
                "id": "e",
                "type": "message.sent",
                "occurred_at": "2026-11-02T10:15:00Z",
                "actor": {"id": "u_1"},
                "message": {"id": "m", "text": text},
            }
        )
    )


@pytest.mark.parametrize("family", sorted(language._FAMILIES))
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_text_a_lure_pattern_matches_passes_the_prefilter(
    family: str, data: st.DataObject
) -> None:
    rx: re.Pattern[str] = language._FAMILIES[family]
    text = data.draw(st.from_regex(rx, fullmatch=True))
    views = distinct_views(item(f"hi {text} thanks"), "message.text")
    if any(rx.search(v.text) for v in views):
        assert family in language._ANCHORS.found(views), text
