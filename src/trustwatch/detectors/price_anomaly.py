"""A protected-brand item priced far below what a genuine one resells for.

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
        if listing is None or listing.price is None or listing.price.amount <= 0:
            return []
        price = _brands.to_gbp(listing.price.amount, listing.price.currency)
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
        evidence: tuple[Span, ...] = (brand.hit.span(),) if brand.hit is not None else ()
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
