from __future__ import annotations

import itertools

import numpy as np

from trustwatch.ml.calibration import (
    Calibrator,
    expected_calibration_error,
    fit_calibrator,
    threshold_for_precision,
)


def test_threshold_is_the_lowest_reaching_the_target_precision() -> None:
    proba = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5])
    y = np.array([1, 1, 1, 0, 1, 0])
    t, p, r = threshold_for_precision(proba, y, 0.95)
    assert (t, p, r) == (0.8, 1.0, 0.75)
    t, p, r = threshold_for_precision(proba, y, 0.8)
    assert t == 0.6 and r == 1.0


def test_unreachable_precision_gives_no_threshold() -> None:
    t, _, r = threshold_for_precision(np.array([0.9, 0.8]), np.array([0, 1]), 0.99)
    assert t == 1.0 and r == 0.0


def test_isotonic_calibration_is_monotone_and_round_trips() -> None:
    rng = np.random.default_rng(0)
    raw = rng.normal(size=2000)
    y = (rng.random(2000) < 1 / (1 + np.exp(-3 * raw))).astype(int)
    cal = fit_calibrator(raw, y, "isotonic")
    grid = np.linspace(-3, 3, 50)
    out = [cal(float(x)) for x in grid]
    assert all(b >= a for a, b in itertools.pairwise(out))
    again = Calibrator.from_dict(cal.to_dict())
    assert np.allclose(again.many(grid), out)
    assert expected_calibration_error(cal.many(raw), y) < 0.05


def test_platt_calibration_matches_its_vectorised_form() -> None:
    rng = np.random.default_rng(1)
    raw = rng.normal(size=500)
    y = (raw + rng.normal(scale=0.5, size=500) > 0).astype(int)
    cal = fit_calibrator(raw, y, "platt")
    assert cal.method == "platt" and cal.a > 0
    assert abs(cal(0.3) - float(cal.many(np.array([0.3]))[0])) < 1e-9
