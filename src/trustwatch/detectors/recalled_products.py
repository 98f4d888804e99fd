"""Listings of recalled products, matched against the packaged CPSC recall list.

A recall matches on one of its model numbers, or on one of its brands together with one
of its product phrases ("Autobrush" + "toothbrush"), never on a generic word alone.
Rebuild the list with ``scripts/build_recalls.py``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors.base import Context, Detector, Item, Signal, register
from trustwatch.lexicon import Hit, load_lexicon

LEXICON = "recalls"


class RecalledProductsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: list[str] = Field(
        default_factory=lambda: ["listing.title", "listing.description", "listing.brand"]
    )
    model_and_name: float = Field(default=0.9, ge=0.0, le=1.0)
    brand_and_product: float = Field(default=0.85, ge=0.0, le=1.0)
    model_only: float = Field(default=0.6, ge=0.0, le=1.0)


@register
class RecalledProducts(Detector):
    name = "recalled_products"
    Params = RecalledProductsParams

    def __init__(self, params: RecalledProductsParams) -> None:
        super().__init__(params)
        self.p = params
        self._lexicon = load_lexicon(LEXICON)
        self._records: dict[str, dict[str, str]] = self._lexicon.data.get("recalls", {})
        self._version = f"{LEXICON}@{self._lexicon.version}:{len(self._records)}"

    def version(self) -> str | None:
        return self._version

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        hits = self._lexicon.search_item(item, self.p.fields)
        if not hits:
            return []
        by_recall: dict[str, dict[str, list[Hit]]] = {}
        for h in hits:
            for number in h.data.get("recalls", ()):
                by_recall.setdefault(number, {}).setdefault(h.category, []).append(h)
        best: tuple[float, str, list[Hit]] | None = None
        for number, kinds in by_recall.items():
            model = kinds.get("recall_model", [])
            brand = kinds.get("recall_brand", [])
            product = kinds.get("recall_product", [])
            if model and (brand or product):
                score, used = self.p.model_and_name, model + brand + product
            elif brand and product:
                score, used = self.p.brand_and_product, brand + product
            elif model:
                score, used = self.p.model_only, model
            else:
                continue
            if best is None or score > best[0]:
                best = (score, number, used)
        if best is None:
            return []
        score, number, used = best
        record = self._records.get(number, {})
        return [
            Signal(
                self.name,
                score,
                tuple(sorted({h.span() for h in used}, key=lambda s: (s.field, s.start, s.end))),
                {
                    "category": "recalled",
                    "recall_number": number,
                    "title": record.get("title"),
                    "date": record.get("date"),
                    "url": record.get("url"),
                    "matched": sorted({h.term for h in used}),
                },
            )
        ]
