"""RDS schedules, keep-running overrides and the stop/start action log.

Revision ID: 0002_rds_schedules
Revises: 0001_spine
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_rds_schedules"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rds_schedules",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cluster_key", sa.String(128), nullable=False, server_default=""),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(255), nullable=False),
        sa.Column("stop_cron", sa.String(128), nullable=False),
        sa.Column("start_cron", sa.String(128), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("approved_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rds_schedules"),
        sa.UniqueConstraint("cluster_key", "target_kind", "target_id", name="uq_rds_schedules_target"),
    )
    op.create_table(
        "rds_overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "schedule_id",
            sa.Integer,
            sa.ForeignKey("rds_schedules.id", name="fk_rds_overrides_schedule_id_rds_schedules", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("until", TS, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rds_overrides"),
    )
    op.create_index("ix_rds_overrides_until", "rds_overrides", ["until"])
    op.create_table(
        "rds_actions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(255), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("cause", sa.String(96), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rds_actions"),
    )
    op.create_index("ix_rds_actions_at", "rds_actions", ["at"])


def downgrade() -> None:
    op.drop_index("ix_rds_actions_at", table_name="rds_actions")
    op.drop_table("rds_actions")
    op.drop_index("ix_rds_overrides_until", table_name="rds_overrides")
    op.drop_table("rds_overrides")
    op.drop_table("rds_schedules")
