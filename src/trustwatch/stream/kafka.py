"""Kafka bus (confluent-kafka): records keyed by actor id, so one user's events stay in order.

The producer is idempotent (``acks=all``). ``complete()`` produces a batch's outputs
and returns; the broker acknowledges them while the worker polls and decides the next
batch, and the next ``complete()`` waits for that acknowledgement and only then
commits the batch's source offsets (synchronously). So one batch is in flight at a
time, its offsets are never committed before its outputs are acknowledged, and the
broker round trip (2-4 ms a batch of 500) is no longer waited for. A batch in flight
is also finished by a ``poll`` that finds nothing new, before a rebalance takes its
partitions (``on_revoke``), and by ``close()``. A commit refused because the group
moved on needs no redo: the batch's outputs are already acknowledged, and a new
owner of its partitions republishes its stored verdicts.

Output is at-least-once: a crash between flush and commit republishes the batch's
(byte-identical, id-carrying) records. Transactions would make it exactly-once on a
real broker, but the test broker (tansu) shows aborted transactional records to
``read_committed`` readers, so they are not used.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
)
from confluent_kafka import TopicPartition as KafkaTopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from trustwatch.stream import metrics
from trustwatch.stream.bus import (
    DEFAULT_PARTITIONS,
    BusUnavailableError,
    OutRecord,
    PartitionsLostError,
    Record,
    TopicPartition,
    Topics,
)

log = logging.getLogger(__name__)


class _Repeats(logging.Filter):
    """Drops a librdkafka message seen in the last ``window_s``: an outage logs every 50 ms."""

    def __init__(self, window_s: float = 30.0) -> None:
        super().__init__()
        self._window_s = window_s
        self._last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        text = record.getMessage()
        if now - self._last.get(text, -self._window_s) < self._window_s:
            return False
        if len(self._last) > 1000:
            self._last.clear()
        self._last[text] = now
        return True


client_log = logging.getLogger(f"{__name__}.client")
client_log.addFilter(_Repeats())

# Commit failures that mean "this consumer no longer owns the partitions".
_LOST = frozenset(
    {
        KafkaError.ILLEGAL_GENERATION,
        KafkaError.UNKNOWN_MEMBER_ID,
        KafkaError.REBALANCE_IN_PROGRESS,
        KafkaError._ASSIGNMENT_LOST,
    }
)


class KafkaBus:
    def __init__(
        self,
        servers: str,
        *,
        topics: Topics | None = None,
        partitions: int = DEFAULT_PARTITIONS,
        session_timeout_s: float = 10.0,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.servers = servers
        self.topics = topics or Topics()
        self.partitions = partitions
        self.session_timeout_s = session_timeout_s
        self.config = dict(config or {})

    def ensure_topics(self, partitions: int | None = None) -> None:
        admin = AdminClient({"bootstrap.servers": self.servers, **self.config}, logger=client_log)
        wanted = [NewTopic(t, partitions or self.partitions, 1) for t in self.topics.all()]
        try:
            futures = admin.create_topics(wanted, request_timeout=10)
        except KafkaException as exc:
            raise BusUnavailableError(f"cannot reach Kafka at {self.servers}: {exc}") from exc
        for topic, future in futures.items():
            try:
                future.result(timeout=15)
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise BusUnavailableError(f"cannot create topic {topic}: {exc}") from exc

    def producer(self) -> KafkaProducer:
        return KafkaProducer(self.servers, self.config)

    def consumer(self, group: str, topics: Sequence[str]) -> KafkaConsumer:
        return KafkaConsumer(self, group, topics)

    def read_all(self, topic: str, idle_s: float = 0.5, first_s: float = 3.0) -> list[Record]:
        """Read from the beginning; joins no group.

        The broker's high watermarks cannot be trusted (tansu reports them too low), so
        this stops once nothing new has arrived for ``idle_s`` after the first record,
        or after ``first_s`` if the topic stays empty.
        """
        consumer = Consumer(
            {
                "bootstrap.servers": self.servers,
                "group.id": f"trustwatch-reader-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                "fetch.wait.max.ms": 50,
                **self.config,
            },
            logger=client_log,
        )
        try:
            meta = consumer.list_topics(topic, timeout=10)
            parts = meta.topics[topic].partitions if topic in meta.topics else {}
            consumer.assign([KafkaTopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
            out: list[Record] = []
            quiet_since = time.monotonic()
            while time.monotonic() - quiet_since < (idle_s if out else first_s):
                batch = consumer.consume(1000, 0.1)
                good = [m for m in batch if m.error() is None]
                if good:
                    quiet_since = time.monotonic()
                    out.extend(_record(m) for m in good)
            return out
        finally:
            consumer.close()

    def close(self) -> None:
        return None


class KafkaProducer:
    def __init__(self, servers: str, config: Mapping[str, Any]) -> None:
        self._conf = {
            "bootstrap.servers": servers,
            "enable.idempotence": True,
            "acks": "all",
            "compression.type": "lz4",
            "linger.ms": 5,
            "message.timeout.ms": 10000,
            **config,
        }
        self._timeout_s = float(self._conf["message.timeout.ms"]) / 1000
        self._producer = Producer(self._conf, logger=client_log)
        # Delivery failures of the records queued by the last ``produce``.
        self._errors: list[KafkaError] = []

    def send(self, records: Sequence[OutRecord]) -> None:
        """Produce and flush; any record not acknowledged raises BusUnavailableError."""
        self.produce(records)
        self.confirm(records)

    def produce(self, records: Sequence[OutRecord]) -> None:
        """Queue the records for sending; ``confirm`` waits until they are acknowledged."""
        self._errors = errors = []

        def delivered(err: KafkaError | None, _msg: Message) -> None:
            if err is not None:
                errors.append(err)

        try:
            for rec in records:
                while True:
                    try:
                        self._producer.produce(
                            rec.topic,
                            value=rec.value,
                            key=rec.key,
                            headers=list(rec.headers.items()) or None,
                            on_delivery=delivered,
                        )
                        break
                    except BufferError:
                        self._producer.poll(0.05)
        except KafkaException as exc:
            self._renew()
            raise BusUnavailableError(f"Kafka produce failed: {exc}") from exc

    def confirm(self, records: Sequence[OutRecord]) -> None:
        """Wait until the records ``produce`` queued are acknowledged; any that is not
        raises BusUnavailableError (the producer is renewed: send them again whole)."""
        try:
            left = self._producer.flush(self._timeout_s + 5)
        except KafkaException as exc:
            self._renew()
            raise BusUnavailableError(f"Kafka produce failed: {exc}") from exc
        errors = self._errors
        if errors or left:
            self._renew()
            raise BusUnavailableError(
                f"{len(errors) + left} of {len(records)} records were not acknowledged "
                f"({errors[0] if errors else 'flush timed out'}); retrying the batch"
            )

    def _renew(self) -> None:
        """Drop what is queued and start a fresh producer: the batch is sent again whole.

        Needed after a broker restart, which forgets the idempotent producer's id and
        sequence numbers so the old producer's messages only time out.
        """
        self._producer.purge()
        self._producer.flush(0)
        self._producer = Producer(self._conf, logger=client_log)

    def close(self) -> None:
        self._producer.flush(10)


class KafkaConsumer:
    def __init__(self, bus: KafkaBus, group: str, topics: Sequence[str]) -> None:
        self._producer = bus.producer()
        self._consumer = Consumer(
            {
                "bootstrap.servers": bus.servers,
                "group.id": group,
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "partition.assignment.strategy": "cooperative-sticky",
                "session.timeout.ms": int(bus.session_timeout_s * 1000),
                "heartbeat.interval.ms": max(int(bus.session_timeout_s * 1000 / 5), 100),
                "queued.max.messages.kbytes": 16384,
                # Brokers that do not wake a waiting fetch on new data (tansu) would add
                # up to this much latency to every quiet-stream event.
                "fetch.wait.max.ms": 50,
                **bus.config,
            },
            logger=client_log,
        )
        self._assigned: set[TopicPartition] = set()
        self._committed: dict[TopicPartition, int] = {}
        self._seen: dict[TopicPartition, int] = {}
        # The batch in flight: outputs produced but not yet known acknowledged (cleared
        # once they are), and the source offsets to commit after that.
        self._in_flight: tuple[list[OutRecord], dict[TopicPartition, int]] | None = None
        self._consumer.subscribe(
            list(topics),
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
            on_lost=self._on_revoke,
        )

    def _on_assign(self, consumer: Consumer, partitions: list[KafkaTopicPartition]) -> None:
        gained = [TopicPartition(p.topic, p.partition) for p in partitions]
        self._assigned.update(gained)
        try:
            for p in consumer.committed(partitions, timeout=10):
                if p.offset >= 0:
                    self._committed[TopicPartition(p.topic, p.partition)] = p.offset
        except KafkaException as exc:
            log.warning("could not read committed offsets on assignment: %s", exc)
        _log_assignment(self._assigned)

    def _on_revoke(self, _consumer: Consumer, partitions: list[KafkaTopicPartition]) -> None:
        # The batch in flight is committed while the partitions are still this consumer's.
        # If that fails it stays in flight (committed later, or redelivered to the new
        # owner, which republishes the stored verdicts): an error must not escape here.
        try:
            self._finish()
        except Exception as exc:
            log.warning("could not commit the batch in flight before a rebalance: %s", exc)
        for p in partitions:
            tp = TopicPartition(p.topic, p.partition)
            self._assigned.discard(tp)
            self._committed.pop(tp, None)
            self._seen.pop(tp, None)
        _log_assignment(self._assigned)

    def poll(self, max_records: int, timeout_s: float) -> list[Record]:
        try:
            # Take what is already fetched; only when nothing is, block for the first record,
            # so a quiet stream is not held back waiting for a full batch.
            batch = self._consumer.consume(max_records, 0)
            if not batch:
                # Caught up: commit the batch in flight now rather than after the wait.
                self._finish()
                first = self._consumer.poll(timeout_s)
                if first is not None:
                    batch = [first, *self._consumer.consume(max_records - 1, 0)]
        except KafkaException as exc:
            raise BusUnavailableError(f"Kafka consume failed: {exc}") from exc
        out: list[Record] = []
        ends: dict[tuple[str, int], int] = {}
        for msg in batch:
            err = msg.error()
            if err is not None:
                if err.code() != KafkaError._PARTITION_EOF:
                    log.warning("Kafka consumer error: %s", err)
                continue
            rec = _record(msg)
            out.append(rec)
            key = (rec.topic, rec.partition)
            if rec.offset + 1 > ends.get(key, 0):
                ends[key] = rec.offset + 1
        # One TopicPartition per partition, not per record.
        for (topic, partition), end in ends.items():
            tp = TopicPartition(topic, partition)
            self._seen[tp] = max(self._seen.get(tp, 0), end)
        return out

    def complete(self, outputs: Sequence[OutRecord], offsets: Mapping[TopicPartition, int]) -> None:
        """Finish the batch in flight, then produce this one's outputs and return.

        This batch's outputs are acknowledged and its offsets committed by the next
        ``complete`` (``complete([], {})`` to finish it now), a ``poll`` that finds
        nothing, a rebalance or ``close``. Raises BusUnavailableError while the batch
        in flight cannot be finished: calling again retries it.
        """
        self._finish()
        if not outputs and not offsets:
            return
        self._producer.produce(outputs)
        self._in_flight = (list(outputs), dict(offsets))

    def _finish(self) -> None:
        """Wait for the batch in flight's outputs to be acknowledged, then commit its offsets.

        Outputs not acknowledged are sent again (on a fresh producer) before any offset
        is committed. A commit the group refuses (its partitions moved) is dropped: the
        outputs are acknowledged, and the partitions' new owner redelivers the records.
        """
        if self._in_flight is None:
            return
        outputs, offsets = self._in_flight
        if outputs:
            try:
                self._producer.confirm(outputs)
            except BusUnavailableError:
                self._producer.send(outputs)
            self._in_flight = ([], offsets)
        try:
            self._commit(offsets)
        except PartitionsLostError as exc:
            log.warning("%s", exc)
            metrics.LOST_BATCHES.inc()
        self._in_flight = None

    def _commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        if not offsets:
            return
        wanted = [KafkaTopicPartition(tp.topic, tp.partition, o) for tp, o in offsets.items()]
        try:
            done = self._consumer.commit(offsets=wanted, asynchronous=False) or []
        except KafkaException as exc:
            _raise_commit_error(exc.args[0], exc)
        for part in done:
            if part.error is not None:
                _raise_commit_error(part.error, None)
        self._committed.update(offsets)

    def assignment(self) -> list[TopicPartition]:
        return sorted(self._assigned)

    def committed(self) -> dict[TopicPartition, int]:
        return dict(self._committed)

    def seen_end(self) -> dict[TopicPartition, int]:
        return dict(self._seen)

    def rewind(self) -> None:
        assigned = [KafkaTopicPartition(tp.topic, tp.partition) for tp in sorted(self._assigned)]
        if not assigned:
            return
        try:
            for p in self._consumer.committed(assigned, timeout=10):
                self._consumer.seek(
                    KafkaTopicPartition(
                        p.topic, p.partition, p.offset if p.offset >= 0 else OFFSET_BEGINNING
                    )
                )
        except KafkaException as exc:
            raise BusUnavailableError(f"could not rewind to committed offsets: {exc}") from exc

    def close(self) -> None:
        try:
            self._finish()
        except Exception as exc:
            # Uncommitted: the batch is redelivered (and its stored verdicts republished).
            log.warning("could not commit the batch in flight on close: %s", exc)
        try:
            self._producer.close()
        finally:
            self._consumer.close()


def _raise_commit_error(err: KafkaError, cause: BaseException | None) -> NoReturn:
    if err.code() in _LOST:
        raise PartitionsLostError(
            f"offset commit refused ({err}); the batch will be redelivered"
        ) from cause
    raise BusUnavailableError(f"offset commit failed: {err}") from cause


def _log_assignment(assigned: set[TopicPartition]) -> None:
    log.info("assignment: %s", ", ".join(f"{t.topic}[{t.partition}]" for t in sorted(assigned)))


def _text(value: str | bytes | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.decode("utf-8", errors="replace")


def _pairs(headers: Any) -> list[tuple[str, str | bytes | None]]:
    if not headers:
        return []
    return list(headers.items()) if isinstance(headers, dict) else list(headers)


def _record(msg: Message) -> Record:
    _, ts_ms = msg.timestamp()
    value = msg.value()
    return Record(
        topic=msg.topic() or "",
        partition=msg.partition() or 0,
        offset=msg.offset() or 0,
        key=_text(msg.key()),
        value=value.encode() if isinstance(value, str) else value or b"",
        timestamp=ts_ms / 1000.0,
        headers={k: _text(v) or "" for k, v in _pairs(msg.headers())},
    )
