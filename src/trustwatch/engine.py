"""The engine: event -> verdict. Every entry point (scan, API, worker, batch, backtest) calls it."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from trustwatch.counters import CounterStore, InMemoryCounters
from trustwatch.detectors.base import Context, Detector, Item, Signal, detector_factory
from trustwatch.errors import UnknownDetectorError
from trustwatch.events import Event, parse_event
from trustwatch.policy.pack import DetectorUse, LoadedPack, Pack, Policy, load_pack
from trustwatch.verdicts import Action, Evidence, Mode, PolicyDecision, SignalOut, Verdict

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Bound:
    """A detector as one policy uses it: the shared instance plus its weight."""

    key: str
    detector: Detector
    weight: float
    expensive: bool
    versioned: bool


@dataclass(frozen=True)
class _PolicyPlan:
    name: str
    policy: Policy
    cheap: tuple[_Bound, ...]
    expensive: tuple[_Bound, ...]
    noisy_or: bool
    # Score bands, strongest first, read per event without going through the pydantic model.
    bands: tuple[tuple[float, Action], ...]
    mode: str


def _versioned(det: Detector) -> bool:
    """Whether the detector reports a version at all (most rule detectors never do)."""
    return type(det).version is not Detector.version


class Engine:
    """Evaluates events against a policy pack. Thread-compatible: one instance per thread."""

    def __init__(
        self,
        pack: Pack | LoadedPack,
        *,
        counters: CounterStore | None = None,
        mode: Mode = Mode.LIVE,
        strict: bool = False,
    ) -> None:
        self.pack = pack.pack if isinstance(pack, LoadedPack) else pack
        self.counters: CounterStore = counters if counters is not None else InMemoryCounters()
        self.mode = mode
        # strict: a detector's exception propagates (tests); otherwise the detector fails
        # open, the verdict lists the error, and the run goes on.
        self.strict = strict
        self._marketplace_domains = tuple(self.pack.settings.marketplace_domains)
        self._pack_ref = self.pack.ref
        self._instances: dict[str, Detector] = {}
        self._plans = [self._plan(name, policy) for name, policy in self.pack.policies.items()]
        self._by_type: dict[str, list[_PolicyPlan]] = {}
        for plan in self._plans:
            for event_type in plan.policy.applies_to:
                self._by_type.setdefault(event_type, []).append(plan)
        self.detector_calls: dict[str, int] = {}
        self.detector_errors: dict[str, int] = {}
        # Cumulative wall time per detector, for the service's detector latency metric.
        self.detector_seconds: dict[str, float] = {}

    @classmethod
    def from_path(cls, path: str | Path | None = None, **kwargs: Any) -> Engine:
        """Load a pack (the shipped default when ``path`` is None) and build an engine."""
        return cls(load_pack(path), **kwargs)

    def _instance(self, use: DetectorUse) -> Detector:
        ident = use.use + json.dumps(use.params, sort_keys=True, default=str)
        found = self._instances.get(ident)
        if found is None:
            factory = detector_factory(use.use)
            if factory is None:
                raise UnknownDetectorError(f"no detector named {use.use!r} is registered")
            cls: Any = factory
            found = cls(cls.Params.model_validate(use.params))
            self._instances[ident] = found
        return found

    def _plan(self, name: str, policy: Policy) -> _PolicyPlan:
        bound = [
            _Bound(
                use.key,
                det,
                use.weight,
                det.cost >= self.pack.settings.expensive_cost,
                _versioned(det),
            )
            for use in policy.detectors
            for det in [self._instance(use)]
        ]
        bound.sort(key=lambda b: b.detector.cost)
        return _PolicyPlan(
            name,
            policy,
            tuple(b for b in bound if not b.expensive),
            tuple(b for b in bound if b.expensive),
            policy.combine == "noisy_or",
            tuple((band.at, band.action) for band in policy.actions),
            policy.mode,
        )

    @property
    def model_versions(self) -> dict[str, str]:
        """Versions by detector key (its pack `id`, else its name): two models never collide."""
        versions: dict[str, str] = {}
        for plan in self._plans:
            for b in (*plan.cheap, *plan.expensive):
                v = b.detector.version()
                if v is not None:
                    versions[b.key] = v
        return versions

    def evaluate(
        self, event: Event | dict[str, Any] | str | bytes, *, mode: Mode | None = None
    ) -> Verdict:
        """Decide one event. Raises InvalidEventError for input that is not a valid event."""
        started = time.perf_counter()
        parsed = event if isinstance(event, Event) else parse_event(event)
        run_mode = mode or self.mode
        item = Item(parsed)
        ctx = Context(run_mode, parsed.occurred_at, self.counters, self._marketplace_domains)
        memo: dict[int, list[Signal]] = {}
        errors: list[str] = []
        decisions: list[PolicyDecision] = []
        used_versions: dict[str, str] = {}
        live: list[Action] = []
        for plan in self._by_type.get(parsed.type, ()):
            results = self._results(plan.cheap, item, ctx, memo, errors)
            score = _combine(plan.noisy_or, results)
            cascade = plan.policy.cascade
            if plan.expensive and cascade.low <= score < cascade.high:
                results += self._results(plan.expensive, item, ctx, memo, errors)
                score = _combine(plan.noisy_or, results)
            signals: list[SignalOut] = []
            for b, sigs in results:
                for s in sigs:
                    signals.append(_signal_out(s, b.weight))
                if b.versioned:
                    v = b.detector.version()
                    if v is not None:
                        used_versions[b.key] = v
            action = Action.ALLOW
            for at, band_action in plan.bands:
                if score >= at:
                    action = band_action
                    break
            if plan.mode == "live":
                live.append(action)
            decisions.append(
                _built(
                    PolicyDecision,
                    {
                        "policy": plan.name,
                        "score": round(score, 4),
                        "action": action,
                        "mode": plan.mode,
                        "signals": signals,
                    },
                )
            )
        return _built(
            Verdict,
            {
                "event_id": parsed.id,
                "action": Action.strongest(live),
                "policies": decisions,
                "pack_version": self._pack_ref,
                "model_versions": used_versions,
                "execution_mode": run_mode,
                "latency_ms": round((time.perf_counter() - started) * 1000.0, 3),
                "errors": errors,
            },
        )

    def evaluate_many(self, events: Iterable[Event | dict[str, Any] | str]) -> Iterator[Verdict]:
        for event in events:
            yield self.evaluate(event)

    def _results(
        self,
        bounds: tuple[_Bound, ...],
        item: Item,
        ctx: Context,
        memo: dict[int, list[Signal]],
        errors: list[str],
    ) -> list[tuple[_Bound, list[Signal]]]:
        """Each detector's signals; a detector shared by several policies runs once per event."""
        out: list[tuple[_Bound, list[Signal]]] = []
        calls = self.detector_calls
        seconds = self.detector_seconds
        for b in bounds:
            det = b.detector
            found = memo.get(id(det))
            if found is None:
                started = time.perf_counter()
                try:
                    found = det.detect(item, ctx)
                except Exception as exc:
                    found = self._failed(det, item, exc, errors)
                memo[id(det)] = found
                name = det.name
                calls[name] = calls.get(name, 0) + 1
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
            out.append((b, found))
        return out

    def _failed(self, det: Detector, item: Item, exc: Exception, errors: list[str]) -> list[Signal]:
        """A detector raised: strict engines re-raise; others fail open and record the error."""
        if self.strict:
            raise exc
        self.detector_errors[det.name] = self.detector_errors.get(det.name, 0) + 1
        _log.exception("detector %s failed on event %s", det.name, item.event.id, exc_info=exc)
        errors.append(f"{det.name}: {type(exc).__name__}: {exc}")
        return []


def _combine(noisy_or: bool, results: list[tuple[_Bound, list[Signal]]]) -> float:
    if noisy_or:
        remaining = 1.0
        for b, sigs in results:
            # A detector without signals scores 0 and leaves the product unchanged.
            if sigs:
                s = b.weight * max(sig.score for sig in sigs)
                remaining *= 1.0 - min(max(s, 0.0), 1.0)
        return 1.0 - remaining
    return max(
        (b.weight * max((sig.score for sig in sigs), default=0.0) for b, sigs in results),
        default=0.0,
    )


M = TypeVar("M", bound=BaseModel)


def _built(cls: type[M], values: dict[str, Any]) -> M:
    """``cls.model_construct(**values)`` given every field in declaration order, without its
    per-field alias and default lookups (a third of the engine's own time per event)."""
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", set(values))
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


def _signal_out(signal: Signal, weight: float) -> SignalOut:
    return _built(
        SignalOut,
        {
            "detector": signal.detector,
            "score": round(signal.score * weight, 4),
            "evidence": [
                _built(Evidence, {"field": e.field, "start": e.start, "end": e.end, "text": e.text})
                for e in signal.evidence
            ],
            "details": dict(signal.details),
        },
    )
