"""Scheduled reports: report_configs and report_runs.

Revision ID: 0003_reports
Revises: 0002_rds_schedules
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003_reports"
down_revision = "0002_rds_schedules"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "report_configs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("cron", sa.String(128), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(4), nullable=False, server_default="en"),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_configs"),
    )
    op.create_table(
        "report_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "report_id",
            sa.Integer,
            sa.ForeignKey("report_configs.id", name="fk_report_runs_report_id_report_configs"),
            nullable=False,
        ),
        sa.Column("at", TS, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("posted_ts", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_runs"),
    )
    op.create_index("ix_report_runs_report_id_at", "report_runs", ["report_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_report_runs_report_id_at", table_name="report_runs")
    op.drop_table("report_runs")
    op.drop_table("report_configs")
