"""Scanning a field's normalized views with one pattern, evidence mapped to the original text."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import ahocorasick

from trustwatch.detectors.base import Item, Span
from trustwatch.lexicon.merged import MERGED
from trustwatch.normalize import View


def distinct_views(item: Item, field_name: str) -> tuple[View, ...]:
    """The field's views, each text once: ``normalize`` keeps a view only when its text
    differs from every view before it (a property its tests check), so the views are
    distinct already and need no second pass. Several detectors ask, per field."""
    return item.normalized(field_name).views


def matches(views: Sequence[View], rx: re.Pattern[str]) -> Iterator[tuple[View, re.Match[str]]]:
    """Every match of ``rx`` in every view."""
    for view in views:
        for m in rx.finditer(view.text):
            yield view, m


def span_of(item: Item, field_name: str, view: View, start: int, end: int) -> Span:
    """Evidence for ``view.text[start:end]`` as a span of the field's original text."""
    o_start, o_end = view.to_original(start, end)
    return Span(field_name, o_start, o_end, item.fields[field_name][o_start:o_end])


def dedupe(spans: list[Span]) -> tuple[Span, ...]:
    """Spans sorted by position, dropping repeats and spans inside another one."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.field, s.start, -s.end)):
        if out and out[-1].field == s.field and out[-1].start <= s.start and s.end <= out[-1].end:
            continue
        out.append(s)
    return tuple(out)


class AnchorGroups:
    """Anchors per pattern: which of a detector's patterns could match any of these views.

    ``groups`` maps a pattern's name to its anchor words (whitespace-separated); every match
    of that pattern contains one of them literally, so only the patterns named here need run.
    Every instance's words also join the lexicons' merged pass (``lexicon.merged``), so
    ``found_in`` reads them from the one walk over a view that serves all of them.
    """

    def __init__(self, groups: dict[str, str]) -> None:
        self.names = frozenset(groups)
        owners: dict[str, set[str]] = {}
        for name, words in groups.items():
            for word in words.split():
                owners.setdefault(word, set()).add(name)
        self._owners = {word: frozenset(names) for word, names in owners.items()}
        self._automaton = ahocorasick.Automaton()
        for word, names in self._owners.items():
            self._automaton.add_word(word, names)
        self._automaton.make_automaton()
        self._merged = MERGED.register(self._owners)

    def found(self, views: Sequence[View]) -> frozenset[str]:
        hit: set[str] = set()
        for view in views:
            for _, names in self._automaton.iter(view.text):
                hit |= names
                if len(hit) == len(self.names):
                    return self.names
        return frozenset(hit)

    def found_in(self, item: Item, field_name: str) -> frozenset[str]:
        """``found(distinct_views(item, field_name))``, from the merged pass."""
        hit: set[str] = set()
        merged = self._merged
        for view in distinct_views(item, field_name):
            for _, parts in MERGED.read(view.text):
                names = parts[merged]
                if names:
                    hit |= names
        return frozenset(hit)
