"""Opening cases: verdicts and reports stored by any writer (API, worker, backtest) become
cases. The opener polls the store's verdicts behind a cursor, so it needs no hook in the
paths that write them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from trustwatch.events import Event
from trustwatch.review.domain import (
    CASE_ACTIONS,
    CaseStatus,
    CaseTrigger,
    Entity,
    base_priority,
    reach,
    sla_seconds,
    triggers_for,
)
from trustwatch.review.models import CASE_EVENTS, CASES, CURSOR, CaseEventRow
from trustwatch.review.transactions import insert_ignore, reading, upsert, utc, writing
from trustwatch.store.models import EventRow, VerdictRow
from trustwatch.verdicts import Action, Verdict

# Verdicts committed out of created_at order (a slow group commit) are caught by re-reading
# this much before the cursor; links already made are skipped.
_CURSOR_OVERLAP = timedelta(seconds=60)
_CURSOR_STEP = timedelta(seconds=10)
# A group commit lands milliseconds after its stamp: the newest moments are always re-read.
_RESCAN = timedelta(seconds=2)
_SYNC_LOCK_KEY = 0x7457_7276
# The API's group commit waits behind the opener's write lock (in ``serve`` the verdict
# writer runs the chunk itself, so the next group commit waits just as long). A chunk is
# written set-based (one read of the open cases, one insert, one update, one insert of
# links): 64 links took ~3.4 ms of CPU in a catch-up, 256 ~10 ms. A steady stream needs
# one chunk per sync; a backlog pauses between chunks so waiting writers go first. (A
# wall-clock budget per chunk was tried: on a busy core it measured preemption, not work,
# and cut chunks to one or two links, every one a transaction: more lock traffic.)
_CHUNK_LINKS = 64
_CHUNK_PAUSE_S = 0.002
# Open cases are looked up by (policy, entity) for this many keys per statement.
_KEYS_PER_READ = 300


T = TypeVar("T")


def _run_here(fn: Callable[[], T]) -> T:
    return fn()


@dataclass(frozen=True)
class _Handled:
    """Verdicts this opener has turned into cases: the ``count`` stored with ``created_at``
    from ``since`` (None: any) to ``upto``. While that count holds, none came late, so the
    next sync reads from ``upto`` on instead of re-reading the whole overlap."""

    since: datetime | None
    upto: datetime
    count: int


@dataclass(frozen=True)
class _Pending:
    """A trigger still to link, its entity resolved and reported content found (reads)."""

    event_id: str
    trigger: CaseTrigger
    content: tuple[str, str] | None


class CaseOpener:
    """Turns stored verdicts and reports into cases (``domain.triggers_for``), one per entity."""

    def __init__(
        self,
        engine: Engine,
        severities: Mapping[str, int] | Callable[[], Mapping[str, int]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self._severities = severities
        self.clock = clock
        self._handled: _Handled | None = None
        # Where the link transactions run: here, or handed to the thread that owns the
        # process's writes (``VerdictWriter.call``, which ``serve`` wires in) so they go
        # between its group commits instead of holding the write lock while one waits.
        self.write_via: Callable[[Callable[[], Any]], Any] = _run_here

    @property
    def severities(self) -> Mapping[str, int]:
        source = self._severities
        return source() if callable(source) else source

    def sync(self, *, check_late: bool = True) -> int:
        """Open or extend cases for verdicts stored by any writer since the last call.

        Returns the number of new case links. Reads first and takes the write lock only
        when there is something to link, so an idle or all-clear stream costs two reads.
        Links are written set-based in transactions of at most ``_CHUNK_LINKS``, the cursor
        with the last one, so other writers never wait long behind a backlog.
        Safe from several threads or processes: writes are serialised, each link made once.

        ``check_late=False`` skips counting the cursor's whole overlap for verdicts that
        were committed after newer ones were read (two counts over up to 70 s of verdicts,
        ~0.8 ms each at 500 verdicts/s) and reads on from what the last check covered; a
        frequent caller checks now and then (the console's loop: once a second), and a
        verdict committed that late gets its case at the next check.
        """
        handled = self._handled
        with reading(self.engine) as conn:
            position = conn.execute(_CURSOR_POSITION).scalar_one_or_none()
            cursor = None if position is None else datetime.fromisoformat(position)
            newest_raw = conn.execute(_NEWEST).scalar_one()
            if newest_raw is None:
                return 0
            newest = utc(newest_raw)
            since = None if cursor is None else cursor - _CURSOR_OVERLAP
            if handled is not None and not check_late:
                # Trusted until the next check, which still covers the same range.
                since, now_handled = handled.upto, handled
            else:
                # Counted before reading: a verdict committed meanwhile shows as late next time.
                upto = newest - _RESCAN
                now_handled = _Handled(since, upto, self._stored(conn, since, upto))
                if handled is not None and self._none_late(conn, handled, since):
                    since = handled.upto
            pending: Sequence[_Pending] = self._pending(conn, since)
        move_cursor = cursor is None or newest - cursor > _CURSOR_STEP
        if not pending and not move_cursor:
            self._handled = now_handled
            return 0
        linked = 0
        while True:
            for attempt in range(3):
                try:
                    count, pending = self.write_via(partial(self._link_chunk, pending, newest))
                    break
                except IntegrityError:
                    if attempt == 2:
                        raise
            linked += count
            if not pending:
                self._handled = now_handled
                return linked
            time.sleep(_CHUNK_PAUSE_S)

    @staticmethod
    def _stored(conn: Connection, since: datetime | None, upto: datetime) -> int:
        if since is None:
            return int(conn.execute(_COUNT_UPTO, {"upto": upto}).scalar_one())
        return int(conn.execute(_COUNT_RANGE, {"since": since, "upto": upto}).scalar_one())

    def _none_late(self, conn: Connection, handled: _Handled, since: datetime | None) -> bool:
        """No verdict was stored, since ``handled``, stamped inside the range it covers."""
        covers = handled.since is None or (since is not None and handled.since <= since)
        return covers and self._stored(conn, handled.since, handled.upto) == handled.count

    def _pending(self, conn: Connection, since: datetime | None) -> list[_Pending]:
        """Triggers of the flagged verdicts and reports from ``since`` with no case link yet.

        The query leaves out every event with a link, so nothing read here was linked as
        of this transaction; ``_link_chunk`` checks again under the write lock.
        """
        rows = (
            conn.execute(_PENDING_ALL)
            if since is None
            else conn.execute(_PENDING_SINCE, {"since": since})
        )
        found: list[CaseTrigger] = []
        severities = self.severities
        for row in rows:
            event = Event.model_validate_json(row.body)
            verdict = Verdict.model_validate_json(row.verdict)
            found.extend(triggers_for(event, verdict, severities))
        # Stored events never change, so what a trigger points at is read here, unlocked.
        return [
            _Pending(
                trigger.event_id,
                self._resolve_entity(conn, trigger),
                self._reported_content(conn, trigger) if trigger.source == "report" else None,
            )
            for trigger in found
        ]

    def _link_chunk(
        self, pending: Sequence[_Pending], newest: datetime
    ) -> tuple[int, Sequence[_Pending]]:
        """Link the first pending triggers in one short transaction; (links made, the rest).

        The transaction that links the last of them also moves the cursor to ``newest``.
        """
        cut = min(_CHUNK_LINKS, len(pending))
        # An event's triggers go in one transaction: the read skips events with any link.
        while cut < len(pending) and pending[cut].event_id == pending[cut - 1].event_id:
            cut += 1
        chunk, rest = pending[:cut], pending[cut:]
        linked = 0
        with writing(self.engine) as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SYNC_LOCK_KEY})
            # Another opener may have linked some of these since the read: check again.
            done = self._already_linked(conn, sorted({p.event_id for p in chunk}))
            todo: list[_Pending] = []
            for item in chunk:
                key = (item.event_id, item.trigger.policy)
                if key not in done:
                    done.add(key)
                    todo.append(item)
            if todo:
                linked = self._link(conn, todo, self.clock())
            if not rest:
                conn.execute(
                    upsert(
                        self.engine,
                        CURSOR,
                        ["name"],
                        {"name": "verdicts", "position": newest.isoformat()},
                    )
                )
        return linked, rest

    def _link(self, conn: Connection, todo: Sequence[_Pending], now: float) -> int:
        """Open or extend the cases of ``todo`` with a fixed number of statements.

        Triggers about one (policy, entity) fold into one case in order, exactly as if each
        were applied on its own (``_CaseState.add``); then one read finds the open cases,
        one insert opens the new ones, one update extends the others and one insert links
        every event. Returns the number of triggers linked.
        """
        groups: dict[tuple[str, str, str], list[_Pending]] = {}
        for item in todo:
            entity = item.trigger.entity
            groups.setdefault((item.trigger.policy, entity.type, entity.id), []).append(item)
        found = self._open_cases(conn, list(groups))
        states: list[_CaseState] = []
        for key, items in groups.items():
            row = found.get(key)
            first = 0
            if row is None:
                state = _CaseState.opened(items[0].trigger, items[0].content, now)
                first = 1
            else:
                state = _CaseState.of(row)
            for item in items[first:]:
                state.add(item.trigger, item.content, now)
            states.append(state)
        fresh = {(s.policy, s.entity.type, s.entity.id): s for s in states if s.case_id is None}
        if fresh:
            # One executemany; RETURNING would make it one statement per row on SQLite.
            # The write lock is held, so the open cases read back are exactly these.
            conn.execute(_INSERT_CASE, [s.insert_values() for s in fresh.values()])
            for key, row in self._open_cases(conn, list(fresh)).items():
                fresh[key].case_id = row.id
        extended = [s.update_values() for s in states if s.extended]
        if extended:
            conn.execute(_UPDATE_CASE, extended)
        links: list[dict[str, Any]] = []
        for state, items in zip(states, groups.values(), strict=True):
            for item in items:
                rows = [(item.event_id, item.trigger.source)]
                if item.content is not None:
                    rows.append((item.content[0], "content"))
                links.extend(
                    {
                        "case_id": state.case_id,
                        "event_id": event_id,
                        "policy": item.trigger.policy,
                        "source": source,
                        "added_at": now,
                    }
                    for event_id, source in rows
                )
        conn.execute(insert_ignore(self.engine, CASE_EVENTS), links)
        return len(todo)

    @staticmethod
    def _open_cases(
        conn: Connection, keys: list[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str], Any]:
        """The open case of each (policy, entity type, entity id) key that has one.

        Three flat IN lists (the open-entity index serves their product) cost a fraction
        of a row-value IN to compile; the few rows they match beyond ``keys`` are dropped.
        """
        wanted = set(keys)
        out: dict[tuple[str, str, str], Any] = {}
        for start in range(0, len(keys), _KEYS_PER_READ):
            part = keys[start : start + _KEYS_PER_READ]
            params = {
                "policies": sorted({k[0] for k in part}),
                "types": sorted({k[1] for k in part}),
                "ids": sorted({k[2] for k in part}),
            }
            for row in conn.execute(_FIND_OPEN, params):
                key = (row.policy, row.entity_type, row.entity_id)
                if key in wanted:
                    out.setdefault(key, row)
        return out

    @staticmethod
    def _already_linked(conn: Connection, event_ids: list[str]) -> set[tuple[str, str]]:
        done: set[tuple[str, str]] = set()
        for start in range(0, len(event_ids), 500):
            ids = event_ids[start : start + 500]
            done.update((r.event_id, r.policy) for r in conn.execute(_LINKED, {"ids": ids}))
        return done

    def _resolve_entity(self, conn: Connection, trigger: CaseTrigger) -> CaseTrigger:
        """A report about a message is reviewed with the sender's account, as flags are."""
        if trigger.source != "report" or trigger.entity.type != "message":
            return trigger
        sender = conn.execute(_SENDER, {"message_id": trigger.entity.id}).scalar_one_or_none()
        if sender is None:
            return trigger
        return CaseTrigger(
            trigger.policy,
            Entity("user", sender),
            trigger.event_id,
            trigger.source,
            trigger.severity,
            trigger.surface,
            trigger.score,
            trigger.action,
            sender,
        )

    def _reported_content(self, conn: Connection, trigger: CaseTrigger) -> tuple[str, str] | None:
        """The newest stored content event a report points at: (event id, actor id)."""
        target_type, target_id = trigger.entity.type, trigger.entity.id
        if target_type == "user":
            row = conn.execute(_PROFILE_OF, {"actor_id": target_id}).one_or_none()
        else:
            row = conn.execute(
                _CONTENT_OF, {"subject_type": target_type, "subject_id": target_id}
            ).one_or_none()
        return None if row is None else (row.id, row.actor_id)


# Statements built once: building one per call cost more than running it.
_CURSOR_POSITION = select(CURSOR.c.position).where(CURSOR.c.name == "verdicts")
_NEWEST = select(func.max(VerdictRow.created_at))
_COUNT_UPTO = select(func.count()).where(VerdictRow.created_at <= bindparam("upto"))
_COUNT_RANGE = _COUNT_UPTO.where(VerdictRow.created_at >= bindparam("since"))
_PENDING_ALL = (
    select(EventRow.body, VerdictRow.body.label("verdict"))
    .join(VerdictRow, VerdictRow.event_id == EventRow.id)
    .where(
        or_(
            VerdictRow.action.in_(sorted(a.value for a in CASE_ACTIONS)),
            EventRow.type == "report.filed",
        ),
        ~select(CASE_EVENTS.c.id)
        .where(
            CASE_EVENTS.c.event_id == VerdictRow.event_id,
            CASE_EVENTS.c.source.in_(("verdict", "report")),
        )
        .exists(),
    )
    .order_by(VerdictRow.created_at)
)
_PENDING_SINCE = _PENDING_ALL.where(VerdictRow.created_at >= bindparam("since"))
_LINKED = select(CaseEventRow.event_id, CaseEventRow.policy).where(
    CaseEventRow.event_id.in_(bindparam("ids", expanding=True)),
    CaseEventRow.source.in_(("verdict", "report")),
)
_SENDER = (
    select(EventRow.actor_id)
    .where(EventRow.subject_type == "message", EventRow.subject_id == bindparam("message_id"))
    .limit(1)
)
_NEWEST_CONTENT = (
    select(EventRow.id, EventRow.actor_id)
    .where(EventRow.type != "report.filed")
    .order_by(EventRow.occurred_at.desc())
    .limit(1)
)
_PROFILE_OF = _NEWEST_CONTENT.where(
    EventRow.actor_id == bindparam("actor_id"), EventRow.type == "profile.updated"
)
_CONTENT_OF = _NEWEST_CONTENT.where(
    EventRow.subject_type == bindparam("subject_type"),
    EventRow.subject_id == bindparam("subject_id"),
)
# The literal matches the open-entity partial unique index's WHERE, so SQLite can use it.
_FIND_OPEN = (
    select(CASES)
    .where(
        CASES.c.policy.in_(bindparam("policies", expanding=True)),
        CASES.c.entity_type.in_(bindparam("types", expanding=True)),
        CASES.c.entity_id.in_(bindparam("ids", expanding=True)),
        text("review_cases.status != 'closed'"),
    )
    .order_by(CASES.c.id)
)
_INSERT_CASE = insert(CASES)
_UPDATE_CASE = (
    update(CASES)
    .where(CASES.c.id == bindparam("case_id"))
    .values(
        {
            name: bindparam(name)
            for name in (
                "severity",
                "reach",
                "reports",
                "base_priority",
                "sla_s",
                "max_score",
                "auto_action",
                "actor_id",
                "updated_at",
            )
        }
    )
)


@dataclass
class _CaseState:
    """One case's fields as its triggers are applied in order: the same arithmetic for a
    case opened now and for one read back from the store."""

    case_id: int | None
    policy: str
    entity: Entity
    source: str
    severity: int
    reach: float
    reports: int
    escalated: bool
    sla_s: float
    max_score: float
    auto_action: str | None
    actor_id: str | None
    opened_at: float
    updated_at: float
    extended: bool = False

    @classmethod
    def opened(
        cls, trigger: CaseTrigger, content: tuple[str, str] | None, now: float
    ) -> _CaseState:
        reports = int(trigger.source == "report")
        return cls(
            case_id=None,
            policy=trigger.policy,
            entity=trigger.entity,
            source=trigger.source,
            severity=trigger.severity,
            reach=reach([trigger.surface], reports),
            reports=reports,
            escalated=False,
            sla_s=sla_seconds(trigger.severity),
            max_score=trigger.score,
            auto_action=None if trigger.action is None else trigger.action.value,
            actor_id=trigger.actor_id or (content[1] if content else None),
            opened_at=now,
            updated_at=now,
        )

    @classmethod
    def of(cls, row: Any) -> _CaseState:
        return cls(
            case_id=row.id,
            policy=row.policy,
            entity=Entity(row.entity_type, row.entity_id),
            source=row.source,
            severity=row.severity,
            reach=row.reach,
            reports=row.reports,
            escalated=bool(row.escalated),
            sla_s=row.sla_s,
            max_score=row.max_score,
            auto_action=row.auto_action,
            actor_id=row.actor_id,
            opened_at=row.opened_at,
            updated_at=row.updated_at,
        )

    def add(self, trigger: CaseTrigger, content: tuple[str, str] | None, now: float) -> None:
        """Extend the case with one more trigger (severity, reach, score, action, actor)."""
        reports = self.reports + int(trigger.source == "report")
        widest = max(self.reach - self.reports, reach([trigger.surface], 0))
        actions = [Action(a) for a in (self.auto_action, trigger.action) if a]
        self.severity = max(self.severity, trigger.severity)
        self.reach = widest + reports
        self.reports = reports
        self.sla_s = min(self.sla_s, sla_seconds(self.severity))
        self.max_score = max(self.max_score, trigger.score)
        self.auto_action = Action.strongest(actions).value if actions else None
        self.actor_id = self.actor_id or trigger.actor_id or (content[1] if content else None)
        self.updated_at = now
        self.extended = self.case_id is not None

    def insert_values(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "entity_type": self.entity.type,
            "entity_id": self.entity.id,
            "actor_id": self.actor_id,
            "source": self.source,
            "status": CaseStatus.OPEN.value,
            "severity": self.severity,
            "reach": self.reach,
            "reports": self.reports,
            "base_priority": base_priority(self.severity, self.reach),
            "max_score": self.max_score,
            "auto_action": self.auto_action,
            "sla_s": self.sla_s,
            "opened_at": self.opened_at,
            "updated_at": self.updated_at,
            "escalated": False,
            "appeal": False,
        }

    def update_values(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "severity": self.severity,
            "reach": self.reach,
            "reports": self.reports,
            "base_priority": base_priority(self.severity, self.reach, escalated=self.escalated),
            "sla_s": self.sla_s,
            "max_score": self.max_score,
            "auto_action": self.auto_action,
            "actor_id": self.actor_id,
            "updated_at": self.updated_at,
        }
