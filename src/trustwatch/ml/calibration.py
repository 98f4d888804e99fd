"""Calibration (Platt or isotonic) and thresholds chosen for a target precision.

Both are fitted on out-of-fold scores, so class weights can be used in training and
the probabilities still mean what they say.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np


@dataclass(frozen=True)
class Calibrator:
    """Maps a raw decision value to a probability."""

    method: Literal["platt", "isotonic"]
    a: float = 1.0
    b: float = 0.0
    xs: tuple[float, ...] = ()
    ys: tuple[float, ...] = ()

    def __call__(self, raw: float) -> float:
        if self.method == "platt":
            z = self.a * raw + self.b
            return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0
        xs, ys = self.xs, self.ys
        i = bisect.bisect_left(xs, raw)
        if i <= 0:
            return ys[0]
        if i >= len(xs):
            return ys[-1]
        x0, x1 = xs[i - 1], xs[i]
        t = (raw - x0) / (x1 - x0) if x1 > x0 else 0.0
        return ys[i - 1] + t * (ys[i] - ys[i - 1])

    def many(self, raw: np.ndarray) -> np.ndarray:
        if self.method == "platt":
            return np.asarray(1.0 / (1.0 + np.exp(-(self.a * raw + self.b))))
        return np.interp(raw, self.xs, self.ys)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "a": self.a, "b": self.b, "xs": self.xs, "ys": self.ys}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibrator:
        return cls(
            method=data["method"],
            a=float(data.get("a", 1.0)),
            b=float(data.get("b", 0.0)),
            xs=tuple(float(x) for x in data.get("xs", ())),
            ys=tuple(float(y) for y in data.get("ys", ())),
        )


def fit_calibrator(
    raw: np.ndarray, y: np.ndarray, method: Literal["platt", "isotonic"] = "isotonic"
) -> Calibrator:
    if method == "platt":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e6, max_iter=1000).fit(raw.reshape(-1, 1), y)
        return Calibrator("platt", a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
    xs = np.asarray(iso.X_thresholds_, dtype=float)
    ys = np.asarray(iso.y_thresholds_, dtype=float)
    return Calibrator("isotonic", xs=tuple(xs.tolist()), ys=tuple(ys.tolist()))


def threshold_for_precision(
    proba: np.ndarray, y: np.ndarray, target: float
) -> tuple[float, float, float]:
    """The lowest threshold whose precision reaches ``target``: (threshold, precision, recall).

    Returns (1.0, nan, 0.0) when no threshold reaches it.
    """
    order = np.argsort(-proba, kind="stable")
    p_sorted = proba[order]
    y_sorted = y[order].astype(float)
    tp = np.cumsum(y_sorted)
    k = np.arange(1, len(y_sorted) + 1)
    precision = tp / k
    positives = max(float(y_sorted.sum()), 1.0)
    best: tuple[float, float, float] = (1.0, float("nan"), 0.0)
    # Only cut between distinct scores: ties must fall on one side together.
    last_of_value = np.r_[p_sorted[1:] != p_sorted[:-1], True]
    for i in np.flatnonzero(last_of_value):
        if precision[i] >= target and tp[i] / positives >= best[2]:
            best = (float(p_sorted[i]), float(precision[i]), float(tp[i] / positives))
    return best


def recall_at_precision(proba: np.ndarray, y: np.ndarray, target: float) -> float:
    return threshold_for_precision(proba, y, target)[2]


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(proba, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.mean() * abs(proba[mask].mean() - y[mask].mean())
    return float(total)
