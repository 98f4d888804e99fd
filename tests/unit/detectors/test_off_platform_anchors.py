"""The off_platform detectors' prefilters never hide a match: every text a pattern matches
(in any normalized view) holds one of the detector's anchor words."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustwatch.detectors import contact_off_platform as contact
from trustwatch.detectors import payment_off_platform as payment
from trustwatch.detectors._views import Anchors, distinct_views
from trustwatch.detectors.base import Item
from trustwatch.events import parse_event

CASES = [
    *((payment._ANCHORS, rx) for rx in (payment._STRONG, payment._WEAK, payment._VOUCHER)),
    (payment._ANCHORS, payment._INTENT),
    *((contact._ANCHORS, rx) for rx in (contact._REQUEST, contact._APP_MENTION)),
    (contact._ANCHORS, contact._PHONE_ASK),
]


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


@pytest.mark.parametrize(("anchors", "rx"), CASES, ids=lambda v: getattr(v, "pattern", "")[:30])
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_text_a_pattern_matches_passes_the_prefilter(
    anchors: Anchors, rx: re.Pattern[str], data: st.DataObject
) -> None:
    text = data.draw(st.from_regex(rx, fullmatch=True))
    it = item(f"hi {text} thanks")
    views = distinct_views(it, "message.text")
    if any(rx.search(v.text) for v in views):
        assert anchors.any_view(views), text
