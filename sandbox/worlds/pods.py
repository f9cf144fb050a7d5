"""A small workload world: a Deployment's ReplicaSet with one healthy pod and one stuck pod.

Its events come from ``sandbox.kube_events``: the scheduler's Scheduled (events.k8s.io shape,
no ``lastTimestamp``) and the kubelet's crash back-off (core shape, counted up, with the
container's ``fieldPath``). Pods are on a node, so deleting one is graceful (Terminating first).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox import kube_events
from sandbox.kube_api import KubeStandIn


def owned_pod(namespace: str, name: str, owner: dict[str, Any], node: str, ready: bool,
              waiting_reason: str = "", image: str = "nginx:1.27") -> dict[str, Any]:
    state = ({"running": {"startedAt": "2026-11-24T00:00:00Z"}} if ready
             else {"waiting": {"reason": waiting_reason or "CrashLoopBackOff", "message": "back-off restarting"}})
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": owner["name"].rsplit("-", 1)[0]},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner["kind"], "name": owner["name"],
                                          "uid": owner["uid"], "controller": True}]},
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": image}]},
        "status": {"phase": "Running",
                   "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                   "containerStatuses": [{"name": "app", "image": image, "imageID": "", "ready": ready,
                                          "restartCount": 0 if ready else 7, "state": state}]},
    }


def seed_pod_restart_world(kube: KubeStandIn) -> dict[str, str]:
    kube.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "cloudon"}})
    kube.put({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "ip-10-0-1-23.ap-northeast-1.compute.internal"},
              "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    rs = kube.put({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                   "metadata": {"name": "api-7d9f8", "namespace": "cloudon"},
                   "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}}}})
    owner = {"kind": "ReplicaSet", "name": "api-7d9f8", "uid": rs["metadata"]["uid"]}
    node = "ip-10-0-1-23.ap-northeast-1.compute.internal"
    kube.put(owned_pod("cloudon", "api-7d9f8-k2x9q", owner, node, ready=True))
    kube.put(owned_pod("cloudon", "api-7d9f8-zz81m", owner, node, ready=False))
    kube.put({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug-shell", "namespace": "cloudon"},
              "spec": {"nodeName": node, "containers": [{"name": "sh", "image": "busybox"}]},
              "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                         "containerStatuses": [{"name": "sh", "image": "busybox", "imageID": "", "ready": True,
                                                "restartCount": 0,
                                                "state": {"running": {}}}]}})
    stuck = kube.get("Pod", "cloudon", "api-7d9f8-zz81m") or {}
    kube_events.record_series(kube, stuck, "Scheduled", f"Successfully assigned cloudon/api-7d9f8-zz81m to {node}",
                              action="Binding", controller="default-scheduler",
                              instance="default-scheduler-7c9d5f8b6-x2k4p")
    kubelet = kube_events.kubelet(kube, node)
    now = kube.clock()
    for attempt in range(7):  # the kubelet's crash back-off, counted into one Event
        kubelet.record(stuck, "BackOff", "Back-off restarting failed container app in pod "
                       "api-7d9f8-zz81m_cloudon(" + stuck["metadata"]["uid"] + ")", container="app",
                       at=now - timedelta(minutes=5 * (6 - attempt)))
    return {"namespace": "cloudon", "stuck": "api-7d9f8-zz81m", "owner": "api-7d9f8", "owner_uid": owner["uid"]}
