"""The stream worker: consume events, decide, store, publish, then commit.

At-least-once in, one verdict per event out:

* offsets are committed only after the batch's verdicts are stored and its outputs
  are durable on the bus (``Consumer.complete``; on Kafka the acknowledgement of one
  batch is awaited, and its offsets committed, while the next one is decided);
* the store is the idempotency gate: ``record()`` refuses an event id it already
  has, so a redelivered event never gets a second verdict or action in the store;
* a redelivered event republishes the *stored* verdict and its actions, never a new
  one, because the crash may have come between storing and publishing. On the
  SQLite bus outputs and offsets commit atomically, so this yields exactly one copy
  on each topic; on Kafka a copy can repeat after a crash, byte-identical and
  carrying the event id (actions their own ``id``), so consumers upsert by id;
* bad input goes to the dead-letter topic with its reason and never blocks the
  partition; transient failures (store busy, broker down) retry with backoff;
* with shared velocity counters (Redis) a batch makes one counter round trip per chunk
  of events, not one per event, and does not wait for it: ``trustwatch.counters.
  SpeculativeCounters`` answers from this worker's mirror, then checks every answer
  against Redis and evaluates again any event whose counts another worker had
  changed, so each verdict is the one event-by-event adds give.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from pydantic import ValidationError

from trustwatch.counters import BatchCounterStore, SpeculativeBatch, SpeculativeCounters
from trustwatch.enforcement import EnforcementAction, actions_for
from trustwatch.engine import Engine
from trustwatch.errors import InvalidEventError, TrustwatchError
from trustwatch.events import Event, parse_event
from trustwatch.store.interface import BatchVerdictStore, Recorded, VerdictStore
from trustwatch.stream import metrics
from trustwatch.stream.bus import (
    BusUnavailableError,
    Consumer,
    OutRecord,
    PartitionsLostError,
    Record,
    TopicPartition,
    Topics,
)
from trustwatch.verdicts import Verdict

log = logging.getLogger(__name__)

T = TypeVar("T")

# A record's verdict and actions, or its dead letter.
_Outcome = OutRecord | tuple[Event, Verdict, list[EnforcementAction]]

# Exception class names (anywhere in the MRO) that mean "try again later": SQLite/SQLAlchemy/
# psycopg OperationalError (locked, connection dropped), socket and Redis connection errors.
_TRANSIENT_NAMES = frozenset({"OperationalError", "ConnectionError", "TimeoutError"})


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, BusUnavailableError | ConnectionError | TimeoutError):
        return True
    return any(cls.__name__ in _TRANSIENT_NAMES for cls in type(exc).__mro__)


class ShutdownAbandonedError(TrustwatchError):
    """Shutdown was asked for while a transient failure persisted; the batch stays uncommitted."""


@dataclass(frozen=True)
class WorkerConfig:
    batch_size: int = 500
    # Events per shared-counter round trip; each one overlaps the next chunk's evaluation.
    counter_chunk: int = 50
    poll_timeout_s: float = 0.2
    backoff_initial_s: float = 0.05
    backoff_max_s: float = 5.0
    shutdown_grace_s: float = 15.0


@dataclass
class _Chunk:
    """Part of a batch decided with guessed counts, until its counter calls are settled."""

    records: Sequence[Record]
    outcomes: list[_Outcome]
    counters: SpeculativeBatch


@dataclass
class WorkerStats:
    consumed: int = 0
    verdicts: int = 0
    redelivered: int = 0
    dead_lettered: int = 0
    batches: int = 0
    lost_batches: int = 0


class Worker:
    def __init__(
        self,
        engine: Engine,
        store: VerdictStore,
        consumer: Consumer,
        topics: Topics,
        config: WorkerConfig | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.consumer = consumer
        self.topics = topics
        self.config = config or WorkerConfig()
        self.stats = WorkerStats()
        self._stop_at: float | None = None

    def run(self, stop: threading.Event, max_events: int | None = None) -> bool:
        """Process until ``stop`` is set (or ``max_events`` consumed).

        Returns True when every polled record was committed, False when shutdown had
        to abandon a batch (it is redelivered later).
        """
        known: set[TopicPartition] = set()
        while not stop.is_set():
            if max_events is not None and self.stats.consumed >= max_events:
                break
            records = self._retry("poll", self._poll, stop)
            if records:
                try:
                    self.process(records, stop)
                except ShutdownAbandonedError as exc:
                    log.warning("shutdown abandoned an uncommitted batch: %s", exc)
                    return False
            known = self._report_lag(known)
        try:
            # A bus may still have the last batch in flight (Kafka): finish it before exit.
            self._retry("commit", lambda: self.consumer.complete([], {}), stop)
        except ShutdownAbandonedError as exc:
            log.warning("shutdown abandoned an uncommitted batch: %s", exc)
            return False
        return True

    def _poll(self) -> list[Record]:
        return self.consumer.poll(self.config.batch_size, self.config.poll_timeout_s)

    def process(self, records: Sequence[Record], stop: threading.Event | None = None) -> None:
        """Decide, store and publish one batch, then commit it."""
        stop = stop or threading.Event()
        started = time.perf_counter()
        outputs: list[OutRecord] = []
        decided: list[tuple[Record, Recorded]] = []
        offsets = _next_offsets(records)
        for rec, outcome in zip(records, self._decide_batch(records, stop), strict=True):
            if isinstance(outcome, OutRecord):
                outputs.append(outcome)
            else:
                event, verdict, actions = outcome
                # Serialised once: the store and the verdicts topic carry the same text.
                decided.append((rec, Recorded(event, verdict, actions, verdict.model_dump_json())))
        results = self._store([item for _, item in decided], [rec for rec, _ in decided], stop)
        again = [
            item.event.id
            for (_, item), fresh in zip(decided, results, strict=True)
            if fresh is False
        ]
        stored = self._stored_verdicts(again, stop) if again else {}
        fresh_count = redelivered = 0
        for (rec, item), fresh in zip(decided, results, strict=True):
            if isinstance(fresh, str):
                outputs.append(self._dead_letter(rec, "unprocessable", fresh))
                continue
            if fresh:
                fresh_count += 1
            else:
                redelivered += 1
                previous = stored.get(item.event.id)
                if previous is not None:
                    item = Recorded(item.event, previous, actions_for(item.event, previous))
            outputs.extend(self._publish(rec, item))
        try:
            self._retry("commit", lambda: self.consumer.complete(outputs, offsets), stop)
        except PartitionsLostError as exc:
            log.warning("%s", exc)
            self.stats.lost_batches += 1
            metrics.LOST_BATCHES.inc()
            self._retry("rewind", self.consumer.rewind, stop)
            return
        self._count(records, outputs, fresh_count, redelivered)
        elapsed = time.perf_counter() - started
        for _ in records:
            metrics.PROCESSING_SECONDS.observe(elapsed)

    def _count(
        self, records: Sequence[Record], outputs: list[OutRecord], fresh: int, redelivered: int
    ) -> None:
        """Stats and metrics of a committed batch (an abandoned one is counted when redone)."""
        dead = Counter(o.headers["kind"] for o in outputs if o.topic == self.topics.dead_letters)
        self.stats.consumed += len(records)
        self.stats.batches += 1
        self.stats.verdicts += fresh
        self.stats.redelivered += redelivered
        self.stats.dead_lettered += dead.total()
        metrics.DUPLICATES.inc(redelivered)
        for kind, n in dead.items():
            metrics.DEAD_LETTERED.labels(kind).inc(n)
        for topic, n in Counter(rec.topic for rec in records).items():
            metrics.CONSUMED.labels(topic).inc(n)
        for topic, n in Counter(out.topic for out in outputs).items():
            metrics.PRODUCED.labels(topic).inc(n)

    def _decide_batch(self, records: Sequence[Record], stop: threading.Event) -> list[_Outcome]:
        """Every record's outcome; with shared counters, no waiting on their round trips.

        The batch is evaluated in chunks against the local mirror of
        ``SpeculativeCounters``. Each chunk's counter calls are sent to the shared store
        at once and their answers read only after the next chunk has been evaluated, so
        the shared store works through them meanwhile (in Redis about 10 us per add, two
        adds per event on the fast path: up to a tenth of the worker's time per event
        when it waited for them); only the last, small chunk's round trip is waited for.
        An event whose counts turn out different is evaluated again with the shared
        store's counts. A chunk is sent only after the previous one's answers are read,
        so the shared store applies the adds in order.
        """
        counters = self._speculative_counters()
        if counters is None:
            return [self._decide(rec, stop) for rec in records]
        size = max(self.config.counter_chunk, 1)
        chunks: list[_Chunk] = []
        pending: _Chunk | None = None
        try:
            for i in range(0, len(records), size):
                chunk = self._guess(records[i : i + size], stop, counters)
                if pending is not None:
                    self._settle(pending, stop, counters)
                pending = chunk
                chunks.append(chunk)
                counters.send(chunk.counters)
            if pending is not None:
                last, pending = pending, None
                self._settle(last, stop, counters)
        finally:
            if pending is not None:
                counters.abandon(pending.counters)
        return [outcome for chunk in chunks for outcome in chunk.outcomes]

    def _guess(
        self, records: Sequence[Record], stop: threading.Event, counters: SpeculativeCounters
    ) -> _Chunk:
        """The records' outcomes with the counts answered from the local mirror."""
        batch = counters.open_batch()
        try:
            outcomes: list[_Outcome] = []
            for rec in records:
                counters.next_event()
                outcomes.append(self._decide(rec, stop))
        finally:
            counters.close_batch()
        return _Chunk(records, outcomes, batch)

    def _settle(self, chunk: _Chunk, stop: threading.Event, counters: SpeculativeCounters) -> None:
        """Check a chunk's counts against the shared store; evaluate again any event whose
        counts another worker had changed, with the shared store's counts."""
        try:
            wrong = self._retry("counters", partial(counters.settle, chunk.counters), stop)
        except ShutdownAbandonedError:
            raise
        except Exception as exc:
            log.warning("batched counter update failed (%s); evaluating one by one", exc)
            # No batch is open now, so every counter call goes to the shared store.
            chunk.outcomes = [self._decide(rec, stop) for rec in chunk.records]
            return
        for i in wrong:
            with counters.replay(i, chunk.counters):
                chunk.outcomes[i] = self._decide(chunk.records[i], stop)
        metrics.COUNTER_REPLAYS.inc(len(wrong))

    def _speculative_counters(self) -> SpeculativeCounters | None:
        """The engine's counters, wrapped for batching when they are a shared store."""
        counters = self.engine.counters
        if isinstance(counters, SpeculativeCounters):
            return counters
        if isinstance(counters, BatchCounterStore):
            # An engine swapped in later (pack promotion) takes its predecessor's counters.
            wrapped = SpeculativeCounters(counters)
            self.engine.counters = wrapped
            return wrapped
        return None

    def _decide(self, rec: Record, stop: threading.Event) -> _Outcome:
        """The verdict and actions for one record, or its dead letter."""
        try:
            event = parse_record(rec.value)
            verdict = self._retry("evaluate", lambda: self.engine.evaluate(event), stop)
            return event, verdict, actions_for(event, verdict)
        except ShutdownAbandonedError:
            raise
        except InvalidEventError as exc:
            return self._dead_letter(rec, "invalid_event", exc.reason)
        except Exception as exc:
            log.exception("the record at %s could not be evaluated", _where(rec))
            return self._dead_letter(rec, "unprocessable", f"{type(exc).__name__}: {exc}")

    def _store(
        self, items: list[Recorded], records: list[Record], stop: threading.Event
    ) -> list[bool | str]:
        """Record the batch (one group commit when the store offers it).

        Per item: True (new), False (already stored) or the reason it could not be stored.
        """
        if not items:
            return []
        if isinstance(self.store, BatchVerdictStore):
            record_many = self.store.record_many
            try:
                return list(self._retry("store", lambda: record_many(items), stop))
            except ShutdownAbandonedError:
                raise
            except Exception as exc:
                log.warning("group commit failed (%s); storing one by one", exc)
        results: list[bool | str] = []
        for rec, item in zip(records, items, strict=True):
            try:
                record = partial(self.store.record, item.event, item.verdict, item.actions)
                results.append(self._retry("store", record, stop))
            except ShutdownAbandonedError:
                raise
            except Exception as exc:
                log.exception("the verdict for %s could not be stored", _where(rec))
                results.append(f"{type(exc).__name__}: {exc}")
        return results

    def _stored_verdicts(self, event_ids: list[str], stop: threading.Event) -> dict[str, Verdict]:
        """The verdicts stored before for redelivered events (one query when the store can)."""
        if isinstance(self.store, BatchVerdictStore):
            return self._retry("store", partial(self.store.get_verdicts, event_ids), stop)
        found: dict[str, Verdict] = {}
        for event_id in event_ids:
            verdict = self._retry("store", partial(self.store.get_verdict, event_id), stop)
            if verdict is not None:
                found[event_id] = verdict
        return found

    def _publish(self, rec: Record, item: Recorded) -> list[OutRecord]:
        event = item.event
        key = event.actor.id
        headers = {"event_id": event.id, "source": _where(rec), "source_ts": repr(rec.timestamp)}
        out = [OutRecord(self.topics.verdicts, key, item.verdict_body().encode(), headers)]
        out.extend(
            OutRecord(
                self.topics.actions,
                key,
                action.model_dump_json().encode(),
                {**headers, "action_id": action.id},
            )
            for action in item.actions
        )
        return out

    def _dead_letter(self, rec: Record, kind: str, reason: str) -> OutRecord:
        body = {
            "kind": kind,
            "reason": reason,
            "source": {"topic": rec.topic, "partition": rec.partition, "offset": rec.offset},
            "key": rec.key,
            "payload": rec.value.decode("utf-8", errors="replace"),
        }
        headers = {
            "kind": kind,
            "reason": reason[:1000],
            "source": _where(rec),
            "source_ts": repr(rec.timestamp),
        }
        return OutRecord(self.topics.dead_letters, rec.key, json.dumps(body).encode(), headers)

    def _retry(self, stage: str, fn: Callable[[], T], stop: threading.Event) -> T:
        """Run ``fn``, retrying transient failures with capped exponential backoff.

        Retries until it works; once shutdown is asked for, gives up after the grace period.
        """
        delay = self.config.backoff_initial_s
        while True:
            try:
                return fn()
            except Exception as exc:
                if not is_transient(exc):
                    raise
                if stop.is_set():
                    now = time.monotonic()
                    if self._stop_at is None:
                        self._stop_at = now
                    if now - self._stop_at > self.config.shutdown_grace_s:
                        raise ShutdownAbandonedError(f"{stage}: {exc}") from exc
                metrics.RETRIES.labels(stage).inc()
                log.warning("transient failure in %s, retrying in %.2fs: %s", stage, delay, exc)
                time.sleep(delay)
                delay = min(delay * 2, self.config.backoff_max_s)

    def _report_lag(self, known: set[TopicPartition]) -> set[TopicPartition]:
        lag = metrics.set_lag(self.consumer.seen_end(), self.consumer.committed())
        current = set(lag)
        metrics.forget_partitions(sorted(known - current))
        return current


def parse_record(value: bytes) -> Event:
    """``parse_event`` for a record's bytes, by pydantic's JSON parser (no dict in between).

    What the fast parse refuses is parsed again by ``parse_event``, so a bad event is
    refused with the same reason either way.
    """
    try:
        event = Event.model_validate_json(value)
    except ValidationError:
        return parse_event(value)
    # The body an event type needs is named by the type's first word (message.sent ->
    # message); parse_event checks it, so an event without it goes there for its reason.
    if getattr(event, event.type.partition(".")[0], None) is None:
        return parse_event(value)
    return event


def _next_offsets(records: Sequence[Record]) -> dict[TopicPartition, int]:
    """Per partition, one past the highest offset among ``records`` (what to commit).

    Keyed by plain tuples in the loop: a ``TopicPartition`` built and hashed per record
    cost ~2 us an event."""
    ends: dict[tuple[str, int], int] = {}
    for rec in records:
        key = (rec.topic, rec.partition)
        end = rec.offset + 1
        if end > ends.get(key, 0):
            ends[key] = end
    return {TopicPartition(topic, partition): end for (topic, partition), end in ends.items()}


def _where(rec: Record) -> str:
    return f"{rec.topic}/{rec.partition}/{rec.offset}"
