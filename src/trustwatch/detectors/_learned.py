"""What every detector backed by a registered model shares: its parameters, loading the
model once, and the model version a verdict records."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors.base import Detector

MODEL_REF = r"^[a-z][a-z0-9_]*@(\d+|latest|promoted)$"


class ModelParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str = Field(pattern=MODEL_REF, description="registry reference name@version")
    operating_point: str | None = Field(
        default=None,
        pattern=r"^(precision_\d+|best_f1)$",
        description="a threshold from the model card (precision_95, precision_99, best_f1) "
        "mapped onto `band`; none: the calibrated probability as is",
    )
    band: float = Field(default=0.5, gt=0.0, lt=1.0)


class LearnedDetector(Detector):
    """Loads ``params.model`` of ``family`` from the registry (cached per process)."""

    family: ClassVar[str]

    def __init__(self, params: ModelParams) -> None:
        from trustwatch.ml.serving import load, remap, threshold_of

        super().__init__(params)
        self.model: Any
        self.model, self.entry = load(params.model, self.family)
        self.threshold = threshold_of(self.entry, params.operating_point)
        self._band = params.band
        # Bound here, not imported in detect(): in Python 3.11 each function-level
        # ``from module import name`` costs a formatted AttributeError (about 1 us).
        self._remap = remap

    def banded(self, proba: float) -> float:
        """The probability mapped onto the policy's band at the operating point (``remap``)."""
        return self._remap(proba, self.threshold, self._band)

    def version(self) -> str | None:
        return self.entry.ref
