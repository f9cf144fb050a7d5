"""A stuck member of an IngressGroup: the controller reports on the group, not on the ingress.

The world's controller records events only on the group's active members and logs the group's
id; the bot must read both, say which group, and the fix (trust) must let the world's controller
finish removing the member.
"""

from __future__ import annotations

import pytest

from bot.domain import Request
from handlers.irsa import DIAGNOSER
from handlers.irsa.plan import OP_TRUST
from sandbox.worlds.irsa_group import GROUP, controller_may_release, seed_ingress_group_world
from tests.irsa.helpers import run_plan
from tests.polling import wait

INGRESS = Request("ingress_delete_denied", {"namespace": "cloudon", "name": "cloudon-ingress"})


@pytest.fixture
def world(aws, kube_stand_in):
    return seed_ingress_group_world(aws, kube_stand_in)


def test_group_member_is_diagnosed_from_the_group_and_released_by_the_fix(cluster_ctx, world, aws, kube_stand_in):
    d = DIAGNOSER.diagnose(cluster_ctx, INGRESS)
    codes = [f.code for f in d.findings]
    assert "irsa.controller.no_error_seen" not in codes
    error = next((f for f in d.findings if f.code == "irsa.controller.aws_error"), None)
    assert error is not None and error.data["action"] == "sts:AssumeRoleWithWebIdentity"
    assert f"IngressGroup {GROUP}" in error.evidence[0].en
    stuck = next(f for f in d.findings if f.code == "irsa.ingress.stuck")
    assert any(f"IngressGroup {GROUP}" in e.en and GROUP in e.ko for e in stuck.evidence)
    assert "irsa.trust.sub_missing" in codes
    (plan,) = d.plans
    assert [s.op for s in plan.steps] == [OP_TRUST]
    assert not controller_may_release(aws, world)
    run_plan(cluster_ctx, plan)
    wait(lambda: kube_stand_in.get("Ingress", "cloudon", "cloudon-ingress") is None, what="member released")
    assert kube_stand_in.get("Ingress", "cloudon", "cloudon-api") is not None


def test_log_line_of_another_group_is_not_this_ingress(cluster_ctx, world, kube_stand_in):
    kube_stand_in.set_pod_log(
        "cloudon",
        "aws-load-balancer-controller-7c9d8f-sandbox0",
        '{"msg":"Reconciler error","controller":"ingress","object":{"name":"other"},'
        '"namespace":"","name":"other","error":"api error AccessDenied: Not '
        'authorized to perform sts:AssumeRoleWithWebIdentity"}\n',
    )
    for event in kube_stand_in.list("Event", "cloudon"):
        kube_stand_in.remove("Event", "cloudon", event["metadata"]["name"])
    d = DIAGNOSER.diagnose(cluster_ctx, INGRESS)
    assert "irsa.controller.no_error_seen" in d.codes()


def test_group_log_line_alone_names_the_error(cluster_ctx, world, kube_stand_in):
    for event in kube_stand_in.list("Event", "cloudon"):
        kube_stand_in.remove("Event", "cloudon", event["metadata"]["name"])
    d = DIAGNOSER.diagnose(cluster_ctx, INGRESS)
    error = next(f for f in d.findings if f.code == "irsa.controller.aws_error")
    assert error.evidence[0].en.startswith("log cloudon/") and f"(IngressGroup {GROUP})" in error.evidence[0].en
