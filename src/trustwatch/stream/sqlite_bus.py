"""The embedded bus: a durable, partitioned log in one SQLite file (WAL).

Several processes may share the file. Appends take the write lock with
``BEGIN IMMEDIATE`` and wait up to ``busy_timeout`` for it.

Consumer groups: every consumer of a group heartbeats into ``members``; the live
members, sorted, split the partitions round-robin, and a consumer reads a
partition only while it holds its row in ``leases``. A consumer that stops
heartbeating (killed, paused) loses its partitions after ``session_timeout_s``; one
that closes cleanly hands them over at once. ``complete()`` appends the batch's
outputs and commits its offsets in one transaction, and only while the consumer
still owns every partition in it, so output on this bus is exactly-once: a batch
is either wholly published and committed or not at all (then it is redelivered).

Durability: ``synchronous=NORMAL`` in WAL mode survives a killed process, not a
power cut; pass ``synchronous="FULL"`` for that. Records are kept forever.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from json.encoder import encode_basestring_ascii as _json_str
from pathlib import Path

from trustwatch.stream.bus import (
    DEFAULT_PARTITIONS,
    BusUnavailableError,
    OutRecord,
    PartitionsLostError,
    Record,
    TopicPartition,
    Topics,
    partition_for,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (
  topic TEXT PRIMARY KEY, partitions INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, "offset" INTEGER NOT NULL,
  key TEXT, value BLOB NOT NULL, headers TEXT, ts REAL NOT NULL,
  PRIMARY KEY (topic, partition, "offset")
);
CREATE TABLE IF NOT EXISTS offsets (
  grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
  "offset" INTEGER NOT NULL, PRIMARY KEY (grp, topic, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS members (
  grp TEXT NOT NULL, member TEXT NOT NULL, heartbeat REAL NOT NULL,
  PRIMARY KEY (grp, member)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
  grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
  owner TEXT NOT NULL, expires REAL NOT NULL, PRIMARY KEY (grp, topic, partition)
) WITHOUT ROWID;
"""

log = logging.getLogger(__name__)

_LOG_END = 'SELECT COALESCE(MAX("offset") + 1, 0) FROM records WHERE topic = ? AND partition = ?'


class SqliteBus:
    def __init__(
        self,
        path: str | Path,
        *,
        topics: Topics | None = None,
        partitions: int = DEFAULT_PARTITIONS,
        session_timeout_s: float = 10.0,
        busy_timeout_s: float = 10.0,
        synchronous: str = "NORMAL",
    ) -> None:
        self.path = Path(path)
        self.topics = topics or Topics()
        self.partitions = partitions
        self.session_timeout_s = session_timeout_s
        self.busy_timeout_s = busy_timeout_s
        self.synchronous = synchronous
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self.connect()
        try:
            conn.executescript(_SCHEMA)
        finally:
            conn.close()

    def connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout_s,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
        except sqlite3.OperationalError as exc:
            raise BusUnavailableError(f"cannot open the bus at {self.path}: {exc}") from exc
        return conn

    def ensure_topics(self, partitions: int | None = None) -> None:
        conn = self.connect()
        try:
            with _write(conn):
                for topic in self.topics.all():
                    _partitions(conn, topic, partitions or self.partitions)
        finally:
            conn.close()

    def producer(self) -> SqliteProducer:
        return SqliteProducer(self)

    def consumer(
        self, group: str, topics: Sequence[str], member_id: str | None = None
    ) -> SqliteConsumer:
        return SqliteConsumer(self, group, topics, member_id)

    def read_all(self, topic: str) -> list[Record]:
        conn = self.connect()
        try:
            rows = conn.execute(
                'SELECT partition, "offset", key, value, headers, ts FROM records '
                'WHERE topic = ? ORDER BY partition, "offset"',
                (topic,),
            ).fetchall()
        finally:
            conn.close()
        return [_record(topic, *row) for row in rows]

    def close(self) -> None:
        return None


@contextmanager
def _write(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction; a busy or unreachable file becomes BusUnavailableError."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise BusUnavailableError(f"the bus file is busy or unreachable: {exc}") from exc
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        conn.execute("ROLLBACK")
        raise BusUnavailableError(f"could not commit to the bus: {exc}") from exc


def _partitions(conn: sqlite3.Connection, topic: str, default: int) -> int:
    row = conn.execute("SELECT partitions FROM topics WHERE topic = ?", (topic,)).fetchone()
    if row is not None:
        return int(row[0])
    conn.execute("INSERT INTO topics (topic, partitions) VALUES (?, ?)", (topic, default))
    return default


def _encoded(records: Sequence[OutRecord]) -> list[tuple[OutRecord, str | None]]:
    """Each record with its headers as JSON: done before the write lock is taken."""
    return [(rec, _headers_json(rec.headers) if rec.headers else None) for rec in records]


def _headers_json(headers: Mapping[str, str]) -> str:
    """``json.dumps(dict(headers))``, the same text, in a quarter of the time (0.9 us, not
    3.3 us, for a verdict's three headers): the worker writes one per output record."""
    try:
        pairs = ", ".join([f"{_json_str(k)}: {_json_str(v)}" for k, v in headers.items()])
    except TypeError:
        # A key or value that is not a string: json.dumps says what it makes of it.
        return json.dumps(dict(headers))
    return "{" + pairs + "}"


def _append(
    conn: sqlite3.Connection,
    records: Sequence[tuple[OutRecord, str | None]],
    default_partitions: int,
) -> None:
    """Append (records from ``_encoded``) inside the caller's write transaction."""
    if not records:
        return
    now = time.time()
    counts: dict[str, int] = {}
    heads: dict[tuple[str, int], int] = {}
    rows = []
    for rec, headers in records:
        n = counts.get(rec.topic)
        if n is None:
            n = counts[rec.topic] = _partitions(conn, rec.topic, default_partitions)
        p = partition_for(rec.key, n)
        head = heads.get((rec.topic, p))
        if head is None:
            (head,) = conn.execute(
                _LOG_END,
                (rec.topic, p),
            ).fetchone()
        heads[(rec.topic, p)] = head + 1
        rows.append((rec.topic, p, head, rec.key, rec.value, headers, now))
    conn.executemany(
        'INSERT INTO records (topic, partition, "offset", key, value, headers, ts) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _record(
    topic: str,
    partition: int,
    offset: int,
    key: str | None,
    value: bytes,
    headers: str | None,
    ts: float,
) -> Record:
    return Record(
        topic, partition, offset, key, bytes(value), ts, json.loads(headers) if headers else {}
    )


class SqliteProducer:
    def __init__(self, bus: SqliteBus) -> None:
        self._bus = bus
        self._conn = bus.connect()

    def send(self, records: Sequence[OutRecord]) -> None:
        encoded = _encoded(records)
        with _write(self._conn):
            _append(self._conn, encoded, self._bus.partitions)

    def close(self) -> None:
        self._conn.close()


class SqliteConsumer:
    def __init__(
        self, bus: SqliteBus, group: str, topics: Sequence[str], member_id: str | None = None
    ) -> None:
        self._bus = bus
        self._group = group
        self._topics = list(topics)
        self.member_id = member_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._conn = bus.connect()
        self._owned: set[TopicPartition] = set()
        self._positions: dict[TopicPartition, int] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._seen: dict[TopicPartition, int] = {}
        self._next_heartbeat = 0.0
        self._turn = 0

    @property
    def _heartbeat_every_s(self) -> float:
        return self._bus.session_timeout_s / 5

    def _heartbeat(self) -> None:
        """Renew membership and leases; take and hand over partitions as the group changes."""
        now = time.time()
        timeout = self._bus.session_timeout_s
        g = self._group
        c = self._conn
        with _write(c):
            c.execute(
                "INSERT INTO members (grp, member, heartbeat) VALUES (?, ?, ?) "
                "ON CONFLICT (grp, member) DO UPDATE SET heartbeat = excluded.heartbeat",
                (g, self.member_id, now),
            )
            c.execute("DELETE FROM members WHERE grp = ? AND heartbeat < ?", (g, now - timeout))
            live = [
                m
                for (m,) in c.execute(
                    "SELECT member FROM members WHERE grp = ? ORDER BY member", (g,)
                )
            ]
            me = live.index(self.member_id)
            every = [
                TopicPartition(t, p)
                for t in self._topics
                for p in range(_partitions(c, t, self._bus.partitions))
            ]
            wanted = {tp for i, tp in enumerate(every) if i % len(live) == me}
            for tp in self._owned - wanted:
                c.execute(
                    "DELETE FROM leases "
                    "WHERE grp = ? AND topic = ? AND partition = ? AND owner = ?",
                    (g, tp.topic, tp.partition, self.member_id),
                )
            owned: set[TopicPartition] = set()
            for tp in wanted:
                row = c.execute(
                    "SELECT owner, expires FROM leases "
                    "WHERE grp = ? AND topic = ? AND partition = ?",
                    (g, tp.topic, tp.partition),
                ).fetchone()
                if row is None or row[0] == self.member_id or row[1] < now:
                    c.execute(
                        "INSERT INTO leases (grp, topic, partition, owner, expires) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (grp, topic, partition) DO UPDATE "
                        "SET owner = excluded.owner, expires = excluded.expires",
                        (g, tp.topic, tp.partition, self.member_id, now + timeout),
                    )
                    owned.add(tp)
            gained = owned - self._owned
            for tp in gained:
                self._committed[tp] = self._committed_offset(tp)
                self._positions[tp] = self._committed[tp]
        if owned != self._owned:
            log.info(
                "assignment: %s", ", ".join(f"{t.topic}[{t.partition}]" for t in sorted(owned))
            )
        for tp in self._owned - owned:
            self._positions.pop(tp, None)
            self._committed.pop(tp, None)
            self._seen.pop(tp, None)
        self._owned = owned
        for tp in owned:
            (end,) = c.execute(
                _LOG_END,
                (tp.topic, tp.partition),
            ).fetchone()
            self._seen[tp] = max(end, self._seen.get(tp, 0))
        self._next_heartbeat = time.monotonic() + self._heartbeat_every_s

    def _committed_offset(self, tp: TopicPartition) -> int:
        row = self._conn.execute(
            'SELECT "offset" FROM offsets WHERE grp = ? AND topic = ? AND partition = ?',
            (self._group, tp.topic, tp.partition),
        ).fetchone()
        return int(row[0]) if row else 0

    def poll(self, max_records: int, timeout_s: float) -> list[Record]:
        deadline = time.monotonic() + timeout_s
        pause = 0.005
        while True:
            if time.monotonic() >= self._next_heartbeat:
                self._heartbeat()
            out = self._fetch(max_records)
            left = deadline - time.monotonic()
            if out or left <= 0:
                return out
            time.sleep(min(pause, left, max(self._next_heartbeat - time.monotonic(), 0.0)))
            pause = min(pause * 2, 0.1)

    def _fetch(self, max_records: int) -> list[Record]:
        owned = sorted(self._owned)
        if not owned:
            return []
        self._turn = (self._turn + 1) % len(owned)
        out: list[Record] = []
        for tp in owned[self._turn :] + owned[: self._turn]:
            want = max_records - len(out)
            if want <= 0:
                break
            rows = self._conn.execute(
                'SELECT partition, "offset", key, value, headers, ts FROM records '
                'WHERE topic = ? AND partition = ? AND "offset" >= ? ORDER BY "offset" LIMIT ?',
                (tp.topic, tp.partition, self._positions[tp], want),
            ).fetchall()
            if rows:
                out.extend(_record(tp.topic, *row) for row in rows)
                end = rows[-1][1] + 1
                self._positions[tp] = end
                self._seen[tp] = max(end, self._seen.get(tp, 0))
        return out

    def complete(self, outputs: Sequence[OutRecord], offsets: Mapping[TopicPartition, int]) -> None:
        if not outputs and not offsets:
            return
        encoded = _encoded(outputs)
        now = time.time()
        g = self._group
        c = self._conn
        with _write(c):
            lost = []
            for tp in offsets:
                row = c.execute(
                    "SELECT owner FROM leases WHERE grp = ? AND topic = ? AND partition = ?",
                    (g, tp.topic, tp.partition),
                ).fetchone()
                if row is None or row[0] != self.member_id:
                    lost.append(tp)
            if lost:
                raise PartitionsLostError(
                    f"partitions {', '.join(f'{t.topic}[{t.partition}]' for t in lost)} "
                    "moved to another consumer; the batch will be redelivered there"
                )
            _append(c, encoded, self._bus.partitions)
            c.executemany(
                'INSERT INTO offsets (grp, topic, partition, "offset") VALUES (?, ?, ?, ?) '
                'ON CONFLICT (grp, topic, partition) DO UPDATE SET "offset" = excluded."offset"',
                [(g, tp.topic, tp.partition, off) for tp, off in offsets.items()],
            )
            c.execute(
                "UPDATE leases SET expires = ? WHERE grp = ? AND owner = ?",
                (now + self._bus.session_timeout_s, g, self.member_id),
            )
        self._committed.update(offsets)

    def assignment(self) -> list[TopicPartition]:
        return sorted(self._owned)

    def committed(self) -> dict[TopicPartition, int]:
        return dict(self._committed)

    def seen_end(self) -> dict[TopicPartition, int]:
        return dict(self._seen)

    def rewind(self) -> None:
        self._next_heartbeat = 0.0
        self._heartbeat()
        for tp in self._owned:
            self._committed[tp] = self._committed_offset(tp)
            self._positions[tp] = self._committed[tp]

    def close(self) -> None:
        """Leave the group and hand the partitions over now rather than after the timeout."""
        try:
            with _write(self._conn):
                self._conn.execute(
                    "DELETE FROM leases WHERE grp = ? AND owner = ?", (self._group, self.member_id)
                )
                self._conn.execute(
                    "DELETE FROM members WHERE grp = ? AND member = ?",
                    (self._group, self.member_id),
                )
        finally:
            self._owned.clear()
            self._conn.close()
