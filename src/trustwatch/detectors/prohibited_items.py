"""Prohibited and restricted items by category (the ``prohibited`` lexicon).

One signal per category found, with the category, the terms and their labels in its
details, so a policy can weigh weapons and drugs above alcohol by using this detector
twice with different ``categories``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from trustwatch.detectors.base import Context, Detector, Item, Signal, register
from trustwatch.lexicon import Hit, Lexicon, load_lexicon

LEXICON = "prohibited"
# One scan per item and field set, shared by every instance (a policy uses several).
_SCANS = "prohibited_scans"  # key of the item's memo


def _lexicon() -> Lexicon:
    return load_lexicon(LEXICON)


class ProhibitedItemsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    categories: list[str] | None = Field(
        default=None, description="categories to report; all of the lexicon's when omitted"
    )
    fields: list[str] | None = Field(
        default=None, description="text fields to read; all if omitted"
    )
    corroboration: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="share of the gap to 1.0 that further distinct terms of a category close",
    )

    @field_validator("categories")
    @classmethod
    def _known(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            known = _lexicon().categories
            unknown = [c for c in value if c not in known]
            if unknown:
                raise ValueError(f"unknown categories {unknown}; known: {', '.join(known)}")
        return value


def _drop_covered(hits: list[Hit]) -> list[Hit]:
    """Keep the longest of nested hits in a category ("flick knife" over "knife")."""
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: h.start - h.end):
        if not any(
            o.field == h.field and o.category == h.category and o.start <= h.start <= h.end <= o.end
            for o in out
        ):
            out.append(h)
    return out


def _category_score(hits: list[Hit], corroboration: float) -> float:
    weights = sorted({h.term: h.weight for h in hits}.values(), reverse=True)
    rest = 1.0
    for w in weights[1:]:
        rest *= 1.0 - w
    return weights[0] + (1.0 - weights[0]) * corroboration * (1.0 - rest)


@register
class ProhibitedItems(Detector):
    name = "prohibited_items"
    Params = ProhibitedItemsParams

    def __init__(self, params: ProhibitedItemsParams) -> None:
        super().__init__(params)
        self.p = params
        self._lexicon = _lexicon()
        self._categories = frozenset(params.categories) if params.categories else None
        self._fields = tuple(params.fields) if params.fields is not None else None

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        fields = self._fields
        per_item: dict[tuple[str, ...] | None, list[Hit]] | None = item.memo.get(_SCANS)
        if per_item is None:
            per_item = item.memo[_SCANS] = {}
        every = per_item.get(fields)
        if every is None:
            every = per_item[fields] = self._lexicon.search_item(item, fields)
        if not every:
            return []
        wanted = self._categories
        hits = every if wanted is None else [h for h in every if h.category in wanted]
        if not hits:
            return []
        by_category: dict[str, list[Hit]] = {}
        for h in _drop_covered(hits):
            by_category.setdefault(h.category, []).append(h)
        signals = [
            Signal(
                self.name,
                round(_category_score(found, self.p.corroboration), 4),
                tuple(h.span() for h in found),
                {
                    "category": category,
                    "terms": sorted({h.term for h in found}),
                    "labels": sorted({h.label for h in found if h.label}),
                },
            )
            for category, found in by_category.items()
        ]
        signals.sort(key=lambda s: s.score, reverse=True)
        return signals
