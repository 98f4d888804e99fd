"""The anchor pass shared by the rule detectors answers as each detector's own pass."""

from __future__ import annotations

import pytest
from detector_runs import listing

from trustwatch.detectors import contact_off_platform as contact
from trustwatch.detectors import payment_off_platform as payment
from trustwatch.detectors import phishing_language as language
from trustwatch.detectors._views import distinct_views

TEXTS = [
    "pay me on paypal f&f, or bank transfer to avoid the fees",
    "text me on wh4ts4pp 07700 900123, my insta is jess_vintage",
    "Your item is sold! Verify your account to release the funds within 24 hours",
    "is this still available? would you take 20 for it",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_shared_anchor_pass_finds_what_each_detector_finds_alone(text: str) -> None:
    item = listing(text[:20] or "bag", description=text)
    anchors = [payment._ANCHORS, contact._ANCHORS, language._ANCHORS]
    for field_name in item.fields:
        alone = [a.found(distinct_views(item, field_name)) for a in anchors]
        shared = [a.found_in(item, field_name) for a in anchors]
        assert shared == alone
    assert any(a.found_in(item, f) for a in anchors for f in item.fields) == bool(text.strip())
