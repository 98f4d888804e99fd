"""Noisy-label candidates found with cleanlab from out-of-fold probabilities.

The candidates are reported for a person to relabel; nothing is dropped automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from trustwatch.ml.registry import ModelEntry
    from trustwatch.ml.training import TrainResult


@dataclass(frozen=True)
class LabelIssue:
    index: int
    dataset: str
    given: int
    proba: float
    quality: float
    text: str


def find_label_issues(
    proba: np.ndarray, y: np.ndarray, texts: list[str], sources: list[str], top: int = 25
) -> tuple[int, list[LabelIssue]]:
    """How many labels cleanlab flags, and the ``top`` least trustworthy of them."""
    from cleanlab.filter import find_label_issues as cl_find
    from cleanlab.rank import get_label_quality_scores

    probs = np.column_stack([1.0 - proba, proba])
    flagged = cl_find(labels=y, pred_probs=probs, filter_by="prune_by_noise_rate")
    quality = get_label_quality_scores(y, probs)
    idx = np.flatnonzero(flagged)
    ranked = idx[np.argsort(quality[idx])][:top]
    issues = [
        LabelIssue(int(i), sources[i], int(y[i]), float(proba[i]), float(quality[i]), texts[i])
        for i in ranked
    ]
    return int(flagged.sum()), issues


def report_for(entry: ModelEntry, top: int = 25) -> str:
    """The report for a registered model, from the out-of-fold probabilities it saved."""
    from trustwatch.errors import ConfigError
    from trustwatch.ml.training import TrainResult, spec, training_set

    path = entry.path / "oof_proba.npy"
    s = spec(entry.name)
    if not path.exists() or not s.sources:
        raise ConfigError(f"{entry.ref} has no out-of-fold probabilities over public data")
    ts = training_set(s)
    oof = np.load(path).astype(float)
    if len(oof) != len(ts.y):
        raise ConfigError(f"{entry.ref}: its training data changed since it was trained")
    return label_issue_report(TrainResult(entry, oof, ts, 0.0), top)


def label_issue_report(result: TrainResult, top: int = 25) -> str:
    ex = result.training.examples
    count, issues = find_label_issues(
        result.oof_proba,
        result.training.y,
        [e.text for e in ex],
        [e.source for e in ex],
        top,
    )
    lines = [
        f"## {result.entry.ref}: {count} label-issue candidates of {len(ex)} "
        f"({100 * count / max(len(ex), 1):.1f} %)",
        "",
        "cleanlab `find_label_issues` (prune by noise rate) on grouped out-of-fold probabilities;",
        f"the {min(top, count)} least trustworthy labels (1 = the model's positive class):",
        "",
        "| dataset | given | model p(1) | quality | text |",
        "|---|---|---|---|---|",
    ]
    for i in issues:
        text = i.text.replace("|", "/").replace("\n", " ")[:140]
        lines.append(f"| {i.dataset} | {i.given} | {i.proba:.3f} | {i.quality:.3f} | {text} |")
    return "\n".join(lines)
