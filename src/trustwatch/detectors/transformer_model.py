"""A MiniLM text classifier served with ONNX Runtime (no torch): fine-tuned end to end, or
a head on frozen sentence embeddings (whichever the registry version holds).

Expensive: the engine runs it only in the cascade, while a policy's cheaper detectors
leave the score in the uncertain band.
"""

from __future__ import annotations

from pydantic import Field

from trustwatch.detectors._learned import LearnedDetector, ModelParams
from trustwatch.detectors.base import (
    COST_TRANSFORMER,
    Context,
    Item,
    Signal,
    Span,
    register,
)
from trustwatch.detectors.url_model import URL_KINDS, trusted_link
from trustwatch.normalize import normalize


class TransformerModelParams(ModelParams):
    fields: list[str] | None = Field(default=None, description="fields to read (default: all)")
    trusted_links_as_domains: bool = Field(
        default=True,
        description="read a link to the marketplace's own domains or a brand's own site as "
        "its bare domain: the URL model judges links, and the path of a trusted one "
        "(depop.com/login) is no evidence about the message's language",
    )


@register
class TransformerModel(LearnedDetector):
    """Embeds each text field (its folded view) in one batch; the highest field wins."""

    name = "transformer_model"
    cost = COST_TRANSFORMER
    Params = TransformerModelParams

    family = "transformer"

    def __init__(self, params: TransformerModelParams) -> None:
        super().__init__(params)
        self.p = params

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        names = [f for f in item.fields if self.p.fields is None or f in self.p.fields]
        if not names:
            return []
        probas = self.model.proba_many([self._text(item, f, ctx) for f in names])
        i = int(probas.argmax())
        proba = float(probas[i])
        score = self.banded(proba)
        if score <= 0.0:
            return []
        text = item.fields[names[i]]
        return [
            Signal(
                self.name,
                round(score, 4),
                (Span(names[i], 0, len(text), text[:80]),),
                {"model": self.entry.ref, "proba": round(proba, 4)},
            )
        ]

    def _text(self, item: Item, field_name: str, ctx: Context) -> str:
        """The field's folded view, trusted links read as their bare domain."""
        if self.p.trusted_links_as_domains:
            trusted = [
                e
                for e in item.entities(field_name)
                if e.kind in URL_KINDS and trusted_link(e, ctx.marketplace_domains)
            ]
            if trusted:
                original = item.fields[field_name]
                parts: list[str] = []
                at = 0
                for e in sorted(trusted, key=lambda e: e.start):
                    parts += [original[at : e.start], str(e.attrs["registrable_domain"])]
                    at = e.end
                parts.append(original[at:])
                return normalize("".join(parts)).folded.text
        return item.normalized(field_name).folded.text
