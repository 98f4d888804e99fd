from __future__ import annotations

import numpy as np

from trustwatch.ml.noise import find_label_issues


def test_flipped_labels_are_found_among_confident_predictions() -> None:
    rng = np.random.default_rng(0)
    y_true = (rng.random(400) < 0.3).astype(int)
    proba = np.where(y_true == 1, rng.uniform(0.85, 0.99, 400), rng.uniform(0.01, 0.15, 400))
    y = y_true.copy()
    flipped = [3, 50, 120, 333]
    y[flipped] = 1 - y[flipped]
    count, issues = find_label_issues(proba, y, [f"t{i}" for i in range(400)], ["d"] * 400)
    assert set(flipped) <= {i.index for i in issues}
    assert count <= 10
