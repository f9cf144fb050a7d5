"""A lease on each report while one run of it is in progress: ``report_configs.running_until``.

Two runs of one report at once (the scheduler's and an ops engineer's ``report run``, or two
replicas' schedulers in a hand-over) would both diff against the same last run and both post.
A run claims its report with a conditional update on this column and releases it when done; a
run that died leaves a lease that expires by itself.

Revision ID: 0005_report_claim
Revises: 0004_request_account
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_report_claim"
down_revision = "0004_request_account"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_configs") as batch:
        batch.add_column(sa.Column("running_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_configs") as batch:
        batch.drop_column("running_until")
