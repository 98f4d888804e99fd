"""Structured logs, Prometheus metrics and trace spans: the one place they come from.

* Logs are JSON lines carrying the request id of the request being served (a context
  variable), never event text unless ``log_message_text`` is set.
* Metrics live in the default Prometheus registry, so the stream worker's metrics
  (bus lag…) are served by the same ``/metrics``.
* Spans use OpenTelemetry when it is installed and ``otel_enabled`` is set; otherwise
  ``span()`` costs one function call.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_FAST_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)

REQUEST_SECONDS = Histogram(
    "trustwatch_http_request_seconds",
    "HTTP request latency by route template, method and status.",
    ["route", "method", "status"],
    buckets=_FAST_BUCKETS,
)
ENGINE_SECONDS = Histogram(
    "trustwatch_engine_seconds",
    "Time the engine took to decide one event, by entry point.",
    ["entry"],
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1.0, 5.0),
)
DECISIONS = Counter(
    "trustwatch_policy_decisions_total",
    "Policy decisions by policy, action and mode (shadow decisions never act).",
    ["policy", "action", "mode"],
)
ACTIONS = Counter(
    "trustwatch_enforcement_actions_total",
    "Enforcement actions issued, by policy and action.",
    ["policy", "action"],
)
STORE_COMMIT_SECONDS = Histogram(
    "trustwatch_store_commit_seconds",
    "Time to commit one group of verdicts to the store.",
    buckets=_FAST_BUCKETS,
)
STORE_BATCH = Histogram(
    "trustwatch_store_batch_size",
    "Verdicts per group commit.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
)
STORE_QUEUE = Gauge("trustwatch_store_queue_depth", "Verdicts waiting for the store writer.")
EVENTS_ACCEPTED = Counter(
    "trustwatch_events_accepted_total", "Events accepted onto the bus by POST /v1/events."
)
REJECTED = Counter(
    "trustwatch_events_rejected_total", "Events refused as invalid, by entry point.", ["entry"]
)


# Request ids need to be unique, not secret: a PRNG seeded from the OS skips uuid4's
# syscall on every request (reseeded in forked children, which would repeat the parent's).
_request_ids = random.Random()
os.register_at_fork(after_in_child=_request_ids.seed)


def new_request_id() -> str:
    """32 hex digits, the shape of a UUID4's hex."""
    return f"{_request_ids.getrandbits(128):032x}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extra fields."""

    _SKIP = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": REQUEST_ID.get(),
        }
        for key, value in record.__dict__.items():
            if key not in self._SKIP and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_logging(level: str = "INFO", *, json_lines: bool = True) -> None:
    """Send every log record to stderr, as JSON lines unless ``json_lines`` is False."""
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True


_tracer: Any = None


def configure_tracing(enabled: bool) -> bool:
    """Turn spans on when asked and OpenTelemetry is importable; returns whether they are on."""
    global _tracer
    if not enabled:
        _tracer = None
        return False
    try:
        from opentelemetry import trace
    except ImportError:
        _tracer = None
        return False
    _tracer = trace.get_tracer("trustwatch")
    return True


@contextmanager
def span(name: str, **attributes: str | int | float | bool) -> Iterator[None]:
    """A trace span around a block when tracing is on; nothing otherwise."""
    if _tracer is None:
        with nullcontext():
            yield
        return
    with _tracer.start_as_current_span(name, attributes=attributes):
        yield


def observe_verdict(entry: str, verdict: Any, actions: list[Any]) -> None:
    """Count a verdict's decisions and actions and time its evaluation."""
    ENGINE_SECONDS.labels(entry).observe(verdict.latency_ms / 1000.0)
    for decision in verdict.policies:
        if decision.action != "allow":
            DECISIONS.labels(decision.policy, decision.action.value, decision.mode).inc()
    for action in actions:
        for policy in action.policies:
            ACTIONS.labels(policy, action.action.value).inc()


class _DetectorCollector(Collector):
    """Detector calls and time, read from the live engines at scrape time.

    Engines keep cumulative ``detector_calls`` / ``detector_seconds``; average detector
    latency is ``rate(seconds_total) / rate(calls_total)``. A promoted pack brings a new
    engine, which Prometheus sees as a counter reset.
    """

    def __init__(self) -> None:
        self.sources: dict[str, Callable[[], Any]] = {}

    def collect(self) -> Iterator[CounterMetricFamily]:
        calls = CounterMetricFamily(
            "trustwatch_detector_calls", "Detector invocations.", labels=["entry", "detector"]
        )
        seconds = CounterMetricFamily(
            "trustwatch_detector_seconds",
            "Time spent in each detector.",
            labels=["entry", "detector"],
        )
        for entry, source in list(self.sources.items()):
            engine = source()
            if engine is None:
                continue
            for name, count in list(engine.detector_calls.items()):
                calls.add_metric([entry, name], count)
            for name, total in list(getattr(engine, "detector_seconds", {}).items()):
                seconds.add_metric([entry, name], total)
        yield calls
        yield seconds


_DETECTORS = _DetectorCollector()
REGISTRY.register(_DETECTORS)


def watch_engine(entry: str, source: Callable[[], Any]) -> None:
    """Export detector metrics of the engine ``source()`` returns, labelled ``entry``."""
    _DETECTORS.sources[entry] = source
