"""Counterfeit wording: replica vocabulary and bulk-stock wording around protected brands.

Strong replica terms ("1:1 replica", "super clone", "PK batch") count on their own;
medium ones ("rep", "UA", "dupe", "inspired by") only when a protected brand is named,
some of them only right next to it; wholesale wording only with a brand. Authenticity
assurances ("with receipt", "100% genuine") halve a score built from medium/weak terms only.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors import _brands
from trustwatch.detectors.base import Context, Detector, Item, Signal, Span, register
from trustwatch.entities.entity import has_digit
from trustwatch.lexicon import Hit

# "(?<!\w)(\d{2,5})…", digit-first: the check that no word char comes before the number
# sits after its first digit, so the regex engine scans for a digit (twice as fast).
_QUANTITY = re.compile(r"(\d(?<!\w\d)\d{1,4})\s*(?:pcs|pieces|units|pairs|pc)(?!\w)")
# Casefolding never makes a digit (checked over every code point in the tests), so a field
# without one has no quantity to find and needs no casefolded copy. In ASCII text the only
# digits are 0-9, which ten substring tests find faster than a scan for any Unicode digit.
_DIGIT = re.compile(r"\d")


class CounterfeitTermsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    no_brand_factor: float = Field(
        default=0.7, ge=0.0, le=1.0, description="scales strong replica terms with no brand named"
    )
    assurance_factor: float = Field(
        default=0.5, ge=0.0, le=1.0, description="scales medium/weak-only scores next to assurances"
    )
    quantity_weight: float = Field(
        default=0.45, ge=0.0, le=1.0, description="weight of '50 pcs'-style quantities"
    )


def _gap(a: Hit, b: Hit) -> int:
    return max(a.start - b.end, b.start - a.end)


def _drop_covered(hits: list[Hit]) -> list[Hit]:
    """Keep the longest of overlapping hits ("1:1 rep" over "1:1" and "rep")."""
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: h.start - h.end):
        if not any(o.field == h.field and o.start <= h.start and h.end <= o.end for o in out):
            out.append(h)
    return out


@register
class CounterfeitTerms(Detector):
    name = "counterfeit_terms"
    Params = CounterfeitTermsParams

    def __init__(self, params: CounterfeitTermsParams) -> None:
        super().__init__(params)
        self.p = params
        _brands.lexicon()

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        hits = _brands.scan(item)
        replica = _drop_covered([h for h in hits if h.category == "replica"])
        wholesale = [h for h in hits if h.category == "wholesale"]
        quantities = [
            (f, m)
            for f, text in item.fields.items()
            if (has_digit(text) if text.isascii() else _DIGIT.search(text))
            for m in _QUANTITY.finditer(text.casefold())
        ]
        if not replica and not wholesale and not quantities:
            return []
        brands = _brands.brands(item, hits)
        brand_hits = [h for h in hits if h.category == "brand"]
        counted: dict[str, Hit] = {}
        strong = False
        for h in replica:
            strength = h.data.get("strength", "medium")
            near = h.data.get("near_brand")
            if near is not None and not any(
                b.field == h.field and _gap(b, h) <= int(near) for b in brand_hits
            ):
                continue
            if strength == "strong" or brands:
                counted.setdefault(h.term, h)
                strong = strong or strength == "strong"
        weights = [h.weight for h in counted.values()]
        score = _brands.noisy_or(weights)
        if not brands:
            score *= self.p.no_brand_factor
        bulk: list[Hit] = []
        bulk_weights: list[float] = []
        if brands:
            seen: set[str] = set()
            for h in wholesale:
                if h.term not in seen:
                    seen.add(h.term)
                    bulk.append(h)
                    bulk_weights.append(h.weight)
            if quantities:
                bulk_weights.append(self.p.quantity_weight)
            score = _brands.noisy_or([score, _brands.noisy_or(bulk_weights)])
        if score <= 0.0:
            return []
        assured = any(h.category == "assurance" for h in hits)
        if assured and not strong:
            score *= self.p.assurance_factor
        evidence = [h.span() for h in (*counted.values(), *bulk)]
        evidence += [b.hit.span() for b in brands if b.hit is not None]
        evidence += [
            Span(f, m.start(), m.end(), item.fields[f][m.start() : m.end()])
            for f, m in quantities
            if brands
        ]
        return [
            Signal(
                self.name,
                round(score, 4),
                tuple(sorted(set(evidence), key=lambda s: (s.field, s.start, s.end))),
                {
                    "brands": [b.name for b in brands],
                    "replica_terms": sorted(counted),
                    "wholesale_terms": sorted(h.term for h in bulk),
                    "assurance": assured,
                },
            )
        ]
