"""Evidence spans laid over the original text, and word similarity between items."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from trustwatch.verdicts import Verdict


@dataclass(frozen=True)
class Segment:
    text: str
    detectors: tuple[str, ...] = ()

    @property
    def highlighted(self) -> bool:
        return bool(self.detectors)


def spans_by_field(verdict: Verdict | None) -> dict[str, list[tuple[int, int, str]]]:
    """(start, end, detector) per text field, from every policy's signals."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    if verdict is None:
        return out
    for decision in verdict.policies:
        for signal in decision.signals:
            for ev in signal.evidence:
                out.setdefault(ev.field, []).append((ev.start, ev.end, signal.detector))
    return out


def highlight(text: str, spans: list[tuple[int, int, str]]) -> list[Segment]:
    """Cut ``text`` into plain and highlighted segments; overlapping spans are merged."""
    bounds = {0, len(text)}
    clean: list[tuple[int, int, str]] = []
    for start, end, detector in spans:
        start, end = max(0, start), min(len(text), end)
        if start < end:
            clean.append((start, end, detector))
            bounds.update((start, end))
    cuts = sorted(bounds)
    segments: list[Segment] = []
    for left, right in itertools.pairwise(cuts):
        detectors = tuple(sorted({d for s, e, d in clean if s <= left and right <= e}))
        if segments and segments[-1].detectors == detectors:
            segments[-1] = Segment(segments[-1].text + text[left:right], detectors)
        else:
            segments.append(Segment(text[left:right], detectors))
    return segments


_WORD = re.compile(r"[^\W_]{3,}", re.UNICODE)


def words(text: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _WORD.findall(text))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
