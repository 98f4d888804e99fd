"""Review console: users, sessions, cases, decisions, labels, appeals, enforcement outbox.

Revision ID: review_0001
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "review_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "review_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("review_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_review_sessions_user_id", "review_sessions", ["user_id"])

    op.create_table(
        "review_cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("policy", sa.String(100), nullable=False),
        sa.Column("entity_type", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("actor_id", sa.String(200), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.Integer, nullable=False),
        sa.Column("reach", sa.Float, nullable=False),
        sa.Column("reports", sa.Integer, nullable=False, server_default="0"),
        sa.Column("base_priority", sa.Float, nullable=False),
        sa.Column("max_score", sa.Float, nullable=False, server_default="0"),
        sa.Column("auto_action", sa.String(16), nullable=True),
        sa.Column("sla_s", sa.Float, nullable=False),
        sa.Column("opened_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("escalated", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("appeal", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("excluded_reviewer", sa.String(100), nullable=True),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("claimed_at", sa.Float, nullable=True),
        sa.Column("closed_at", sa.Float, nullable=True),
    )
    op.create_index("ix_review_cases_actor_id", "review_cases", ["actor_id"])
    op.create_index("ix_review_cases_queue", "review_cases", ["policy", "status"])
    # One open case per entity and policy; closed cases may repeat.
    op.create_index(
        "uq_review_cases_open_entity",
        "review_cases",
        ["policy", "entity_type", "entity_id"],
        unique=True,
        sqlite_where=sa.text("status != 'closed'"),
        postgresql_where=sa.text("status != 'closed'"),
    )

    op.create_table(
        "review_case_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("review_cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("policy", sa.String(100), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("added_at", sa.Float, nullable=False),
        sa.UniqueConstraint("case_id", "event_id", name="uq_review_case_events"),
    )
    op.create_index("ix_review_case_events_case_id", "review_case_events", ["case_id"])
    op.create_index("ix_review_case_events_event_id", "review_case_events", ["event_id"])

    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("review_cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("policy", sa.String(100), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("appeal", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("overturned_previous", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("decided_at", sa.Float, nullable=False),
    )
    op.create_index("ix_review_decisions_case_id", "review_decisions", ["case_id"])
    op.create_index("ix_review_decisions_policy", "review_decisions", ["policy"])
    op.create_index("ix_review_decisions_decided_at", "review_decisions", ["decided_at"])

    op.create_table(
        "review_labels",
        sa.Column("event_id", sa.String(200), primary_key=True),
        sa.Column("policy", sa.String(100), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("decision_id", sa.Integer, nullable=False),
        sa.Column("decided_at", sa.Float, nullable=False),
    )

    op.create_table(
        "review_appeals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("review_cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("decision_id", sa.Integer, nullable=False),
        sa.Column("filed_by", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("filed_at", sa.Float, nullable=False),
    )
    op.create_index("ix_review_appeals_case_id", "review_appeals", ["case_id"])

    op.create_table(
        "review_outbox",
        sa.Column("id", sa.String(300), primary_key=True),
        sa.Column("decision_id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("published_at", sa.Float, nullable=True),
    )
    op.create_index("ix_review_outbox_decision_id", "review_outbox", ["decision_id"])
    op.create_index("ix_review_outbox_published_at", "review_outbox", ["published_at"])

    op.create_table(
        "review_cursor",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("position", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "review_cursor",
        "review_outbox",
        "review_appeals",
        "review_labels",
        "review_decisions",
        "review_case_events",
        "review_cases",
        "review_sessions",
        "review_users",
    ):
        op.drop_table(table)
