"""The entity record and the scan state every finder shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trustwatch.normalize import Normalized, View


@dataclass(frozen=True, slots=True)
class Entity:
    """A thing found in a text; ``start``/``end``/``text`` are in the ORIGINAL text."""

    kind: str
    value: str
    start: int
    end: int
    text: str
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


class Scan:
    """One text being scanned: finders match on ``view.text`` and report view spans."""

    __slots__ = ("found", "has_digit", "original", "spans", "text", "view")

    def __init__(self, normalized: Normalized) -> None:
        self.original = normalized.original
        spelled = normalized.view("spelled")
        self.view: View = spelled if spelled is not None else normalized.base
        self.text = self.view.text
        # Most finders need a digit; ten substring tests beat any regex at saying so.
        self.has_digit = any(d in self.text for d in "0123456789")
        self.found: list[Entity] = []
        # View spans of everything found so far, so later finders skip them.
        self.spans: list[tuple[int, int]] = []

    def taken(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.spans)

    def obfuscated(self, start: int, end: int) -> bool:
        """Whether the view span reads differently from what is literally written there."""
        o_start, o_end = self.view.to_original(start, end)
        return self.original[o_start:o_end].lower() != self.text[start:end]

    def add(self, kind: str, value: str, start: int, end: int, **attrs: Any) -> Entity:
        o_start, o_end = self.view.to_original(start, end)
        entity = Entity(kind, value, o_start, o_end, self.original[o_start:o_end], attrs)
        self.found.append(entity)
        self.spans.append((start, end))
        return entity

    def add_original(self, kind: str, value: str, start: int, end: int, **attrs: Any) -> Entity:
        """Add an entity matched on the original text itself (case-sensitive kinds)."""
        entity = Entity(kind, value, start, end, self.original[start:end], attrs)
        self.found.append(entity)
        return entity
