"""What the stand-in's "controllers" and "kubelet" do to pods, as plain functions.

Called by ``kube_api.KubeStandIn``: ``replacement_pod`` builds the pod a ReplicaSet,
DaemonSet, StatefulSet or Job controller creates after one of its pods is deleted;
``running_pod`` is the default admission (scheduled, pulled, started, Ready). Worlds that
want a different outcome (ErrImagePull, SysctlForbidden) pass their own ``pod_admission``.
"""

from __future__ import annotations

import copy
import secrets
import uuid
from typing import Any

Obj = dict[str, Any]
CONTROLLER_KINDS = ("ReplicaSet", "DaemonSet", "StatefulSet", "Job")
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # the apiserver's generateName alphabet


def controller_of(pod: Obj) -> Obj | None:
    """The pod's owning controller reference, if it is one that recreates pods."""
    refs = (pod.get("metadata") or {}).get("ownerReferences") or []
    owned = [r for r in refs if r.get("kind") in CONTROLLER_KINDS]
    marked = [r for r in owned if r.get("controller")]
    return (marked or owned or [None])[0]


def random_suffix() -> str:
    return "".join(secrets.choice(_NAME_ALPHABET) for _ in range(5))


def replacement_pod(pod: Obj, name: str | None = None) -> Obj | None:
    """The Pending pod a controller creates for a deleted ``pod``; None if nothing owns it.

    Same spec, labels, annotations and owner; StatefulSet pods keep their name, others get
    ``<owner>-<5 random>`` unless ``name`` is given. Server-owned metadata is left empty.
    """
    owner = controller_of(pod)
    if owner is None:
        return None
    meta = pod.get("metadata") or {}
    if owner["kind"] == "StatefulSet":
        new_name = meta["name"]
    else:
        new_name = name or f"{owner['name']}-{random_suffix()}"
    new_meta: Obj = {"name": new_name, "namespace": meta.get("namespace"), "uid": str(uuid.uuid4()),
                     "ownerReferences": copy.deepcopy(meta.get("ownerReferences"))}
    for key in ("labels", "annotations", "generateName"):
        if meta.get(key):
            new_meta[key] = copy.deepcopy(meta[key])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": new_meta,
            "spec": copy.deepcopy(pod.get("spec") or {}), "status": {"phase": "Pending"}}


def running_pod(pod: Obj, now: str) -> Obj:
    """Default admission: the pod is scheduled, its containers started and Ready at ``now``."""
    result = copy.deepcopy(pod)
    spec = result.get("spec") or {}
    statuses = []
    for container in spec.get("containers") or []:
        image = container.get("image", "")
        statuses.append({
            "name": container.get("name", ""), "image": image,
            "imageID": f"{image.split(':')[0]}@sha256:{uuid.uuid4().hex}{uuid.uuid4().hex}",
            "containerID": f"containerd://{uuid.uuid4().hex}{uuid.uuid4().hex}",
            "ready": True, "started": True, "restartCount": 0,
            "state": {"running": {"startedAt": now}},
        })
    conditions = [{"type": kind, "status": "True", "lastTransitionTime": now}
                  for kind in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                               "PodScheduled")]
    result["status"] = {"phase": "Running", "conditions": conditions, "containerStatuses": statuses,
                        "hostIP": "10.0.1.23", "podIP": "10.0.1.77", "startTime": now,
                        "qosClass": "BestEffort"}
    return result
