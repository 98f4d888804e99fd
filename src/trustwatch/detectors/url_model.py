"""A learned phishing-URL classifier over each link's string (no page is fetched)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors.base import (
    COST_LINEAR_MODEL,
    Context,
    Detector,
    Item,
    Signal,
    Span,
    register,
)
from trustwatch.detectors.text_model import MODEL_REF

URL_KINDS = ("url", "domain")
_BRANDS = Path(__file__).parent / "data" / "phishing_domains.yaml"
_OWN_SITE = (None, "", "www")


@lru_cache(maxsize=1)
def official_domains() -> frozenset[str]:
    data = yaml.safe_load(_BRANDS.read_text(encoding="utf-8")) or {}
    return frozenset(
        d for brand in (data.get("brands") or {}).values() for d in brand.get("domains", ())
    )


class UrlModelParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str = Field(pattern=MODEL_REF, description="registry reference name@version")
    operating_point: str | None = Field(
        default=None,
        pattern=r"^(precision_\d+|best_f1)$",
        description="a threshold from the model card (precision_95, precision_99, best_f1) "
        "mapped onto `band`; none: the calibrated probability as is",
    )
    band: float = Field(default=0.5, gt=0.0, lt=1.0)
    skip_marketplace: bool = Field(
        default=True,
        description="links to the marketplace's own domains, and to the own sites (no "
        "subdomain but www) of the brands phishers imitate, are never scored",
    )


@register
class UrlModel(Detector):
    """Scores every link and bare domain found in the item; the riskiest one wins."""

    name = "url_model"
    cost = COST_LINEAR_MODEL
    Params = UrlModelParams

    def __init__(self, params: UrlModelParams) -> None:
        from trustwatch.ml.serving import load, threshold_of

        super().__init__(params)
        self.p = params
        self.model, self.entry = load(params.model, "url")
        self.threshold = threshold_of(self.entry, params.operating_point)

    def version(self) -> str | None:
        return self.entry.ref

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        from trustwatch.ml.features import url_pair
        from trustwatch.ml.serving import remap

        best: tuple[float, str, int, int, str] | None = None
        for field_name, entity in item.all_entities:
            if entity.kind not in URL_KINDS:
                continue
            domain = entity.attrs.get("registrable_domain")
            if self.p.skip_marketplace and (
                domain in ctx.marketplace_domains
                # Only the brand's own site: docs.google.com or x.amazonaws.com host anyone.
                or (domain in official_domains() and entity.attrs.get("subdomain") in _OWN_SITE)
            ):
                continue
            url = entity.value if "://" in entity.value else f"http://{entity.value}"
            proba = self.model.proba(url_pair(url))
            if best is None or proba > best[0]:
                best = (proba, field_name, entity.start, entity.end, entity.text)
        if best is None:
            return []
        proba, field_name, start, end, text = best
        score = remap(proba, self.threshold, self.p.band)
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
