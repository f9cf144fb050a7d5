"""The registry lists features; the core's views of diagnosers and operations come from them alone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from unittest.mock import Mock

import pytest
from alembic.script import ScriptDirectory

from bot.bootstrap.scheduling import build_scheduler, job_named
from bot.cloud.context import ClusterContext, FeaturePorts
from bot.domain import Msg, PlanStep
from bot.errors import Misconfigured
from bot.services.core import Services
from bot.services.guardrails import NO_RULES, step_violations
from bot.settings import Settings
from bot.store.migrate import alembic_config, version_locations
from handlers import registry
from handlers.base import Wiring
from handlers.rds.inputs import RdsPorts
from handlers.rds.model import TagRule
from handlers.rds.persistence.book import RepoScheduleBook
from handlers.rds.settings import RdsSettings
from sandbox import Sandbox


def test_every_diagnoser_and_operation_belongs_to_exactly_one_feature() -> None:
    names = [f.name for f in registry.FEATURES]
    assert len(names) == len(set(names))
    owners = [f.name for f in registry.FEATURES for _ in f.diagnosers]
    assert len(owners) == len(registry.DIAGNOSERS)
    op_names = [op.name for op in registry.OPERATIONS]
    assert len(op_names) == len(set(op_names)), "two features define the same operation name"
    for feature in registry.FEATURES:
        for op in feature.operations:
            assert registry.operation(op.name) is op


def test_every_command_intent_is_answered_by_its_own_feature_diagnoser() -> None:
    for diagnoser, spec in registry.commands():
        assert registry.diagnoser_for(spec.intent) is diagnoser


@dataclass(frozen=True)
class OtherPorts:
    value: str = "other"


def test_feature_ports_hand_each_feature_only_its_own_object() -> None:
    rds = RdsPorts(default_tz="Asia/Seoul")
    ports = FeaturePorts(rds, OtherPorts())
    assert ports.get(RdsPorts) is rds
    assert ports.get(OtherPorts) == OtherPorts()
    assert FeaturePorts(OtherPorts()).get(RdsPorts) is None


def test_every_operation_a_diagnoser_proposes_is_in_the_registry() -> None:
    # the schedule steps write the bot's own tables, yet they are listed like any other operation
    for name in ("rds.stop", "rds.start", "rds.schedule.upsert", "rds.override.add"):
        assert registry.operation(name).name == name
    services_view = Services.__dataclass_fields__["operations"].default_factory()
    assert set(services_view) == {op.name for op in registry.OPERATIONS}


def test_feature_ports_are_built_from_the_wiring_the_core_offers() -> None:
    settings = Settings(default_timezone="Asia/Seoul")
    book = object()
    own = {"rds": RdsSettings(autostop_tag="team=night", sweep_minutes=15)}
    [rds] = registry.ports(Wiring(settings, {"rds": book}, own))
    assert isinstance(rds, RdsPorts)
    assert (rds.book, rds.store, rds.tag, rds.default_tz) == (book, book, TagRule("team", "night"), "Asia/Seoul")
    assert rds.sweep_minutes == 15 == registry.jobs()[0].every_minutes(FeaturePorts(rds))
    [bare] = registry.ports(Wiring(settings))
    assert bare.store is None and bare.book.schedules() == []


def test_a_features_settings_have_their_own_prefix_and_still_read_the_older_names(monkeypatch) -> None:
    monkeypatch.setenv("AUTOSTOP_TAG", "team=old")
    monkeypatch.setenv("SWEEP_MINUTES", "7")
    assert registry.feature_settings()["rds"] == RdsSettings(autostop_tag="team=old", sweep_minutes=7)
    monkeypatch.setenv("RDS_AUTOSTOP_TAG", "team=new")
    assert registry.feature_settings()["rds"].autostop_tag == "team=new"
    assert "autostop_tag" not in Settings.model_fields and "sweep_minutes" not in Settings.model_fields


def test_a_bad_feature_setting_is_named_with_every_name_it_is_read_from(monkeypatch) -> None:
    from bot.preflight import load_settings

    monkeypatch.setenv("SWEEP_MINUTES", "often")
    problem = load_settings()
    assert isinstance(problem, str)
    assert problem.startswith("RDS_SWEEP_MINUTES or SWEEP_MINUTES is not valid (")


def test_a_schedule_step_without_a_store_is_refused_before_any_write() -> None:
    ctx = ClusterContext(aws=Mock(), kube=Mock(), ports=FeaturePorts(RdsPorts()))
    op = registry.operation("rds.schedule.upsert")
    with pytest.raises(Misconfigured, match="no schedule store"):
        op.read(ctx, {"target_kind": "cluster", "target_id": "portal"})
    assert ctx.aws.mock_calls == [] and ctx.kube.mock_calls == []


def test_exactly_one_feature_judges_iam_policies_and_without_it_every_policy_write_is_refused(monkeypatch) -> None:
    assert [f.name for f in registry.FEATURES if f.policy_rules is not None] == ["irsa"]
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    step = PlanStep("iam.policy.put", {"role_name": "app"}, None, doc, Msg("put", "put"))
    assert not any("no feature judges" in r for r in step_violations(step, ["app"]))
    monkeypatch.setattr(registry, "policy_rules", lambda: None)
    assert step_violations(step, ["app"]) == [f"policy document: {NO_RULES}"]


def test_a_features_revisions_are_a_version_location_of_the_one_chain() -> None:
    assert registry.migration_packages() == ("handlers.rds.migrations",)
    locations = version_locations()
    assert [p.name for p in locations] == ["versions", "migrations"]
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    rds = scripts.get_revision("0002_rds_schedules")
    assert Path(rds.path).parent == locations[1]
    assert scripts.get_revision("0003_reports").down_revision == "0002_rds_schedules"
    assert len(scripts.get_heads()) == 1


def test_the_scheduler_runs_every_features_jobs_through_the_features_ports(moto_sandbox) -> None:
    assert [job.name for job in registry.jobs()] == ["rds-sweep"]
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        engine = build_scheduler(sb.bot)
        assert {"rds-sweep", "plans-expire", "applying-reconcile"} <= set(engine.job_names)
        sweep = job_named(sb.bot, "rds-sweep")
        assert isinstance(sweep.store, RepoScheduleBook) and sweep.default_tz == sb.bot.settings.default_timezone
        assert engine.run_now("rds-sweep").done == []  # no database in this world: nothing to stop or start
        with pytest.raises(KeyError, match="no feature has a job called 'nightly'"):
            job_named(sb.bot, "nightly")


def test_report_kinds_are_the_cores_and_those_the_features_bring() -> None:
    from bot.services.reports import CORE_KINDS, KINDS

    brought = [kind.name for f in registry.FEATURES for kind in f.reports]
    assert brought and KINDS == (*CORE_KINDS, *brought)
    assert not set(CORE_KINDS) & set(brought), "a feature's report kind shadows one of the core's"


def test_each_features_store_is_built_on_the_cores_session_factory(tmp_path) -> None:
    from bot.store.db import make_engine, make_session_factory
    from bot.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'stores.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        stores = registry.stores(make_session_factory(engine))
        assert set(stores) == {f.name for f in registry.FEATURES if f.store is not None} == {"rds"}
        assert isinstance(stores["rds"], RepoScheduleBook) and stores["rds"].every_schedule() == []
    finally:
        engine.dispose()


def test_health_sections_come_from_the_features_and_the_catch_all_runs_last() -> None:
    sections = registry.health_sections()
    assert [s.key for s in sections] == ["image_pull", "sysctl", "ingress", "not_ready"]
    assert len({s.key for s in sections}) == len(sections)
    owners = {s.key: f.name for f in registry.FEATURES for s in f.health}
    assert owners == {"image_pull": "image_pull", "sysctl": "sysctl", "ingress": "irsa", "not_ready": "pods"}


def test_the_parsers_vocabulary_is_the_cores_share_and_each_features() -> None:
    from bot.parsing.core_signals import SIGNALS as CORE
    from bot.services.reading import VOCABULARY

    for package, feature in zip(registry.PACKAGES, registry.FEATURES, strict=True):
        assert feature.signals is package.SIGNALS, feature.name
    assert registry.signals() == tuple(f.signals for f in registry.FEATURES)
    intents = {p.intent for share in (CORE, *registry.signals()) for p in share.pairings}
    assert set(VOCABULARY.intents) == intents | {"other"}
    answered = {i for d in registry.DIAGNOSERS for i in d.intents}
    assert intents - {"help"} <= answered, "the parser reads an intent no diagnoser answers"


def test_a_feature_left_out_of_the_vocabulary_is_no_longer_read() -> None:
    from bot.parsing import Vocabulary, parse
    from bot.parsing.core_signals import SIGNALS as CORE
    from handlers import rds

    text = "please stop the orders database every night at 9pm"
    everything = Vocabulary((CORE, *registry.signals()))
    assert parse(text, everything).intent == "rds_schedule"
    without_rds = Vocabulary((CORE, *(s for s in registry.signals() if s is not rds.SIGNALS)))
    assert parse(text, without_rds).intent != "rds_schedule"


def test_reading_text_loads_no_feature_beyond_its_signals() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from bot.services.reading import parse; parse('pods in cloudon');"
        "heavy = sorted(m for m in ('boto3', 'kubernetes', 'sqlalchemy', 'handlers.irsa.feature') if m in sys.modules);"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_a_features_tools_are_chatops_sub_commands() -> None:
    import contextlib
    import io

    from bot.cli import PASSTHROUGH, build_parser

    tools = registry.tools()
    assert tools == tuple(t for f in registry.FEATURES for t in f.tools)
    assert {t.name for t in tools} == {"check-trust", "check-permission"}
    listed = build_parser().format_help()
    assert all(t.name in listed and t.name in PASSTHROUGH for t in tools)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = PASSTHROUGH["check-trust"](__import__("argparse").Namespace(rest=["--help"]))
    assert code == 0 and "--policy FILE" in out.getvalue()
