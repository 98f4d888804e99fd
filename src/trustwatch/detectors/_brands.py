"""Protected brands, item kinds and price floors from the ``counterfeit`` lexicon.

Shared by the counterfeit detectors so one listing is scanned once, whichever runs first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from trustwatch.detectors.base import Item
from trustwatch.lexicon import Hit, Lexicon, load_lexicon

LEXICON = "counterfeit"
BRAND_FIELD = "listing.brand"
_SCAN = "counterfeit_scan"  # key of the item's memo


def lexicon() -> Lexicon:
    return load_lexicon(LEXICON)


def scan(item: Item) -> list[Hit]:
    """Every counterfeit-lexicon hit over the item's text fields (memoized per item)."""
    found: list[Hit] | None = item.memo.get(_SCAN)
    if found is None:
        fields = [
            f for f in item.fields if f != BRAND_FIELD or _exact_brand(item.fields[f]) is None
        ]
        found = item.memo[_SCAN] = lexicon().search_item(item, fields)
    return found


def _exact_brand(value: str) -> tuple[str, str, Mapping[str, float]] | None:
    return _brand_aliases().get(" ".join(value.split()).casefold())


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    tier: str
    floors: Mapping[str, float]
    hit: Hit | None  # None when the brand came from the listing's brand field only


def _brand_of(data: Mapping[str, Any], term: str) -> tuple[str, str, Mapping[str, float]]:
    return str(data.get("brand", term)), str(data.get("tier", "mainstream")), data.get("floors", {})


@lru_cache(maxsize=1)
def _brand_aliases() -> dict[str, tuple[str, str, Mapping[str, float]]]:
    out: dict[str, tuple[str, str, Mapping[str, float]]] = {}
    for t in lexicon().terms:
        if t.category == "brand":
            for alias in (t.term, *t.aliases):
                out.setdefault(alias.rstrip("*"), _brand_of(t.data, t.term))
    return out


def brands(item: Item, hits: list[Hit]) -> list[Brand]:
    """Protected brands named by the listing: its brand field first, then the text."""
    out: dict[str, Brand] = {}
    field_value = item.fields.get(BRAND_FIELD)
    if field_value:
        exact = _exact_brand(field_value)
        if exact is not None:
            out[exact[0]] = Brand(exact[0], exact[1], exact[2], None)
    for h in hits:
        if h.category == "brand":
            name, tier, floors = _brand_of(h.data, h.term)
            if name not in out or out[name].hit is None:
                out[name] = Brand(name, tier, floors, h)
    return list(out.values())


@lru_cache(maxsize=1024)
def kind_of_category(category: str) -> str | None:
    """The item kind for a listing's category string ("Women/Bags/Totes" -> "bags")."""
    for h in lexicon().search_text(category, categories=("item",)):
        kind = h.data.get("kind")
        if kind:
            return str(kind)
    return None


def item_kind(item: Item, hits: list[Hit]) -> str | None:
    """What the listing sells: its category field, else the first item word in title/text."""
    listing = item.event.listing
    if listing is not None and listing.category:
        kind = kind_of_category(listing.category)
        if kind is not None:
            return kind
    for field_name in ("listing.title", "listing.description"):
        for h in hits:
            if h.field == field_name and h.category == "item" and h.data.get("kind"):
                return str(h.data["kind"])
    return None


def default_kind(brand: Brand) -> str | None:
    """What a brand of this tier sells when the listing names no kind (Rolex: watches)."""
    kind = lexicon().data.get("tier_kinds", {}).get(brand.tier)
    return None if kind is None else str(kind)


def price_floor(brand: Brand, kind: str | None) -> float | None:
    """The lowest plausible resale price (GBP) of a genuine item of this brand and kind."""
    tiers: Mapping[str, Mapping[str, float]] = lexicon().data.get("price_floors", {})
    tier = tiers.get(brand.tier, {})
    for key in (kind, "default"):
        if key is None:
            continue
        if key in brand.floors:
            return float(brand.floors[key])
        if key in tier:
            return float(tier[key])
    return None


def to_gbp(amount: float, currency: str) -> float | None:
    rate = lexicon().data.get("to_gbp", {}).get(currency.upper())
    return None if rate is None else amount * float(rate)


def noisy_or(weights: list[float]) -> float:
    remaining = 1.0
    for w in weights:
        remaining *= 1.0 - min(max(w, 0.0), 1.0)
    return 1.0 - remaining
