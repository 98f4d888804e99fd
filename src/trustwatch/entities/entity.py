"""The entity record and the scan state every finder shares."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from trustwatch.normalize import Normalized, View
from trustwatch.normalize.spelled import has_digit


@dataclass(frozen=True, slots=True)
class Entity:
    """A thing found in a text; ``start``/``end``/``text`` are in the ORIGINAL text."""

    kind: str
    value: str
    start: int
    end: int
    text: str
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


class _Spans:
    """Original spans of what was found, sorted, so an overlap check is a bisect."""

    __slots__ = ("_entities", "_longest", "_spans")

    def __init__(self) -> None:
        self._spans: list[tuple[int, int, int]] = []
        self._entities: dict[int, Entity] = {}
        self._longest = 0

    def add(self, entity: Entity) -> None:
        insort(self._spans, (entity.start, entity.end, id(entity)))
        self._entities[id(entity)] = entity
        self._longest = max(self._longest, entity.end - entity.start)

    def remove(self, entity: Entity) -> None:
        self._spans.remove((entity.start, entity.end, id(entity)))
        del self._entities[id(entity)]

    def overlapping(self, start: int, end: int) -> Iterator[Entity]:
        spans = self._spans
        i = bisect_left(spans, (start - self._longest, -1, -1))
        while i < len(spans) and spans[i][0] < end:
            s, e, key = spans[i]
            if s < end and start < e:
                yield self._entities[key]
            i += 1


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
            views = normalized.views
            # "spelled", when there, is the last view (most texts have only "base").
            view = views[-1] if len(views) > 1 and views[-1].name == "spelled" else views[0]
        self.view = view
        self.text = view.text
        self.has_digit = has_digit(self.text)
        self.found: list[Entity] = shared.found if shared is not None else []
        # Original spans of everything found so far, so later finders skip them.
        self.spans: _Spans = shared.spans if shared is not None else _Spans()

    def taken(self, start: int, end: int) -> bool:
        """Whether the view span overlaps something already found."""
        o_start, o_end = self.view.to_original(start, end)
        return next(self.spans.overlapping(o_start, o_end), None) is not None

    def overlapping(self, start: int, end: int) -> list[Entity]:
        """What was found so far overlapping the view span."""
        return list(self.spans.overlapping(*self.view.to_original(start, end)))

    def obfuscated(self, start: int, end: int) -> bool:
        """Whether the view span reads differently from what is literally written there."""
        o_start, o_end = self.view.to_original(start, end)
        return self.original[o_start:o_end].lower() != self.text[start:end]

    def add(self, kind: str, value: str, start: int, end: int, **attrs: Any) -> Entity:
        o_start, o_end = self.view.to_original(start, end)
        entity = Entity(kind, value, o_start, o_end, self.original[o_start:o_end], attrs)
        self.found.append(entity)
        self.spans.add(entity)
        return entity

    def remove(self, entity: Entity) -> None:
        """Take back something found, to report a better reading of it."""
        self.found.remove(entity)
        self.spans.remove(entity)

    def add_original(self, kind: str, value: str, start: int, end: int, **attrs: Any) -> Entity:
        """Add an entity matched on the original text itself (case-sensitive kinds)."""
        entity = Entity(kind, value, start, end, self.original[start:end], attrs)
        self.found.append(entity)
        self.spans.add(entity)
        return entity
