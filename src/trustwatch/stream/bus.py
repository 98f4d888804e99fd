"""The event bus interface, its in-memory twin, and ``open_bus`` for the bus URLs.

A bus carries four topics (events in; verdicts, enforcement actions and dead letters
out). A consumer hands back each finished batch with ``complete(outputs, offsets)``:
the outputs are made durable *before* the source offsets are committed, so an
accepted event is never lost; an implementation that can do both atomically
(the SQLite log, this twin) does, which makes its topic output exactly-once.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from trustwatch.errors import ConfigError, TrustwatchError

DEFAULT_PARTITIONS = 8


class BusError(TrustwatchError):
    """The bus failed in a way retrying will not fix."""


class BusUnavailableError(BusError):
    """The bus (broker, database file) is unreachable or busy right now; retry with backoff."""


class PartitionsLostError(BusError):
    """The consumer no longer owns some partitions of the batch; the new owner redelivers it."""


@dataclass(frozen=True, order=True)
class TopicPartition:
    topic: str
    partition: int


@dataclass(frozen=True)
class Topics:
    """Topic names; one prefix keeps several deployments (or tests) apart on one broker."""

    events: str = "trustwatch.events"
    verdicts: str = "trustwatch.verdicts"
    actions: str = "trustwatch.actions"
    dead_letters: str = "trustwatch.dead-letters"

    @classmethod
    def with_prefix(cls, prefix: str) -> Topics:
        return cls(
            events=f"{prefix}.events",
            verdicts=f"{prefix}.verdicts",
            actions=f"{prefix}.actions",
            dead_letters=f"{prefix}.dead-letters",
        )

    def all(self) -> tuple[str, str, str, str]:
        return (self.events, self.verdicts, self.actions, self.dead_letters)


@dataclass(frozen=True)
class Record:
    """A record as consumed. ``timestamp`` is the append time in epoch seconds."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    timestamp: float
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def tp(self) -> TopicPartition:
        return TopicPartition(self.topic, self.partition)


@dataclass(frozen=True)
class OutRecord:
    """A record to produce; the bus picks the partition from ``key``."""

    topic: str
    key: str | None
    value: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


def partition_for(key: str | None, partitions: int) -> int:
    """Stable across processes and runs (unlike ``hash``), so one actor stays in one partition."""
    if not key:
        return 0
    return zlib.crc32(key.encode("utf-8")) % partitions


class Producer(Protocol):
    def send(self, records: Sequence[OutRecord]) -> None:
        """Append records; they are durable when this returns. Raises BusUnavailableError."""
        ...

    def close(self) -> None: ...


class Consumer(Protocol):
    def poll(self, max_records: int, timeout_s: float) -> list[Record]:
        """Up to ``max_records`` records from the assigned partitions, waiting up to timeout."""
        ...

    def complete(self, outputs: Sequence[OutRecord], offsets: Mapping[TopicPartition, int]) -> None:
        """Make ``outputs`` durable, then commit ``offsets`` (next offset to read).

        A bus may return with the batch still in flight (Kafka: acknowledged and
        committed by the next call, ``complete([], {})``, an idle poll or ``close``).
        """
        ...

    def assignment(self) -> list[TopicPartition]: ...

    def committed(self) -> dict[TopicPartition, int]:
        """Committed offsets of the assigned partitions as this consumer last knew them."""
        ...

    def seen_end(self) -> dict[TopicPartition, int]:
        """Per assigned partition, one past the highest offset this consumer has seen."""
        ...

    def rewind(self) -> None:
        """Forget uncommitted progress: the next poll starts again from the committed offsets."""
        ...

    def close(self) -> None: ...


class Bus(Protocol):
    topics: Topics

    def producer(self) -> Producer: ...

    def consumer(self, group: str, topics: Sequence[str]) -> Consumer: ...

    def ensure_topics(self, partitions: int = DEFAULT_PARTITIONS) -> None: ...

    def read_all(self, topic: str) -> list[Record]:
        """Every record of a topic, for tests, tools and the benchmark; not a consumer."""
        ...

    def close(self) -> None: ...


class MemoryBus:
    """In-process twin for unit tests: partitions, one consumer per group, atomic complete()."""

    def __init__(self, topics: Topics | None = None, partitions: int = DEFAULT_PARTITIONS) -> None:
        self.topics = topics or Topics()
        self.partitions = partitions
        self._lock = threading.Condition()
        self._logs: dict[str, list[list[Record]]] = {}
        self._offsets: dict[tuple[str, TopicPartition], int] = {}

    def ensure_topics(self, partitions: int = DEFAULT_PARTITIONS) -> None:
        with self._lock:
            for topic in self.topics.all():
                self._log(topic)

    def _log(self, topic: str) -> list[list[Record]]:
        log = self._logs.get(topic)
        if log is None:
            log = [[] for _ in range(self.partitions)]
            self._logs[topic] = log
        return log

    def append(self, records: Sequence[OutRecord]) -> None:
        with self._lock:
            now = time.time()
            for rec in records:
                log = self._log(rec.topic)
                p = partition_for(rec.key, len(log))
                log[p].append(
                    Record(rec.topic, p, len(log[p]), rec.key, rec.value, now, dict(rec.headers))
                )
            self._lock.notify_all()

    def producer(self) -> MemoryProducer:
        return MemoryProducer(self)

    def consumer(self, group: str, topics: Sequence[str]) -> MemoryConsumer:
        return MemoryConsumer(self, group, topics)

    def read_all(self, topic: str) -> list[Record]:
        with self._lock:
            return [r for part in self._log(topic) for r in part]

    def close(self) -> None:
        return None


class MemoryProducer:
    def __init__(self, bus: MemoryBus) -> None:
        self._bus = bus

    def send(self, records: Sequence[OutRecord]) -> None:
        self._bus.append(records)

    def close(self) -> None:
        return None


class MemoryConsumer:
    def __init__(self, bus: MemoryBus, group: str, topics: Sequence[str]) -> None:
        self._bus = bus
        self._group = group
        self._topics = list(topics)
        with bus._lock:
            self._positions = {
                tp: bus._offsets.get((group, tp), 0)
                for topic in self._topics
                for tp in (TopicPartition(topic, p) for p in range(len(bus._log(topic))))
            }
        self._seen: dict[TopicPartition, int] = {}

    def poll(self, max_records: int, timeout_s: float) -> list[Record]:
        deadline = time.monotonic() + timeout_s
        with self._bus._lock:
            while True:
                out: list[Record] = []
                for tp, pos in self._positions.items():
                    part = self._bus._log(tp.topic)[tp.partition]
                    take = part[pos : pos + max_records - len(out)]
                    out.extend(take)
                    if take:
                        self._positions[tp] = take[-1].offset + 1
                        self._seen[tp] = len(part)
                    if len(out) >= max_records:
                        break
                left = deadline - time.monotonic()
                if out or left <= 0:
                    return out
                self._bus._lock.wait(left)

    def complete(self, outputs: Sequence[OutRecord], offsets: Mapping[TopicPartition, int]) -> None:
        with self._bus._lock:
            self._bus.append(outputs)
            for tp, offset in offsets.items():
                self._bus._offsets[(self._group, tp)] = offset

    def assignment(self) -> list[TopicPartition]:
        return sorted(self._positions)

    def committed(self) -> dict[TopicPartition, int]:
        with self._bus._lock:
            return {tp: self._bus._offsets.get((self._group, tp), 0) for tp in self._positions}

    def seen_end(self) -> dict[TopicPartition, int]:
        return dict(self._seen)

    def rewind(self) -> None:
        with self._bus._lock:
            for tp in self._positions:
                self._positions[tp] = self._bus._offsets.get((self._group, tp), 0)

    def close(self) -> None:
        return None


def open_bus(
    url: str,
    *,
    topics: Topics | None = None,
    partitions: int = DEFAULT_PARTITIONS,
    session_timeout_s: float = 10.0,
) -> Bus:
    """``sqlite:///path/bus.db``, ``kafka://host:port[,host:port]`` or ``memory://``.

    ``session_timeout_s``: how long a silent consumer keeps its partitions before the
    rest of its group takes them over.
    """
    if url.startswith("sqlite:///"):
        from trustwatch.stream.sqlite_bus import SqliteBus

        return SqliteBus(
            url.removeprefix("sqlite:///"),
            topics=topics,
            partitions=partitions,
            session_timeout_s=session_timeout_s,
        )
    if url.startswith("kafka://"):
        from trustwatch.stream.kafka import KafkaBus

        return KafkaBus(
            url.removeprefix("kafka://"),
            topics=topics,
            partitions=partitions,
            session_timeout_s=session_timeout_s,
        )
    if url == "memory://":
        return MemoryBus(topics, partitions)
    raise ConfigError(
        f"unknown bus URL {url!r}: use sqlite:///path/to/bus.db, kafka://host:port or memory://"
    )
