"""The spine: requests, plans, approvals, audit events, seen Slack events.

Revision ID: 0001_spine
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_spine"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column("status_ts", sa.String(32), nullable=False),
        sa.Column("lang", sa.String(4), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("entities", JSON, nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("cluster", sa.String(128), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("diagnosis", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_requests"),
    )
    op.create_index("ix_requests_target_state", "requests", ["target", "state"])
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "request_id", sa.Integer, sa.ForeignKey("requests.id", name="fk_plans_request_id_requests"), nullable=False
        ),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("title", JSON, nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("risk", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("steps", JSON, nullable=False),
        sa.Column("verify", JSON, nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("applied_at", TS, nullable=True),
        sa.Column("approvals_needed", sa.Integer, nullable=False),
        sa.Column("message_ts", sa.String(32), nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.Column(
            "reverts_plan_id",
            sa.Integer,
            sa.ForeignKey("plans.id", name="fk_plans_reverts_plan_id_plans"),
            nullable=True,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
    )
    op.create_index("ix_plans_status", "plans", ["status"])
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", name="fk_approvals_plan_id_plans"), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_approvals"),
        sa.UniqueConstraint("plan_id", "user_id", name="uq_approvals_plan_user"),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("request_id", sa.Integer, nullable=True),
        sa.Column("plan_id", sa.Integer, nullable=True),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_table(
        "seen_events",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_seen_events"),
    )


def downgrade() -> None:
    op.drop_table("seen_events")
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_table("approvals")
    op.drop_index("ix_plans_status", table_name="plans")
    op.drop_table("plans")
    op.drop_index("ix_requests_target_state", table_name="requests")
    op.drop_table("requests")
