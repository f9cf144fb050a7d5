"""Buttons and approvals, tried as an attacker would: signed clicks over HTTP against the sandbox.

Re-run and intent choice by a stranger, a revert by a stranger and a second revert while one is
open, an approver removed from the user group inside the cache window, an earlier approval by a
since-removed approver on a two-approver plan, ``subteam_members_changed`` dropping the cache, and
cluster overrides. Each asserts the message the attacker sees, the audit row and that nothing
changed. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from bot.domain import FixPlan, Msg, PlanStep, Risk
from sandbox.runtime import DEV, OPS, OPS2, REQUEST_CHANNEL, STRANGER, Sandbox
from sandbox.worlds.pods import seed_pod_restart_world
from tests.faults.harness import store_plan
from tests.polling import wait
from tests.security.helpers import (
    Value,
    assert_refused_slash,
    refusals,
    request_count,
    sandbox_on,
    wait_ephemeral,
    wait_refusal,
)

GROUP = "S_OPS"
OPS3 = "U_OPS3"
ONLY_REQUESTER = f"Only the person who asked (<@{DEV}>) or an approver can do that."


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request):
    return request.param


@pytest.fixture
def sandbox(database, moto_sandbox):
    with sandbox_on(database, moto_sandbox) as sb:
        yield sb


@pytest.fixture
def grouped(database, moto_sandbox):
    """Approvers are the members of a user group, cached for an hour (the cache window of the attacks)."""
    with sandbox_on(
        database, moto_sandbox, approver_user_ids="", approver_usergroup=GROUP, usergroup_cache_seconds=3600
    ) as sb:
        sb.slack.add_user(OPS3, "ops-choi")
        sb.slack.set_usergroup(GROUP, [OPS, OPS2, OPS3])
        yield sb


def _value_plan(sb: Sandbox, risk: Risk = Risk.LOW, user: str = DEV):
    value = Value()
    sb.bot.deps.services.operations[value.name] = value
    step = PlanStep(value.name, {}, {"replicas": 1}, {"replicas": 3}, Msg("scale to 3", "3으로"))
    plan = FixPlan("test", Msg("scale to 3", "3으로"), (step,), risk, "t")
    req, row = store_plan(sb.bot, plan, user=user)
    return value, req, row


def _cache_members(sb: Sandbox) -> None:
    assert sb.bot.deps.services.approvers.is_approver(OPS)  # the group is read, and cached for the hour


# --- re-run and intent choice ------------------------------------------------------------------------
def test_a_stranger_cannot_rerun_someone_elses_request(sandbox):
    seed_pod_restart_world(sandbox.kube)
    sandbox.slash("pods cloudon", user=DEV)
    req = sandbox.wait_request(lambda r: r.intent == "pods")
    kube_calls = len(sandbox.kube.requests)
    sandbox.click("rerun_request", req.id, user=STRANGER)
    told = wait_ephemeral(sandbox, STRANGER, "Only the person who asked")
    assert ONLY_REQUESTER in told.text
    wait_refusal(sandbox, STRANGER, "rerun", "requester_or_approver")
    assert len(sandbox.kube.requests) == kube_calls  # nothing read again, CloudTrail names nobody
    assert [r.kind for r in sandbox.repo.audit_rows()].count("diagnosis_completed") == 1
    sandbox.click("rerun_request", req.id, user=DEV)  # the requester may
    wait(lambda: [r.kind for r in sandbox.repo.audit_rows()].count("diagnosis_completed") == 2, what="a re-run")


def test_a_stranger_cannot_choose_the_intent_of_someone_elses_request(sandbox):
    sandbox.say("hello, something is weird with our stuff", user=DEV)
    req = sandbox.wait_request()
    assert req.state == "asked"
    sandbox.driver.block_action(
        "choose_intent_pods", f"{req.id}:pods", user=STRANGER, channel=REQUEST_CHANNEL, message_ts=req.thread_ts
    )
    told = wait_ephemeral(sandbox, STRANGER, "Only the person who asked")
    assert ONLY_REQUESTER in told.text
    wait_refusal(sandbox, STRANGER, "choose_intent", "requester_or_approver")
    assert sandbox.repo.get_request(req.id).state == "asked" and sandbox.kube.requests == []


# --- reverts -------------------------------------------------------------------------------------------
def _applied(sb: Sandbox):
    value, req, plan = _value_plan(sb)
    sb.click("approve_plan", plan.id, user=OPS)
    sb.wait_plan_status(plan.id, ("applied",))
    assert value.value == {"replicas": 3}
    return value, req, plan


def _reverts(sb: Sandbox, plan) -> list:
    return [p for p in sb.repo.plans_for_request(plan.request_id) if p.reverts_plan_id == plan.id]


def test_a_stranger_cannot_propose_a_revert(sandbox):
    value, req, plan = _applied(sandbox)
    sandbox.click("revert_plan", plan.id, user=STRANGER)
    told = wait_ephemeral(sandbox, STRANGER, "Only the person who asked")
    assert ONLY_REQUESTER in told.text
    row = wait_refusal(sandbox, STRANGER, "revert", "who")
    assert row.plan_id == plan.id
    assert _reverts(sandbox, plan) == [] and value.value == {"replicas": 3} and value.writes == 1


def test_at_most_one_open_revert_per_plan(sandbox):
    value, req, plan = _applied(sandbox)
    sandbox.click("revert_plan", plan.id, user=DEV)  # the original requester may propose it
    first = wait(lambda: _reverts(sandbox, plan), what="the revert proposed")[0]
    assert first.status == "proposed" and first.requested_by == DEV
    sandbox.click("revert_plan", plan.id, user=OPS)  # a second one while the first is open
    told = wait_ephemeral(sandbox, OPS, "already open")
    assert f"(#{first.id})" in told.text
    wait(lambda: any("already open" in r.summary for r in refusals(sandbox, OPS)), what="the refusal audited")
    assert len(_reverts(sandbox, plan)) == 1 and value.writes == 1


def test_two_revert_clicks_at_once_open_one_revert(sandbox):
    value, req, plan = _applied(sandbox)
    for user in (DEV, OPS, OPS2, DEV):
        sandbox.click("revert_plan", plan.id, user=user)
    wait(lambda: len(sandbox.slack.ephemerals()) >= 3, what="three refusals told")
    assert len(_reverts(sandbox, plan)) == 1
    assert len([r for r in refusals(sandbox) if "already open" in r.summary]) == 3


# --- approvers leaving the group ------------------------------------------------------------------------
def test_an_approver_removed_within_the_cache_window_cannot_approve(grouped):
    value, req, plan = _value_plan(grouped)
    _cache_members(grouped)
    grouped.slack.set_usergroup(GROUP, [OPS2, OPS3])  # OPS leaves; no event reaches the bot
    grouped.click("approve_plan", plan.id, user=OPS)
    told = wait_ephemeral(grouped, OPS, "Only approvers can decide plans")
    assert f"<!subteam^{GROUP}>" in told.text
    wait(
        lambda: any(r.plan_id == plan.id and r.summary.startswith("approve refused") for r in refusals(grouped, OPS)),
        what="the refusal at decision time audited",
    )
    assert grouped.repo.get_plan(plan.id).status == "proposed" and value.writes == 0
    assert grouped.repo.approvers(plan.id) == []


def test_an_earlier_approval_by_a_since_removed_approver_no_longer_counts(grouped):
    value, req, plan = _value_plan(grouped, risk=Risk.HIGH)
    grouped.click("approve_plan", plan.id, user=OPS)
    wait(lambda: grouped.repo.approvers(plan.id) == [OPS], what="the first approval")
    grouped.slack.set_usergroup(GROUP, [OPS2, OPS3])  # OPS leaves inside the cache window
    grouped.click("approve_plan", plan.id, user=OPS2)  # would complete the plan with OPS's approval
    row = wait(
        lambda: next((r for r in refusals(grouped, OPS) if "no longer counts" in r.summary), None),
        what="the void approval audited",
    )
    assert row.plan_id == plan.id

    def thread() -> list[str]:
        return [m.text or "" for m in grouped.slack.thread(REQUEST_CHANNEL, req.thread_ts)]

    wait(lambda: any("no longer counts" in t for t in thread()), what="the thread told")
    wait(lambda: any("(1/2)" in t and OPS2 in t for t in thread()), what="the plan still one approval short")
    assert grouped.repo.get_plan(plan.id).status == "proposed" and value.writes == 0
    grouped.click("approve_plan", plan.id, user=OPS3)  # a second current approver completes it
    done = grouped.wait_plan_status(plan.id, ("applied", "failed"))
    assert done.status == "applied" and value.writes == 1
    approved = [r for r in grouped.repo.audit_rows(plan_id=plan.id) if r.kind == "approved"]
    assert any(r.summary.endswith(f"approved by {OPS2}, {OPS3}") for r in approved)


def test_subteam_members_changed_drops_the_cache_at_once(grouped):
    value, req, plan = _value_plan(grouped)
    _cache_members(grouped)
    grouped.slack.set_usergroup(GROUP, [OPS2, OPS3])
    reads = len(grouped.slack.calls_to("usergroups.users.list"))
    grouped.driver.subteam_members_changed(GROUP, removed=(OPS,))
    grouped.click("approve_plan", plan.id, user=OPS)
    # refused when the click arrived (the middleware read the group again), not only at decision time
    row = wait_refusal(grouped, OPS, "approve", "who")
    assert row.plan_id == plan.id and len(grouped.slack.calls_to("usergroups.users.list")) > reads
    wait_ephemeral(grouped, OPS, "Only approvers can decide plans")
    assert grouped.repo.get_plan(plan.id).status == "proposed" and value.writes == 0


def test_subteam_updated_for_another_group_keeps_the_cache(grouped):
    _cache_members(grouped)
    reads = len(grouped.slack.calls_to("usergroups.users.list"))
    grouped.driver.event({"type": "subteam_updated", "subteam": {"id": "S_OTHER", "users": []}, "event_ts": "1.0"})
    assert grouped.bot.deps.services.approvers.is_approver(OPS)
    assert len(grouped.slack.calls_to("usergroups.users.list")) == reads
    grouped.driver.event({"type": "subteam_updated", "subteam": {"id": GROUP, "users": [OPS2]}, "event_ts": "2.0"})
    grouped.slack.set_usergroup(GROUP, [OPS2])
    assert not grouped.bot.deps.services.approvers.is_approver(OPS)


# --- high risk -------------------------------------------------------------------------------------------
def test_high_risk_needs_two_approvers_other_than_the_requester_even_with_self_approval(database, moto_sandbox):
    with sandbox_on(database, moto_sandbox, allow_self_approval=True, approver_user_ids=f"{DEV},{OPS},{OPS2}") as sb:
        value, req, plan = _value_plan(sb, risk=Risk.HIGH)
        sb.click("approve_plan", plan.id, user=DEV)
        told = wait_ephemeral(sb, DEV, "You asked for this high-risk change, so two other approvers have to")
        assert told.text.startswith("🚫")  # in the request's language (English), not dev-kim's Korean locale
        wait_refusal(sb, DEV, "approve", "who")
        assert sb.repo.approvers(plan.id) == []
        sb.click("approve_plan", plan.id, user=OPS)
        wait(lambda: sb.repo.approvers(plan.id) == [OPS], what="one approval")
        assert sb.repo.get_plan(plan.id).status == "proposed" and value.writes == 0
        sb.click("approve_plan", plan.id, user=OPS2)
        assert sb.wait_plan_status(plan.id, ("applied", "failed")).status == "applied"


# --- clusters --------------------------------------------------------------------------------------------
class TwoClusters:
    """The sandbox's single cluster context, configured as two clusters with per-channel choices."""

    def __init__(self, inner, choices):
        self.inner, self.choices = inner, choices

    def cluster_names(self):
        return ("prod", "staging")

    def clusters_for(self, channel):
        return self.choices.get(channel, ("prod",))

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _two_clusters(sb: Sandbox, choices=None) -> None:
    authz = sb.bot.deps.authorizer
    authz.contexts = TwoClusters(authz.contexts, choices or {})


def test_a_non_approver_cannot_point_a_request_at_another_cluster(sandbox):
    _two_clusters(sandbox)
    answer = sandbox.slash("pods -A --cluster staging", user=STRANGER)
    assert_refused_slash(answer, "This channel works on prod; only approvers can point a request at `staging`.")
    sandbox.say("show pods in cloudon cluster=staging", user=STRANGER)
    wait_ephemeral(sandbox, STRANGER, "only approvers can point a request at `staging`")
    rows = refusals(sandbox, STRANGER)
    assert [(r.after["reason"], r.after["cluster"]) for r in rows] == [("cluster_override", "staging")] * 2
    assert request_count(sandbox) == 0 and sandbox.kube.requests == []


def test_unknown_clusters_are_listed_only_to_approvers(sandbox):
    _two_clusters(sandbox)
    dev = assert_refused_slash(sandbox.slash("pods -A --cluster nope", user=STRANGER), "Unknown cluster `nope`.")
    assert "prod" not in dev and "staging" not in dev
    ops = assert_refused_slash(sandbox.slash("pods -A --cluster nope", user=OPS), "Unknown cluster `nope`.")
    assert "Known clusters: prod, staging." in ops
    assert request_count(sandbox) == 0


def test_a_channel_that_maps_several_clusters_lets_anyone_pick_among_them(sandbox):
    seed_pod_restart_world(sandbox.kube)
    _two_clusters(sandbox, {REQUEST_CHANNEL: ("prod", "staging")})
    sandbox.slash("pods cloudon --cluster staging", user=STRANGER)
    assert sandbox.wait_request(lambda r: r.intent == "pods").cluster == "staging"
    assert refusals(sandbox) == []


def test_approvers_may_point_a_request_at_another_cluster(sandbox):
    seed_pod_restart_world(sandbox.kube)
    _two_clusters(sandbox)
    sandbox.slash("pods cloudon --cluster staging", user=OPS)
    assert sandbox.wait_request(lambda r: r.intent == "pods").cluster == "staging"
