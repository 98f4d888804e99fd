"""The review domain, pure: which verdicts and reports open cases, how cases are ranked,
what a decision means for labels and enforcement, and how precise each policy is.

No database and no web here; ``service`` applies these rules to the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from trustwatch.errors import TrustwatchError
from trustwatch.events import Event
from trustwatch.verdicts import Action, Verdict

REPORTS_QUEUE = "reports"
"""Queue for user reports whose reason names no policy of the pack."""

# Actions that send an item to a person: review keeps it up, hold hides it until decided.
CASE_ACTIONS: frozenset[Action] = frozenset({Action.REVIEW, Action.HOLD})

# How many people an item on this surface reaches: a message one, a public listing many.
SURFACE_REACH: dict[str, float] = {"message": 1.0, "user": 3.0, "profile": 3.0, "listing": 5.0}

# Time to first decision, by policy severity (1 mildest .. 5 worst), in hours.
SLA_HOURS: dict[int, float] = {5: 1.0, 4: 4.0, 3: 12.0, 2: 24.0, 1: 72.0}

DEFAULT_SEVERITY = 2
ESCALATION_BOOST = 2.0


class Role(StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    ANALYST = "analyst"


class Permission(StrEnum):
    VIEW = "view"
    DECIDE = "decide"
    DECIDE_ESCALATED = "decide_escalated"
    RECORD_APPEAL = "record_appeal"
    MANAGE_USERS = "manage_users"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MODERATOR: frozenset({Permission.VIEW, Permission.DECIDE, Permission.RECORD_APPEAL}),
    Role.ANALYST: frozenset({Permission.VIEW}),
}


class ReviewError(TrustwatchError):
    """A review request that cannot be carried out as asked."""


class PermissionDeniedError(ReviewError):
    """The signed-in reviewer's role does not allow this."""


class NotFoundError(ReviewError):
    """No such case or user."""


class CaseStateError(ReviewError):
    """The case is not in a state that allows this (already decided, claimed by someone else…)."""


def check_permission(role: Role, permission: Permission) -> None:
    """The one place roles are checked; every use case calls it first."""
    if permission not in ROLE_PERMISSIONS[role]:
        raise PermissionDeniedError(
            f"the {role.value} role may not {permission.value.replace('_', ' ')}; "
            "ask an admin for a role that can"
        )


class Outcome(StrEnum):
    VIOLATION = "violation"
    NOT_VIOLATION = "not_violation"
    ESCALATE = "escalate"


class CaseStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    CLOSED = "closed"


@dataclass(frozen=True)
class Entity:
    """What a case is about; one open case per (policy, entity)."""

    type: str
    id: str

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"


@dataclass(frozen=True)
class CaseTrigger:
    """One reason to open (or add to) a case."""

    policy: str
    entity: Entity
    event_id: str
    source: str  # "verdict" (automated flag) or "report" (a user report)
    severity: int
    surface: str
    score: float
    action: Action | None
    actor_id: str | None


def entity_of(event: Event) -> Entity:
    """Listings are reviewed per listing; messages and profiles per sending account."""
    if event.listing is not None:
        return Entity("listing", event.listing.id)
    if event.report is not None:
        return Entity(event.report.target_type, event.report.target_id)
    return Entity("user", event.actor.id)


def surface_of(event: Event) -> str:
    if event.listing is not None:
        return "listing"
    if event.message is not None:
        return "message"
    if event.profile is not None:
        return "profile"
    if event.report is not None:
        return event.report.target_type
    return "user"


def triggers_for(
    event: Event, verdict: Verdict, severities: Mapping[str, int]
) -> list[CaseTrigger]:
    """Cases an event opens. Every user report opens one. A verdict whose action is review
    or hold opens one per live policy that decided review or hold; a blocked item is
    already dealt with, and shadow or backtest verdicts never act."""
    if event.report is not None:
        reason = (event.report.reason or "").strip().lower()
        policy = reason if reason in severities else REPORTS_QUEUE
        return [
            CaseTrigger(
                policy=policy,
                entity=entity_of(event),
                event_id=event.id,
                source="report",
                severity=severities.get(policy, DEFAULT_SEVERITY),
                surface=surface_of(event),
                score=0.0,
                action=None,
                actor_id=event.report.target_id if event.report.target_type == "user" else None,
            )
        ]
    if verdict.execution_mode.value != "live" or verdict.action not in CASE_ACTIONS:
        return []
    return [
        CaseTrigger(
            policy=decision.policy,
            entity=entity_of(event),
            event_id=event.id,
            source="verdict",
            severity=severities.get(decision.policy, DEFAULT_SEVERITY),
            surface=surface_of(event),
            score=decision.score,
            action=decision.action,
            actor_id=event.actor.id,
        )
        for decision in verdict.policies
        if decision.mode == "live" and decision.action in CASE_ACTIONS
    ]


def reach(surfaces: Iterable[str], reports: int) -> float:
    """The widest surface among the case's items, plus one per user report (someone saw it)."""
    widest = max((SURFACE_REACH.get(s, 1.0) for s in surfaces), default=1.0)
    return widest + reports


def sla_seconds(severity: int) -> float:
    return SLA_HOURS.get(severity, SLA_HOURS[DEFAULT_SEVERITY]) * 3600.0


def base_priority(severity: int, reach_value: float, *, escalated: bool = False) -> float:
    return severity * reach_value * (ESCALATION_BOOST if escalated else 1.0)


def priority(base: float, opened_at: float, sla_s: float, now: float) -> float:
    """severity x reach x age, where age grows from 1 (just opened) to 2 at the SLA and on."""
    return base * (1.0 + max(0.0, now - opened_at) / sla_s)


def sla_state(opened_at: float, sla_s: float, now: float) -> str:
    """``ok``, ``due`` (past 75% of the SLA) or ``breached``."""
    used = max(0.0, now - opened_at) / sla_s
    if used >= 1.0:
        return "breached"
    return "due" if used >= 0.75 else "ok"


@dataclass(frozen=True)
class DecisionInput:
    outcome: Outcome
    action: Action | None
    reason: str


def validate_decision(decision: DecisionInput) -> DecisionInput:
    reason = decision.reason.strip()
    if not reason:
        raise ReviewError("a decision needs a reason; write one line saying why")
    if decision.outcome == Outcome.VIOLATION:
        if decision.action is None or decision.action in (Action.ALLOW, Action.REVIEW):
            raise ReviewError("a violation needs an action: warn, hold or block")
        return DecisionInput(decision.outcome, decision.action, reason)
    return DecisionInput(decision.outcome, None, reason)


def label_value(outcome: Outcome) -> int | None:
    """1 violation, 0 not a violation; an escalation is not a label yet."""
    if outcome == Outcome.VIOLATION:
        return 1
    if outcome == Outcome.NOT_VIOLATION:
        return 0
    return None


# (target type, action) -> what the marketplace does once a reviewer decides.
_REVIEW_OPERATIONS: dict[tuple[str, Action], str] = {
    ("listing", Action.WARN): "show_safety_notice",
    ("listing", Action.HOLD): "hide_listing",
    ("listing", Action.BLOCK): "remove_listing",
    ("message", Action.WARN): "show_safety_notice",
    ("message", Action.HOLD): "withhold_message",
    ("message", Action.BLOCK): "block_message",
    ("profile", Action.WARN): "show_safety_notice",
    ("profile", Action.HOLD): "hide_profile_text",
    ("profile", Action.BLOCK): "reject_profile_update",
    ("user", Action.WARN): "warn_user",
    ("user", Action.HOLD): "suspend_user",
    ("user", Action.BLOCK): "ban_user",
}
_RESTORE: dict[str, str] = {
    "listing": "restore_listing",
    "message": "release_message",
    "profile": "restore_profile_text",
    "user": "reinstate_user",
}


@dataclass(frozen=True)
class Target:
    type: str
    id: str
    actor_id: str
    event_id: str


def enforcement_operations(
    outcome: Outcome, action: Action | None, targets: Sequence[Target], *, was_restricted: bool
) -> list[tuple[Target, Action, str]]:
    """What to tell the marketplace: act on a violation; undo a hold or block that was wrong."""
    out: list[tuple[Target, Action, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for target in targets:
        if outcome == Outcome.VIOLATION and action is not None:
            operation = _REVIEW_OPERATIONS.get((target.type, action))
            act = action
        elif outcome == Outcome.NOT_VIOLATION and was_restricted:
            operation = _RESTORE.get(target.type)
            act = Action.ALLOW
        else:
            operation = None
            act = Action.ALLOW
        if operation is None or (target.type, target.id, operation) in seen:
            continue
        seen.add((target.type, target.id, operation))
        out.append((target, act, operation))
    return out


@dataclass(frozen=True)
class PolicyPrecision:
    policy: str
    violations: int
    not_violations: int
    appeals: int
    appeals_overturned: int

    @property
    def decided(self) -> int:
        return self.violations + self.not_violations

    @property
    def precision(self) -> float | None:
        """Share of the automated flags that reviewers upheld."""
        return None if self.decided == 0 else self.violations / self.decided

    @property
    def overturn_rate(self) -> float | None:
        return None if self.decided == 0 else self.not_violations / self.decided


@dataclass(frozen=True)
class DecidedFlag:
    policy: str
    source: str
    outcome: Outcome
    appeal: bool
    overturned_previous: bool


def precision_by_policy(decisions: Iterable[DecidedFlag]) -> list[PolicyPrecision]:
    """Precision of automated flags per policy from first decisions; appeals counted apart."""
    acc: dict[str, list[int]] = {}
    for d in decisions:
        row = acc.setdefault(d.policy, [0, 0, 0, 0])
        if d.appeal:
            row[2] += 1
            row[3] += int(d.overturned_previous)
            continue
        if d.source != "verdict":
            continue
        if d.outcome == Outcome.VIOLATION:
            row[0] += 1
        elif d.outcome == Outcome.NOT_VIOLATION:
            row[1] += 1
    return [PolicyPrecision(p, *acc[p]) for p in sorted(acc)]
