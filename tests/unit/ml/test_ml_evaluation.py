from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from trustwatch.engine import Engine
from trustwatch.ml import evaluation, report
from trustwatch.ml.registry import Registry
from trustwatch.ml.training import TrainResult
from trustwatch.policy.pack import load_pack
from trustwatch.verdicts import Action


def test_binary_metrics_count_flags_against_labels() -> None:
    y = np.array([1, 1, 0, 0, 1])
    flagged = np.array([True, False, True, False, True])
    m = evaluation.binary_metrics(y, flagged, np.array([0.9, 0.2, 0.6, 0.1, 0.8]))
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (2, 1, 1, 1)
    assert m["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["f1"] == pytest.approx(2 / 3, abs=1e-4)


@pytest.mark.data
def test_evaluate_runs_test_splits_through_the_engine_and_writes_a_report(
    tiny_registry: tuple[Registry, TrainResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reg, result = tiny_registry
    monkeypatch.setenv("TRUSTWATCH_MODELS_DIR", str(reg.base))
    pack = {
        "pack": "mleval",
        "version": 1,
        "policies": {
            "spam": {
                "title": "Spam",
                "text": "no spam",
                "applies_to": ["message.sent"],
                "detectors": [{"use": "text_model", "params": {"model": result.entry.ref}}],
                "actions": [{"at": 0.5, "action": "review"}],
            }
        },
    }
    (tmp_path / "pack.yaml").write_text(yaml.safe_dump(pack), encoding="utf-8")
    engine = Engine(load_pack(tmp_path / "pack.yaml"))
    tasks = [t for t in evaluation.TASKS if t.key == "sms_spam_uci:spam"]
    ev = evaluation.evaluate(
        engine, tasks, flag_at=Action.REVIEW, limit=120, mutations=["leet", "zero_width"]
    )
    (res,) = ev.results
    assert res.metrics["n"] == 120
    assert res.metrics["f1"] > 0.5
    assert set(res.evasion) == {"none", "leet", "zero_width"}
    out = report.write(ev, tmp_path / "report", "pytest")
    text = out.read_text()
    assert "sms_spam_uci:spam" in text and "leet" in text
    assert (tmp_path / "report" / "pr_curves.png").stat().st_size > 1000


@pytest.mark.data
def test_only_test_splits_are_evaluated() -> None:
    for task in evaluation.TASKS:
        assert task.policy in {"spam", "phishing"}
    examples = evaluation.datasets.load("sms_spam_uci").split("test")
    assert {e.split for e in examples} == {"test"}
