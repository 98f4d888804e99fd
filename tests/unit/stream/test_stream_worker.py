"""The worker on the in-memory bus and store: one verdict per event, dead letters, retries."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from trustwatch.enforcement import EnforcementAction
from trustwatch.engine import Engine
from trustwatch.errors import InvalidEventError
from trustwatch.events import EVENT_TYPES, Event, parse_event
from trustwatch.store.interface import InMemoryVerdictStore, Recorded
from trustwatch.stream.bus import MemoryBus, OutRecord, TopicPartition, Topics
from trustwatch.stream.worker import Worker, WorkerConfig, is_transient, parse_record
from trustwatch.verdicts import Verdict

TOPICS = Topics.with_prefix("w")


@pytest.fixture
def engine(pack_dir: Path) -> Engine:
    return Engine.from_path(pack_dir)


def _bus_with(lines: list[bytes]) -> MemoryBus:
    bus = MemoryBus(TOPICS, partitions=4)
    bus.producer().send([OutRecord(TOPICS.events, _key(line), line) for line in lines])
    return bus


def _key(line: bytes) -> str | None:
    try:
        return str(json.loads(line)["actor"]["id"])
    except (ValueError, KeyError):
        return None


def _drain(worker: Worker, total: int) -> None:
    stop = threading.Event()
    assert worker.run(stop, max_events=total)


def _ids(bus: MemoryBus, topic: str) -> list[str]:
    return [r.headers["event_id"] for r in bus.read_all(topic)]


def test_each_good_event_gets_one_verdict_and_action_and_bad_ones_dead_letter(
    engine, make_lines
) -> None:
    data = make_lines(60)
    bus = _bus_with(data.lines)
    store = InMemoryVerdictStore()
    worker = Worker(engine, store, bus.consumer("g", [TOPICS.events]), TOPICS)
    _drain(worker, 60)
    assert set(store.verdicts) == data.good
    assert sorted(_ids(bus, TOPICS.verdicts)) == sorted(data.good)
    assert sorted(_ids(bus, TOPICS.actions)) == sorted(data.good)
    assert sorted(a.event_id for a in store.actions.values()) == sorted(data.good)
    dead = [json.loads(r.value) for r in bus.read_all(TOPICS.dead_letters)]
    assert {d["payload"].encode() for d in dead} == data.bad
    assert all(d["kind"] == "invalid_event" and d["reason"] for d in dead)
    assert worker.stats.dead_lettered == len(data.bad)


def test_dead_letter_carries_reason_and_source_in_headers(engine) -> None:
    bus = _bus_with([b"{nope"])
    worker = Worker(engine, InMemoryVerdictStore(), bus.consumer("g", [TOPICS.events]), TOPICS)
    _drain(worker, 1)
    (dead,) = bus.read_all(TOPICS.dead_letters)
    assert dead.headers["kind"] == "invalid_event"
    assert dead.headers["reason"]
    assert dead.headers["source"] == f"{TOPICS.events}/0/0"


def test_malformed_record_does_not_block_its_partition(engine, make_lines) -> None:
    data = make_lines(10)
    # Everything under one key: one partition, with the bad lines in between good ones.
    bus = MemoryBus(TOPICS, partitions=4)
    bus.producer().send([OutRecord(TOPICS.events, "same", line) for line in data.lines])
    store = InMemoryVerdictStore()
    worker = Worker(
        engine, store, bus.consumer("g", [TOPICS.events]), TOPICS, WorkerConfig(batch_size=1)
    )
    _drain(worker, 10)
    assert set(store.verdicts) == data.good
    assert worker.stats.batches == 10


def test_redelivered_events_get_no_second_verdict_and_republish_the_stored_one(
    engine, make_lines
) -> None:
    data = make_lines(20)
    bus = _bus_with(data.lines)
    store = InMemoryVerdictStore()
    consumer = bus.consumer("g", [TOPICS.events])
    worker = Worker(engine, store, consumer, TOPICS)
    records = consumer.poll(100, 1.0)
    # The crash window: verdicts stored, nothing published or committed.
    for rec in records:
        try:
            event = Event.model_validate_json(rec.value)
        except ValueError:
            continue
        store.record(event, engine.evaluate(event), [])
    stored_before = dict(store.verdicts)
    worker.process(records)
    assert store.verdicts == stored_before
    assert worker.stats.verdicts == 0
    assert worker.stats.redelivered == len(data.good)
    published = {
        r.headers["event_id"]: Verdict.model_validate_json(r.value)
        for r in bus.read_all(TOPICS.verdicts)
    }
    assert published == stored_before


class _FlakyStore(InMemoryVerdictStore):
    """Fails the first ``failures`` writes with a transient (or permanent) error."""

    def __init__(self, failures: int, error: Exception) -> None:
        super().__init__()
        self.failures = failures
        self.error = error

    def record_many(self, items: Sequence[Recorded]) -> list[bool]:
        if self.failures > 0:
            self.failures -= 1
            raise self.error
        return super().record_many(items)


def _retries(stage: str) -> float:
    return REGISTRY.get_sample_value("trustwatch_stream_retries_total", {"stage": stage}) or 0.0


def test_transient_store_errors_are_retried_not_dead_lettered(engine, make_lines) -> None:
    data = make_lines(10)
    bus = _bus_with(data.lines)
    store = _FlakyStore(3, sqlite3.OperationalError("database is locked"))
    config = WorkerConfig(backoff_initial_s=0.001, backoff_max_s=0.004)
    worker = Worker(engine, store, bus.consumer("g", [TOPICS.events]), TOPICS, config)
    before = _retries("store")
    _drain(worker, 10)
    assert set(store.verdicts) == data.good
    assert bus.read_all(TOPICS.dead_letters) != []  # only the malformed lines
    assert {json.loads(r.value)["kind"] for r in bus.read_all(TOPICS.dead_letters)} == {
        "invalid_event"
    }
    assert _retries("store") - before == 3


class _RejectingStore(InMemoryVerdictStore):
    """Refuses, for good, any write that holds one given event."""

    def __init__(self, event_id: str) -> None:
        super().__init__()
        self.event_id = event_id

    def record(self, event: Event, verdict: Verdict, actions: list[EnforcementAction]) -> bool:
        return self.record_many([Recorded(event, verdict, actions)])[0]

    def record_many(self, items: Sequence[Recorded]) -> list[bool]:
        if any(item.event.id == self.event_id for item in items):
            raise ValueError("field too long")
        return super().record_many(items)


def test_an_event_the_store_rejects_for_good_is_dead_lettered(engine, make_lines) -> None:
    data = make_lines(3)  # evt_0, evt_1, evt_2: all good
    bus = _bus_with(data.lines)
    store = _RejectingStore("evt_1")
    worker = Worker(engine, store, bus.consumer("g", [TOPICS.events]), TOPICS)
    _drain(worker, 3)
    (dead,) = [json.loads(r.value) for r in bus.read_all(TOPICS.dead_letters)]
    assert dead["kind"] == "unprocessable"
    assert "field too long" in dead["reason"]
    assert json.loads(dead["payload"])["id"] == "evt_1"
    assert set(store.verdicts) == {"evt_0", "evt_2"}


def test_stop_finishes_the_batch_in_flight_and_commits(engine, make_lines) -> None:
    data = make_lines(30)
    bus = _bus_with(data.lines)
    store = InMemoryVerdictStore()
    consumer = bus.consumer("g", [TOPICS.events])
    stop = threading.Event()

    class _StopMidBatch(InMemoryVerdictStore):
        def record_many(self, items):  # type: ignore[no-untyped-def]
            stop.set()  # the signal arrives while the batch is being processed
            return store.record_many(items)

    worker = Worker(engine, _StopMidBatch(), consumer, TOPICS)
    assert worker.run(stop) is True
    assert set(store.verdicts) == data.good
    assert sum(consumer.committed().values()) == 30


def test_a_batch_commits_one_past_each_partitions_last_record(engine, make_lines) -> None:
    data = make_lines(40)
    bus = _bus_with(data.lines)
    consumer = bus.consumer("g", [TOPICS.events])
    records = consumer.poll(1000, 1.0)
    assert len({r.partition for r in records}) > 1
    Worker(engine, InMemoryVerdictStore(), consumer, TOPICS).process(records)
    ends: dict[TopicPartition, int] = {}
    for r in bus.read_all(TOPICS.events):
        ends[r.tp] = max(ends.get(r.tp, 0), r.offset + 1)
    assert consumer.committed() == ends


def test_lag_is_seen_minus_committed(engine, make_lines) -> None:
    data = make_lines(40)
    bus = _bus_with(data.lines)
    consumer = bus.consumer("g", [TOPICS.events])
    worker = Worker(engine, InMemoryVerdictStore(), consumer, TOPICS, WorkerConfig(batch_size=1000))
    _drain(worker, 40)
    lags = [
        REGISTRY.get_sample_value(
            "trustwatch_stream_consumer_lag", {"topic": TOPICS.events, "partition": str(p)}
        )
        for p in range(4)
    ]
    assert lags and all(v == 0.0 for v in lags if v is not None)
    assert any(v is not None for v in lags)


def test_transient_errors_are_recognised_by_kind() -> None:
    assert is_transient(sqlite3.OperationalError("database is locked"))
    assert is_transient(ConnectionRefusedError())
    assert not is_transient(ValueError("bad"))
    assert not is_transient(sqlite3.IntegrityError("dup"))


def test_lag_counts_records_seen_but_not_committed() -> None:
    from trustwatch.stream.bus import TopicPartition
    from trustwatch.stream.metrics import set_lag

    tp = TopicPartition("lagtest", 3)
    assert set_lag({tp: 10}, {tp: 4}) == {tp: 6}
    assert (
        REGISTRY.get_sample_value(
            "trustwatch_stream_consumer_lag", {"topic": "lagtest", "partition": "3"}
        )
        == 6.0
    )


def test_a_batch_whose_partitions_moved_is_published_once_by_the_new_owner(
    engine, make_lines, tmp_path: Path
) -> None:
    from trustwatch.stream.sqlite_bus import SqliteBus

    data = make_lines(20)
    bus = SqliteBus(tmp_path / "bus.db", topics=TOPICS, partitions=1, session_timeout_s=0.5)
    bus.producer().send([OutRecord(TOPICS.events, _key(line), line) for line in data.lines])
    store = InMemoryVerdictStore()
    stale = Worker(engine, store, bus.consumer("g", [TOPICS.events], member_id="stale"), TOPICS)
    records = stale.consumer.poll(100, 1.0)
    # The stale worker pauses past its session; another worker takes the partition over.
    with bus.connect() as conn:
        conn.execute("UPDATE leases SET expires = 0")
        conn.execute("UPDATE members SET heartbeat = 0")
    fresh = Worker(engine, store, bus.consumer("g", [TOPICS.events], member_id="new"), TOPICS)
    fresh_records = fresh.consumer.poll(100, 1.0)
    stale.process(records)
    assert stale.stats.lost_batches == 1
    assert bus.read_all(TOPICS.verdicts) == []
    fresh.process(fresh_records)
    assert sorted(r.headers["event_id"] for r in bus.read_all(TOPICS.verdicts)) == sorted(data.good)
    assert fresh.stats.redelivered == len(data.good)


class _GroupCommitStore(InMemoryVerdictStore):
    """A store with group commit whose batch write fails for good once."""

    def __init__(self) -> None:
        super().__init__()
        self.batches = 0

    def record_many(self, items):  # type: ignore[no-untyped-def]
        self.batches += 1
        if self.batches == 1:
            raise ValueError("one row in this batch is unstorable")
        return [self.record(i.event, i.verdict, i.actions) for i in items]


def test_a_failed_group_commit_falls_back_to_one_by_one(engine, make_lines) -> None:
    data = make_lines(10)
    bus = _bus_with(data.lines)
    store = _GroupCommitStore()
    worker = Worker(engine, store, bus.consumer("g", [TOPICS.events]), TOPICS)
    _drain(worker, 10)
    assert set(store.verdicts) == data.good
    assert store.batches == 1
    assert sorted(_ids(bus, TOPICS.verdicts)) == sorted(data.good)


def test_group_commit_is_used_when_the_store_has_it(engine, make_lines) -> None:
    data = make_lines(10)
    bus = _bus_with(data.lines)
    store = _GroupCommitStore()
    store.batches = 1  # the next group commit succeeds
    worker = Worker(engine, store, bus.consumer("g", [TOPICS.events]), TOPICS)
    _drain(worker, 10)
    assert store.batches == 2
    assert set(store.verdicts) == data.good


def _outcome(parse: Callable[[bytes], Event], value: bytes) -> str:
    try:
        return f"event: {parse(value).model_dump_json()}"
    except InvalidEventError as exc:
        return f"invalid: {exc.reason}"
    except ValueError as exc:
        return f"{type(exc).__name__}"


def test_the_fast_parse_accepts_and_refuses_what_parse_event_does() -> None:
    base = {"id": "e", "occurred_at": "2026-11-02T10:15:00Z", "actor": {"id": "u"}}
    bodies = {
        "message": {"id": "m", "text": "hi"},
        "listing": {"id": "l", "price": {"amount": 3, "currency": "GBP"}},
        "profile": {"bio": "hello"},
        "report": {"id": "r", "target_type": "user", "target_id": "u2"},
    }
    values = []
    for event_type in EVENT_TYPES:
        for body, content in bodies.items():
            # Every type with every body: only its own makes a valid event.
            values.append(json.dumps({**base, "type": event_type, body: content}).encode())
    values += [
        b'{"id": "e", ',
        b"[1, 2]",
        b'"text"',
        b"\xef\xbb\xbf" + values[0],
        b'{"id": "\xff", "type": "message.sent"}',
        json.dumps({**base, "type": "message.sent", "message": {"id": "m"}}).encode(),
        json.dumps({**base, "type": "nope", "message": bodies["message"]}).encode(),
        values[0].replace(b'"hi"', b'"hi", "extra": NaN'),
        values[5].replace(b'"amount": 3', b'"amount": NaN'),
        values[5].replace(b'"amount": 3', b'"amount": "3.5"'),
        values[0].replace(b"2026-11-02T10:15:00Z", b"yesterday"),
        values[0].replace(b'"actor": {"id": "u"}', b'"actor": {"id": ""}'),
        values[0] + b" trailing",
    ]
    outcomes = [(_outcome(parse_record, v), _outcome(parse_event, v)) for v in values]
    assert [fast for fast, _ in outcomes] == [slow for _, slow in outcomes]
    # Valid: each type with its own body, the extra NaN, the BOM, the price as a string.
    assert sum(fast.startswith("event") for fast, _ in outcomes) == len(EVENT_TYPES) + 3
