"""The ``chatops`` command line: help for every option, ``--version``, exit codes CI can gate on,
``parse`` reading ``/ops`` text as the slash command does, and what ``serve`` only warns about."""

from __future__ import annotations

import argparse
import io
import json
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

import pytest

from bot import cli, preflight, serving
from bot.bootstrap import build
from bot.services.commands import parse_command
from bot.settings import Settings
from handlers.irsa import cli as irsa_cli
from tests.cli.helpers import FAKE_AWS, ROLES, SLACK, assert_refused, chatops

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "irsa"
SUBJECT = "system:serviceaccount:cloudon:aws-load-balancer-controller"
LB = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/x/y"


def _options(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from ((f"{name} {opt}", a) for opt, a in _options(sub))
        elif not isinstance(action, argparse._HelpAction):
            yield "/".join(action.option_strings) or action.dest, action


def test_every_option_and_sub_command_has_help():
    parser = cli.build_parser()
    missing = [name for name, action in _options(parser) if not action.help]
    assert missing == []
    (subs,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(subs.choices) == {
        "serve",
        "socket",
        "worker",
        "migrate",
        "parse",
        "diagnose",
        "audit",
        "demo",
        "check-trust",
        "check-permission",
    }
    assert all(choice.help for choice in subs._choices_actions)


@pytest.mark.parametrize("main", [irsa_cli.check_trust_main, irsa_cli.check_permission_main])
def test_every_policy_check_option_has_help(monkeypatch, main):
    seen: list[argparse.ArgumentParser] = []
    monkeypatch.setattr(irsa_cli, "_parse", lambda parser, argv, stdout: seen.append(parser))
    main([], io.StringIO())
    (parser,) = seen
    assert [name for name, action in _options(parser) if not action.help] == []


def test_help_texts_print_and_exit_0(tmp_path):
    for args in (
        ["--help"],
        ["serve", "--help"],
        ["diagnose", "--help"],
        ["parse", "--help"],
        ["check-trust", "--help"],
        ["audit", "--help"],
    ):
        done = chatops(tmp_path, *args)
        assert done.returncode == 0 and done.stderr == "", (args, done.stderr)
    assert "--cluster NAME" in chatops(tmp_path, "diagnose", "--help").stdout
    assert "exit 0 admitted, 1 not" in " ".join(chatops(tmp_path, "--help").stdout.split())  # argparse wraps


def test_version_is_the_installed_distributions(tmp_path):
    done = chatops(tmp_path, "--version")
    assert done.returncode == 0 and done.stdout.strip() == f"chatops {version('eks-chatops')}"


# Exit codes for CI --------------------------------------------------------------------------------------


def test_check_trust_exit_codes(tmp_path):
    admitted = chatops(
        tmp_path, "check-trust", "--policy", str(FIXTURES / "trust_seed_notes_after.json"), "--subject", SUBJECT
    )
    not_admitted = chatops(
        tmp_path, "check-trust", "--policy", str(FIXTURES / "trust_seed_before.json"), "--subject", SUBJECT
    )
    bad = chatops(tmp_path, "check-trust", "--policy", str(tmp_path / "missing.json"), "--subject", SUBJECT)
    assert (admitted.returncode, json.loads(admitted.stdout)["admitted"]) == (0, True)
    assert (not_admitted.returncode, json.loads(not_admitted.stdout)["admitted"]) == (1, False)
    assert bad.returncode == 2 and "missing.json" in json.loads(bad.stdout)["error"]


def test_check_permission_exit_codes(tmp_path):
    base = [
        "check-permission",
        "--policy",
        str(FIXTURES / "lbc_iam_policy.json"),
        "--action",
        "elasticloadbalancing:DeleteLoadBalancer",
        "--resource",
        LB,
    ]
    allowed = chatops(tmp_path, *base, "--context", "aws:ResourceTag/elbv2.k8s.aws/cluster=prod")
    denied = chatops(tmp_path, *base)
    explicit = chatops(
        tmp_path,
        *base,
        "--policy",
        str(FIXTURES / "policy_deny_prod_lb_delete.json"),
        "--context",
        "aws:ResourceTag/elbv2.k8s.aws/cluster=prod",
        "--context",
        "aws:ResourceTag/env=prod",
    )
    bad = chatops(tmp_path, *base, "--context", "novalue")
    assert (allowed.returncode, json.loads(allowed.stdout)["decision"]) == (0, "allowed")
    assert (denied.returncode, json.loads(denied.stdout)["decision"]) == (1, "implicit_deny")
    assert (explicit.returncode, json.loads(explicit.stdout)["decision"]) == (1, "explicit_deny")
    assert bad.returncode == 2 and "KEY=VALUE" in json.loads(bad.stdout)["error"]


# parse: /ops text as the slash command reads it -------------------------------------------------------------


def _as_slack_reads_it(text: str) -> dict:
    bot = build(Settings(database_url="sqlite://", slack_signing_secret="x"))
    return {"command": "/ops", **asdict(parse_command(text, frozenset(bot.deps.builtins)))}


@pytest.mark.parametrize(
    "text",
    [
        "rds list --cluster prod",
        "pods -A",
        "report list",
        "restart cloudon/api-1",
        'rds schedule portal stop "0 20 * * 1-5" start "0 8 * * 1-5"',
        "cloudon 네임스페이스 ingress 삭제가 안돼요",
        "help",
    ],
)
def test_parse_reads_ops_text_as_the_slash_command(tmp_path, text):
    done = chatops(tmp_path, "parse", f"/ops {text}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(_as_slack_reads_it(text)))


def test_parse_reads_ops_text_from_stdin_too(tmp_path):
    text = "/ops rds keep-running portal for 2h --cluster prod\n"
    piped = chatops(tmp_path, "parse", "-", stdin=text)
    assert piped.returncode == 0 and piped.stdout == chatops(tmp_path, "parse", text.strip()).stdout
    assert json.loads(piped.stdout)["intent"] == "rds_schedule"


def test_parse_ops_knows_the_built_ins_the_bot_registers(tmp_path):
    done = json.loads(chatops(tmp_path, "parse", "/ops", "report", "list").stdout)
    assert done["kind"] == "report" and done["args"] == ["list"]  # a built-in of the reports feature, not free text
    picked = json.loads(chatops(tmp_path, "parse", "/ops", "rds", "list", "--cluster", "prod").stdout)
    assert picked["cluster"] == "prod"


def test_parse_ops_usage_errors_are_one_line_exit_2(tmp_path):
    assert_refused(chatops(tmp_path, "parse", "/ops frobnicate the widgets"), "usage error", "unknown command")
    assert_refused(chatops(tmp_path, "parse", '/ops pods "cloudon'), "usage error", "check the quotes")


def test_parse_of_plain_text_keeps_its_contract(tmp_path):
    done = chatops(tmp_path, "parse", "show", "pods", "in", "cloudon")
    result = json.loads(done.stdout)
    assert done.returncode == 0 and result["intent"] == "pods" and "kind" not in result


# serve: refusals and warnings -------------------------------------------------------------------------------


@pytest.fixture
def ready(monkeypatch, tmp_path):
    """Settings under which serve has everything it needs: the warnings are what is left."""
    from bot.bootstrap import migrate

    url = f"sqlite:///{tmp_path / 'chatops.db'}"
    migrate(url)
    for key, value in {**FAKE_AWS, "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(key, value)
    return dict(
        database_url=url,
        kube_host="https://127.0.0.1:6443",
        role_allow_patterns=ROLES["ROLE_ALLOW_PATTERNS"],
        slack_bot_token=SLACK["SLACK_BOT_TOKEN"],
        slack_signing_secret=SLACK["SLACK_SIGNING_SECRET"],
    )


def test_serve_without_approvers_or_channels_warns_and_starts(ready):
    found = preflight.serve_findings(Settings(**ready))
    assert [f.refuse for f in found] == [False, False]
    assert "APPROVER_USER_IDS" in found[0].message and "REQUEST_CHANNELS" in found[1].message
    err = io.StringIO()
    assert preflight.report(found, err) == 0
    assert err.getvalue().splitlines()[0].startswith("warning: no approvers configured")


def test_serve_with_approvers_and_channels_says_nothing(ready):
    settings = Settings(**ready, approver_usergroup="S0123ABCD", request_channels="C0123REQS")
    assert preflight.serve_findings(settings) == []


def test_serve_refuses_before_it_warns(ready):
    found = preflight.serve_findings(Settings(**{**ready, "role_allow_patterns": ""}))
    assert [f.refuse for f in found] == [True]
    err = io.StringIO()
    assert preflight.report(found, err) == 2 and len(err.getvalue().splitlines()) == 1


def test_serve_logs_its_warnings_and_starts(ready, monkeypatch, caplog):
    import logging

    import uvicorn

    from bot import logging_setup

    served = []
    for key, value in {
        "DATABASE_URL": ready["database_url"],
        "KUBE_HOST": ready["kube_host"],
        "ROLE_ALLOW_PATTERNS": ready["role_allow_patterns"],
        **SLACK,
        "APPROVER_USER_IDS": "",
        "APPROVER_USERGROUP": "",
        "REQUEST_CHANNELS": "C0123REQS",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "SLACK_TEAM_ID": "T1",
        "CLUSTERS_FILE": "",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(logging_setup, "configure", lambda *a, **k: None)  # keep pytest's log capture
    monkeypatch.setattr(serving, "start_background", lambda bot: [])
    monkeypatch.setattr(serving, "exit_on_sigterm", lambda: None)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.append(kwargs["port"]))
    with caplog.at_level(logging.WARNING, logger="bot.cli"):
        assert cli.main(["serve", "--port", "3999"]) == 0
    assert served == [3999]  # it did start
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.cli"]
    assert any(m.startswith("no approvers configured") and "APPROVER_USERGROUP" in m for m in messages)
    assert not any("REQUEST_CHANNELS" in m for m in messages)


def test_start_up_tuning_freezes_the_start_up_heap_and_widens_young_collections():
    """In a fresh interpreter (freezing pytest's own heap would keep every later test's garbage)."""
    import gc
    import subprocess
    import sys

    probe = (
        "import gc, json; from bot import serving; before = gc.get_freeze_count(); "
        "serving.tune_garbage_collector(); "
        "print(json.dumps([before, gc.get_freeze_count(), gc.get_threshold()]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    before, after, threshold = json.loads(out)
    assert before == 0 and after > 0
    assert threshold == [serving.YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:]]  # the older ones as they were
