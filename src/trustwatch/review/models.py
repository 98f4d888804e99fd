"""Tables of the review console, on the store's declarative Base (migration ``review_0001``).

Times are epoch seconds (floats): the queue orders by an age computed in SQL, the same
way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from trustwatch.store.models import Base


class ReviewUserRow(Base):
    __tablename__ = "review_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[float] = mapped_column(Float)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class ReviewSessionRow(Base):
    """A console sign-in; only the SHA-256 of the cookie token is kept."""

    __tablename__ = "review_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("review_users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)


class CaseRow(Base):
    __tablename__ = "review_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    policy: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    severity: Mapped[int] = mapped_column(Integer)
    reach: Mapped[float] = mapped_column(Float)
    reports: Mapped[int] = mapped_column(Integer, default=0)
    base_priority: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)
    auto_action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    sla_s: Mapped[float] = mapped_column(Float)
    opened_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    appeal: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded_reviewer: Mapped[str | None] = mapped_column(String(100), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    closed_at: Mapped[float | None] = mapped_column(Float, nullable=True)

    __table_args__ = (
        Index("ix_review_cases_queue", "policy", "status"),
        Index(
            "uq_review_cases_open_entity",
            "policy",
            "entity_type",
            "entity_id",
            unique=True,
            sqlite_where=text("status != 'closed'"),
            postgresql_where=text("status != 'closed'"),
        ),
    )


class CaseEventRow(Base):
    __tablename__ = "review_case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("review_cases.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(200), index=True)
    policy: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[float] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("case_id", "event_id", name="uq_review_case_events"),)


class DecisionRow(Base):
    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("review_cases.id", ondelete="CASCADE"), index=True
    )
    policy: Mapped[str] = mapped_column(String(100), index=True)
    source: Mapped[str] = mapped_column(String(16))
    reviewer: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(16))
    action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    appeal: Mapped[bool] = mapped_column(Boolean, default=False)
    overturned_previous: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[float] = mapped_column(Float, index=True)


class LabelRow(Base):
    """The current human label of one event for one policy (a later decision replaces it)."""

    __tablename__ = "review_labels"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    policy: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    reviewer: Mapped[str] = mapped_column(String(100))
    decision_id: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[float] = mapped_column(Float)


class AppealRow(Base):
    __tablename__ = "review_appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("review_cases.id", ondelete="CASCADE"), index=True
    )
    decision_id: Mapped[int] = mapped_column(Integer)
    filed_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[float] = mapped_column(Float)


class OutboxRow(Base):
    """Enforcement that follows a decision, kept until the bus has it (transactional outbox)."""

    __tablename__ = "review_outbox"

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    decision_id: Mapped[int] = mapped_column(Integer, index=True)
    key: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    published_at: Mapped[float | None] = mapped_column(Float, nullable=True, index=True)


class ReviewCursorRow(Base):
    """How far the case opener has read the verdicts table."""

    __tablename__ = "review_cursor"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[str] = mapped_column(String(64))


# Core tables, for the statements the use cases write.
USERS = cast(Table, ReviewUserRow.__table__)
SESSIONS = cast(Table, ReviewSessionRow.__table__)
CASES = cast(Table, CaseRow.__table__)
CASE_EVENTS = cast(Table, CaseEventRow.__table__)
DECISIONS = cast(Table, DecisionRow.__table__)
LABELS = cast(Table, LabelRow.__table__)
APPEALS = cast(Table, AppealRow.__table__)
OUTBOX = cast(Table, OutboxRow.__table__)
CURSOR = cast(Table, ReviewCursorRow.__table__)
