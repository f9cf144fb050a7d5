"""The stand-in's graceful deletion of pods, through the official client, on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from kubernetes import client

from sandbox.kube_api import KubeStandIn

NODE = "node-a"


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
def core(stand_in) -> client.CoreV1Api:
    conf = client.Configuration()
    conf.host = stand_in.url
    return client.CoreV1Api(client.ApiClient(conf))


def _pod(stand_in: KubeStandIn, name: str, owner_kind: str = "", owner: str = "web", **spec: object) -> dict:
    meta: dict = {"name": name, "namespace": "web", "labels": {"app": "web"}}
    if owner_kind:
        meta["ownerReferences"] = [
            {"apiVersion": "apps/v1", "kind": owner_kind, "name": owner, "uid": "o-1", "controller": True}
        ]
    return stand_in.put(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": meta,
            "spec": {"nodeName": NODE, "containers": [{"name": "app", "image": "nginx"}], **spec},
            "status": {"phase": "Running"},
        }
    )


def _names(core: client.CoreV1Api, prefix: str = "") -> list[str]:
    return sorted(p.metadata.name for p in core.list_namespaced_pod("web").items if p.metadata.name.startswith(prefix))


def test_a_second_delete_shortens_the_grace_or_forces_it_out(stand_in, core, clock):
    _pod(stand_in, "a", terminationGracePeriodSeconds=60)
    first = core.delete_namespaced_pod("a", "web")
    assert first.metadata.deletion_grace_period_seconds == 60
    stand_in.store.kubelet_stop_seconds = 120  # a container that ignores SIGTERM: the grace decides
    core.delete_namespaced_pod("a", "web", grace_period_seconds=10)
    again = core.read_namespaced_pod("a", "web")
    assert again.metadata.deletion_grace_period_seconds == 10
    core.delete_namespaced_pod("a", "web", grace_period_seconds=90)  # cannot lengthen it
    assert core.read_namespaced_pod("a", "web").metadata.deletion_grace_period_seconds == 10
    clock.now += timedelta(seconds=11)
    assert _names(core) == []

    _pod(stand_in, "b")
    core.delete_namespaced_pod("b", "web")
    core.delete_namespaced_pod("b", "web", grace_period_seconds=0)
    assert _names(core) == []


def test_unscheduled_pods_go_at_once_and_the_kubelet_finishes_the_others(stand_in, core, clock):
    stand_in.put(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pending", "namespace": "web"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]},
            "status": {"phase": "Pending"},
        }
    )
    core.delete_namespaced_pod("pending", "web")
    _pod(stand_in, "running")
    core.delete_namespaced_pod("running", "web")
    assert _names(core) == ["running"]
    clock.now += timedelta(seconds=stand_in.store.kubelet_stop_seconds)
    assert _names(core) == []


def test_job_pods_are_replaced_while_terminating_and_daemonset_pods_after(stand_in, core, clock):
    _pod(stand_in, "job-1", "Job")
    core.delete_namespaced_pod("job-1", "web")
    names = _names(core)
    assert "job-1" in names and len(names) == 2, names
    clock.now += timedelta(seconds=5)
    assert len(_names(core)) == 1 and "job-1" not in _names(core)

    _pod(stand_in, "agent-1", "DaemonSet", owner="agent")
    core.delete_namespaced_pod("agent-1", "web")
    assert _names(core, "agent-") == ["agent-1"]
    clock.now += timedelta(seconds=5)
    names = _names(core, "agent-")
    assert len(names) == 1 and names != ["agent-1"]
