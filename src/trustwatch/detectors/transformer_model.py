"""A classifier head on MiniLM sentence embeddings, served with ONNX Runtime (no torch).

Expensive: the engine runs it only in the cascade, while a policy's cheaper detectors
leave the score in the uncertain band.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors.base import (
    COST_TRANSFORMER,
    Context,
    Detector,
    Item,
    Signal,
    Span,
    register,
)
from trustwatch.detectors.text_model import MODEL_REF


class TransformerModelParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str = Field(pattern=MODEL_REF, description="registry reference name@version")
    fields: list[str] | None = Field(default=None, description="fields to read (default: all)")
    operating_point: str | None = Field(
        default=None,
        pattern=r"^(precision_\d+|best_f1)$",
        description="a threshold from the model card (precision_95, precision_99, best_f1) "
        "mapped onto `band`; none: the calibrated probability as is",
    )
    band: float = Field(default=0.5, gt=0.0, lt=1.0)


@register
class TransformerModel(Detector):
    """Embeds each text field (its folded view) in one batch; the highest field wins."""

    name = "transformer_model"
    cost = COST_TRANSFORMER
    Params = TransformerModelParams

    def __init__(self, params: TransformerModelParams) -> None:
        from trustwatch.ml.serving import load, threshold_of

        super().__init__(params)
        self.p = params
        self.model, self.entry = load(params.model, "transformer")
        self.threshold = threshold_of(self.entry, params.operating_point)

    def version(self) -> str | None:
        return self.entry.ref

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        from trustwatch.ml.serving import remap

        names = [f for f in item.fields if self.p.fields is None or f in self.p.fields]
        if not names:
            return []
        probas = self.model.proba_many([item.normalized(f).folded.text for f in names])
        i = int(probas.argmax())
        proba = float(probas[i])
        score = remap(proba, self.threshold, self.p.band)
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
