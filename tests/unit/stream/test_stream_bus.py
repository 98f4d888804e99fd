"""The bus contract, on the in-memory twin and the embedded SQLite log."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from trustwatch.errors import ConfigError
from trustwatch.stream.bus import (
    MemoryBus,
    OutRecord,
    PartitionsLostError,
    TopicPartition,
    Topics,
    open_bus,
    partition_for,
)
from trustwatch.stream.sqlite_bus import SqliteBus

TOPICS = Topics.with_prefix("t")


@pytest.fixture(params=["memory", "sqlite"])
def bus(request: pytest.FixtureRequest, tmp_path: Path) -> MemoryBus | SqliteBus:
    if request.param == "memory":
        return MemoryBus(TOPICS, partitions=4)
    return SqliteBus(tmp_path / "bus.db", topics=TOPICS, partitions=4, session_timeout_s=1.0)


def _send(bus: MemoryBus | SqliteBus, n: int, key: str = "u_1") -> None:
    producer = bus.producer()
    producer.send([OutRecord(TOPICS.events, key, f"v{i}".encode()) for i in range(n)])
    producer.close()


def test_partition_for_is_stable_and_in_range() -> None:
    assert partition_for("u_123", 8) == partition_for("u_123", 8)
    assert {partition_for(f"u_{i}", 8) for i in range(200)} == set(range(8))
    assert partition_for(None, 8) == 0


def test_one_key_keeps_its_order_in_one_partition(bus: MemoryBus | SqliteBus) -> None:
    _send(bus, 20, key="u_9")
    records = bus.read_all(TOPICS.events)
    assert {r.partition for r in records} == {partition_for("u_9", 4)}
    assert [r.value for r in records] == [f"v{i}".encode() for i in range(20)]
    assert [r.offset for r in records] == list(range(20))


def test_consumer_resumes_from_committed_offset(bus: MemoryBus | SqliteBus) -> None:
    _send(bus, 10)
    first = bus.consumer("g", [TOPICS.events])
    batch = first.poll(4, 2.0)
    assert [r.value for r in batch] == [b"v0", b"v1", b"v2", b"v3"]
    first.complete([], {batch[-1].tp: batch[-1].offset + 1})
    first.poll(10, 0.5)  # fetched but never committed: must come back
    first.close()
    second = bus.consumer("g", [TOPICS.events])
    again = second.poll(10, 2.0)
    assert [r.value for r in again] == [f"v{i}".encode() for i in range(4, 10)]
    second.close()


def test_complete_writes_outputs_and_offsets_together(bus: MemoryBus | SqliteBus) -> None:
    _send(bus, 3)
    consumer = bus.consumer("g", [TOPICS.events])
    batch = consumer.poll(10, 2.0)
    out = [OutRecord(TOPICS.verdicts, "u_1", b"verdict", {"event_id": "e1"})]
    consumer.complete(out, {batch[-1].tp: 3})
    assert consumer.committed()[batch[-1].tp] == 3
    verdicts = bus.read_all(TOPICS.verdicts)
    assert [(r.value, dict(r.headers)) for r in verdicts] == [(b"verdict", {"event_id": "e1"})]
    consumer.close()


def test_rewind_redelivers_uncommitted_records(bus: MemoryBus | SqliteBus) -> None:
    _send(bus, 5)
    consumer = bus.consumer("g", [TOPICS.events])
    assert len(consumer.poll(10, 2.0)) == 5
    consumer.rewind()
    assert [r.offset for r in consumer.poll(10, 2.0)] == [0, 1, 2, 3, 4]
    consumer.close()


def test_seen_end_tracks_fetched_records(bus: MemoryBus | SqliteBus) -> None:
    _send(bus, 6)
    consumer = bus.consumer("g", [TOPICS.events])
    batch = consumer.poll(10, 2.0)
    assert consumer.seen_end()[batch[0].tp] == 6
    consumer.close()


def test_open_bus_rejects_unknown_schemes() -> None:
    with pytest.raises(ConfigError, match="unknown bus URL"):
        open_bus("amqp://localhost")


def test_sqlite_log_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "bus.db"
    _send(SqliteBus(path, topics=TOPICS, partitions=4), 3)
    reopened = SqliteBus(path, topics=TOPICS, partitions=4)
    assert [r.value for r in reopened.read_all(TOPICS.events)] == [b"v0", b"v1", b"v2"]


def test_sqlite_group_members_split_partitions(tmp_path: Path) -> None:
    bus = SqliteBus(tmp_path / "bus.db", topics=TOPICS, partitions=4, session_timeout_s=1.0)
    bus.ensure_topics()
    a = bus.consumer("g", [TOPICS.events], member_id="a")
    b = bus.consumer("g", [TOPICS.events], member_id="b")
    a.poll(1, 0.0)
    b.poll(1, 0.0)
    a._next_heartbeat = 0.0  # let a see b at once instead of at its next heartbeat
    a.poll(1, 0.0)
    b._next_heartbeat = 0.0
    b.poll(1, 0.0)
    assert set(a.assignment()) | set(b.assignment()) == {
        TopicPartition(TOPICS.events, p) for p in range(4)
    }
    assert len(a.assignment()) == 2
    assert not set(a.assignment()) & set(b.assignment())
    a.close()
    b._next_heartbeat = 0.0
    b.poll(1, 0.0)
    assert len(b.assignment()) == 4


def test_sqlite_commit_is_refused_after_partitions_moved(tmp_path: Path) -> None:
    bus = SqliteBus(tmp_path / "bus.db", topics=TOPICS, partitions=1, session_timeout_s=0.5)
    _send(bus, 2)
    stale = bus.consumer("g", [TOPICS.events], member_id="stale")
    batch = stale.poll(10, 2.0)
    assert batch
    # The stale member stops heartbeating; after the session timeout a new one takes over.
    newcomer = bus.consumer("g", [TOPICS.events], member_id="new")
    with SqliteBus(bus.path).connect() as conn:
        conn.execute("UPDATE leases SET expires = 0")
        conn.execute("UPDATE members SET heartbeat = 0 WHERE member = 'stale'")
    assert len(newcomer.poll(10, 2.0)) == 2
    with pytest.raises(PartitionsLostError):
        stale.complete([OutRecord(TOPICS.verdicts, "u_1", b"late")], {batch[0].tp: 2})
    assert bus.read_all(TOPICS.verdicts) == []


def _append_many(path: str, start: int) -> None:
    bus = SqliteBus(path, topics=TOPICS, partitions=2)
    producer = bus.producer()
    for i in range(start, start + 200, 20):
        producer.send(
            [OutRecord(TOPICS.events, f"u_{j}", str(j).encode()) for j in range(i, i + 20)]
        )
    producer.close()


def test_sqlite_processes_append_to_one_file_without_losing_records(tmp_path: Path) -> None:
    path = str(tmp_path / "bus.db")
    SqliteBus(path, topics=TOPICS, partitions=2).ensure_topics()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(path, k * 1000)) for k in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    records = SqliteBus(path, topics=TOPICS).read_all(TOPICS.events)
    assert len(records) == 600
    for part in (0, 1):
        offsets = [r.offset for r in records if r.partition == part]
        assert offsets == list(range(len(offsets)))


def test_headers_come_back_as_they_were_sent(bus: MemoryBus | SqliteBus) -> None:
    headers = {"event_id": 'evt_"1"\\', "source": "t.events/0/7", "note": "ünï € \n\t\x00 ✓"}
    producer = bus.producer()
    producer.send(
        [OutRecord(TOPICS.verdicts, "u_1", b"v", headers), OutRecord(TOPICS.verdicts, "u_1", b"w")]
    )
    producer.close()
    assert [dict(r.headers) for r in bus.read_all(TOPICS.verdicts)] == [headers, {}]


def test_sqlite_headers_are_stored_as_json_dumps_writes_them(tmp_path: Path) -> None:
    bus = SqliteBus(tmp_path / "bus.db", topics=TOPICS, partitions=1)
    headers = {"event_id": 'evt_"1"', "source": "t.events/0/7", "ts": "ü€\x01"}
    bus.producer().send([OutRecord(TOPICS.verdicts, "u_1", b"v", headers)])
    conn = bus.connect()
    (stored,) = conn.execute("SELECT headers FROM records").fetchone()
    conn.close()
    assert stored == json.dumps(headers)
