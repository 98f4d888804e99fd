"""Stack the GPU sweep's MiniLM logits with the shipped linear models, thresholds from OOF.

    TRUSTWATCH_GRAM_KERNEL=1 .venv/bin/python scripts/gpu/analyse.py /work/.device/1/logits.npz ...

For each run in the given ``.npz`` files (keys ``NAME__oof`` / ``NAME__test``), prints the
transformer alone and a logistic stack with the linear model's out-of-fold probabilities,
each at the threshold that is best on the OOF scores (never chosen on the test split).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve

from trustwatch.ml import datasets
from trustwatch.ml.features import model_text, url_pair
from trustwatch.ml.linear import LinearModel
from trustwatch.ml.training import SPECS, training_set

MODELS = Path("src/trustwatch/models")


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def best_f1(y: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    p, r, t = precision_recall_curve(y, s)
    f = 2 * p * r / np.maximum(p + r, 1e-9)
    i = int(np.nanargmax(f[:-1]))
    return float(f[i]), float(t[i])


def best_acc(y: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    cuts = np.unique(s)
    accs = [float(((s >= c) == (y == 1)).mean()) for c in cuts]
    i = int(np.argmax(accs))
    return accs[i], float(cuts[i])


def f1_at(y: np.ndarray, s: np.ndarray, t: float) -> float:
    f = s >= t
    return float(2 * (f & (y == 1)).sum() / (f.sum() + y.sum()))


def acc_at(y: np.ndarray, s: np.ndarray, t: float) -> float:
    return float(((s >= t) == (y == 1)).mean())


def main(paths: list[str]) -> None:
    data = json.loads(Path(".gpu/data.json").read_text())
    tasks = {
        "sm": ("smishing/6", "smishing", "sm_train", best_f1, f1_at),
        "url": ("phishing_url/2", "phishing_url", "url_train", best_acc, acc_at),
    }
    linear: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    for key, (ref, spec, train, *_rest) in tasks.items():
        y = np.array(data[train]["y"])
        assert (training_set(SPECS[spec]).y[: len(y)] == y).all(), "training rows out of order"
        oof = np.load(MODELS / ref / "oof_proba.npy")[: len(y)]
        model = LinearModel.load(MODELS / ref)
        if key == "sm":
            test = datasets.load("sms_phishing_mendeley").split("test")
            proba = np.array([model.proba(model_text(e.text)) for e in test])
        else:
            proba = np.array([model.proba(url_pair(u)) for u in data["url_test"]["text"]])
        yt = np.array(data[train.replace("train", "test")]["y"])
        linear[key] = (y, oof, yt, proba)
    for key, (_ref, _spec, _train, best, at) in tasks.items():
        y, oof, yt, proba = linear[key]
        _, t = best(y, oof)
        print(f"{key} linear alone: test {at(yt, proba, t):.4f}")
    for path in paths:
        runs = np.load(path)
        for name in sorted({k.split("__")[0] for k in runs.files}):
            key = "url" if name.startswith("url") else "sm"
            _, _, _, best, at = tasks[key]
            y, oof, yt, proba = linear[key]
            o, t = runs[f"{name}__oof"], runs[f"{name}__test"]
            _, cut = best(y, o)
            x, xt = np.c_[logit(oof), o], np.c_[logit(proba), t]
            clf = LogisticRegression().fit(x, y)
            so, st = clf.decision_function(x), clf.decision_function(xt)
            oof_stack, cut_stack = best(y, so)
            print(
                f"{key} {name}: alone test {at(yt, t, cut):.4f} | stack OOF {oof_stack:.4f} "
                f"test {at(yt, st, cut_stack):.4f}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
