"""Normalized views of a text that undo evasion, each mapping back to original offsets.

Interface (stable): ``normalize(text) -> Normalized``; ``Normalized.views`` holds
``View`` objects; ``View.to_original(start, end)`` maps a span of the view back to
a span of the original text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class View:
    """One normalized rendering: view char ``i`` came from ``original[starts[i]:ends[i]]``."""

    name: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the view span ``[start, end)`` to the original text's span."""
        if end <= start:
            pos = (
                self.starts[start]
                if start < len(self.starts)
                else (self.ends[-1] if self.ends else 0)
            )
            return pos, pos
        return self.starts[start], self.ends[end - 1]


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    views: tuple[View, ...]

    @property
    def base(self) -> View:
        return self.views[0]

    def view(self, name: str) -> View | None:
        return next((v for v in self.views if v.name == name), None)


def _base_view(text: str) -> View:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch).casefold():
            chars.append(out)
            starts.append(i)
            ends.append(i + 1)
    return View("base", "".join(chars), tuple(starts), tuple(ends))


def normalize(text: str) -> Normalized:
    return Normalized(text, (_base_view(text),))
