"""A pack-declared phrase list: lets a pack add terms without code (a pack is data)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors.base import Context, Detector, Item, Signal, Span, register
from trustwatch.lexicon.merged import MERGED

# Owners in the merged pass by phrase set: engines come and go, their packs' lists repeat.
_GATES: dict[frozenset[str], int] = {}


def _gate(phrases: frozenset[str]) -> int:
    owner = _GATES.get(phrases)
    if owner is None:
        owner = _GATES[phrases] = MERGED.register(dict.fromkeys(phrases, True))
    return owner


def _holds(owner: int, text: str) -> bool:
    """Whether one of the owner's phrases occurs in ``text`` (anywhere, as a substring)."""
    return any(parts[owner] is not None for _, parts in MERGED.read(text))


class PhraseListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrases: list[str] = Field(min_length=1)
    score: float = Field(default=0.6, ge=0.0, le=1.0)
    fields: list[str] | None = None


@register
class PhraseList(Detector):
    """Scores when any listed phrase appears (whole words, on every normalized view)."""

    name = "phrase_list"
    Params = PhraseListParams

    def __init__(self, params: PhraseListParams) -> None:
        super().__init__(params)
        self.p = params
        alternation = "|".join(
            re.escape(p.casefold()) for p in sorted(params.phrases, key=len, reverse=True)
        )
        self._rx = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
        # Every match holds one phrase literally: the merged pass (which walks each view once
        # for every word list) rules most views out.
        folded = frozenset(p.casefold() for p in params.phrases)
        self._gate = _gate(folded) if all(folded) else None

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        spans: list[Span] = []
        for field_name, text in item.fields.items():
            if self.p.fields is not None and field_name not in self.p.fields:
                continue
            seen: set[tuple[int, int]] = set()
            for view in item.normalized(field_name).views:
                if self._gate is not None and not _holds(self._gate, view.text):
                    continue
                for m in self._rx.finditer(view.text):
                    start, end = view.to_original(m.start(), m.end())
                    if (start, end) not in seen:
                        seen.add((start, end))
                        spans.append(Span(field_name, start, end, text[start:end]))
        if not spans:
            return []
        return [Signal(self.name, self.p.score, tuple(spans))]
