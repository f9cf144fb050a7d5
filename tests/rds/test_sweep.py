"""The pure sweep: transitions, self-restart detection, one catch-up, humans not overruled, adoption."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from handlers.rds.model import ActionRecord, Inventory
from handlers.rds.schedule import Override, Schedule
from handlers.rds.sweep import plan_sweep
from tests.rds.helpers import fixture_inventory, kst

PORTAL = Schedule("cluster", "portal", "0 20 * * 1-5", "0 8 * * 1-5", "Asia/Seoul", id=7)


def with_status(inv: Inventory, kind: str, ident: str, status: str) -> Inventory:
    return Inventory.of(replace(d, status=status) if d.key == (kind, ident) else d for d in inv.databases)


def test_stop_at_the_stop_firing_and_nothing_before():
    inv = fixture_inventory()
    assert plan_sweep(inv, [PORTAL], [], [], kst(2026, 11, 23, 19, 59)).actions == ()
    plan = plan_sweep(inv, [PORTAL], [], [], kst(2026, 11, 23, 20, 0))
    [act] = plan.actions
    assert (act.action, act.decision.api, act.key, act.cause, act.catch_up) == (
        "stop",
        "stop_db_cluster",
        ("cluster", "portal"),
        "schedule:7",
        False,
    )


def test_schedule_on_a_member_acts_on_the_cluster_once():
    inv = fixture_inventory()
    member = Schedule("instance", "portal-rds-1", tz="Asia/Seoul", id=8)
    plan = plan_sweep(inv, [member, PORTAL], [], [], kst(2026, 11, 23, 21, 0))
    assert [a.key for a in plan.actions] == [("cluster", "portal")]


def test_self_restart_is_caught_and_labelled():
    inv = fixture_inventory()  # portal is running (AWS started it again)
    history = [ActionRecord(kst(2026, 11, 27, 20, 0), "cluster", "portal", "stop", "schedule:7")]
    plan = plan_sweep(inv, [PORTAL], [], history, kst(2026, 11, 29, 3, 5))  # Sunday
    [act] = plan.actions
    assert act.cause == "self_restart"
    assert "started itself" in act.reason.en and "7" in act.reason.ko


def test_missed_windows_are_caught_up_once():
    inv = fixture_inventory()
    # The bot was down from Monday 19:00 to 23:30: one stop, flagged as catch-up.
    plan = plan_sweep(inv, [PORTAL], [], [], kst(2026, 11, 23, 23, 30))
    [act] = plan.actions
    assert act.catch_up and "catching up once" in act.reason.en
    # Once stopped, the next sweeps do nothing, however many firings were missed.
    stopped = with_status(inv, "cluster", "portal", "stopped")
    history = [ActionRecord(kst(2026, 11, 23, 23, 30), "cluster", "portal", "stop", "schedule:7")]
    assert plan_sweep(stopped, [PORTAL], [], history, kst(2026, 11, 23, 23, 35)).actions == ()
    # Down over a whole weekend while stopped: Monday 09:00 gives exactly one start.
    plan = plan_sweep(stopped, [PORTAL], [], history, kst(2026, 11, 30, 9, 0))
    assert [(a.action, a.catch_up) for a in plan.actions] == [("start", True)]


def test_override_keeps_it_running_and_a_user_start_is_not_overruled():
    inv = fixture_inventory()
    ovr = Override("cluster", "portal", kst(2026, 11, 23, 23, 0))
    assert plan_sweep(inv, [PORTAL], [ovr], [], kst(2026, 11, 23, 21, 0)).actions == ()
    user = [
        ActionRecord(kst(2026, 11, 23, 20, 0), "cluster", "portal", "stop", "schedule:7"),
        ActionRecord(kst(2026, 11, 23, 21, 0), "cluster", "portal", "start", "user:U123"),
    ]
    plan = plan_sweep(inv, [PORTAL], [], user, kst(2026, 11, 23, 21, 5))
    assert plan.actions == ()
    [note] = plan.notes
    assert note.code == "rds.sweep.user_override" and "<@U123>" in note.message.en


def test_refusal_is_reported_once_per_period():
    inv = fixture_inventory()
    sch = Schedule("instance", "reports-db-ro", tz="Asia/Seoul", id=9)
    now = kst(2026, 11, 23, 20, 5)
    [note] = plan_sweep(inv, [sch], [], [], now).notes
    assert (note.code, note.repeat, note.decision.code) == (
        "rds.sweep.refused",
        False,
        "rds.refuse.read_replica",
    )
    seen = [ActionRecord(now, "instance", "reports-db-ro", "stop", "schedule", "refused")]
    [again] = plan_sweep(inv, [sch], [], seen, now + timedelta(minutes=5)).notes
    assert again.repeat


def test_tagged_databases_without_schedule_are_proposed_once():
    inv = fixture_inventory()
    plan = plan_sweep(inv, [], [], [], kst(2026, 11, 23, 12, 0))
    # legacy-sls is Aurora Serverless v1, which AWS never stops: it is not proposed.
    assert sorted(d.key for d in plan.adoptions) == [
        ("cluster", "portal"),
        ("instance", "billing-db"),
    ]
    proposed = [ActionRecord(kst(2026, 11, 1, 0, 0), "cluster", "portal", "propose", "tag:autostop=yes")]
    plan = plan_sweep(inv, [PORTAL], [], proposed, kst(2026, 11, 23, 12, 0))
    assert ("cluster", "portal") not in {d.key for d in plan.adoptions}
    assert ("instance", "billing-db") in {d.key for d in plan.adoptions}


def test_missing_and_waiting_targets_are_notes_not_actions():
    inv = with_status(fixture_inventory(), "cluster", "portal", "starting")
    gone = Schedule("cluster", "gone", tz="Asia/Seoul", id=3)
    plan = plan_sweep(inv, [PORTAL, gone], [], [], kst(2026, 11, 23, 21, 0))
    assert plan.actions == ()
    assert sorted(n.code for n in plan.notes) == ["rds.sweep.missing", "rds.sweep.waiting"]
