"""Opening cases: verdicts and reports stored by any writer (API, worker, backtest) become
cases. The opener polls the store's verdicts behind a cursor, so it needs no hook in the
paths that write them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, bindparam, func, insert, or_, select, text, update
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
# The API's group commit waits behind the opener's write lock: hold it for short chunks
# (whichever bound comes first) and pause between them so waiting writers go first.
_CHUNK_LINKS = 32
_CHUNK_BUDGET_S = 0.002
_CHUNK_PAUSE_S = 0.002


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

    @property
    def severities(self) -> Mapping[str, int]:
        source = self._severities
        return source() if callable(source) else source

    def sync(self) -> int:
        """Open or extend cases for verdicts stored by any writer since the last call.

        Returns the number of new case links. Reads first and takes the write lock only
        when there is something to link, so an idle or all-clear stream costs two reads.
        Links are written in short transactions (``_CHUNK_LINKS`` or ``_CHUNK_BUDGET_S``),
        the cursor with the last one, so other writers never wait long behind a backlog.
        Safe from several threads or processes: writes are serialised, each link made once.
        """
        handled = self._handled
        with reading(self.engine) as conn:
            position = conn.execute(
                select(CURSOR.c.position).where(CURSOR.c.name == "verdicts")
            ).scalar_one_or_none()
            cursor = None if position is None else datetime.fromisoformat(position)
            newest_raw = conn.execute(select(func.max(VerdictRow.created_at))).scalar_one()
            if newest_raw is None:
                return 0
            newest = utc(newest_raw)
            since = None if cursor is None else cursor - _CURSOR_OVERLAP
            # Counted before reading, so a verdict committed meanwhile shows as late next time.
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
                    count, pending = self._link_chunk(pending, newest)
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
        query = select(func.count()).where(VerdictRow.created_at <= upto)
        if since is not None:
            query = query.where(VerdictRow.created_at >= since)
        return int(conn.execute(query).scalar_one())

    def _none_late(self, conn: Connection, handled: _Handled, since: datetime | None) -> bool:
        """No verdict was stored, since ``handled``, stamped inside the range it covers."""
        covers = handled.since is None or (since is not None and handled.since <= since)
        return covers and self._stored(conn, handled.since, handled.upto) == handled.count

    def _pending(self, conn: Connection, since: datetime | None) -> list[_Pending]:
        flagged = [a.value for a in CASE_ACTIONS]
        linked = select(CASE_EVENTS.c.id).where(
            CASE_EVENTS.c.event_id == VerdictRow.event_id,
            CASE_EVENTS.c.source.in_(("verdict", "report")),
        )
        query = (
            select(EventRow.body, VerdictRow.body.label("verdict"))
            .join(VerdictRow, VerdictRow.event_id == EventRow.id)
            .where(
                or_(VerdictRow.action.in_(flagged), EventRow.type == "report.filed"),
                ~linked.exists(),
            )
            .order_by(VerdictRow.created_at)
        )
        if since is not None:
            query = query.where(VerdictRow.created_at >= since)
        found: list[tuple[Event, CaseTrigger]] = []
        severities = self.severities
        for row in conn.execute(query):
            event = Event.model_validate_json(row.body)
            verdict = Verdict.model_validate_json(row.verdict)
            found.extend((event, t) for t in triggers_for(event, verdict, severities))
        done = self._already_linked(conn, sorted({e.id for e, _ in found}))
        # Stored events never change, so what a trigger points at is read here, unlocked.
        return [
            _Pending(
                event.id,
                self._resolve_entity(conn, trigger),
                self._reported_content(conn, trigger) if trigger.source == "report" else None,
            )
            for event, trigger in found
            if (event.id, trigger.policy) not in done
        ]

    def _link_chunk(
        self, pending: Sequence[_Pending], newest: datetime
    ) -> tuple[int, Sequence[_Pending]]:
        """Link the first pending triggers in one short transaction; (links made, the rest).

        The transaction that links the last of them also moves the cursor to ``newest``.
        """
        linked = taken = 0
        now = self.clock()
        with writing(self.engine) as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SYNC_LOCK_KEY})
            started = time.monotonic()
            chunk = pending[:_CHUNK_LINKS]
            # Another opener may have linked some of these since the read: check again.
            done = self._already_linked(conn, sorted({p.event_id for p in chunk}))
            for item in chunk:
                taken += 1
                key = (item.event_id, item.trigger.policy)
                if key not in done:
                    linked += self._open_or_extend(conn, item.trigger, item.content, now)
                    done.add(key)
                if time.monotonic() - started >= _CHUNK_BUDGET_S:
                    break
            rest = pending[taken:]
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

    def _already_linked(self, conn: Connection, event_ids: list[str]) -> set[tuple[str, str]]:
        done: set[tuple[str, str]] = set()
        for start in range(0, len(event_ids), 500):
            chunk = event_ids[start : start + 500]
            done.update(
                (r.event_id, r.policy)
                for r in conn.execute(
                    select(CaseEventRow.event_id, CaseEventRow.policy).where(
                        CaseEventRow.event_id.in_(chunk),
                        CaseEventRow.source.in_(("verdict", "report")),
                    )
                )
            )
        return done

    def _resolve_entity(self, conn: Connection, trigger: CaseTrigger) -> CaseTrigger:
        """A report about a message is reviewed with the sender's account, as flags are."""
        if trigger.source != "report" or trigger.entity.type != "message":
            return trigger
        sender = conn.execute(
            select(EventRow.actor_id)
            .where(EventRow.subject_type == "message", EventRow.subject_id == trigger.entity.id)
            .limit(1)
        ).scalar_one_or_none()
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
            where = and_(EventRow.actor_id == target_id, EventRow.type == "profile.updated")
        else:
            where = and_(EventRow.subject_type == target_type, EventRow.subject_id == target_id)
        row = conn.execute(
            select(EventRow.id, EventRow.actor_id)
            .where(where, EventRow.type != "report.filed")
            .order_by(EventRow.occurred_at.desc())
            .limit(1)
        ).one_or_none()
        return None if row is None else (row.id, row.actor_id)

    def _open_or_extend(
        self,
        conn: Connection,
        trigger: CaseTrigger,
        content: tuple[str, str] | None,
        now: float,
    ) -> int:
        is_report = trigger.source == "report"
        actor_id = trigger.actor_id or (content[1] if content else None)
        # Statements take bound parameters, so SQLAlchemy compiles each one once.
        open_case = conn.execute(
            _FIND_OPEN,
            {
                "policy": trigger.policy,
                "entity_type": trigger.entity.type,
                "entity_id": trigger.entity.id,
                "closed": CaseStatus.CLOSED.value,
            },
        ).one_or_none()
        if open_case is None:
            sev = trigger.severity
            reports = int(is_report)
            r = reach([trigger.surface], reports)
            case_id = conn.execute(
                _INSERT_CASE,
                {
                    "policy": trigger.policy,
                    "entity_type": trigger.entity.type,
                    "entity_id": trigger.entity.id,
                    "actor_id": actor_id,
                    "source": trigger.source,
                    "status": CaseStatus.OPEN.value,
                    "severity": sev,
                    "reach": r,
                    "reports": reports,
                    "base_priority": base_priority(sev, r),
                    "max_score": trigger.score,
                    "auto_action": None if trigger.action is None else trigger.action.value,
                    "sla_s": sla_seconds(sev),
                    "opened_at": now,
                    "updated_at": now,
                    "escalated": False,
                    "appeal": False,
                },
            ).scalar_one()
        else:
            case_id = open_case.id
            sev = max(open_case.severity, trigger.severity)
            reports = open_case.reports + int(is_report)
            widest = max(open_case.reach - open_case.reports, reach([trigger.surface], 0))
            r = widest + reports
            actions = [Action(a) for a in (open_case.auto_action, trigger.action) if a]
            conn.execute(
                _UPDATE_CASE,
                {
                    "case_id": case_id,
                    "severity": sev,
                    "reach": r,
                    "reports": reports,
                    "base_priority": base_priority(sev, r, escalated=open_case.escalated),
                    "sla_s": min(open_case.sla_s, sla_seconds(sev)),
                    "max_score": max(open_case.max_score, trigger.score),
                    "auto_action": Action.strongest(actions).value if actions else None,
                    "actor_id": open_case.actor_id or actor_id,
                    "updated_at": now,
                },
            )
        link = insert_ignore(self.engine, CASE_EVENTS)
        rows = [(trigger.event_id, trigger.source)] + ([(content[0], "content")] if content else [])
        conn.execute(
            link,
            [
                {
                    "case_id": case_id,
                    "event_id": event_id,
                    "policy": trigger.policy,
                    "source": source,
                    "added_at": now,
                }
                for event_id, source in rows
            ],
        )
        return 1


_FIND_OPEN = select(CASES).where(
    CASES.c.policy == bindparam("policy"),
    CASES.c.entity_type == bindparam("entity_type"),
    CASES.c.entity_id == bindparam("entity_id"),
    CASES.c.status != bindparam("closed"),
)
_INSERT_CASE = insert(CASES).returning(CASES.c.id)
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
