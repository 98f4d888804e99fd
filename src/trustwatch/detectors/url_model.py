"""A learned phishing-URL classifier over each link's string (no page is fetched)."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

import yaml
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
from trustwatch.entities import Entity

URL_KINDS = ("url", "domain")
_BRANDS = Path(__file__).parent / "data" / "phishing_domains.yaml"
_OWN_SITE = (None, "", "www")
# Another URL inside a link's path or query, plain or percent-encoded (``?q=http://``,
# ``continue=https%3A%2F%2F``): the link forwards there.
_EMBEDDED_URL = re.compile(r"https?(?::|%3a)(?://|%2f%2f)", re.I)


def forwards_elsewhere(url: str) -> bool:
    """True when a link carries another URL after its host (google.com/url?q=http://...)."""
    tail = url.split("://", 1)[-1].partition("/")[2]
    return _EMBEDDED_URL.search(tail) is not None


@lru_cache(maxsize=1)
def _official() -> tuple[frozenset[str], frozenset[str]]:
    """Protected brands' domains, and those of them whose every subdomain is the brand's."""
    data = yaml.safe_load(_BRANDS.read_text(encoding="utf-8")) or {}
    brands = (data.get("brands") or {}).values()
    return (
        frozenset(d for brand in brands for d in brand.get("domains", ())),
        frozenset(d for b in brands if b.get("own_subdomains") for d in b.get("domains", ())),
    )


def official_domains() -> frozenset[str]:
    return _official()[0]


def trusted_link(entity: Entity, marketplace_domains: Collection[str]) -> bool:
    """A link to the marketplace's own domains, or to a protected brand's own site (no
    subdomain but www: docs.google.com or x.amazonaws.com host anyone; any subdomain for
    a brand marked ``own_subdomains``, such as a carrier's tracking host) that does not
    forward elsewhere (google.com/url?q=... leads anywhere)."""
    domain = entity.attrs.get("registrable_domain")
    if domain in marketplace_domains:
        return True
    official, own_subdomains = _official()
    return (
        domain in official
        and (entity.attrs.get("subdomain") in _OWN_SITE or domain in own_subdomains)
        and not forwards_elsewhere(entity.value)
    )


class UrlModelParams(ModelParams):
    skip_marketplace: bool = Field(
        default=True,
        description="links to the marketplace's own domains, and to the own sites (no "
        "subdomain but www) of the brands phishers imitate, are never scored, unless a "
        "brand's link forwards to another URL",
    )


@register
class UrlModel(LearnedDetector):
    """Scores every link and bare domain found in the item; the riskiest one wins."""

    name = "url_model"
    cost = COST_LINEAR_MODEL
    Params = UrlModelParams

    family = "url"

    def __init__(self, params: UrlModelParams) -> None:
        from trustwatch.ml.features import url_pair

        super().__init__(params)
        self.p = params
        self._url_pair = url_pair

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        best: tuple[float, str, int, int, str] | None = None
        for field_name, entity in item.all_entities:
            if entity.kind not in URL_KINDS:
                continue
            if self.p.skip_marketplace and trusted_link(entity, ctx.marketplace_domains):
                continue
            url = entity.value if "://" in entity.value else f"http://{entity.value}"
            proba = self.model.proba(self._url_pair(url))
            if best is None or proba > best[0]:
                best = (proba, field_name, entity.start, entity.end, entity.text)
        if best is None:
            return []
        proba, field_name, start, end, text = best
        score = self.banded(proba)
        if score <= 0.0:
            return []
        return [
            Signal(
                self.name,
                round(score, 4),
                (Span(field_name, start, end, text),),
                {"model": self.entry.ref, "proba": round(proba, 4)},
            )
        ]
