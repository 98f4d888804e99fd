"""Keyword stuffing in listings: walls of brand names, style tags or hashtags.

"nike adidas gucci prada supreme vintage y2k" is a run of search terms with no
sentence around it. A run is a sequence of brand names, style tags and hashtags
separated only by spaces or list punctuation; "Nike, Adidas, Puma and Reebok" is
broken by "and", so an honest bundle description stays short of the threshold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors._views import dedupe, span_of
from trustwatch.detectors.base import Context, Detector, Item, Signal, Span, register
from trustwatch.lexicon.merged import MERGED

_DATA = Path(__file__).parent / "data" / "stuffing_terms.yaml"
# A space or separator may follow the "#" when the tag is spelled out: "#-v-i-n-t-a-g-e"
# and "# v i n t a g e" fold to "#-vintage" and "# vintage".
_HASHTAG = re.compile(r"#[ .\-_*·•~+]?([^\W_]\w*)")
_GLUE = re.compile(r"[\s,/|•·+;:\-–—*~!.()\[\]]*")  # list punctuation allowed inside a run
_FIELDS = ("listing.title", "listing.description")


def _load() -> tuple[dict[str, tuple[str, bool]], frozenset[str]]:
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    brands = frozenset(str(b).lower() for b in data["brands"])
    terms: dict[str, tuple[str, bool]] = {}
    for tag in data["tags"]:
        terms[str(tag).lower()] = (str(tag).lower(), False)
    for brand in brands:
        terms[brand] = (brand, True)
    return terms, brands


_WORDS, _BRANDS = _load()
# The terms join the lexicons' merged pass: the folded view this detector reads is one of
# the views the lexicons walk anyway, so its hits come without a walk of their own.
_OWNER = MERGED.register(_WORDS)


class KeywordStuffingParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_brands: int = Field(default=4, ge=2, description="distinct brands in one run")
    min_run: int = Field(default=6, ge=2, description="terms in that run")
    tag_wall: int = Field(default=10, ge=2, description="a run this long needs no brands")
    heavy_run: int = Field(default=12, ge=2)
    heavy_brands: int = Field(default=7, ge=2)
    hashtags: int = Field(default=8, ge=1, description="more hashtags than the app allows")
    heavy_hashtags: int = Field(default=15, ge=1)
    score: float = Field(default=0.6, ge=0, le=1)
    heavy_score: float = Field(default=0.85, ge=0, le=1)
    unrelated_bonus: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="when the run names only brands other than the item's own",
    )


@dataclass
class _Run:
    start: int
    end: int
    terms: int
    brands: set[str]


def _runs(text: str) -> tuple[list[_Run], list[tuple[int, int]]]:
    """Runs of brand/tag/hashtag terms in a lower-cased text, and the hashtag spans."""
    hits: list[tuple[int, int, str, bool]] = []
    hashtags: list[tuple[int, int]] = []
    for m in _HASHTAG.finditer(text):
        hashtags.append((m.start(), m.end()))
        hits.append((m.start(), m.end(), m.group(1), m.group(1) in _BRANDS))
    size = len(text)
    owner = _OWNER
    for last, parts in MERGED.read(text):
        term = parts[owner]
        if term is None:
            continue
        phrase, brand = term
        start, end = last - len(phrase) + 1, last + 1
        before = text[start - 1] if start else " "
        after = text[end] if end < size else " "
        if before.isalnum() or before in "#_'" or after.isalnum() or after in "_'":
            continue  # inside a longer word, a hashtag, or "nike's"
        hits.append((start, end, phrase, brand))
    hits.sort(key=lambda h: (h[0], -h[1]))
    runs: list[_Run] = []
    current: _Run | None = None
    for start, end, phrase, brand in hits:
        if current is not None and start < current.end:
            continue  # "north face" inside "the north face"
        if current is None or _GLUE.fullmatch(text, current.end, start) is None:
            current = _Run(start, end, 0, set())
            runs.append(current)
        current.end = end
        current.terms += 1
        if brand:
            current.brands.add(phrase)
    return runs, hashtags


@register
class KeywordStuffing(Detector):
    """Brand, tag and hashtag walls in a listing's title and description."""

    name = "keyword_stuffing"
    Params = KeywordStuffingParams

    def __init__(self, params: KeywordStuffingParams) -> None:
        super().__init__(params)
        self.p = params

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        p = self.p
        listing = item.event.listing
        own = (listing.brand or "").lower() if listing is not None else ""
        best = 0.0
        evidence: list[Span] = []
        details: dict[str, object] = {}
        for field_name in _FIELDS:
            if field_name not in item.fields:
                continue
            normalized = item.normalized(field_name)
            # The most folded view: a wall of leet or dotted tags is still a wall.
            view = normalized.folded
            runs, hashtags = _runs(view.text)
            for run in runs:
                brands = len(run.brands)
                if run.terms >= p.tag_wall or (brands >= p.min_brands and run.terms >= p.min_run):
                    heavy = run.terms >= p.heavy_run or brands >= p.heavy_brands
                    score = p.heavy_score if heavy else p.score
                    if own and brands >= p.min_brands and own not in run.brands:
                        score += p.unrelated_bonus
                    evidence.append(span_of(item, field_name, view, run.start, run.end))
                    if score > best:
                        best = score
                        details = {
                            "kind": "term_run",
                            "terms": run.terms,
                            "brands": sorted(run.brands),
                        }
            if len(hashtags) >= p.hashtags:
                score = p.heavy_score if len(hashtags) >= p.heavy_hashtags else p.score
                evidence.append(span_of(item, field_name, view, hashtags[0][0], hashtags[-1][1]))
                if score > best:
                    best = score
                    details = {"kind": "hashtag_wall", "hashtags": len(hashtags)}
        if not evidence:
            return []
        return [Signal(self.name, round(min(best, 1.0), 4), dedupe(evidence), details)]
