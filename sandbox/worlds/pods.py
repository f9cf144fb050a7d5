"""A small workload world: a Deployment's ReplicaSet with one healthy pod and one stuck pod.

Its events come from ``sandbox.kube_events``: the scheduler's Scheduled (events.k8s.io shape,
no ``lastTimestamp``) and the kubelet's crash back-off (core shape, counted up, with the
container's ``fieldPath``). Pods are on a node, so deleting one is graceful (Terminating first).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sandbox import kube_events
from sandbox.kube_api import KubeStandIn
from sandbox.kube_store import timestamp

# How long ago, on the sandbox clock, the world's pods were created. The stuck pod's seven crash
# back-offs are recorded over the last 30 minutes, so it and its ReplicaSet sibling came up a little
# before that; the bare debug pod was started by hand earlier. Without these the stand-in stamps each
# pod when it is stored, and the listing would show a pod with seven restarts as 0s old.
REPLICASET_AGE = timedelta(minutes=34)
DEBUG_SHELL_AGE = timedelta(hours=2, minutes=10)


def owned_pod(
    namespace: str,
    name: str,
    owner: dict[str, Any],
    node: str,
    *,
    ready: bool,
    waiting_reason: str = "",
    image: str = "nginx:1.27",
    created: datetime | None = None,
) -> dict[str, Any]:
    """A pod of ``owner``; ``created`` (default: whenever it is stored) is its creationTimestamp, and a
    ready container started a few seconds after it."""
    started = timestamp(created + timedelta(seconds=4)) if created else "2026-11-24T00:00:00Z"
    state = (
        {"running": {"startedAt": started}}
        if ready
        else {"waiting": {"reason": waiting_reason or "CrashLoopBackOff", "message": "back-off restarting"}}
    )
    meta: dict[str, Any] = {"creationTimestamp": timestamp(created)} if created else {}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            **meta,
            "name": name,
            "namespace": namespace,
            "labels": {"app": owner["name"].rsplit("-", 1)[0]},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": owner["kind"],
                    "name": owner["name"],
                    "uid": owner["uid"],
                    "controller": True,
                }
            ],
        },
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": image}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": [
                {
                    "name": "app",
                    "image": image,
                    "imageID": "",
                    "ready": ready,
                    "restartCount": 0 if ready else 7,
                    "state": state,
                }
            ],
        },
    }


def seed_pod_restart_world(kube: KubeStandIn) -> dict[str, str]:
    kube.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "cloudon"}})
    kube.put(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "ip-10-0-1-23.ap-northeast-1.compute.internal"},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]},
        }
    )
    rs = kube.put(
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": "api-7d9f8", "namespace": "cloudon"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}}},
        }
    )
    owner = {"kind": "ReplicaSet", "name": "api-7d9f8", "uid": rs["metadata"]["uid"]}
    node = "ip-10-0-1-23.ap-northeast-1.compute.internal"
    now = kube.clock()
    kube.put(owned_pod("cloudon", "api-7d9f8-k2x9q", owner, node, ready=True, created=now - REPLICASET_AGE))
    kube.put(owned_pod("cloudon", "api-7d9f8-zz81m", owner, node, ready=False, created=now - REPLICASET_AGE))
    kube.put(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "debug-shell",
                "namespace": "cloudon",
                "creationTimestamp": timestamp(now - DEBUG_SHELL_AGE),
            },
            "spec": {"nodeName": node, "containers": [{"name": "sh", "image": "busybox"}]},
            "status": {
                "phase": "Running",
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [
                    {
                        "name": "sh",
                        "image": "busybox",
                        "imageID": "",
                        "ready": True,
                        "restartCount": 0,
                        "state": {"running": {"startedAt": timestamp(now - DEBUG_SHELL_AGE + timedelta(seconds=3))}},
                    }
                ],
            },
        }
    )
    stuck = kube.get("Pod", "cloudon", "api-7d9f8-zz81m") or {}
    kube_events.record_series(
        kube,
        stuck,
        "Scheduled",
        f"Successfully assigned cloudon/api-7d9f8-zz81m to {node}",
        action="Binding",
        controller="default-scheduler",
        instance="default-scheduler-7c9d5f8b6-x2k4p",
    )
    kubelet = kube_events.kubelet(kube, node)
    for attempt in range(7):  # the kubelet's crash back-off, counted into one Event
        kubelet.record(
            stuck,
            "BackOff",
            "Back-off restarting failed container app in pod api-7d9f8-zz81m_cloudon(" + stuck["metadata"]["uid"] + ")",
            container="app",
            at=now - timedelta(minutes=5 * (6 - attempt)),
        )
    return {"namespace": "cloudon", "stuck": "api-7d9f8-zz81m", "owner": "api-7d9f8", "owner_uid": owner["uid"]}
