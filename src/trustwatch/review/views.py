"""What the use cases hand to the console: plain frozen records, no database types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from trustwatch.events import Event
from trustwatch.review.domain import CaseStatus, Entity, Outcome, PolicyPrecision, Role
from trustwatch.review.evidence import Segment
from trustwatch.store.sql import VerdictEntry
from trustwatch.verdicts import PolicyDecision, Verdict


@dataclass(frozen=True)
class Reviewer:
    id: int
    username: str
    role: Role


@dataclass(frozen=True)
class SessionInfo:
    reviewer: Reviewer
    csrf_token: str


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    role: Role
    created_at: float
    disabled: bool


@dataclass(frozen=True)
class CaseSummary:
    id: int
    policy: str
    entity: Entity
    actor_id: str | None
    source: str
    status: CaseStatus
    severity: int
    reach: float
    reports: int
    priority: float
    age_s: float
    sla_s: float
    sla_state: str
    escalated: bool
    appeal: bool
    excluded_reviewer: str | None
    assignee: str | None
    auto_action: str | None
    max_score: float
    items: int


@dataclass(frozen=True)
class QueueSummary:
    policy: str
    open: int
    claimed: int
    escalated: int
    appeals: int
    breached: int
    oldest_age_s: float
    precision: PolicyPrecision | None


@dataclass(frozen=True)
class FieldView:
    field: str
    segments: list[Segment]


@dataclass(frozen=True)
class CaseItem:
    event: Event
    verdict: Verdict | None
    source: str
    fields: list[FieldView]

    @property
    def decisions(self) -> list[PolicyDecision]:
        return [] if self.verdict is None else self.verdict.policies


@dataclass(frozen=True)
class DecisionView:
    id: int
    case_id: int
    policy: str
    reviewer: str
    outcome: Outcome
    action: str | None
    reason: str
    decided_at: float
    appeal: bool
    overturned_previous: bool


@dataclass(frozen=True)
class AppealView:
    id: int
    filed_by: str
    reason: str
    filed_at: float


@dataclass(frozen=True)
class SimilarItem:
    case_id: int
    event_id: str
    similarity: float
    status: str
    outcome: str | None
    snippet: str


@dataclass(frozen=True)
class UserContext:
    actor_id: str
    account_created_at: datetime | None
    earlier_verdicts: list[VerdictEntry]
    earlier_decisions: list[DecisionView]
    open_cases: list[CaseSummary]

    def account_age_days(self, now: float) -> float | None:
        if self.account_created_at is None:
            return None
        return max(0.0, now - self.account_created_at.timestamp()) / 86400.0


@dataclass(frozen=True)
class CaseView:
    case: CaseSummary
    items: list[CaseItem]
    user: UserContext | None
    similar: list[SimilarItem]
    decisions: list[DecisionView]
    appeals: list[AppealView]


@dataclass(frozen=True)
class BulkResult:
    decided: list[int]
    failed: dict[int, str]


@dataclass
class Dashboard:
    buckets: list[str]
    events_by_policy: dict[str, list[float]] = field(default_factory=dict)
    actions_by_policy: dict[str, list[float]] = field(default_factory=dict)
    outcomes_by_policy: dict[str, dict[str, float]] = field(default_factory=dict)
    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    queues: list[QueueSummary] = field(default_factory=list)
