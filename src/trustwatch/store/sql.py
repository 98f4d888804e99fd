"""The SQL store: SQLite (WAL, the embedded default) and PostgreSQL, through SQLAlchemy 2.

Safe with several processes on one SQLite file (WAL, busy timeout, write transactions
taken with BEGIN IMMEDIATE) and on PostgreSQL (INSERT … ON CONFLICT DO NOTHING; an
advisory lock orders audit appends). Verdicts are idempotent by event id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    Engine,
    Insert,
    and_,
    create_engine,
    event,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from trustwatch.enforcement import EnforcementAction
from trustwatch.errors import ConfigError, TrustwatchError
from trustwatch.events import Event
from trustwatch.store import migrate
from trustwatch.store.interface import Recorded
from trustwatch.store.models import (
    ActionRow,
    ApiKeyRow,
    AuditRow,
    EventRow,
    PackVersionRow,
    ShadowVerdictRow,
    SignalRow,
    VerdictRow,
)
from trustwatch.verdicts import Action, Verdict

log = logging.getLogger(__name__)

SCOPES: tuple[str, ...] = ("check", "ingest", "read", "admin")
GENESIS_HASH = "0" * 64
_AUDIT_LOCK_KEY = 0x7457_6175

EntityKind = Literal["user", "listing"]


# Column lists as the 0001 migration creates them; the SQLite fast path writes rows as tuples.
_SQLITE_INSERT_EVENTS = (
    "INSERT INTO events (id, type, actor_id, subject_type, subject_id, occurred_at, "
    "received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_SQLITE_INSERT_VERDICTS = (
    "INSERT INTO verdicts (event_id, action, pack_version, execution_mode, latency_ms, "
    "created_at, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_SQLITE_INSERT_SIGNALS = (
    "INSERT INTO signals (event_id, policy, detector, score, mode) VALUES (?, ?, ?, ?, ?)"
)
_SQLITE_INSERT_ACTIONS = (
    "INSERT INTO actions (id, event_id, actor_id, target_type, target_id, action, operation, "
    "policies, pack_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"
)
# Ids per ``IN (...)`` lookup, well under every backend's bound-parameter limit.
_IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class _SqliteRows:
    """One event's rows on the SQLite batch path, in the column order of the statements."""

    event: tuple[Any, ...]
    verdict: tuple[Any, ...]
    signals: list[tuple[Any, ...]]
    actions: list[tuple[Any, ...]]


class StoreConflictError(TrustwatchError):
    """A write would duplicate something unique (a pack version that already exists)."""


class StoreNotFoundError(TrustwatchError):
    """The thing asked for is not in the store."""


@dataclass(frozen=True)
class VerdictEntry:
    event_id: str
    event_type: str
    occurred_at: datetime
    verdict: Verdict


@dataclass(frozen=True)
class EntityHistory:
    kind: EntityKind
    entity_id: str
    verdicts: list[VerdictEntry]
    actions: list[EnforcementAction]


@dataclass(frozen=True)
class PackVersion:
    pack: str
    version: int
    status: str
    yaml: str
    created_at: datetime
    created_by: str
    promoted_at: datetime | None

    @property
    def ref(self) -> str:
        return f"{self.pack}@{self.version}"


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    scopes: frozenset[str]
    rate_limit_per_s: float | None
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditCheck:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def hash_api_key(key: str) -> str:
    """Keys are 256-bit random tokens, so one SHA-256 is enough (no dictionary to resist)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _ts(value: datetime) -> str:
    """One text form for a timestamp, whatever timezone handling the database has."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def audit_hash(
    prev_hash: str, at: datetime, actor: str, action: str, subject: str, details: str
) -> str:
    body = json.dumps(
        [prev_hash, _ts(at), actor, action, subject, details], separators=(",", ":")
    ).encode()
    return hashlib.sha256(body).hexdigest()


def _subject(event: Event) -> tuple[str, str]:
    if event.listing is not None:
        return "listing", event.listing.id
    if event.report is not None:
        return event.report.target_type, event.report.target_id
    if event.message is not None:
        return "message", event.message.id
    return "user", event.actor.id


# SQLite has one writer at a time. This process's writers queue on a lock per engine, woken
# the moment the lock is free, rather than in SQLite's busy handler, which sleeps (1 ms
# growing to 100 ms) between tries; other processes still meet the busy handler.
_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction on a store's engine; on SQLite it holds the write lock throughout."""
    queue: AbstractContextManager[Any] = _SQLITE_WRITERS.get(engine) or nullcontext()
    with queue, engine.connect() as conn:
        # The SQLite begin hook takes the write lock up front for tw_write.
        conn.execution_options(tw_write=True)
        with conn.begin():
            yield conn


def _make_engine(url: str, wal_autocheckpoint: Callable[[], bool]) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=8,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's begin event, not the driver, decide how transactions start.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            if not wal_autocheckpoint():
                cur.execute("PRAGMA wal_autocheckpoint=0")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # Writers take the write lock up front, so a read-then-write never deadlocks.
            immediate = conn.get_execution_options().get("tw_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        _SQLITE_WRITERS[engine] = threading.RLock()
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)
    raise ConfigError(
        f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}; "
        "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
    )


class SqlStore:
    """Implements ``trustwatch.store.interface.VerdictStore`` and the service's queries.

    ``SqlStore(url)`` creates or migrates the schema to the newest revision.
    """

    def __init__(self, url: str, *, migrate_schema: bool = True) -> None:
        self.url = url
        self._checkpointer: tuple[threading.Thread, threading.Event] | None = None
        self.engine = _make_engine(url, lambda: self._checkpointer is None)
        self.dialect = self.engine.dialect.name
        if migrate_schema:
            migrate.upgrade(self.engine)

    def close(self) -> None:
        self.stop_checkpointer()
        self.engine.dispose()

    def start_checkpointer(self, interval_s: float = 1.0) -> None:
        """SQLite: copy the WAL into the database from a background thread, not in commits.

        A checkpoint syncs the database file; done inside a commit (SQLite's default) it
        stalls that commit and everyone waiting on it. Other processes on the same file
        keep checkpointing as usual. No-op on PostgreSQL.
        """
        if self.dialect != "sqlite" or self._checkpointer is not None:
            return
        stop = threading.Event()
        thread = threading.Thread(
            target=self._checkpoint_loop, args=(stop, interval_s), name="wal-checkpoint"
        )
        thread.daemon = True
        self._checkpointer = (thread, stop)
        # Pooled connections were opened with autocheckpoint on; new ones get it off.
        self.engine.dispose()
        thread.start()

    def stop_checkpointer(self) -> None:
        if self._checkpointer is None:
            return
        thread, stop = self._checkpointer
        stop.set()
        thread.join(timeout=30)
        self._checkpointer = None
        self._checkpoint()

    def _checkpoint_loop(self, stop: threading.Event, interval_s: float) -> None:
        while not stop.wait(interval_s):
            try:
                self._checkpoint()
            except Exception as exc:
                log.warning("WAL checkpoint failed: %s", exc)

    def _checkpoint(self) -> None:
        with self.engine.connect() as conn:
            # Straight to the driver: PRAGMA wal_checkpoint must run outside a transaction.
            conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]

    # -- transactions ---------------------------------------------------------------------

    def _write(self) -> AbstractContextManager[Connection]:
        return write_transaction(self.engine)

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _insert_ignore(self, table: Any) -> Insert:
        if self.dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        if self.dialect == "sqlite":
            return sqlite.insert(table).on_conflict_do_nothing()
        return insert(table)

    # -- verdicts -------------------------------------------------------------------------

    def record(self, event: Event, verdict: Verdict, actions: list[EnforcementAction]) -> bool:
        """Store event, verdict and actions atomically; False if the event id was stored."""
        return self.record_many([Recorded(event, verdict, actions)])[0]

    def record_many(self, items: Sequence[Recorded]) -> list[bool]:
        """Store several verdicts in one transaction (group commit); one flag per item.

        True for an item stored now; False for an event id stored before, or repeated
        earlier in ``items``.
        """
        if not items:
            return []
        now = _now()
        first: dict[str, Recorded] = {}
        for item in items:
            first.setdefault(item.event.id, item)
        if self.dialect == "sqlite":
            # Rows are built before the write lock is taken: other writers (processes
            # sharing the file) wait only for the inserts themselves.
            rows = self._sqlite_rows(first, now)
            with self._write() as conn:
                inserted = self._record_sqlite(conn, rows)
        else:
            with self._write() as conn:
                inserted = self._record_returning(conn, first, now)
        seen: set[str] = set()
        stored: list[bool] = []
        for item in items:
            ev_id = item.event.id
            stored.append(ev_id in inserted and ev_id not in seen)
            seen.add(ev_id)
        return stored

    def _record_returning(
        self, conn: Connection, first: dict[str, Recorded], now: datetime
    ) -> set[str]:
        """Insert-or-ignore the events, then the rest for those inserted; their ids."""
        event_rows = []
        for ev_id, item in first.items():
            subject_type, subject_id = _subject(item.event)
            event_rows.append(
                {
                    "id": ev_id,
                    "type": item.event.type,
                    "actor_id": item.event.actor.id,
                    "subject_type": subject_type,
                    "subject_id": subject_id,
                    "occurred_at": item.event.occurred_at,
                    "received_at": now,
                    "body": item.event.model_dump_json(),
                }
            )
        # RETURNING tells inserted from ignored rows on every backend (rowcount does not).
        # Given a list of rows, SQLAlchemy sends it as multi-row INSERTs (its
        # "insertmanyvalues"), the statement compiled once whatever the batch size.
        event_insert = self._insert_ignore(EventRow.__table__).returning(EventRow.__table__.c.id)
        inserted = set(conn.execute(event_insert, event_rows).scalars())
        fresh = [first[ev_id] for ev_id in first if ev_id in inserted]
        if fresh:
            self._insert_verdicts(conn, fresh, now)
        return inserted

    def _sqlite_rows(self, first: dict[str, Recorded], now: datetime) -> dict[str, _SqliteRows]:
        """Each event's rows for the SQLite batch path, as the driver takes them (tuples)."""
        stamp = self._sqlite_datetime()
        now_text = stamp(now)
        out: dict[str, _SqliteRows] = {}
        for ev_id, item in first.items():
            event, verdict = item.event, item.verdict
            subject_type, subject_id = _subject(event)
            out[ev_id] = _SqliteRows(
                (
                    ev_id,
                    event.type,
                    event.actor.id,
                    subject_type,
                    subject_id,
                    stamp(event.occurred_at),
                    now_text,
                    event.model_dump_json(),
                ),
                (
                    ev_id,
                    verdict.action.value,
                    verdict.pack_version,
                    verdict.execution_mode.value,
                    verdict.latency_ms,
                    now_text,
                    item.verdict_body(),
                ),
                [
                    (ev_id, decision.policy, signal.detector, signal.score, decision.mode)
                    for decision in verdict.policies
                    for signal in decision.signals
                ],
                [
                    (
                        a.id,
                        a.event_id,
                        a.actor_id,
                        a.target_type,
                        a.target_id,
                        a.action.value,
                        a.operation,
                        json.dumps(a.policies),
                        a.pack_version,
                        now_text,
                    )
                    for a in item.actions
                ],
            )
        return out

    def _record_sqlite(self, conn: Connection, rows: dict[str, _SqliteRows]) -> set[str]:
        """SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so the ids not
        stored yet can be inserted plainly, by the driver's ``executemany`` (SQLAlchemy's
        per-row parameter handling costs more than the inserts themselves)."""
        # The driver's own cursor, inside the transaction SQLAlchemy began: each statement
        # through exec_driver_sql costs ~20 us of SQLAlchemy on top of SQLite's own work.
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        ids = list(rows)
        stored: set[str] = set()
        for i in range(0, len(ids), _IN_CHUNK):
            chunk = ids[i : i + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            found = cursor.execute(f"SELECT id FROM events WHERE id IN ({marks})", chunk)
            stored.update(row[0] for row in found)
        fresh = [r for ev_id, r in rows.items() if ev_id not in stored]
        if not fresh:
            return set()
        cursor.executemany(_SQLITE_INSERT_EVENTS, [r.event for r in fresh])
        cursor.executemany(_SQLITE_INSERT_VERDICTS, [r.verdict for r in fresh])
        signal_rows = [row for r in fresh for row in r.signals]
        if signal_rows:
            cursor.executemany(_SQLITE_INSERT_SIGNALS, signal_rows)
        action_rows = [row for r in fresh for row in r.actions]
        if action_rows:
            cursor.executemany(_SQLITE_INSERT_ACTIONS, action_rows)
        return {ev_id for ev_id in rows if ev_id not in stored}

    def _sqlite_datetime(self) -> Callable[[datetime], str]:
        """The text SQLAlchemy itself stores a DateTime column as, so reads see no difference."""
        column_type = EventRow.__table__.c.occurred_at.type
        process = column_type.dialect_impl(self.engine.dialect).bind_processor(self.engine.dialect)
        if process is None:
            raise ConfigError("the SQLite dialect has no DateTime bind processor")
        return process

    def _insert_verdicts(self, conn: Connection, items: list[Recorded], now: datetime) -> None:
        verdict_rows: list[dict[str, Any]] = []
        signal_rows: list[dict[str, Any]] = []
        action_rows: list[dict[str, Any]] = []
        for item in items:
            ev_id, verdict = item.event.id, item.verdict
            verdict_rows.append(
                {
                    "event_id": ev_id,
                    "action": verdict.action.value,
                    "pack_version": verdict.pack_version,
                    "execution_mode": verdict.execution_mode.value,
                    "latency_ms": verdict.latency_ms,
                    "created_at": now,
                    "body": item.verdict_body(),
                }
            )
            signal_rows.extend(
                {
                    "event_id": ev_id,
                    "policy": decision.policy,
                    "detector": signal.detector,
                    "score": signal.score,
                    "mode": decision.mode,
                }
                for decision in verdict.policies
                for signal in decision.signals
            )
            action_rows.extend(
                {
                    "id": a.id,
                    "event_id": a.event_id,
                    "actor_id": a.actor_id,
                    "target_type": a.target_type,
                    "target_id": a.target_id,
                    "action": a.action.value,
                    "operation": a.operation,
                    "policies": json.dumps(a.policies),
                    "pack_version": a.pack_version,
                    "created_at": now,
                }
                for a in item.actions
            )
        conn.execute(self._insert_ignore(VerdictRow.__table__), verdict_rows)
        if signal_rows:
            conn.execute(insert(SignalRow), signal_rows)
        if action_rows:
            conn.execute(self._insert_ignore(ActionRow.__table__), action_rows)

    def record_shadow(self, verdicts: Sequence[Verdict]) -> None:
        """Store verdicts of a shadow pack version (idempotent by event id and version)."""
        if not verdicts:
            return
        now = _now()
        rows = [
            {
                "event_id": v.event_id,
                "pack_version": v.pack_version,
                "action": v.action.value,
                "created_at": now,
                "body": v.model_dump_json(),
            }
            for v in verdicts
        ]
        with self._write() as conn:
            conn.execute(self._insert_ignore(ShadowVerdictRow.__table__), rows)

    def get_verdict(self, event_id: str) -> Verdict | None:
        with self._read() as conn:
            body = conn.execute(
                select(VerdictRow.body).where(VerdictRow.event_id == event_id)
            ).scalar_one_or_none()
        return None if body is None else Verdict.model_validate_json(body)

    def get_verdicts(self, event_ids: Sequence[str]) -> dict[str, Verdict]:
        """The stored verdicts of those ids that have one (redelivered events of a batch)."""
        found: dict[str, Verdict] = {}
        ids = list(dict.fromkeys(event_ids))
        with self._read() as conn:
            for i in range(0, len(ids), _IN_CHUNK):
                rows = conn.execute(
                    select(VerdictRow.event_id, VerdictRow.body).where(
                        VerdictRow.event_id.in_(ids[i : i + _IN_CHUNK])
                    )
                )
                for event_id, body in rows:
                    found[event_id] = Verdict.model_validate_json(body)
        return found

    def get_event(self, event_id: str) -> Event | None:
        with self._read() as conn:
            body = conn.execute(
                select(EventRow.body).where(EventRow.id == event_id)
            ).scalar_one_or_none()
        return None if body is None else Event.model_validate_json(body)

    def shadow_verdicts(self, event_id: str) -> list[Verdict]:
        with self._read() as conn:
            bodies = conn.execute(
                select(ShadowVerdictRow.body)
                .where(ShadowVerdictRow.event_id == event_id)
                .order_by(ShadowVerdictRow.pack_version)
            ).scalars()
            return [Verdict.model_validate_json(b) for b in bodies]

    def count_verdicts(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(VerdictRow)).scalar_one())

    def entity_history(
        self, kind: EntityKind, entity_id: str, *, limit: int = 100
    ) -> EntityHistory:
        """Verdicts and actions about a user (as actor or report target) or a listing."""
        if kind == "user":
            event_filter = or_(
                EventRow.actor_id == entity_id,
                and_(EventRow.subject_type == "user", EventRow.subject_id == entity_id),
            )
            action_filter = or_(
                ActionRow.actor_id == entity_id,
                and_(ActionRow.target_type == "user", ActionRow.target_id == entity_id),
            )
        else:
            event_filter = and_(EventRow.subject_type == kind, EventRow.subject_id == entity_id)
            action_filter = and_(ActionRow.target_type == kind, ActionRow.target_id == entity_id)
        with self._read() as conn:
            rows = conn.execute(
                select(EventRow.id, EventRow.type, EventRow.occurred_at, VerdictRow.body)
                .join(VerdictRow, VerdictRow.event_id == EventRow.id)
                .where(event_filter)
                .order_by(EventRow.occurred_at.desc(), EventRow.id)
                .limit(limit)
            ).all()
            action_rows = conn.execute(
                select(ActionRow.__table__)
                .where(action_filter)
                .order_by(ActionRow.created_at.desc())
                # A user's history can hold many actions; the newest ``limit`` are enough.
                .limit(limit)
            ).all()
        return EntityHistory(
            kind=kind,
            entity_id=entity_id,
            verdicts=[
                VerdictEntry(
                    r.id, r.type, _aware(r.occurred_at), Verdict.model_validate_json(r.body)
                )
                for r in rows
            ],
            actions=[
                EnforcementAction(
                    id=a.id,
                    event_id=a.event_id,
                    actor_id=a.actor_id,
                    target_type=a.target_type,
                    target_id=a.target_id,
                    action=Action(a.action),
                    operation=a.operation,
                    policies=json.loads(a.policies),
                    pack_version=a.pack_version,
                )
                for a in action_rows
            ],
        )

    # -- audit log ------------------------------------------------------------------------

    def _append_audit(
        self, conn: Connection, actor: str, action: str, subject: str, details: dict[str, Any]
    ) -> AuditEntry:
        if self.dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})
        prev = conn.execute(
            select(AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
        ).scalar_one_or_none()
        prev_hash = prev or GENESIS_HASH
        at = _now()
        details_json = json.dumps(details, sort_keys=True, separators=(",", ":"), default=str)
        digest = audit_hash(prev_hash, at, actor, action, subject, details_json)
        seq = conn.execute(
            insert(AuditRow)
            .values(
                at=at,
                actor=actor,
                action=action,
                subject=subject,
                details=details_json,
                prev_hash=prev_hash,
                hash=digest,
            )
            .returning(AuditRow.seq)
        ).scalar_one()
        return AuditEntry(seq, at, actor, action, subject, details, prev_hash, digest)

    def audit(
        self, actor: str, action: str, subject: str, details: dict[str, Any] | None = None
    ) -> AuditEntry:
        """Append one entry to the hash-chained audit log."""
        with self._write() as conn:
            return self._append_audit(conn, actor, action, subject, details or {})

    def audit_entries(self, *, after_seq: int = 0, limit: int = 1000) -> list[AuditEntry]:
        with self._read() as conn:
            rows = conn.execute(
                select(AuditRow.__table__)
                .where(AuditRow.seq > after_seq)
                .order_by(AuditRow.seq)
                .limit(limit)
            )
            return [
                AuditEntry(
                    r.seq,
                    _aware(r.at),
                    r.actor,
                    r.action,
                    r.subject,
                    json.loads(r.details),
                    r.prev_hash,
                    r.hash,
                )
                for r in rows
            ]

    def verify_audit_chain(self) -> AuditCheck:
        """Recompute every hash in order; any edited, removed or reordered row shows."""
        prev_hash = GENESIS_HASH
        checked = 0
        with self._read() as conn:
            for r in conn.execute(select(AuditRow.__table__).order_by(AuditRow.seq)):
                checked += 1
                if r.prev_hash != prev_hash:
                    return AuditCheck(
                        False, checked, r.seq, f"entry {r.seq} does not follow the one before it"
                    )
                expected = audit_hash(prev_hash, r.at, r.actor, r.action, r.subject, r.details)
                if expected != r.hash:
                    return AuditCheck(
                        False, checked, r.seq, f"entry {r.seq} was changed after it was written"
                    )
                prev_hash = r.hash
        return AuditCheck(True, checked)

    # -- API keys -------------------------------------------------------------------------

    def create_api_key(
        self,
        name: str,
        scopes: Sequence[str],
        *,
        rate_limit_per_s: float | None = None,
        actor: str = "cli",
    ) -> tuple[ApiKey, str]:
        """Create a key; returns its record and the plaintext key (shown once, stored hashed)."""
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown or not scopes:
            raise ConfigError(
                f"unknown scopes {', '.join(unknown) or '(none given)'}; "
                f"choose from {', '.join(SCOPES)}"
            )
        key_id = secrets.token_hex(6)
        plaintext = f"tw_{key_id}_{secrets.token_urlsafe(32)}"
        now = _now()
        scope_text = ",".join(s for s in SCOPES if s in scopes)
        with self._write() as conn:
            conn.execute(
                insert(ApiKeyRow).values(
                    id=key_id,
                    name=name,
                    key_hash=hash_api_key(plaintext),
                    scopes=scope_text,
                    rate_limit_per_s=rate_limit_per_s,
                    created_at=now,
                )
            )
            self._append_audit(
                conn,
                actor,
                "api_key.created",
                f"api_key:{key_id}",
                {"name": name, "scopes": scope_text},
            )
        record = ApiKey(key_id, name, frozenset(scope_text.split(",")), rate_limit_per_s, now, None)
        return record, plaintext

    def find_api_key(self, key_hash: str) -> ApiKey | None:
        """The live (not revoked) key with this hash."""
        with self._read() as conn:
            row = conn.execute(
                select(ApiKeyRow.__table__).where(
                    ApiKeyRow.key_hash == key_hash, ApiKeyRow.revoked_at.is_(None)
                )
            ).one_or_none()
            return None if row is None else _api_key(row)

    def list_api_keys(self) -> list[ApiKey]:
        with self._read() as conn:
            rows = conn.execute(select(ApiKeyRow.__table__).order_by(ApiKeyRow.created_at))
            return [_api_key(r) for r in rows]

    def revoke_api_key(self, key_id: str, *, actor: str = "cli") -> None:
        with self._write() as conn:
            result = conn.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.id == key_id, ApiKeyRow.revoked_at.is_(None))
                .values(revoked_at=_now())
            )
            if result.rowcount != 1:
                raise StoreNotFoundError(f"no live API key with id {key_id!r}")
            self._append_audit(conn, actor, "api_key.revoked", f"api_key:{key_id}", {})

    # -- policy pack versions -------------------------------------------------------------

    def add_pack_version(
        self, pack: str, version: int, yaml_text: str, *, actor: str
    ) -> PackVersion:
        """Store an uploaded pack version; it starts in shadow mode."""
        now = _now()
        with self._write() as conn:
            exists = conn.execute(
                select(PackVersionRow.id).where(
                    PackVersionRow.pack == pack, PackVersionRow.version == version
                )
            ).first()
            if exists is not None:
                raise StoreConflictError(
                    f"{pack}@{version} already exists; bump `version` in the pack and upload again"
                )
            conn.execute(
                insert(PackVersionRow).values(
                    pack=pack,
                    version=version,
                    status="shadow",
                    yaml=yaml_text,
                    created_at=now,
                    created_by=actor,
                )
            )
            self._append_audit(
                conn, actor, "pack.uploaded", f"pack:{pack}@{version}", {"status": "shadow"}
            )
        return PackVersion(pack, version, "shadow", yaml_text, now, actor, None)

    def list_pack_versions(self) -> list[PackVersion]:
        with self._read() as conn:
            rows = conn.execute(
                select(PackVersionRow.__table__).order_by(
                    PackVersionRow.pack, PackVersionRow.version
                )
            )
            return [_pack_version(r) for r in rows]

    def get_pack_version(self, pack: str, version: int) -> PackVersion | None:
        with self._read() as conn:
            row = conn.execute(
                select(PackVersionRow.__table__).where(
                    PackVersionRow.pack == pack, PackVersionRow.version == version
                )
            ).one_or_none()
            return None if row is None else _pack_version(row)

    def live_pack_version(self) -> PackVersion | None:
        with self._read() as conn:
            row = conn.execute(
                select(PackVersionRow.__table__)
                .where(PackVersionRow.status == "live")
                .order_by(PackVersionRow.promoted_at.desc())
                .limit(1)
            ).one_or_none()
            return None if row is None else _pack_version(row)

    def shadow_pack_versions(self) -> list[PackVersion]:
        return [p for p in self.list_pack_versions() if p.status == "shadow"]

    def promote_pack_version(self, pack: str, version: int, *, actor: str) -> PackVersion:
        """Make this version the live one; the previous live version is retired."""
        now = _now()
        with self._write() as conn:
            row = conn.execute(
                select(PackVersionRow.__table__).where(
                    PackVersionRow.pack == pack, PackVersionRow.version == version
                )
            ).one_or_none()
            if row is None:
                raise StoreNotFoundError(f"no pack version {pack}@{version}; upload it first")
            previous = conn.execute(
                select(PackVersionRow.pack, PackVersionRow.version).where(
                    PackVersionRow.status == "live"
                )
            ).all()
            conn.execute(
                update(PackVersionRow)
                .where(PackVersionRow.status == "live")
                .values(status="retired")
            )
            conn.execute(
                update(PackVersionRow)
                .where(PackVersionRow.id == row.id)
                .values(status="live", promoted_at=now)
            )
            self._append_audit(
                conn,
                actor,
                "pack.promoted",
                f"pack:{pack}@{version}",
                {"previous": [f"{p}@{v}" for p, v in previous]},
            )
            promoted = _pack_version(row)
        return PackVersion(
            promoted.pack,
            promoted.version,
            "live",
            promoted.yaml,
            promoted.created_at,
            promoted.created_by,
            now,
        )


def _api_key(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        scopes=frozenset(s for s in row.scopes.split(",") if s),
        rate_limit_per_s=row.rate_limit_per_s,
        created_at=_aware(row.created_at),
        revoked_at=None if row.revoked_at is None else _aware(row.revoked_at),
    )


def _pack_version(row: Any) -> PackVersion:
    return PackVersion(
        pack=row.pack,
        version=row.version,
        status=row.status,
        yaml=row.yaml,
        created_at=_aware(row.created_at),
        created_by=row.created_by,
        promoted_at=None if row.promoted_at is None else _aware(row.promoted_at),
    )
