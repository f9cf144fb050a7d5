"""Deleting a pod on a cluster with graceful deletion: the restart step and reconciliation.

A pod deleted with a grace period stays readable (same uid, ``deletionTimestamp`` set) until
the kubelet has stopped it; a StatefulSet's replacement has the old name and a new uid. Both
mean the delete took effect. The stand-in runs on a fake clock, so Terminating lasts until the
test moves the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.cloud.context import ClusterContext
from bot.cloud.kube import Kube
from bot.domain import Msg, PlanStep
from bot.services import reconcile
from handlers.pods import DELETE_POD, DeletePod
from sandbox.kube_api import KubeStandIn
from sandbox.worlds.pods import owned_pod

NODE = "ip-10-0-1-23.ap-northeast-1.compute.internal"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def stand_in(clock):
    server = KubeStandIn(clock=clock)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def ctx(stand_in) -> ClusterContext:
    return ClusterContext(
        aws=None,
        kube=Kube.from_host(stand_in.url),
        cluster_name="prod",  # type: ignore[arg-type]
        account_id="123456789012",
        wait_seconds=2.0,
        poll_seconds=0.01,
    )


def _owned(stand_in: KubeStandIn, kind: str, name: str) -> dict:
    owner_obj = stand_in.put(
        {
            "apiVersion": "apps/v1",
            "kind": kind,
            "metadata": {"name": "api", "namespace": "cloudon"},
            "spec": {"selector": {"matchLabels": {"app": "api"}}},
        }
    )
    owner = {"kind": kind, "name": "api", "uid": owner_obj["metadata"]["uid"]}
    return stand_in.put(owned_pod("cloudon", name, owner, NODE, ready=False))


def _step(pod: dict) -> PlanStep:
    uid = pod["metadata"]["uid"]
    return PlanStep(
        DELETE_POD,
        {"namespace": "cloudon", "name": pod["metadata"]["name"]},
        {"exists": True, "uid": uid},
        {"exists": False},
        Msg.same("delete"),
    )


def test_a_terminating_pod_counts_as_deleted_right_after_the_delete(stand_in, ctx, clock):
    pod = _owned(stand_in, "ReplicaSet", "api-7d9f8-zz81m")
    step = _step(pod)
    observed = DeletePod().apply(ctx, step)
    still = stand_in.get("Pod", "cloudon", "api-7d9f8-zz81m")
    assert still is not None and still["metadata"]["uid"] == pod["metadata"]["uid"]
    assert still["metadata"]["deletionTimestamp"] and still["metadata"]["deletionGracePeriodSeconds"] == 30
    assert observed == {"exists": False}
    assert reconcile.verdict_of([step], 0, reconcile.live_state(DeletePod(), ctx, step)) == reconcile.APPLIED
    clock.now += timedelta(seconds=31)
    assert stand_in.get("Pod", "cloudon", "api-7d9f8-zz81m") is None


def test_reconciliation_takes_a_statefulset_replacement_for_a_done_delete(stand_in, ctx, clock):
    pod = _owned(stand_in, "StatefulSet", "db-0")
    step = _step(pod)
    ctx.kube.core.delete_namespaced_pod("db-0", "cloudon")
    clock.now += timedelta(seconds=31)
    again = stand_in.get("Pod", "cloudon", "db-0")
    assert again is not None and again["metadata"]["uid"] != pod["metadata"]["uid"]
    live = reconcile.live_state(DeletePod(), ctx, step)
    assert live == {"exists": False}
    assert reconcile.verdict_of([step], 0, live) == reconcile.APPLIED


def test_a_pod_still_running_is_not_applied(stand_in, ctx):
    pod = _owned(stand_in, "ReplicaSet", "api-7d9f8-k2x9q")
    step = _step(pod)
    live = reconcile.live_state(DeletePod(), ctx, step)
    assert reconcile.verdict_of([step], 0, live) == reconcile.NOT_APPLIED


def test_restarting_a_pod_that_is_already_terminating_proposes_nothing(stand_in, ctx):
    from bot.domain import Request
    from handlers.pods import PodsDiagnoser

    _owned(stand_in, "ReplicaSet", "api-7d9f8-zz81m")
    ctx.kube.core.delete_namespaced_pod("api-7d9f8-zz81m", "cloudon")
    diagnosis = PodsDiagnoser().diagnose(
        ctx, Request("pod_restart", {"namespace": "cloudon", "pod": "api-7d9f8-zz81m"})
    )
    assert diagnosis.plans == ()
    assert diagnosis.findings[0].code == "pods.restart.terminating"
    assert "already being deleted" in diagnosis.headline.en and "삭제 중" in diagnosis.headline.ko


def test_verification_names_the_replacement_not_a_ready_sibling(stand_in, ctx):
    from bot.domain import Request
    from handlers.pods import PodsDiagnoser

    stuck = _owned(stand_in, "ReplicaSet", "api-7d9f8-zz81m")
    owner = stuck["metadata"]["ownerReferences"][0]
    sibling = stand_in.put(
        owned_pod(
            "cloudon", "api-7d9f8-aaaaa", {"kind": "ReplicaSet", "name": "api", "uid": owner["uid"]}, NODE, ready=True
        )
    )
    diagnoser = PodsDiagnoser()
    (plan,) = diagnoser.diagnose(ctx, Request("pod_restart", {"namespace": "cloudon", "pod": "api-7d9f8-zz81m"})).plans
    assert plan.verify["sibling_uids"] == [sibling["metadata"]["uid"]]
    DeletePod().apply(ctx, plan.steps[0])  # the stand-in's ReplicaSet controller makes a replacement
    done = diagnoser.verify(ctx, plan)
    new = [
        p["metadata"]["name"]
        for p in stand_in.list("Pod", "cloudon")
        if p["metadata"]["uid"] not in (stuck["metadata"]["uid"], sibling["metadata"]["uid"])
    ]
    assert done.ok and "api-7d9f8-aaaaa" not in done.message.en  # the ready sibling listed first is not it
    assert any(name in done.message.en for name in new)
