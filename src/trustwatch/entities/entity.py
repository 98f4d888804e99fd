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
    """One text being scanned: finders match on ``view.text`` and report view spans.

    By default the view is ``spelled`` (else ``base``); a scan of another view can share
    what an earlier scan found, so nothing is reported twice.
    """

    __slots__ = ("found", "has_digit", "original", "spans", "text", "view")

    def __init__(
        self, normalized: Normalized, view: View | None = None, shared: Scan | None = None
    ) -> None:
        self.original = normalized.original
        if view is None:
            view = normalized.view("spelled") or normalized.base
        self.view = view
        self.text = view.text
        # Most finders need a digit; ten substring tests beat any regex at saying so.
        self.has_digit = any(d in self.text for d in "0123456789")
        self.found: list[Entity] = shared.found if shared is not None else []
        # Original spans of everything found so far, so later finders skip them.
        self.spans: list[tuple[int, int]] = shared.spans if shared is not None else []

    def taken(self, start: int, end: int) -> bool:
        """Whether the view span overlaps something already found."""
        o_start, o_end = self.view.to_original(start, end)
        return any(s < o_end and o_start < e for s, e in self.spans)

    def overlapping(self, start: int, end: int) -> list[Entity]:
        """What was found so far overlapping the view span."""
        o_start, o_end = self.view.to_original(start, end)
        return [e for e in self.found if e.start < o_end and o_start < e.end]

    def obfuscated(self, start: int, end: int) -> bool:
        """Whether the view span reads differently from what is literally written there."""
        o_start, o_end = self.view.to_original(start, end)
        return self.original[o_start:o_end].lower() != self.text[start:end]

    def add(self, kind: str, value: str, start: int, end: int, **attrs: Any) -> Entity:
        o_start, o_end = self.view.to_original(start, end)
        entity = Entity(kind, value, o_start, o_end, self.original[o_start:o_end], attrs)
        self.found.append(entity)
        self.spans.append((o_start, o_end))
        return entity

    def remove(self, entity: Entity) -> None:
        """Take back something found, to report a better reading of it."""
        self.found.remove(entity)
        self.spans.remove((entity.start, entity.end))

    def add_original(self, kind: str, value: str, start: int, end: int, **attrs: Any) -> Entity:
        """Add an entity matched on the original text itself (case-sensitive kinds)."""
        entity = Entity(kind, value, start, end, self.original[start:end], attrs)
        self.found.append(entity)
        self.spans.append((start, end))
        return entity
