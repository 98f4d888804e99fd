"""The detector contract: small, pure, typed units ``detect(item, ctx) -> [Signal]``.

A detector declares its cost; the engine runs cheap ones first and only calls an
expensive one while a policy is still undecided (the cascade).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from trustwatch.counters import CounterStore
from trustwatch.entities import Entity, extract
from trustwatch.events import Event
from trustwatch.normalize import Normalized, normalize
from trustwatch.verdicts import Mode

# Relative costs, so packs and the engine agree on what "expensive" means.
COST_RULE = 1.0
COST_LINEAR_MODEL = 10.0
COST_TRANSFORMER = 100.0
COST_LLM = 1000.0


@dataclass(frozen=True, slots=True)
class Span:
    """Evidence: a span of one field's original text."""

    field: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Signal:
    """One detector's finding: a score in [0, 1], the spans behind it, and details."""

    detector: str
    score: float
    evidence: tuple[Span, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)


class Item:
    """What detectors read: the event plus lazily computed text views and entities."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.fields: dict[str, str] = event.text_fields()
        self._normalized: dict[str, Normalized] = {}
        self._entities: dict[str, list[Entity]] = {}
        # Work several detectors share for this item (a lexicon scan), keyed by its owner.
        self.memo: dict[Hashable, Any] = {}

    def normalized(self, field_name: str) -> Normalized:
        cached = self._normalized.get(field_name)
        if cached is None:
            cached = normalize(self.fields[field_name])
            self._normalized[field_name] = cached
        return cached

    def entities(self, field_name: str) -> list[Entity]:
        cached = self._entities.get(field_name)
        if cached is None:
            cached = extract(self.normalized(field_name))
            self._entities[field_name] = cached
        return cached

    @cached_property
    def all_entities(self) -> list[tuple[str, Entity]]:
        return [(f, e) for f in self.fields for e in self.entities(f)]


@dataclass(slots=True)
class Context:
    """Per-run context: execution mode, the clock, shared stores and settings."""

    mode: Mode
    now: datetime
    counters: CounterStore
    marketplace_domains: tuple[str, ...] = ("depop.com",)
    extras: dict[str, Any] = field(default_factory=dict)


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


P = TypeVar("P", bound=BaseModel)


class Detector(ABC):
    """Base class. Subclasses set ``name``, ``cost`` and a pydantic ``Params`` class."""

    name: ClassVar[str]
    cost: ClassVar[float] = COST_RULE
    Params: ClassVar[type[BaseModel]] = NoParams

    def __init__(self, params: BaseModel) -> None:
        self.params = params

    @abstractmethod
    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        """Return zero or more signals for this item."""

    def version(self) -> str | None:
        """A model or data version to record in the verdict, if any."""
        return None


DETECTORS: dict[str, type[Detector]] = {}

D = TypeVar("D", bound=type[Detector])


def register(cls: D) -> D:
    """Class decorator: make a detector available to policy packs by its ``name``."""
    if cls.name in DETECTORS and DETECTORS[cls.name] is not cls:
        raise ValueError(f"detector name {cls.name!r} registered twice")
    DETECTORS[cls.name] = cls
    return cls


def detector_factory(name: str) -> type[Detector] | None:
    from trustwatch.detectors import load_builtin

    load_builtin()
    return DETECTORS.get(name)
