"""A protected-brand item priced far below what a genuine one resells for.

Price: the listing's price, else the one amount written in its title/description.
Brand: the listing's brand field, else the first brand in the title, else the description.
Kind: the category field, else the first item word ("bag", "trainers", "watch").
The floor comes from the brand's own floors or its tier's (``counterfeit`` lexicon data).
Packaging-only listings (dust bag, empty box) are skipped: they are cheap when genuine too.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from trustwatch.detectors import _brands
from trustwatch.detectors.base import Context, Detector, Item, Signal, Span, register


class PriceStep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    below: float = Field(gt=0.0, le=1.0, description="price / floor ratio at or below which...")
    score: float = Field(ge=0.0, le=1.0, description="...this score applies")


class PriceAnomalyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    steps: list[PriceStep] = Field(
        default_factory=lambda: [
            PriceStep(below=0.2, score=0.6),
            PriceStep(below=0.35, score=0.45),
            PriceStep(below=0.5, score=0.25),
        ],
        min_length=1,
    )

    @field_validator("steps")
    @classmethod
    def _ascending(cls, steps: list[PriceStep]) -> list[PriceStep]:
        return sorted(steps, key=lambda s: s.below)


def _text_price(item: Item) -> tuple[float, str, Span] | None:
    """The price written in the title/description, only when exactly one amount is stated
    (with "£300, postage £5" the smaller figure is not the item's price)."""
    found: list[tuple[float, str, Span]] = []
    for field_name in ("listing.title", "listing.description"):
        if field_name in item.fields:
            for e in item.entities(field_name):
                currency = e.attrs.get("currency")
                if e.kind == "price" and currency:
                    span = Span(field_name, e.start, e.end, e.text)
                    found.append((float(e.attrs["amount"]), str(currency), span))
    if len({(a, c) for a, c, _ in found}) != 1:
        return None
    return found[0]


@register
class PriceAnomaly(Detector):
    name = "price_anomaly"
    Params = PriceAnomalyParams

    def __init__(self, params: PriceAnomalyParams) -> None:
        super().__init__(params)
        self.p = params
        _brands.lexicon()

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        listing = item.event.listing
        if listing is None:
            return []
        stated: Span | None = None
        if listing.price is not None:
            amount, currency = listing.price.amount, listing.price.currency
        else:
            found = _text_price(item)
            if found is None:
                return []
            amount, currency, stated = found
        price = _brands.to_gbp(amount, currency) if amount > 0 else None
        if price is None:
            return []
        hits = _brands.scan(item)
        if any(h.category == "packaging" and h.field == "listing.title" for h in hits):
            return []
        brands = _brands.brands(item, hits)
        if not brands:
            return []
        brand = brands[0]
        kind = _brands.item_kind(item, hits) or _brands.default_kind(brand)
        floor = _brands.price_floor(brand, kind)
        if not floor:
            return []
        ratio = price / floor
        step = next((s for s in self.p.steps if ratio <= s.below), None)
        if step is None:
            return []
        evidence = tuple(
            span for span in (brand.hit.span() if brand.hit else None, stated) if span is not None
        )
        return [
            Signal(
                self.name,
                step.score,
                evidence,
                {
                    "brand": brand.name,
                    "kind": kind,
                    "price_gbp": round(price, 2),
                    "floor_gbp": floor,
                    "ratio": round(ratio, 3),
                },
            )
        ]
