"""A learned text classifier from the model registry (the fast linear family)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import Field

from trustwatch.detectors._learned import LearnedDetector, ModelParams
from trustwatch.detectors.base import (
    COST_LINEAR_MODEL,
    Context,
    Item,
    Signal,
    Span,
    register,
)

if TYPE_CHECKING:
    from trustwatch.ml.features import FeatureCache

_LINKISH = re.compile(r"://|^www\.|^[\w-]+(\.[\w-]+)+(/|$)")


# The item memo's key prefix for the gram features of a field.
_GRAMS = "text_model.grams"


def _gram_cache(item: Item, field_name: str) -> FeatureCache:
    """Features of one item's field, shared by every text model that reads the same text
    (kept in the item's memo: a plain dict, where a weak-keyed one cost a weakref a call)."""
    key = (_GRAMS, field_name)
    found: FeatureCache | None = item.memo.get(key)
    if found is None:
        found = item.memo[key] = {}
    return found


def _selected(item: Item, fields: list[str] | None) -> list[str]:
    return sorted(f for f in item.fields if fields is None or f in fields)


def _channel(item: Item) -> str:
    message = item.event.message
    extra = (message.model_extra or {}) if message is not None else {}
    return str(extra.get("channel") or "chat")


def _has_words(text: str, least: int) -> bool:
    """Whether ``text`` holds at least ``least`` words outside links (stops once it has)."""
    found = 0
    for word in text.split():
        if not _LINKISH.search(word):
            found += 1
            if found >= least:
                return True
    return False


class TextModelParams(ModelParams):
    fields: list[str] | None = Field(default=None, description="fields to read (default: all)")
    min_chars: int = Field(default=0, ge=0, description="skip shorter texts")
    max_chars: int | None = Field(default=None, ge=1, description="skip longer texts")
    channels: list[str] | None = Field(
        default=None,
        description="score only messages whose `message.channel` is one of these "
        "(a message without one is `chat`)",
    )
    join: bool = Field(
        default=False,
        description="score the selected fields as one text (in field-name order), as a "
        "listing is read: brand, description, title",
    )
    min_words: int = Field(
        default=0, ge=0, description="skip texts with fewer words outside links (a bare URL)"
    )


@register
class TextModel(LearnedDetector):
    """Scores each text field with a calibrated linear model; the highest field wins."""

    name = "text_model"
    cost = COST_LINEAR_MODEL
    Params = TextModelParams

    family = "linear"

    def __init__(self, params: TextModelParams) -> None:
        from trustwatch.ml.features import from_normalized

        super().__init__(params)
        self.p = params
        self._model_text = from_normalized

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        if self.p.channels is not None and _channel(item) not in self.p.channels:
            return []
        if self.p.join:
            return self._joined(item)
        best: tuple[float, float, str] | None = None
        for field_name, text in item.fields.items():
            if self.p.fields is not None and field_name not in self.p.fields:
                continue
            if self.p.min_words and not _has_words(text, self.p.min_words):
                continue
            if len(text) < self.p.min_chars or (
                self.p.max_chars is not None and len(text) > self.p.max_chars
            ):
                continue
            proba = self.model.proba(
                self._model_text(item.normalized(field_name)), _gram_cache(item, field_name)
            )
            if best is None or proba > best[0]:
                best = (proba, self.banded(proba), field_name)
        if best is None or best[1] <= 0.0:
            return []
        proba, score, field_name = best
        text = item.fields[field_name]
        return [
            Signal(
                self.name,
                round(score, 4),
                (Span(field_name, 0, len(text), text[:80]),),
                {"model": self.entry.ref, "proba": round(proba, 4)},
            )
        ]

    def _joined(self, item: Item) -> list[Signal]:
        names = _selected(item, self.p.fields)
        if not names:
            return []
        parts = [self._model_text(item.normalized(f)) for f in names]
        pair = (
            "\n".join(p[0] for p in parts),
            "\n".join(p[1] for p in parts),
            "\n".join(p[2] for p in parts) if any(p[2] for p in parts) else "",
        )
        proba = self.model.proba(pair)
        score = self.banded(proba)
        if score <= 0.0:
            return []
        spans = tuple(Span(f, 0, len(item.fields[f]), item.fields[f][:80]) for f in names)
        return [
            Signal(
                self.name,
                round(score, 4),
                spans,
                {"model": self.entry.ref, "proba": round(proba, 4)},
            )
        ]
