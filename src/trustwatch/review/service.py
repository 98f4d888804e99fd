"""Review use cases over the SQL store. Each public method checks the caller's permission
first (``check_permission``), then works in one transaction, writing the audit entry in
that same transaction.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from trustwatch.enforcement import EnforcementAction
from trustwatch.events import Event
from trustwatch.policy.pack import Pack
from trustwatch.review import auth
from trustwatch.review.dashboard import build_dashboard
from trustwatch.review.domain import (
    ROLE_PERMISSIONS,
    CaseStateError,
    CaseStatus,
    DecidedFlag,
    DecisionInput,
    Entity,
    NotFoundError,
    Outcome,
    Permission,
    PolicyPrecision,
    ReviewError,
    Role,
    Target,
    base_priority,
    check_permission,
    enforcement_operations,
    label_value,
    precision_by_policy,
    sla_state,
    validate_decision,
)
from trustwatch.review.evidence import highlight, jaccard, spans_by_field, words
from trustwatch.review.models import (
    APPEALS,
    CASE_EVENTS,
    CASES,
    DECISIONS,
    LABELS,
    OUTBOX,
    SESSIONS,
    USERS,
    AppealRow,
    CaseEventRow,
    CaseRow,
    DecisionRow,
    OutboxRow,
    ReviewSessionRow,
    ReviewUserRow,
)
from trustwatch.review.opening import CaseOpener
from trustwatch.review.transactions import insert_ignore, reading, upsert, writing
from trustwatch.review.views import (
    AppealView,
    BulkResult,
    CaseItem,
    CaseSummary,
    CaseView,
    Dashboard,
    DecisionView,
    FieldView,
    QueueSummary,
    Reviewer,
    SessionInfo,
    SimilarItem,
    UserContext,
    UserInfo,
)
from trustwatch.store.models import ActionRow, EventRow, VerdictRow
from trustwatch.store.sql import SqlStore
from trustwatch.stream.bus import Bus, OutRecord, Producer, Topics
from trustwatch.verdicts import Action, Verdict

_log = logging.getLogger(__name__)
_ACTIONS = cast(Table, ActionRow.__table__)
SESSION_TTL_S = 12 * 3600.0
CLAIM_TTL_S = 30 * 60.0


def severities_of(pack: Pack) -> dict[str, int]:
    """Policy name -> severity, from a loaded ``Pack``."""
    return {name: int(policy.severity) for name, policy in pack.policies.items()}


class ReviewService:
    """The review use cases. Thread-safe: every call opens its own transaction."""

    def __init__(
        self,
        store: SqlStore,
        *,
        severities: Mapping[str, int] | Callable[[], Mapping[str, int]] | None = None,
        bus: Bus | Callable[[], Bus] | None = None,
        clock: Callable[[], float] = time.time,
        claim_ttl_s: float = CLAIM_TTL_S,
    ) -> None:
        """``severities``: policy -> severity, or a function giving the live pack's now.
        ``bus``: where enforcement goes (or a function opening it on first use); without
        one, enforcement waits in the outbox."""
        self.store = store
        self.engine = store.engine
        self.opener = CaseOpener(store.engine, severities or {}, clock)
        self._bus_source = bus
        # (calls, seconds) per detector of the engine in this process, when one serves here.
        self.detector_stats: Callable[[], tuple[Mapping[str, int], Mapping[str, float]]] | None = (
            None
        )
        self._bus: Bus | None = None
        self._producer: Producer | None = None
        self.clock = clock
        self.claim_ttl_s = claim_ttl_s
        self._publish_lock = threading.Lock()

    def _open_producer(self) -> tuple[Producer, Topics] | None:
        if self._bus_source is None:
            return None
        if self._bus is None:
            source = self._bus_source
            self._bus = source() if callable(source) else source
        if self._producer is None:
            self._producer = self._bus.producer()
        return self._producer, self._bus.topics

    def sync_cases(self, *, check_late: bool = True) -> int:
        """Open cases for verdicts and reports stored since the last call (``CaseOpener``)."""
        return self.opener.sync(check_late=check_late)

    def _audit(
        self, conn: Connection, actor: str, action: str, subject: str, details: dict[str, Any]
    ) -> None:
        # The audit entry commits or rolls back with the change it describes.
        self.store._append_audit(conn, actor, action, subject, details)

    # -- users and sessions ---------------------------------------------------------------

    def create_user(
        self, by: Reviewer | None, username: str, role: Role, password: str
    ) -> UserInfo:
        """Create a console user. ``by`` None means the local operator (the CLI)."""
        if by is not None:
            check_permission(by.role, Permission.MANAGE_USERS)
        username = username.strip()
        if not username or len(username) > 100:
            raise ReviewError("a username needs 1 to 100 characters")
        if len(password) < auth.MIN_PASSWORD_LENGTH:
            raise ReviewError(
                f"a password needs at least {auth.MIN_PASSWORD_LENGTH} characters; "
                "leave it out to get a generated one"
            )
        now = self.clock()
        password_hash = auth.hash_password(password)
        try:
            with writing(self.engine) as conn:
                user_id = conn.execute(
                    insert(USERS)
                    .values(
                        username=username,
                        role=role.value,
                        password_hash=password_hash,
                        created_at=now,
                        disabled=False,
                    )
                    .returning(USERS.c.id)
                ).scalar_one()
                self._audit(
                    conn,
                    by.username if by else "cli",
                    "user.created",
                    f"user:{username}",
                    {"role": role.value},
                )
        except IntegrityError:
            raise ReviewError(f"a user named {username!r} already exists") from None
        return UserInfo(user_id, username, role, now, False)

    def set_role(self, by: Reviewer | None, username: str, role: Role) -> None:
        if by is not None:
            check_permission(by.role, Permission.MANAGE_USERS)
        with writing(self.engine) as conn:
            old = conn.execute(
                select(ReviewUserRow.role).where(ReviewUserRow.username == username)
            ).scalar_one_or_none()
            if old is None:
                raise NotFoundError(f"no user named {username!r}")
            conn.execute(
                update(USERS).where(ReviewUserRow.username == username).values(role=role.value)
            )
            # A new role takes effect at once: the user's sessions end.
            user_id = select(ReviewUserRow.id).where(ReviewUserRow.username == username)
            conn.execute(
                SESSIONS.delete().where(ReviewSessionRow.user_id.in_(user_id.scalar_subquery()))
            )
            self._audit(
                conn,
                by.username if by else "cli",
                "user.role_changed",
                f"user:{username}",
                {"from": old, "to": role.value},
            )

    def set_disabled(self, by: Reviewer | None, username: str, disabled: bool) -> None:
        """Lock a user out (their sessions end) or let them back in; audited."""
        if by is not None:
            check_permission(by.role, Permission.MANAGE_USERS)
        with writing(self.engine) as conn:
            user_id = conn.execute(
                select(USERS.c.id).where(USERS.c.username == username)
            ).scalar_one_or_none()
            if user_id is None:
                raise NotFoundError(f"no user named {username!r}")
            conn.execute(update(USERS).where(USERS.c.id == user_id).values(disabled=disabled))
            if disabled:
                conn.execute(SESSIONS.delete().where(SESSIONS.c.user_id == user_id))
            self._audit(
                conn,
                by.username if by else "cli",
                "user.disabled" if disabled else "user.enabled",
                f"user:{username}",
                {},
            )

    def list_users(self, by: Reviewer) -> list[UserInfo]:
        check_permission(by.role, Permission.MANAGE_USERS)
        with reading(self.engine) as conn:
            rows = conn.execute(select(USERS).order_by(ReviewUserRow.username))
            return [
                UserInfo(r.id, r.username, Role(r.role), r.created_at, bool(r.disabled))
                for r in rows
            ]

    def authenticate(self, username: str, password: str) -> Reviewer | None:
        with reading(self.engine) as conn:
            row = conn.execute(
                select(USERS).where(ReviewUserRow.username == username)
            ).one_or_none()
        if row is None:
            # Spend the same time as a real check, so timing does not reveal usernames.
            auth.verify_password(_dummy_hash(), password)
            return None
        if row.disabled or not auth.verify_password(row.password_hash, password):
            return None
        if auth.needs_rehash(row.password_hash):
            with writing(self.engine) as conn:
                conn.execute(
                    update(USERS)
                    .where(ReviewUserRow.id == row.id)
                    .values(password_hash=auth.hash_password(password))
                )
        return Reviewer(row.id, row.username, Role(row.role))

    def start_session(self, reviewer: Reviewer) -> tuple[str, str]:
        """A new session; returns (cookie token, CSRF token). Only the token's hash is kept."""
        token, csrf = auth.new_token(), auth.new_token()
        now = self.clock()
        with writing(self.engine) as conn:
            conn.execute(SESSIONS.delete().where(ReviewSessionRow.expires_at < now))
            conn.execute(
                insert(SESSIONS).values(
                    token_hash=auth.token_hash(token),
                    user_id=reviewer.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=now + SESSION_TTL_S,
                )
            )
        return token, csrf

    def session(self, token: str | None) -> SessionInfo | None:
        if not token:
            return None
        with reading(self.engine) as conn:
            row = conn.execute(
                select(
                    ReviewUserRow.id,
                    ReviewUserRow.username,
                    ReviewUserRow.role,
                    ReviewUserRow.disabled,
                    ReviewSessionRow.csrf_token,
                    ReviewSessionRow.expires_at,
                )
                .join(ReviewUserRow, ReviewUserRow.id == ReviewSessionRow.user_id)
                .where(ReviewSessionRow.token_hash == auth.token_hash(token))
            ).one_or_none()
        if row is None or row.disabled or row.expires_at < self.clock():
            return None
        return SessionInfo(Reviewer(row.id, row.username, Role(row.role)), row.csrf_token)

    def end_session(self, token: str) -> None:
        with writing(self.engine) as conn:
            conn.execute(
                SESSIONS.delete().where(ReviewSessionRow.token_hash == auth.token_hash(token))
            )

    # -- queues ---------------------------------------------------------------------------

    def _priority_expr(self, now: float) -> Any:
        return CaseRow.base_priority * (1.0 + (now - CaseRow.opened_at) / CaseRow.sla_s)

    def _summary(self, row: Any, items: int, now: float) -> CaseSummary:
        return CaseSummary(
            id=row.id,
            policy=row.policy,
            entity=Entity(row.entity_type, row.entity_id),
            actor_id=row.actor_id,
            source=row.source,
            status=CaseStatus(row.status),
            severity=row.severity,
            reach=row.reach,
            reports=row.reports,
            priority=row.base_priority * (1.0 + max(0.0, now - row.opened_at) / row.sla_s),
            age_s=max(0.0, now - row.opened_at),
            sla_s=row.sla_s,
            sla_state=sla_state(row.opened_at, row.sla_s, now),
            escalated=bool(row.escalated),
            appeal=bool(row.appeal),
            excluded_reviewer=row.excluded_reviewer,
            assignee=row.assignee,
            auto_action=row.auto_action,
            max_score=row.max_score,
            items=items,
        )

    def _summaries(self, conn: Connection, where: Any, now: float, limit: int) -> list[CaseSummary]:
        items = (
            select(func.count())
            .where(CaseEventRow.case_id == CaseRow.id)
            .correlate(CaseRow)
            .scalar_subquery()
        )
        rows = conn.execute(
            select(CASES, items.label("items"))
            .where(where)
            .order_by(self._priority_expr(now).desc(), CaseRow.id)
            .limit(limit)
        ).all()
        return [self._summary(r, r.items, now) for r in rows]

    def queue(
        self, by: Reviewer, policy: str | None = None, *, limit: int = 200
    ) -> list[CaseSummary]:
        """Open and claimed cases, highest priority first."""
        check_permission(by.role, Permission.VIEW)
        now = self.clock()
        where = CaseRow.status != CaseStatus.CLOSED.value
        if policy is not None:
            where = and_(where, CaseRow.policy == policy)
        with reading(self.engine) as conn:
            return self._summaries(conn, where, now, limit)

    def dashboard(self, by: Reviewer, *, hours: int = 24) -> Dashboard:
        check_permission(by.role, Permission.VIEW)
        with reading(self.engine) as conn:
            data = build_dashboard(conn, self.clock(), hours)
        data.queues = self.queues(by)
        return data

    def precision(self, by: Reviewer) -> dict[str, PolicyPrecision]:
        check_permission(by.role, Permission.VIEW)
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(
                    DecisionRow.policy,
                    DecisionRow.source,
                    DecisionRow.outcome,
                    DecisionRow.appeal,
                    DecisionRow.overturned_previous,
                ).where(DecisionRow.outcome != Outcome.ESCALATE.value)
            ).all()
        flags = [
            DecidedFlag(
                r.policy, r.source, Outcome(r.outcome), bool(r.appeal), bool(r.overturned_previous)
            )
            for r in rows
        ]
        return {p.policy: p for p in precision_by_policy(flags)}

    def queues(self, by: Reviewer) -> list[QueueSummary]:
        """Per policy: queue size, SLA state, oldest age and precision from decisions."""
        check_permission(by.role, Permission.VIEW)
        now = self.clock()
        status = CaseRow.status
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(
                    CaseRow.policy,
                    func.sum(case((status == CaseStatus.OPEN.value, 1), else_=0)).label("open"),
                    func.sum(case((status == CaseStatus.CLAIMED.value, 1), else_=0)).label(
                        "claimed"
                    ),
                    func.sum(case((CaseRow.escalated.is_(True), 1), else_=0)).label("escalated"),
                    func.sum(case((CaseRow.appeal.is_(True), 1), else_=0)).label("appeals"),
                    func.sum(case((now - CaseRow.opened_at >= CaseRow.sla_s, 1), else_=0)).label(
                        "breached"
                    ),
                    func.min(CaseRow.opened_at).label("oldest"),
                )
                .where(status != CaseStatus.CLOSED.value)
                .group_by(CaseRow.policy)
            ).all()
        precision = self.precision(by)
        out = {
            r.policy: QueueSummary(
                r.policy,
                int(r.open or 0),
                int(r.claimed or 0),
                int(r.escalated or 0),
                int(r.appeals or 0),
                int(r.breached or 0),
                max(0.0, now - r.oldest),
                precision.get(r.policy),
            )
            for r in rows
        }
        for name, p in precision.items():
            out.setdefault(name, QueueSummary(name, 0, 0, 0, 0, 0, 0.0, p))
        return [out[k] for k in sorted(out)]

    # -- claiming -------------------------------------------------------------------------

    def _workable(self, by: Reviewer, now: float) -> Any:
        free = or_(
            CaseRow.status == CaseStatus.OPEN.value,
            and_(
                CaseRow.status == CaseStatus.CLAIMED.value,
                CaseRow.claimed_at < now - self.claim_ttl_s,
            ),
        )
        cond = and_(
            free,
            or_(CaseRow.excluded_reviewer.is_(None), CaseRow.excluded_reviewer != by.username),
        )
        if Permission.DECIDE_ESCALATED not in ROLE_PERMISSIONS[by.role]:
            cond = and_(cond, CaseRow.escalated.is_(False))
        return cond

    def claim_next(self, by: Reviewer, policy: str | None = None) -> int | None:
        """The case this reviewer holds, or the highest-priority one they may take now."""
        check_permission(by.role, Permission.DECIDE)
        now = self.clock()
        in_queue = CaseRow.policy == policy if policy is not None else CaseRow.id.is_not(None)
        with writing(self.engine) as conn:
            mine = conn.execute(
                select(CaseRow.id)
                .where(
                    in_queue,
                    CaseRow.status == CaseStatus.CLAIMED.value,
                    CaseRow.assignee == by.username,
                )
                .order_by(CaseRow.claimed_at)
                .limit(1)
            ).scalar_one_or_none()
            if mine is not None:
                return int(mine)
            case_id = conn.execute(
                select(CaseRow.id)
                .where(in_queue, self._workable(by, now))
                .order_by(self._priority_expr(now).desc(), CaseRow.id)
                .limit(1)
                # PostgreSQL: two reviewers claiming at once get different cases.
                .with_for_update(skip_locked=True)
            ).scalar_one_or_none()
            if case_id is None:
                return None
            conn.execute(
                update(CASES)
                .where(CaseRow.id == case_id)
                .values(status=CaseStatus.CLAIMED.value, assignee=by.username, claimed_at=now)
            )
            return int(case_id)

    def claim(self, by: Reviewer, case_id: int) -> None:
        check_permission(by.role, Permission.DECIDE)
        now = self.clock()
        with writing(self.engine) as conn:
            row = self._case_row(conn, case_id, lock=True)
            self._check_workable(by, row, now)
            conn.execute(
                update(CASES)
                .where(CaseRow.id == case_id)
                .values(status=CaseStatus.CLAIMED.value, assignee=by.username, claimed_at=now)
            )

    def _case_row(self, conn: Connection, case_id: int, *, lock: bool = False) -> Any:
        """The case's row; ``lock`` holds it until commit (PostgreSQL), so two decisions on
        one case are serialised and the second sees the first."""
        query = select(CASES).where(CaseRow.id == case_id)
        row = conn.execute(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise NotFoundError(f"no case #{case_id}")
        return row

    def _check_workable(self, by: Reviewer, row: Any, now: float) -> None:
        if row.status == CaseStatus.CLOSED.value:
            raise CaseStateError(
                f"case #{row.id} is already decided; record an appeal to reopen it"
            )
        if (
            row.status == CaseStatus.CLAIMED.value
            and row.assignee != by.username
            and row.claimed_at is not None
            and now - row.claimed_at < self.claim_ttl_s
        ):
            raise CaseStateError(f"case #{row.id} is claimed by {row.assignee}; pick another")
        if row.appeal and row.excluded_reviewer == by.username:
            raise CaseStateError(
                f"case #{row.id} appeals your own decision; another reviewer must decide it"
            )
        if row.escalated:
            check_permission(by.role, Permission.DECIDE_ESCALATED)

    # -- deciding -------------------------------------------------------------------------

    def decide(self, by: Reviewer, case_id: int, decision: DecisionInput) -> int:
        """Record a decision; a final one closes the case, labels its items and enforces."""
        check_permission(by.role, Permission.DECIDE)
        decision = validate_decision(decision)
        now = self.clock()
        with writing(self.engine) as conn:
            decision_id = self._decide(conn, by, case_id, decision, now)
        self._publish_soon()
        return decision_id

    def bulk_decide(
        self, by: Reviewer, case_ids: Sequence[int], decision: DecisionInput
    ) -> BulkResult:
        """The same decision on many cases; each case commits on its own."""
        check_permission(by.role, Permission.DECIDE)
        decision = validate_decision(decision)
        decided: list[int] = []
        failed: dict[int, str] = {}
        for case_id in dict.fromkeys(case_ids):
            try:
                with writing(self.engine) as conn:
                    self._decide(conn, by, case_id, decision, self.clock())
                decided.append(case_id)
            except ReviewError as exc:
                failed[case_id] = str(exc)
        self._publish_soon()
        return BulkResult(decided, failed)

    def _decide(
        self, conn: Connection, by: Reviewer, case_id: int, decision: DecisionInput, now: float
    ) -> int:
        row = self._case_row(conn, case_id, lock=True)
        self._check_workable(by, row, now)
        previous = conn.execute(
            select(DecisionRow.outcome, DecisionRow.action)
            .where(DecisionRow.case_id == case_id, DecisionRow.outcome != Outcome.ESCALATE.value)
            .order_by(DecisionRow.id.desc())
            .limit(1)
        ).one_or_none()
        final = decision.outcome != Outcome.ESCALATE
        overturned = bool(
            row.appeal and final and previous is not None and previous.outcome != decision.outcome
        )
        decision_id = int(
            conn.execute(
                insert(DECISIONS)
                .values(
                    case_id=case_id,
                    policy=row.policy,
                    source=row.source,
                    reviewer=by.username,
                    outcome=decision.outcome.value,
                    action=None if decision.action is None else decision.action.value,
                    reason=decision.reason,
                    appeal=bool(row.appeal) and final,
                    overturned_previous=overturned,
                    decided_at=now,
                )
                .returning(DECISIONS.c.id)
            ).scalar_one()
        )
        details: dict[str, Any] = {
            "decision_id": decision_id,
            "policy": row.policy,
            "outcome": decision.outcome.value,
            "action": None if decision.action is None else decision.action.value,
            "reason": decision.reason,
            "appeal": bool(row.appeal),
        }
        if not final:
            conn.execute(
                update(CASES)
                .where(CaseRow.id == case_id)
                .values(
                    status=CaseStatus.OPEN.value,
                    escalated=True,
                    assignee=None,
                    claimed_at=None,
                    base_priority=base_priority(row.severity, row.reach, escalated=True),
                    updated_at=now,
                )
            )
            self._audit(conn, by.username, "review.escalated", f"case:{case_id}", details)
            return decision_id
        conn.execute(
            update(CASES)
            .where(CaseRow.id == case_id)
            .values(
                status=CaseStatus.CLOSED.value,
                assignee=by.username,
                closed_at=now,
                updated_at=now,
            )
        )
        links = conn.execute(
            select(CaseEventRow.event_id, CaseEventRow.source, EventRow.body)
            .join(EventRow, EventRow.id == CaseEventRow.event_id)
            .where(CaseEventRow.case_id == case_id)
        ).all()
        content = [
            (lk.event_id, Event.model_validate_json(lk.body))
            for lk in links
            if lk.source != "report"
        ]
        value = label_value(decision.outcome)
        if value is not None:
            for event_id, _ in content:
                conn.execute(
                    upsert(
                        self.engine,
                        LABELS,
                        ["event_id", "policy"],
                        {
                            "event_id": event_id,
                            "policy": row.policy,
                            "value": value,
                            "reviewer": by.username,
                            "decision_id": decision_id,
                            "decided_at": now,
                        },
                    )
                )
        restricted = {Action.HOLD.value, Action.BLOCK.value}
        was_restricted = row.auto_action in restricted or (
            previous is not None
            and previous.outcome == Outcome.VIOLATION.value
            and previous.action in restricted
        )
        targets = [_target_of(event) for _, event in content]
        if not targets:
            report_event = next(lk.event_id for lk in links if lk.source == "report")
            targets = [Target(row.entity_type, row.entity_id, row.actor_id or "", report_event)]
        ops = enforcement_operations(
            decision.outcome, decision.action, targets, was_restricted=was_restricted
        )
        self._enqueue_enforcement(conn, decision_id, row.policy, by.username, ops, now)
        details["labelled_events"] = [e for e, _ in content] if value is not None else []
        details["enforcement"] = [op for _, _, op in ops]
        self._audit(conn, by.username, "review.decided", f"case:{case_id}", details)
        return decision_id

    def _enqueue_enforcement(
        self,
        conn: Connection,
        decision_id: int,
        policy: str,
        reviewer: str,
        ops: list[tuple[Target, Action, str]],
        now: float,
    ) -> None:
        if not ops:
            return
        pack_versions = dict(
            conn.execute(
                select(VerdictRow.event_id, VerdictRow.pack_version).where(
                    VerdictRow.event_id.in_([t.event_id for t, _, _ in ops])
                )
            ).all()
        )
        now_dt = datetime.fromtimestamp(now, UTC)
        for target, act, operation in ops:
            action = EnforcementAction(
                id=f"review:{decision_id}:{target.type}:{target.id}:{operation}",
                event_id=target.event_id,
                actor_id=target.actor_id,
                target_type=target.type,
                target_id=target.id,
                action=act,
                operation=operation,
                policies=[policy],
                pack_version=pack_versions.get(target.event_id, "review"),
            )
            conn.execute(
                insert(OUTBOX).values(
                    id=action.id,
                    decision_id=decision_id,
                    key=target.actor_id or target.id,
                    body=json.dumps(
                        {**action.model_dump(mode="json"), "decided_by": reviewer},
                        separators=(",", ":"),
                    ),
                    created_at=now,
                    published_at=None,
                )
            )
            # Also in the store's action history, so the user's context shows it.
            conn.execute(
                insert_ignore(self.engine, _ACTIONS).values(
                    id=action.id,
                    event_id=action.event_id,
                    actor_id=action.actor_id,
                    target_type=action.target_type,
                    target_id=action.target_id,
                    action=action.action.value,
                    operation=action.operation,
                    policies=json.dumps(action.policies),
                    pack_version=action.pack_version,
                    created_at=now_dt,
                )
            )

    def _publish_soon(self) -> None:
        """Publish now if the bus takes it; if not, the outbox keeps it for the next try."""
        try:
            self.publish_pending()
        except Exception:
            _log.warning("enforcement stays in the outbox; the bus refused it", exc_info=True)

    def publish_pending(self) -> int:
        """Send enforcement from the outbox to the bus's actions topic; returns how many."""
        if self._bus_source is None:
            return 0
        with self._publish_lock:
            with reading(self.engine) as conn:
                rows = conn.execute(
                    select(OUTBOX.c.id, OUTBOX.c.key, OUTBOX.c.body)
                    .where(OUTBOX.c.published_at.is_(None))
                    .order_by(OUTBOX.c.created_at, OUTBOX.c.id)
                    .limit(1000)
                ).all()
            if not rows:
                return 0
            opened = self._open_producer()
            if opened is None:
                return 0
            producer, topics = opened
            producer.send(
                [
                    OutRecord(
                        topic=topics.actions,
                        key=r.key,
                        value=r.body.encode(),
                        headers={"source": "review"},
                    )
                    for r in rows
                ]
            )
            with writing(self.engine) as conn:
                conn.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id.in_([r.id for r in rows]))
                    .values(published_at=self.clock())
                )
            return len(rows)

    def pending_enforcement(self) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            bodies = conn.execute(
                select(OutboxRow.body)
                .where(OutboxRow.published_at.is_(None))
                .order_by(OutboxRow.created_at, OutboxRow.id)
            ).scalars()
            return [json.loads(b) for b in bodies]

    # -- appeals --------------------------------------------------------------------------

    def record_appeal(self, by: Reviewer, case_id: int, reason: str, *, filed_by: str) -> None:
        """Reopen a decided case for a reviewer other than the one who decided it."""
        check_permission(by.role, Permission.RECORD_APPEAL)
        with writing(self.engine) as conn:
            self._reopen(conn, by.username, case_id, reason, filed_by)

    def appeal_event(
        self, actor: str, event_id: str, reason: str, *, filed_by: str, policy: str | None = None
    ) -> int:
        """A user's appeal sent by the marketplace (API key checked by the caller): reopen
        the newest decided case holding ``event_id``; returns its id."""
        with writing(self.engine) as conn:
            query = (
                select(CASES.c.id)
                .join(CASE_EVENTS, CASE_EVENTS.c.case_id == CASES.c.id)
                .where(
                    CASE_EVENTS.c.event_id == event_id,
                    CASES.c.status == CaseStatus.CLOSED.value,
                )
                .order_by(CASES.c.closed_at.desc())
                .limit(1)
            )
            if policy is not None:
                query = query.where(CASES.c.policy == policy)
            case_id = conn.execute(query).scalar_one_or_none()
            if case_id is None:
                raise NotFoundError(
                    f"no decided case holds event {event_id!r}"
                    + (f" for policy {policy!r}" if policy else "")
                    + "; only a reviewer's decision can be appealed"
                )
            self._reopen(conn, actor, int(case_id), reason, filed_by)
            return int(case_id)

    def _reopen(
        self, conn: Connection, actor: str, case_id: int, reason: str, filed_by: str
    ) -> None:
        reason = reason.strip()
        if not reason:
            raise ReviewError("an appeal needs the user's reason; paste or summarise it")
        now = self.clock()
        row = self._case_row(conn, case_id, lock=True)
        if row.status != CaseStatus.CLOSED.value:
            raise CaseStateError(f"case #{case_id} is still open; decide it first")
        last = conn.execute(
            select(DECISIONS.c.id, DECISIONS.c.reviewer)
            .where(
                DECISIONS.c.case_id == case_id,
                DECISIONS.c.outcome != Outcome.ESCALATE.value,
            )
            .order_by(DECISIONS.c.id.desc())
            .limit(1)
        ).one()
        other_open = conn.execute(
            select(CASES.c.id).where(
                CASES.c.policy == row.policy,
                CASES.c.entity_type == row.entity_type,
                CASES.c.entity_id == row.entity_id,
                CASES.c.status != CaseStatus.CLOSED.value,
            )
        ).scalar_one_or_none()
        if other_open is not None:
            raise CaseStateError(
                f"case #{other_open} is open for the same {row.entity_type}; "
                "decide it first, then record the appeal"
            )
        conn.execute(
            update(CASES)
            .where(CASES.c.id == case_id)
            .values(
                status=CaseStatus.OPEN.value,
                appeal=True,
                escalated=False,
                base_priority=base_priority(row.severity, row.reach),
                excluded_reviewer=last.reviewer,
                assignee=None,
                claimed_at=None,
                closed_at=None,
                opened_at=now,
                updated_at=now,
            )
        )
        conn.execute(
            insert(APPEALS).values(
                case_id=case_id,
                decision_id=last.id,
                filed_by=filed_by,
                reason=reason,
                filed_at=now,
            )
        )
        self._audit(
            conn,
            actor,
            "review.appeal_recorded",
            f"case:{case_id}",
            {"decision_id": last.id, "filed_by": filed_by, "reason": reason},
        )

    # -- the case view --------------------------------------------------------------------

    def case_view(self, by: Reviewer, case_id: int) -> CaseView:
        check_permission(by.role, Permission.VIEW)
        now = self.clock()
        with reading(self.engine) as conn:
            row = self._case_row(conn, case_id)
            links = conn.execute(
                select(
                    CaseEventRow.event_id,
                    CaseEventRow.source,
                    EventRow.body,
                    VerdictRow.body.label("verdict"),
                )
                .join(EventRow, EventRow.id == CaseEventRow.event_id)
                .outerjoin(VerdictRow, VerdictRow.event_id == CaseEventRow.event_id)
                .where(CaseEventRow.case_id == case_id)
                .order_by(CaseEventRow.added_at, CaseEventRow.id)
            ).all()
            items = [_case_item(lk.body, lk.verdict, lk.source) for lk in links]
            decisions = self._decisions(conn, DecisionRow.case_id == case_id)
            appeals = [
                AppealView(a.id, a.filed_by, a.reason, a.filed_at)
                for a in conn.execute(
                    select(APPEALS).where(AppealRow.case_id == case_id).order_by(AppealRow.id)
                )
            ]
            summary = self._summary(row, len(items), now)
            user = self._user_context(conn, row, items, now) if row.actor_id else None
            similar = self._similar(conn, row, items)
        if user is not None:
            history = self.store.entity_history("user", user.actor_id, limit=20)
            own = {i.event.id for i in items}
            user = UserContext(
                user.actor_id,
                user.account_created_at,
                [v for v in history.verdicts if v.event_id not in own],
                user.earlier_decisions,
                user.open_cases,
            )
        return CaseView(summary, items, user, similar, decisions, appeals)

    def _decisions(self, conn: Connection, where: Any, limit: int = 50) -> list[DecisionView]:
        rows = conn.execute(
            select(DECISIONS)
            .where(where)
            .order_by(DecisionRow.decided_at.desc(), DecisionRow.id.desc())
            .limit(limit)
        )
        return [
            DecisionView(
                r.id,
                r.case_id,
                r.policy,
                r.reviewer,
                Outcome(r.outcome),
                r.action,
                r.reason,
                r.decided_at,
                bool(r.appeal),
                bool(r.overturned_previous),
            )
            for r in rows
        ]

    def _user_context(
        self, conn: Connection, row: Any, items: list[CaseItem], now: float
    ) -> UserContext:
        created = next(
            (
                i.event.actor.created_at
                for i in reversed(items)
                if i.event.actor.id == row.actor_id and i.event.actor.created_at is not None
            ),
            None,
        )
        others = select(CaseRow.id).where(CaseRow.actor_id == row.actor_id, CaseRow.id != row.id)
        earlier = self._decisions(conn, DecisionRow.case_id.in_(others.scalar_subquery()), 10)
        open_cases = self._summaries(
            conn,
            and_(
                CaseRow.actor_id == row.actor_id,
                CaseRow.id != row.id,
                CaseRow.status != CaseStatus.CLOSED.value,
            ),
            now,
            20,
        )
        return UserContext(row.actor_id, created, [], earlier, open_cases)

    def _similar(self, conn: Connection, row: Any, items: list[CaseItem]) -> list[SimilarItem]:
        """Recent items in the same queue whose words overlap this case's, with their outcome."""
        mine = words(" ".join(t for i in items for t in i.event.text_fields().values()))
        if not mine:
            return []
        last_outcome = (
            select(DecisionRow.outcome)
            .where(DecisionRow.case_id == CaseEventRow.case_id)
            .order_by(DecisionRow.id.desc())
            .limit(1)
            .correlate(CaseEventRow)
            .scalar_subquery()
        )
        rows = conn.execute(
            select(
                CaseEventRow.case_id,
                CaseEventRow.event_id,
                EventRow.body,
                CaseRow.status,
                last_outcome.label("outcome"),
            )
            .join(EventRow, EventRow.id == CaseEventRow.event_id)
            .join(CaseRow, CaseRow.id == CaseEventRow.case_id)
            .where(CaseEventRow.policy == row.policy, CaseEventRow.case_id != row.id)
            .order_by(CaseEventRow.id.desc())
            .limit(500)
        ).all()
        scored: list[SimilarItem] = []
        for r in rows:
            event = Event.model_validate_json(r.body)
            text_ = " ".join(event.text_fields().values())
            sim = jaccard(mine, words(text_))
            if sim >= 0.2:
                snippet = text_ if len(text_) <= 140 else text_[:139] + "…"
                scored.append(SimilarItem(r.case_id, r.event_id, sim, r.status, r.outcome, snippet))
        scored.sort(key=lambda s: (-s.similarity, -s.case_id))
        return scored[:5]


def _target_of(event: Event) -> Target:
    if event.listing is not None:
        return Target("listing", event.listing.id, event.actor.id, event.id)
    if event.message is not None:
        return Target("message", event.message.id, event.actor.id, event.id)
    if event.profile is not None:
        return Target("profile", event.actor.id, event.actor.id, event.id)
    return Target("user", event.actor.id, event.actor.id, event.id)


def _case_item(body: str, verdict_body: str | None, source: str) -> CaseItem:
    event = Event.model_validate_json(body)
    verdict = None if verdict_body is None else Verdict.model_validate_json(verdict_body)
    spans = spans_by_field(verdict)
    fields = [
        FieldView(name, highlight(value, spans.get(name, [])))
        for name, value in event.text_fields().items()
    ]
    return CaseItem(event, verdict, source, fields)


@functools.cache
def _dummy_hash() -> str:
    return auth.hash_password("not a real password, only spends time")
