"""Jobs: acked work in the database instead of a process's memory, and the worker pools that run it.

``jobs`` holds one row per lazy listener call a listener acked (its dedupe key unique), claimed by a
worker under a lease that a heartbeat renews; a job whose lease lapses is claimed again.
``job_workers`` lists running worker pools and when each last said so. ``requests.once_key`` names
the delivery that created a request, so a retried job finds the request and resumes it.

Revision ID: 0007_jobs
Revises: 0006_step_runs_append_only_audit
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007_jobs"
down_revision = "0006_step_runs_append_only_audit"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(128), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("run_after", TS, nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint("dedupe_key", name="uq_jobs_dedupe_key"),
    )
    op.create_index("ix_jobs_state_run_after", "jobs", ["state", "run_after"])
    op.create_table(
        "job_workers",
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("threads", sa.Integer(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("seen_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("owner", name="pk_job_workers"),
    )
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("once_key", sa.String(128), nullable=True))
        batch.create_index("ix_requests_once_key", ["once_key"])


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_index("ix_requests_once_key")
        batch.drop_column("once_key")
    op.drop_table("job_workers")
    op.drop_index("ix_jobs_state_run_after", table_name="jobs")
    op.drop_table("jobs")
