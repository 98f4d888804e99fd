"""What the ML tests build over and over: a one-policy pack around some detectors, an
identity calibrator, and the check that folded weights score exactly like sklearn."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from trustwatch.ml.calibration import Calibrator
from trustwatch.ml.features import Pair
from trustwatch.ml.linear import LinearConfig, LinearModel, _decision, _fit_raw, fold_into_blocks


def one_policy_pack(
    tmp_path: Path,
    detectors: list[dict[str, Any]],
    *,
    policy: str = "spam",
    cascade: dict[str, float] | None = None,
) -> Path:
    """A pack file with one message policy that reviews at 0.5."""
    body: dict[str, Any] = {
        "title": policy.title(),
        "text": f"no {policy}",
        "applies_to": ["message.sent"],
        "detectors": detectors,
        "actions": [{"at": 0.5, "action": "review"}],
    }
    if cascade is not None:
        body["cascade"] = cascade
    path = tmp_path / "pack.yaml"
    pack = {"pack": "mltest", "version": 1, "policies": {policy: body}}
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    return path


def identity() -> Calibrator:
    """A calibrator that hands the decision value through (sigmoid with a=1, b=0)."""
    return Calibrator("platt", a=1.0, b=0.0)


def assert_scores_like_sklearn(
    pairs: Sequence[Pair], y: np.ndarray, config: LinearConfig, probe: Sequence[Pair]
) -> LinearModel:
    """Fit, fold into per-gram weights, and require sklearn's own decisions on ``probe``."""
    vecs, clf = _fit_raw(pairs, y, config)
    model = LinearModel(fold_into_blocks(vecs, clf, config), float(clf.intercept_[0]), identity())
    expected = _decision(vecs, clf, probe)
    got = np.array([model.decision(p) for p in probe])
    assert np.allclose(got, expected, atol=1e-5)
    return model
