"""Initial store: events, verdicts, signals, shadow verdicts, actions, packs, keys, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.String(200), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(200), nullable=False),
        sa.Column("occurred_at", _TS, nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_events_actor_id", "events", ["actor_id"])
    op.create_index("ix_events_subject", "events", ["subject_type", "subject_id"])

    op.create_table(
        "verdicts",
        sa.Column(
            "event_id",
            sa.String(200),
            sa.ForeignKey("events.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("pack_version", sa.String(100), nullable=False),
        sa.Column("execution_mode", sa.String(16), nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_verdicts_action", "verdicts", ["action"])
    op.create_index("ix_verdicts_created_at", "verdicts", ["created_at"])

    op.create_table(
        "signals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "event_id",
            sa.String(200),
            sa.ForeignKey("events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("policy", sa.String(100), nullable=False),
        sa.Column("detector", sa.String(100), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
    )
    op.create_index("ix_signals_event_id", "signals", ["event_id"])
    op.create_index("ix_signals_detector", "signals", ["detector"])

    op.create_table(
        "shadow_verdicts",
        sa.Column("event_id", sa.String(200), primary_key=True),
        sa.Column("pack_version", sa.String(100), primary_key=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )

    op.create_table(
        "actions",
        sa.Column("id", sa.String(300), primary_key=True),
        sa.Column(
            "event_id",
            sa.String(200),
            sa.ForeignKey("events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("actor_id", sa.String(200), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("operation", sa.String(64), nullable=False),
        sa.Column("policies", sa.Text, nullable=False),
        sa.Column("pack_version", sa.String(100), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_actions_event_id", "actions", ["event_id"])
    op.create_index("ix_actions_actor_id", "actions", ["actor_id"])
    op.create_index("ix_actions_target", "actions", ["target_type", "target_id"])

    op.create_table(
        "pack_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("pack", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("yaml", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("promoted_at", _TS, nullable=True),
        sa.UniqueConstraint("pack", "version", name="uq_pack_versions_pack_version"),
    )

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("rate_limit_per_s", sa.Float, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
    )

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "api_keys",
        "pack_versions",
        "actions",
        "shadow_verdicts",
        "signals",
        "verdicts",
        "events",
    ):
        op.drop_table(table)
