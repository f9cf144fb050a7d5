"""Record the AWS account each request (and so each of its plans) ran against.

``requests.cluster`` already names the cluster; with many accounts the same cluster name can
live in two of them, so the account is recorded beside it (filled from the clusters file by
``bot.services.clusters.ClusterContexts.account_of``). Plans belong to a request and inherit both.

Revision ID: 0004_request_account
Revises: 0003_reports
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_request_account"
down_revision = "0003_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("account_id", sa.String(32), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("account_id")
