"""Step runs (an intent row before each write, its outcome after) and an append-only audit table.

``step_runs``: ``ApplyService`` commits one row per step before the AWS or Kubernetes write and
records the outcome after it, so a replica killed in between leaves a row that says which write
may have happened; start-up reconciliation reads live state into it.

``audit_events`` becomes append-only in the database itself: a trigger refuses UPDATE and DELETE
(on PostgreSQL also TRUNCATE) for every role, the bot's and the one that runs migrations alike.
Only a later migration can drop the triggers. On SQLite, a future ``batch_alter_table`` on
``audit_events`` recreates the table and so drops its triggers: such a migration must create them
again (``create_append_only_triggers``).

Revision ID: 0006_step_runs_append_only_audit
Revises: 0005_report_claim
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006_step_runs_append_only_audit"
down_revision = "0005_report_claim"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)

REFUSAL = "audit_events is append-only"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{REFUSAL}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE PROCEDURE audit_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE PROCEDURE audit_events_append_only()"
        )
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM PUBLIC")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}: {verb} refused'); END"
        )


def drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_events_no_{verb}")


def upgrade() -> None:
    op.create_table(
        "step_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", name="fk_step_runs_plan_id_plans"), nullable=False),
        sa.Column("step_index", sa.Integer, nullable=False),
        sa.Column("op", sa.String(128), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("observed", JSON, nullable=True),
        sa.Column("live", JSON, nullable=True),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("reconciled_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_step_runs"),
        sa.UniqueConstraint("plan_id", "step_index", name="uq_step_runs_plan_step"),
    )
    create_append_only_triggers()


def downgrade() -> None:
    drop_append_only_triggers()
    op.drop_table("step_runs")
