"""What the stand-in's "controllers" and "kubelet" do to pods, as plain functions.

Called by ``kube_api.KubeStandIn``: ``replacement_pod`` builds the pod a ReplicaSet,
DaemonSet, StatefulSet or Job controller creates after one of its pods is deleted;
``running_pod`` is the default admission (scheduled, pulled, started, Ready). Worlds that
want a different outcome (ErrImagePull, SysctlForbidden) pass their own ``pod_admission``.
Called by ``kube_verbs`` on DELETE: ``grace_period`` (how long a deleted pod stays Terminating)
and ``replaced_while_terminating`` (whether its controller replaces it before it is gone).
"""

from __future__ import annotations

import copy
import secrets
import uuid
from typing import Any

Obj = dict[str, Any]
CONTROLLER_KINDS = ("ReplicaSet", "DaemonSet", "StatefulSet", "Job")
# The pod's terminationGracePeriodSeconds when the spec leaves it out: the API defaults it to 30
# (kubernetes/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_PodSpec; kubernetes.io/docs/
# concepts/workloads/pods/pod-lifecycle/#pod-termination "the default grace period is 30 seconds").
DEFAULT_GRACE_SECONDS = 30
# Controllers that count only active pods and make a replacement as soon as one is terminating:
# the ReplicaSet controller (kubernetes/kubernetes pkg/controller/replicaset/replica_set.go,
# controller.FilterActivePods drops pods with a deletionTimestamp) and the Job controller with its
# default podReplacementPolicy TerminatingOrFailed (kubernetes.io/docs/concepts/workloads/
# controllers/job/#pod-replacement-policy). A StatefulSet reuses the name, so it waits until the
# pod is gone; DaemonSet is treated the same way (not checked against its source).
REPLACED_WHILE_TERMINATING = ("ReplicaSet", "Job")
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
    new_meta: Obj = {
        "name": new_name,
        "namespace": meta.get("namespace"),
        "uid": str(uuid.uuid4()),
        "ownerReferences": copy.deepcopy(meta.get("ownerReferences")),
    }
    for key in ("labels", "annotations", "generateName"):
        if meta.get(key):
            new_meta[key] = copy.deepcopy(meta[key])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": new_meta,
        "spec": copy.deepcopy(pod.get("spec") or {}),
        "status": {"phase": "Pending"},
    }


def running_pod(pod: Obj, now: str) -> Obj:
    """Default admission: the pod is scheduled, its containers started and Ready at ``now``."""
    result = copy.deepcopy(pod)
    spec = result.get("spec") or {}
    statuses = []
    for container in spec.get("containers") or []:
        image = container.get("image", "")
        statuses.append(
            {
                "name": container.get("name", ""),
                "image": image,
                "imageID": f"{image.split(':')[0]}@sha256:{uuid.uuid4().hex}{uuid.uuid4().hex}",
                "containerID": f"containerd://{uuid.uuid4().hex}{uuid.uuid4().hex}",
                "ready": True,
                "started": True,
                "restartCount": 0,
                "state": {"running": {"startedAt": now}},
            }
        )
    conditions = [
        {"type": kind, "status": "True", "lastTransitionTime": now}
        for kind in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")
    ]
    result["status"] = {
        "phase": "Running",
        "conditions": conditions,
        "containerStatuses": statuses,
        "hostIP": "10.0.1.23",
        "podIP": "10.0.1.77",
        "startTime": now,
        "qosClass": "BestEffort",
    }
    return result


def grace_period(pod: Obj, options: Obj | None) -> int:
    """Seconds a DELETE leaves ``pod`` Terminating, as the apiserver's pod strategy decides.

    kubernetes/kubernetes pkg/registry/core/pod/strategy.go ``CheckGracefulDelete``: the
    DeleteOptions' ``gracePeriodSeconds``, else the pod's ``terminationGracePeriodSeconds``; 0 for
    a pod not yet scheduled (no ``spec.nodeName``) or already Succeeded or Failed; a negative
    value becomes 1.
    """
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    asked = (options or {}).get("gracePeriodSeconds")
    if asked is not None:
        period = int(asked)
    else:
        default = spec.get("terminationGracePeriodSeconds")
        period = DEFAULT_GRACE_SECONDS if default is None else int(default)
    if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
        return 0
    return 1 if period < 0 else period


def replaced_while_terminating(pod: Obj) -> bool:
    owner = controller_of(pod)
    return owner is not None and owner.get("kind") in REPLACED_WHILE_TERMINATING
