from __future__ import annotations

from pathlib import Path

import numpy as np
from ml_builders import assert_scores_like_sklearn, identity

from trustwatch.ml.features import model_text
from trustwatch.ml.linear import LinearConfig, LinearModel, _fit_raw, fold_into_blocks

TEXTS = [
    "WIN a free prize now, call 09061701461 to claim",
    "URGENT your account is suspended, verify at http://bit.ly/x",
    "Free entry in 2 a weekly comp, txt WIN to 80086",
    "Congratulations! you have won a £1000 voucher, claim now",
    "are we still on for lunch tomorrow?",
    "ok see you at 6, bring the jacket",
    "is the dress still available? can do £20",
    "thanks, parcel arrived today, love it",
] * 3


def _fit() -> tuple[list[tuple[str, str]], np.ndarray, LinearConfig]:
    pairs = [model_text(t + f" {i}") for i, t in enumerate(TEXTS)]
    y = np.array(([1] * 4 + [0] * 4) * 3)
    return pairs, y, LinearConfig(min_df=1, folds=2)


def test_folded_weights_score_exactly_like_sklearn() -> None:
    pairs, y, cfg = _fit()
    probe = [model_text(t) for t in ("claim your free prize now!!", "see you at lunch", "x")]
    assert_scores_like_sklearn(pairs, y, cfg, probe)


def test_saved_model_loads_to_the_same_scores(tmp_path: Path) -> None:
    pairs, y, cfg = _fit()
    vecs, clf = _fit_raw(pairs, y, cfg)
    model = LinearModel(fold_into_blocks(vecs, clf, cfg), float(clf.intercept_[0]), identity())
    model.save(tmp_path)
    again = LinearModel.load(tmp_path)
    probe = model_text("free prize, call now")
    assert abs(again.decision(probe) - model.decision(probe)) < 1e-4
