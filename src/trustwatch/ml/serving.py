"""Loading registered models for inference, once per process, without training deps."""

from __future__ import annotations

import threading
from typing import Any

from trustwatch.ml.linear import LinearModel
from trustwatch.ml.recent import Recent
from trustwatch.ml.registry import ModelEntry, Registry, root

_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str], tuple[Any, ModelEntry]] = {}


def load(ref: str, family: str) -> tuple[Any, ModelEntry]:
    """The model object and registry entry for ``ref`` (``name@version``), cached."""
    key = (str(root()), ref)
    with _LOCK:
        found = _CACHE.get(key)
        if found is None:
            entry = Registry().get(ref)
            entry.verify()
            if family == "transformer":
                from trustwatch.ml.transformer import load_classifier

                model: Any = load_classifier(entry.path)
            else:
                model = LinearModel.load(entry.path)
            found = (model, entry)
            _CACHE[key] = found
        return found


def memo_counts() -> tuple[int, int]:
    """Hits and misses of every memo of recent inputs (``Recent``) since the last reset."""
    hits = misses = 0
    for memo in _memos():
        hits += memo.hits
        misses += memo.misses
    return hits, misses


def forget_recent() -> None:
    """Empty every memo and zero its counts: a benchmark that replays one stream several
    times starts each run cold, so only repeats within the stream hit."""
    for memo in _memos():
        memo.clear()
        memo.hits = memo.misses = 0


def _memos() -> list[Recent[Any]]:
    from trustwatch.ml.features import all_indexes

    with _LOCK:
        models = [model for model, _ in _CACHE.values()]
    found = [index.recent for index in all_indexes()]
    found += [m.recent for m in models if isinstance(getattr(m, "recent", None), Recent)]
    return found


def remap(proba: float, threshold: float | None, at: float = 0.5) -> float:
    """Stretch a probability so ``threshold`` lands on ``at`` (the policy's action band).

    Below the threshold the model is weak supporting evidence only: at most a quarter of
    ``at``, so neither alone nor with another sub-threshold model does it reach a band.
    """
    if threshold is None:
        return proba
    if proba < threshold:
        return 0.25 * at * proba / threshold if threshold > 0 else 0.0
    return at + (1.0 - at) * (proba - threshold) / (1.0 - threshold) if threshold < 1 else 1.0


def threshold_of(entry: ModelEntry, operating_point: str | None) -> float | None:
    """The card's threshold for ``operating_point`` (e.g. ``precision_95``), or None."""
    if operating_point is None:
        return None
    found = entry.card.get("thresholds", {}).get(operating_point)
    if found is None:
        known = ", ".join(entry.card.get("thresholds", {})) or "none"
        raise ValueError(f"{entry.ref} has no threshold {operating_point!r}; known: {known}")
    return float(found["threshold"])
