"""The engine: event -> verdict. Every entry point (scan, API, worker, batch, backtest) calls it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
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
    # The instance's index in the engine: its slot in the per-event results and counters.
    slot: int


@dataclass(frozen=True)
class _PolicyPlan:
    name: str
    policy: Policy
    cheap: tuple[_Bound, ...]
    expensive: tuple[_Bound, ...]
    noisy_or: bool
    # Score bands, strongest first, read per event without going through the pydantic model.
    bands: tuple[tuple[float, Action, int], ...]
    mode: str
    live: bool
    # cheap / expensive as flat (slot, detector, weight, versioned, key) tuples: what the
    # per-event loop reads, unpacked in one step instead of five attribute reads.
    cheap_steps: tuple[_Step, ...] = ()
    expensive_steps: tuple[_Step, ...] = ()


_Step = tuple[int, Detector, float, bool, str]


def _steps(bounds: tuple[_Bound, ...]) -> tuple[_Step, ...]:
    return tuple((b.slot, b.detector, b.weight, b.versioned, b.key) for b in bounds)


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
        self._slots: dict[int, int] = {}
        self._plans = [self._plan(name, policy) for name, policy in self.pack.policies.items()]
        self._by_type: dict[str, list[_PolicyPlan]] = {}
        for plan in self._plans:
            for event_type in plan.policy.applies_to:
                self._by_type.setdefault(event_type, []).append(plan)
        self._names = [det.name for det in self._instances.values()]
        # Per instance (by slot): calls and cumulative wall time, summed by name on read.
        self._calls = [0] * len(self._names)
        self._seconds = [0.0] * len(self._names)
        self.detector_errors: dict[str, int] = {}

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
            self._slots[id(found)] = len(self._slots)
        return found

    @property
    def detector_calls(self) -> dict[str, int]:
        """Invocations so far by detector name (instances of one detector summed)."""
        out: dict[str, int] = {}
        for name, n in zip(self._names, self._calls, strict=True):
            if n:
                out[name] = out.get(name, 0) + n
        return out

    @property
    def detector_seconds(self) -> dict[str, float]:
        """Cumulative wall time by detector name, for the service's detector latency metric."""
        out: dict[str, float] = {}
        for name, n, secs in zip(self._names, self._calls, self._seconds, strict=True):
            if n:
                out[name] = out.get(name, 0.0) + secs
        return out

    def _plan(self, name: str, policy: Policy) -> _PolicyPlan:
        bound = [
            _Bound(
                use.key,
                det,
                use.weight,
                det.cost >= self.pack.settings.expensive_cost,
                _versioned(det),
                self._slots[id(det)],
            )
            for use in policy.detectors
            for det in [self._instance(use)]
        ]
        bound.sort(key=lambda b: b.detector.cost)
        cheap = tuple(b for b in bound if not b.expensive)
        expensive = tuple(b for b in bound if b.expensive)
        return _PolicyPlan(
            name,
            policy,
            cheap,
            expensive,
            policy.combine == "noisy_or",
            tuple((band.at, band.action, band.action.rank) for band in policy.actions),
            policy.mode,
            policy.mode == "live",
            _steps(cheap),
            _steps(expensive),
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
        started = perf_counter()
        parsed = event if isinstance(event, Event) else parse_event(event)
        run_mode = mode or self.mode
        item = Item(parsed)
        ctx = Context(run_mode, parsed.occurred_at, self.counters, self._marketplace_domains)
        # Each detector instance's signals by slot: one shared by several policies runs once.
        found: list[list[Signal] | None] = [None] * len(self._names)
        errors: list[str] = []
        decisions: list[PolicyDecision] = []
        used_versions: dict[str, str] = {}
        strongest, strongest_rank = Action.ALLOW, 0
        for plan in self._by_type.get(parsed.type, ()):
            # The policy's score is folded in detector by detector, cheap ones first, then the
            # expensive ones if the cascade asks: the same float operations in the same order
            # as combining the collected results afterwards, in one pass.
            signals: list[SignalOut] = []
            noisy_or = plan.noisy_or
            # Noisy-or's running product of (1 - weighted best), or max's best so far (None:
            # no detector yet; for noisy-or, no signal yet).
            acc = self._run(
                plan.cheap_steps, noisy_or, item, ctx, found, errors, signals, used_versions
            )
            score = _score(noisy_or, acc)
            if plan.expensive:
                cascade = plan.policy.cascade
                if cascade.low <= score < cascade.high:
                    acc = self._run(
                        plan.expensive_steps,
                        noisy_or,
                        item,
                        ctx,
                        found,
                        errors,
                        signals,
                        used_versions,
                        acc,
                    )
                    score = _score(noisy_or, acc)
            action, rank = Action.ALLOW, 0
            for at, band_action, band_rank in plan.bands:
                if score >= at:
                    action, rank = band_action, band_rank
                    break
            if plan.live and rank > strongest_rank:
                strongest, strongest_rank = action, rank
            decisions.append(
                _built(
                    PolicyDecision,
                    {
                        "policy": plan.name,
                        # Most scores are 0.0, which round() would return unchanged.
                        "score": round(score, 4) if score else score,
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
                "action": strongest,
                "policies": decisions,
                "pack_version": self._pack_ref,
                "model_versions": used_versions,
                "execution_mode": run_mode,
                "latency_ms": round((perf_counter() - started) * 1000.0, 3),
                "errors": errors,
            },
        )

    def evaluate_many(self, events: Iterable[Event | dict[str, Any] | str]) -> Iterator[Verdict]:
        for event in events:
            yield self.evaluate(event)

    def _run(
        self,
        steps: tuple[_Step, ...],
        noisy_or: bool,
        item: Item,
        ctx: Context,
        found: list[list[Signal] | None],
        errors: list[str],
        signals: list[SignalOut],
        used_versions: dict[str, str],
        acc: float | None = None,
    ) -> float | None:
        """Run each detector unless this event already ran its instance, add its signals
        and versions, and fold its score into ``acc``: noisy-or's running product of
        ``1 - weight * best`` (starting at 1.0), or max's largest ``weight * best`` (None
        before the first detector; a silent detector counts as ``weight * 0.0``).

        One pass in detector order does what collecting every detector's signals and then
        combining them did, with the same float operations in the same order."""
        calls = self._calls
        seconds = self._seconds
        for slot, det, weight, versioned, key in steps:
            sigs = found[slot]
            if sigs is None:
                began = perf_counter()
                try:
                    sigs = det.detect(item, ctx)
                except Exception as exc:
                    sigs = self._failed(det, item, exc, errors)
                found[slot] = sigs
                calls[slot] += 1
                seconds[slot] += perf_counter() - began
            if sigs:
                top = max(sig.score for sig in sigs)
                for sig in sigs:
                    signals.append(_signal_out(sig, weight))
                s = weight * top
                if noisy_or:
                    acc = (1.0 if acc is None else acc) * (1.0 - min(max(s, 0.0), 1.0))
                elif acc is None or s > acc:
                    acc = s
            elif not noisy_or:
                s = weight * 0.0
                if acc is None or s > acc:
                    acc = s
            if versioned:
                v = det.version()
                if v is not None:
                    used_versions[key] = v
        return acc

    def _failed(self, det: Detector, item: Item, exc: Exception, errors: list[str]) -> list[Signal]:
        """A detector raised: strict engines re-raise; others fail open and record the error."""
        if self.strict:
            raise exc
        self.detector_errors[det.name] = self.detector_errors.get(det.name, 0) + 1
        _log.exception("detector %s failed on event %s", det.name, item.event.id, exc_info=exc)
        errors.append(f"{det.name}: {type(exc).__name__}: {exc}")
        return []


def _score(noisy_or: bool, acc: float | None) -> float:
    """A policy's score from ``Engine._run``'s accumulator."""
    if noisy_or:
        return 0.0 if acc is None else 1.0 - acc
    return 0.0 if acc is None else acc


M = TypeVar("M", bound=BaseModel)


def _built(cls: type[M], values: dict[str, Any]) -> M:
    """``cls.model_construct(**values)`` given every field in declaration order, without its
    per-field alias and default lookups (a third of the engine's own time per event)."""
    model = cls.__new__(cls)
    _setattr(model, "__dict__", values)
    _setattr(model, "__pydantic_fields_set__", set(values))
    _setattr(model, "__pydantic_extra__", None)
    _setattr(model, "__pydantic_private__", None)
    return model


_setattr = object.__setattr__


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
