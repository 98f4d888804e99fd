"""The fast linear text model: word + character n-gram TF-IDF, logistic regression.

Training uses scikit-learn; inference does not. The fitted vectorizers and the
classifier are folded into one weight per n-gram, so scoring a text is a dictionary
lookup of its n-grams in a shared, vectorised index (see ``GramIndex``) and two dot
products, with exactly sklearn's arithmetic.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from trustwatch.ml.calibration import Calibrator, fit_calibrator
from trustwatch.ml.features import ANALYZERS, FeatureCache, Pair, SparseBlock

ARTIFACT = "linear.json.gz"


@dataclass
class LinearConfig:
    C: float = 10.0
    class_weight: Literal["balanced"] | None = "balanced"
    min_df: int = 2
    max_features: dict[str, int] = field(default_factory=lambda: {"word": 60000, "char": 150000})
    blocks: tuple[str, ...] = ("word", "char")
    calibration: Literal["platt", "isotonic"] = "isotonic"
    folds: int = 5
    seed: int = 13


class LinearModel:
    """A calibrated linear model over sparse n-gram blocks; no sklearn needed to score."""

    def __init__(self, blocks: list[SparseBlock], intercept: float, calibrator: Calibrator) -> None:
        self.blocks = blocks
        self.intercept = intercept
        self.calibrator = calibrator

    def decision(self, pair: Pair, cache: FeatureCache | None = None) -> float:
        if cache is None:
            cache = {}  # still share one analyzer's features between this model's blocks
        # What sum() over the blocks added, in the same order from the same 0.0.
        total = 0.0
        for block in self.blocks:
            total += block.score(pair, cache)
        return self.intercept + total

    def proba(self, pair: Pair, cache: FeatureCache | None = None) -> float:
        return self.calibrator(self.decision(pair, cache))

    def proba_many(self, pairs: Sequence[Pair]) -> np.ndarray:
        return np.array([self.proba(p) for p in pairs], dtype=float)

    def save(self, directory: Path) -> Path:
        path = directory / ARTIFACT
        payload = {
            "intercept": self.intercept,
            "calibrator": self.calibrator.to_dict(),
            "blocks": [
                {
                    "analyzer": b.analyzer,
                    "grams": [g for g, _ in sorted(b.vocab.items(), key=lambda kv: kv[1])],
                    "idf": [round(x, 6) for x in b.idf],
                    "weight": [round(x, 6) for x in b.weight],
                }
                for b in self.blocks
            ],
        }
        text = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        # mtime 0: the same model gives the same bytes, so retraining reproduces its hash.
        with path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as fh:
            fh.write(text)
        return path

    @classmethod
    def load(cls, directory: Path) -> LinearModel:
        with gzip.open(directory / ARTIFACT, "rt", encoding="utf-8") as fh:
            payload = json.load(fh)
        blocks = [
            SparseBlock(
                b["analyzer"],
                {g: i for i, g in enumerate(b["grams"])},
                [float(x) for x in b["idf"]],
                [float(x) for x in b["weight"]],
            )
            for b in payload["blocks"]
        ]
        return cls(blocks, float(payload["intercept"]), Calibrator.from_dict(payload["calibrator"]))


@dataclass
class LinearFit:
    model: LinearModel
    oof_proba: np.ndarray
    config: LinearConfig

    def config_dict(self) -> dict[str, Any]:
        return asdict(self.config)


def _vectorizers(config: LinearConfig) -> list[Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [
        TfidfVectorizer(
            analyzer=ANALYZERS[name],
            sublinear_tf=True,
            min_df=config.min_df,
            max_features=config.max_features.get(name),
            dtype=np.float32,
        )
        for name in config.blocks
    ]


def _fit_raw(pairs: Sequence[Pair], y: np.ndarray, config: LinearConfig) -> tuple[Any, Any]:
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    vecs = _vectorizers(config)
    x = hstack([v.fit_transform(pairs) for v in vecs]).tocsr()
    # liblinear shuffles the data; a fixed seed makes retraining reproduce the artifact.
    clf = LogisticRegression(
        C=config.C,
        class_weight=config.class_weight,
        max_iter=2000,
        solver="liblinear",
        random_state=config.seed,
    )
    clf.fit(x, y)
    return vecs, clf


def _decision(vecs: Any, clf: Any, pairs: Sequence[Pair]) -> np.ndarray:
    from scipy.sparse import hstack

    x = hstack([v.transform(pairs) for v in vecs]).tocsr()
    return np.asarray(clf.decision_function(x), dtype=float)


def oof_decisions(
    pairs: Sequence[Pair], y: np.ndarray, groups: Sequence[str], config: LinearConfig
) -> np.ndarray:
    """Out-of-fold decision values, folds grouped so near-duplicates stay together."""
    from sklearn.model_selection import StratifiedGroupKFold

    out = np.zeros(len(pairs), dtype=float)
    folds = StratifiedGroupKFold(n_splits=config.folds, shuffle=True, random_state=config.seed)
    for train_idx, test_idx in folds.split(np.zeros(len(y)), y, groups):
        vecs, clf = _fit_raw([pairs[i] for i in train_idx], y[train_idx], config)
        out[test_idx] = _decision(vecs, clf, [pairs[i] for i in test_idx])
    return out


def fold_into_blocks(vecs: Any, clf: Any, config: LinearConfig) -> list[SparseBlock]:
    """One weight per gram: the classifier's coefficients split back per vectorizer."""
    coef = np.asarray(clf.coef_[0], dtype=float)
    blocks: list[SparseBlock] = []
    offset = 0
    for name, vec in zip(config.blocks, vecs, strict=True):
        vocab: dict[str, int] = {str(k): int(v) for k, v in vec.vocabulary_.items()}
        n = len(vocab)
        blocks.append(
            SparseBlock(
                name,
                vocab,
                [float(x) for x in vec.idf_],
                [float(x) for x in coef[offset : offset + n]],
            )
        )
        offset += n
    return blocks


def train_linear(
    pairs: Sequence[Pair],
    y: np.ndarray,
    groups: Sequence[str],
    config: LinearConfig | None = None,
) -> LinearFit:
    """Fit on everything given; calibrate on out-of-fold decisions from grouped folds."""
    cfg = config or LinearConfig()
    oof = oof_decisions(pairs, y, groups, cfg)
    calibrator = fit_calibrator(oof, y, cfg.calibration)
    vecs, clf = _fit_raw(pairs, y, cfg)
    model = LinearModel(fold_into_blocks(vecs, clf, cfg), float(clf.intercept_[0]), calibrator)
    return LinearFit(model, calibrator.many(oof), cfg)
