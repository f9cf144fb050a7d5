"""The kubelet's image-pull retries, imitated: a pod stuck on a pull tries again with back-off.

The kubelet retries a failed pull with an exponentially growing delay (doubling up to 300 s;
Kubernetes docs, "Images" / "ImagePullBackOff": https://kubernetes.io/docs/concepts/containers/
images/#imagepullbackoff). Here a delay is counted in reconciler passes of the stand-in (the
world's clock), so a pod that failed while a fix was still settling (an endpoint ``pending``)
runs once the world says the pull works. Each pass also ticks the EC2 behaviour clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox import aws_ec2_behaviour
from sandbox.kube_api import KubeStandIn
from sandbox.kube_controllers import running_pod
from sandbox.kube_store import timestamp

Obj = dict[str, Any]
PULL_WAITING = ("ErrImagePull", "ImagePullBackOff")
MAX_DELAY = 300  # passes: the kubelet's 300 s cap, one pass standing for one second


def _stuck(pod: Obj) -> bool:
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return any(((c.get("state") or {}).get("waiting") or {}).get("reason") in PULL_WAITING for c in statuses)


def retry_pulls(namespace: str, decide: Callable[[Obj], str]) -> Callable[[KubeStandIn], None]:
    """A reconciler: tick the EC2 clock, then retry the due pulls of stuck pods in ``namespace``."""
    schedule: dict[str, list[int]] = {}  # pod uid -> [passes left, current delay]

    def reconcile(kube: KubeStandIn) -> None:
        aws_ec2_behaviour.tick()
        verdicts: dict[tuple[str, str], str] = {}  # one decision per (node, image) and pass
        for pod in kube.list("Pod", namespace):
            uid = pod["metadata"].get("uid", "")
            if not _stuck(pod):
                schedule.pop(uid, None)
                continue
            entry = schedule.setdefault(uid, [1, 1])
            entry[0] -= 1
            if entry[0] > 0:
                continue
            key = (pod["spec"].get("nodeName", ""), pod["spec"]["containers"][0]["image"])
            if key not in verdicts:
                verdicts[key] = decide(pod)
            message = verdicts[key]
            now = timestamp(kube.clock())
            if not message:
                kube.put(running_pod(pod, now))
                schedule.pop(uid, None)
                continue
            entry[1] = min(entry[1] * 2, MAX_DELAY)
            entry[0] = entry[1]
            kube.add_event(namespace, pod, "Failed", message)

    return reconcile
