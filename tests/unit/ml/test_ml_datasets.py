from __future__ import annotations

from pathlib import Path

import pytest

from trustwatch.errors import ConfigError
from trustwatch.ml import datasets


def test_exact_repeats_are_dropped_and_conflicting_labels_removed() -> None:
    rows = [
        ("Win a prize now", "spam"),
        ("win a  PRIZE now", "spam"),
        ("hi", "ham"),
        ("call me", "ham"),
        ("Call me", "spam"),
    ]
    ds = datasets.build("t", rows)
    texts = sorted(e.text for e in ds.examples)
    assert texts == ["Win a prize now", "hi"]
    assert ds.dropped_duplicates == 2
    assert ds.dropped_conflicts == 1


def test_near_duplicates_share_a_group_and_therefore_a_split() -> None:
    a = "URGENT! You won 5000 GBP, call 0800123456 now to claim"
    b = "URGENT! You won 9000 GBP, call 0800999999 now to claim!!"
    assert datasets.group_key(a) == datasets.group_key(b)
    assert datasets.split_of(datasets.group_key(a)) == datasets.split_of(datasets.group_key(b))
    assert datasets.group_key(a) != datasets.group_key("is the jacket still available?")


@pytest.mark.data
def test_splits_are_deterministic_and_no_group_straddles_them() -> None:
    ds = datasets.load("sms_spam_uci")
    split_by_group: dict[str, set[str]] = {}
    for e in ds.examples:
        split_by_group.setdefault(e.group, set()).add(e.split)
    assert all(len(s) == 1 for s in split_by_group.values())
    again = datasets.LOADERS["sms_spam_uci"](datasets.data_dir())
    assert [e.split for e in again.examples] == [e.split for e in ds.examples]
    counts = ds.counts()
    assert 0.15 < sum(counts["test"].values()) / len(ds.examples) < 0.25


@pytest.mark.data
def test_every_public_dataset_loads_with_both_classes_where_labelled() -> None:
    for name in datasets.LOADERS:
        ds = datasets.load(name)
        assert ds.examples, name
        if name != "cpsc_recalls":
            assert len(ds.labels) >= 2, name


def test_the_holdout_is_refused(tmp_path: Path) -> None:
    sealed = tmp_path / "holdout"
    sealed.mkdir()
    with pytest.raises(ConfigError, match="sealed"):
        datasets.load("sms_spam_uci", root=sealed)


def test_labelled_events_and_review_decisions_become_binary_examples() -> None:
    events = [
        {
            "type": "message.sent",
            "message": {"id": "1", "text": "pay me on paypal f&f"},
            "synthetic": {"labels": ["off_platform"]},
        },
        {
            "type": "message.sent",
            "message": {"id": "2", "text": "is it still available?"},
            "labels": [],
        },
        {"type": "message.sent", "message": {"id": "3", "text": "no labels here"}},
    ]
    ds = datasets.load_events(events, "ev", "off_platform")
    assert sorted((e.text, e.label) for e in ds.examples) == [
        ("is it still available?", "clean"),
        ("pay me on paypal f&f", "off_platform"),
    ]
    reviewed = datasets.load_review_labels(
        [{"event": events[0], "policy": "off_platform", "decision": "dismiss"}],
        "rv",
        "off_platform",
    )
    assert [e.label for e in reviewed.examples] == ["clean"]


def test_mail_headers_are_dropped_and_html_is_read_as_text() -> None:
    raw = (
        "From: a@b.c\nX-Spam-Status: Yes\nSubject: Cheap pills\n"
        "Content-Type: text/html\n\n<html><b>Buy</b> now &amp; save</html>"
    )
    text = datasets.email_text(raw)
    assert text.startswith("Cheap pills\n")
    assert "Buy now & save" in text
    assert "X-Spam" not in text
