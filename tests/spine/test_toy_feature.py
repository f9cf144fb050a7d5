"""A feature is one folder and one registry line: a toy package written at test time, listed by adding
it to ``registry.PACKAGES``, answers its own ``/ops`` command over signed HTTP, proposes a plan of its
own operation, is applied on an approver's click, brings its own table through its own Alembic
revision on the core's chain, and has its scheduled job run by the core, with no core file changed.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.bootstrap.scheduling import build_scheduler
from bot.domain import Msg
from bot.store.base import Base
from bot.store.migrate import alembic_config
from handlers import registry
from handlers.base import Diagnoser
from sandbox.runtime import OPS, REPORTS_CHANNEL, REQUEST_CHANNEL, Sandbox
from tests.polling import wait

TOY = "toy_counter"
TOY_REVISION = "toy_counter_0001"

INIT = '''
"""A toy feature: ``/ops counter NAME VALUE`` sets a named counter once ops approve, and a scheduled
job ticks the counter called ``ticks``."""

from bot.parsing.vocabulary import Signals

SIGNALS = Signals()

from toy_counter.feature import FEATURE  # noqa: E402 - after SIGNALS, which the feature carries
'''

PERSISTENCE = '''
"""The toy's one table, declared on the core's shared metadata, and the store over it."""

from sqlalchemy import Column, Integer, String, Table, delete, insert, select, update

from bot.store.base import Base

COUNTERS = Table(
    "toy_counters",
    Base.metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)


class CounterStore:
    def __init__(self, sessions):
        self.sessions = sessions

    def get(self, name):
        with self.sessions() as s:
            return s.execute(select(COUNTERS.c.value).where(COUNTERS.c.name == name)).scalar_one_or_none()

    def set(self, name, value):
        with self.sessions.begin() as s:
            if value is None:
                s.execute(delete(COUNTERS).where(COUNTERS.c.name == name))
            elif s.execute(update(COUNTERS).where(COUNTERS.c.name == name).values(value=value)).rowcount == 0:
                s.execute(insert(COUNTERS).values(name=name, value=value))
'''

REVISION = '''
"""The toy's counters table.

Revision ID: {revision}
Revises: {down}
"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "toy_counters",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_toy_counters"),
    )


def downgrade() -> None:
    op.drop_table("toy_counters")
'''

FEATURE = '''
"""The toy feature as the registry lists it: a diagnoser, its operation, its store, ports and job."""

from dataclasses import dataclass

from bot.domain import Diagnosis, Finding, FixPlan, Msg, PlanStep, Risk, Severity, Verification
from bot.errors import Misconfigured, UsageError
from handlers.base import CommandSpec, Feature, Job, inverse_step
from toy_counter import SIGNALS
from toy_counter.persistence import CounterStore

SET = "toy.counter.set"


@dataclass(frozen=True)
class ToyPorts:
    store: CounterStore | None = None


def _store(ctx):
    ports = ctx.ports.get(ToyPorts)
    if ports is None or ports.store is None:
        raise Misconfigured("toy counters have no store in this process")
    return ports.store


def _parse(args):
    if len(args) != 2 or not args[1].isdigit():
        raise UsageError("usage: counter NAME VALUE", "사용법: counter NAME VALUE")
    return {"name": args[0], "value": args[1]}


class SetCounter:
    name = SET
    reversible = True
    min_risk = Risk.LOW

    def read(self, ctx, params):
        return _store(ctx).get(params["name"])

    def apply(self, ctx, step):
        _store(ctx).set(step.params["name"], step.after)
        return self.read(ctx, step.params)

    def revert(self, step, observed_after):
        name = step.params["name"]
        return inverse_step(step, Msg(f"Put counter {name} back", f"{name} 카운터 되돌리기"), observed_after)


class CounterDiagnoser:
    name = "toy_counter"
    intents = ("toy_counter",)
    commands = (
        CommandSpec(
            "counter", "counter NAME VALUE", Msg("Set a toy counter", "장난감 카운터 설정"), "toy_counter", _parse
        ),
    )
    intent_labels = {"toy_counter": Msg("A toy counter", "장난감 카운터")}
    needs_kubernetes = False

    def diagnose(self, ctx, request):
        name, value = request.entities["name"], int(request.entities["value"])
        current = _store(ctx).get(name)
        step = PlanStep(
            SET, {"name": name}, current, value, Msg(f"Set counter {name} to {value}", f"{name} = {value}"), Risk.LOW
        )
        plan = FixPlan(
            kind=self.name,
            title=Msg(f"Set counter {name}", f"{name} 카운터 설정"),
            steps=(step,),
            risk=Risk.LOW,
            target=name,
            verify={"name": name, "value": value},
        )
        finding = Finding("toy_counter.value", Severity.INFO, Msg(f"{name} is {current}", f"{name}: {current}"))
        return Diagnosis(self.name, name, Msg(f"Counter {name}", f"{name} 카운터"), (finding,), (plan,))

    def verify(self, ctx, plan):
        live = _store(ctx).get(plan.verify["name"])
        ok = live == plan.verify["value"]
        return Verification(ok, Msg(f"the counter reads {live}", f"카운터 값 {live}"))


def _tick(wiring):
    store = wiring.ctx.ports.get(ToyPorts).store

    def run():
        value = (store.get("ticks") or 0) + 1
        store.set("ticks", value)
        wiring.notify(f"toy counter ticked to {value}", f"장난감 카운터 {value}", {})
        wiring.audit("schedule_action", f"toy tick {value}", value - 1, value)
        return value

    return run


DIAGNOSER = CounterDiagnoser()

FEATURE = Feature(
    name="toy_counter",
    diagnosers=(DIAGNOSER,),
    operations=(SetCounter(),),
    store=CounterStore,
    ports=lambda wiring: ToyPorts(wiring.stores.get("toy_counter")),
    migrations="toy_counter.migrations",
    jobs=(Job("toy-counter-tick", _tick, lambda ports: 5.0),),
    signals=SIGNALS,
)
'''


def _write_toy(root: Path, down_revision: str) -> None:
    package = root / TOY
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(INIT).lstrip())
    (package / "persistence.py").write_text(textwrap.dedent(PERSISTENCE).lstrip())
    (package / "feature.py").write_text(textwrap.dedent(FEATURE).lstrip())
    (package / "migrations" / "__init__.py").write_text('"""The toy\'s Alembic revisions."""\n')
    revision = textwrap.dedent(REVISION).lstrip().format(revision=TOY_REVISION, down=down_revision)
    (package / "migrations" / f"{TOY_REVISION}.py").write_text(revision)


def _forget_toy() -> None:
    for name in [m for m in sys.modules if m == TOY or m.startswith(f"{TOY}.")]:
        del sys.modules[name]
    table = Base.metadata.tables.get("toy_counters")
    if table is not None:
        Base.metadata.remove(table)


@pytest.fixture
def core_head() -> str:
    """The head of the core's chain as it is, before the toy joins it."""
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1
    return heads[0]


@pytest.fixture
def toy(tmp_path, monkeypatch, core_head):
    """The toy package on ``sys.path`` and in the registry, for one test; gone again afterwards."""
    _write_toy(tmp_path / "features", core_head)
    monkeypatch.syspath_prepend(str(tmp_path / "features"))
    module = importlib.import_module(TOY)
    monkeypatch.setattr(registry, "PACKAGES", (*registry.PACKAGES, module))  # the one registry line
    registry.reset()
    try:
        yield module
    finally:
        monkeypatch.undo()
        registry.reset()
        _forget_toy()
    assert TOY not in {f.name for f in registry.FEATURES}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    """Empty on SQLite (the sandbox makes its own file); a fresh, unmigrated PostgreSQL database."""
    if request.param == "sqlite":
        yield ""
        return
    from tests.pg import fresh_database

    with fresh_database() as url:
        yield url


def _value(sb: Sandbox, name: str):
    with sb.bot.engine.connect() as conn:
        return conn.execute(text("SELECT value FROM toy_counters WHERE name = :n"), {"n": name}).scalar_one_or_none()


def test_the_toy_is_a_diagnoser_as_the_core_reads_one(toy) -> None:
    [diagnoser] = toy.FEATURE.diagnosers
    for attr in Diagnoser.__annotations__:
        assert hasattr(diagnoser, attr), attr
    assert callable(diagnoser.diagnose) and callable(diagnoser.verify)
    assert isinstance(diagnoser.needs_kubernetes, bool) and diagnoser.needs_kubernetes is False
    assert set(diagnoser.intent_labels) == set(diagnoser.intents)
    assert all(isinstance(label, Msg) for label in diagnoser.intent_labels.values())
    assert registry.diagnoser_for("toy_counter") is diagnoser
    assert registry.operation("toy.counter.set") in toy.FEATURE.operations


def test_the_toys_revision_follows_the_cores_head(toy, core_head) -> None:
    assert registry.migration_packages()[-1] == "toy_counter.migrations"
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert scripts.get_heads() == [TOY_REVISION]
    assert scripts.get_revision(TOY_REVISION).down_revision == core_head


def test_a_toy_feature_answers_its_command_is_applied_on_approval_and_its_job_runs(
    toy, moto_sandbox, database_url
) -> None:
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox, database_url=database_url) as sb:
        # its revision is on the one chain, after the core's head, and its table exists
        with sb.bot.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [TOY_REVISION]
        assert "toy_counters" in inspect(sb.bot.engine).get_table_names()

        help_text = sb.slash("help").json()["text"]
        assert "counter NAME VALUE" in help_text

        assert sb.slash("counter hits 41").status_code == 200
        req = sb.wait_request(lambda r: r.intent == "toy_counter")
        assert req.state == "open" and req.entities == {"name": "hits", "value": "41"}
        plan = sb.latest_plan(req.id)
        assert plan.kind == "toy_counter" and plan.status == "proposed"
        assert [(s["op"], s["before"], s["after"]) for s in plan.steps] == [("toy.counter.set", None, 41)]
        message = next(m for m in sb.slack.messages(REQUEST_CHANNEL) if m.ts == plan.message_ts)
        buttons = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
        assert {b["action_id"] for b in buttons} == {"approve_plan", "reject_plan"}
        assert all(b["value"] == str(plan.id) for b in buttons)
        assert _value(sb, "hits") is None  # nothing is written before the approval

        done = sb.approve(plan.id, user=OPS)
        assert done.status == "applied"
        assert _value(sb, "hits") == 41
        kinds = [r.kind for r in sb.repo.audit_rows(plan_id=plan.id)]
        assert {"approved", "applied", "verified"} <= set(kinds)

        # the leader's scheduler has the toy's job; driven here as a test drives time
        assert "toy-counter-tick" in build_scheduler(sb.bot).job_names
        tick = sb.bot.job("toy-counter-tick", channel=REPORTS_CHANNEL)
        tick()
        tick()
        assert _value(sb, "ticks") == 2
        wait(
            lambda: "장난감 카운터 2" in [m.text for m in sb.slack.messages(REPORTS_CHANNEL)],
            what="the job's notice in the report channel (the sandbox speaks Korean)",
        )
        ticks = [r.summary for r in sb.repo.audit_rows() if r.kind == "schedule_action" and r.actor == "scheduler"]
        assert sorted(ticks) == ["toy tick 1", "toy tick 2"]

        # the toy's table, declared on the core's metadata, and its revision describe one schema
        with sb.bot.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata) == []
