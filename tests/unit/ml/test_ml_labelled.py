"""evaluate --labels: the pack scored on review decisions from `trustwatch labels export`."""

import json

from click.testing import CliRunner

from trustwatch.cli import main
from trustwatch.engine import Engine
from trustwatch.ml.datasets import labelled_targets, review_examples
from trustwatch.ml.evaluation import evaluate_labelled


def _decision(i, text, value, policy="off_platform"):
    return {
        "id": f"evt_{i}",
        "type": "message.sent",
        "occurred_at": "2026-11-02T10:15:00Z",
        "actor": {"id": f"u_{i}"},
        "message": {"id": f"m_{i}", "text": text},
        "label": {"policy": policy, "value": value, "reviewer": "mo", "decided_at": "2026-11-03"},
    }


DECISIONS = [
    _decision(1, "cheaper if you pay direct, my paypal is paypal.me/janedoe", 1),
    _decision(2, "text me on whatsapp 07700 900123 and we sort payment there", 1),
    _decision(3, "is this still available? can I pay with paypal at checkout", 0),
    _decision(4, "lovely, thank you! posted today", 0),
]


def test_review_labels_name_one_policy_and_a_value():
    assert labelled_targets(DECISIONS[0], ["off_platform", "spam"]) == {"off_platform": 1}
    assert labelled_targets({"labels": ["spam"]}, ["off_platform", "spam"]) == {
        "off_platform": 0,
        "spam": 1,
    }


def test_labelled_events_are_scored_per_policy_through_the_engine():
    metrics = evaluate_labelled(Engine.from_path(), DECISIONS)
    assert set(metrics) == {"off_platform"}
    assert metrics["off_platform"]["n"] == 4 and metrics["off_platform"]["positives"] == 2
    assert metrics["off_platform"]["recall"] == 1.0 and metrics["off_platform"]["precision"] == 1.0


def test_evaluate_cli_reads_an_exported_labels_file(tmp_path):
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps(d) + "\n" for d in DECISIONS))
    result = CliRunner().invoke(main, ["evaluate", "--labels", str(labels), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "off_platform" in result.output
    saved = json.loads((tmp_path / "labelled_evaluation.json").read_text())
    assert saved["off_platform"]["f1"] == 1.0


def test_review_decisions_become_training_examples_for_their_policy():
    found = review_examples(DECISIONS, "off_platform")
    assert [y for _, y in found] == [1, 1, 0, 0]
    assert all(e.split == "train" and e.source == "labels" for e, _ in found)
    assert review_examples(DECISIONS, "spam") == []
