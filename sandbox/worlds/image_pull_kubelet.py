"""The kubelet and the Deployment controller of the image-pull worlds, imitated on ``KubeStandIn``.

Failing pods as the kubelet leaves them (``failing_pod``) with their pull events, pods owned by a
controller, the admission hook that runs or fails a new pod on a decider's word, the registry
deciders (the tag with ``ecr:DescribeImages``, the pull-through rule with ``ecr``, which moto
lacks, and the first pull through it needing internet egress) and a coarse Deployment rollout
after an image change. The network decider is in ``image_pull_network``. Used by ``sandbox.worlds.image_pull``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from sandbox.aws import WorldAws
from sandbox.kube_api import KubeStandIn
from sandbox.kube_controllers import random_suffix, running_pod
from sandbox.kube_store import timestamp
from sandbox.worlds.image_pull_messages import NOT_FOUND_MSG, RATE_MSG, TIMEOUT_MSG, pull_message
from sandbox.worlds.image_pull_network import NODE_IP
from sandbox.worlds.image_refs import parse

Obj = dict[str, Any]


def failing_pod(pod: Obj, message: str, now: str, backoff: bool = True) -> Obj:
    """``pod`` as the kubelet leaves it after failed pulls: Pending, waiting in the pull reason."""
    out = json.loads(json.dumps(pod))
    image = out["spec"]["containers"][0]["image"]
    waiting = (
        {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{image}"'}
        if backoff
        else {"reason": "ErrImagePull", "message": message.split(": ", 1)[-1]}
    )
    out["status"] = {
        "phase": "Pending",
        "hostIP": NODE_IP,
        "startTime": now,
        "conditions": [
            {"type": "PodScheduled", "status": "True"},
            {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
        ],
        "containerStatuses": [
            {
                "name": c["name"],
                "image": c["image"],
                "ready": False,
                "started": False,
                "restartCount": 0,
                "imageID": "",
                "state": {"waiting": waiting},
            }
            for c in out["spec"]["containers"]
        ],
    }
    return out


def pull_events(kube: KubeStandIn, pod: Obj, message: str, count: int = 1) -> None:
    ns, image = pod["metadata"]["namespace"], pod["spec"]["containers"][0]["image"]
    kube.add_event(ns, pod, "Pulling", f'Pulling image "{image}"', type_="Normal", count=count)
    kube.add_event(ns, pod, "Failed", message, count=count)
    kube.add_event(ns, pod, "Failed", "Error: ErrImagePull", count=count)
    kube.add_event(ns, pod, "BackOff", f'Back-off pulling image "{image}"', type_="Normal", count=count)
    kube.add_event(ns, pod, "Failed", "Error: ImagePullBackOff", count=count)


def owned_pod(
    namespace: str,
    name: str,
    owner: Obj,
    labels: dict[str, str],
    node: str,
    image: str,
    container: str = "app",
) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": dict(labels),
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": owner["kind"],
                    "name": owner["metadata"]["name"],
                    "uid": owner["metadata"]["uid"],
                    "controller": True,
                }
            ],
        },
        "spec": {"nodeName": node, "containers": [{"name": container, "image": image}]},
    }


def admission(kube: KubeStandIn, decide: Callable[[Obj], str]) -> Callable[[Obj], Obj]:
    """A kubelet imitation: ``decide(pod) -> error message | ""`` from live AWS state."""

    def admit(pod: Obj) -> Obj:
        now = timestamp(kube.clock())
        message = decide(pod)
        if not message:
            return running_pod(pod, now)
        failed = failing_pod(pod, message, now, backoff=False)
        kube.add_event(pod["metadata"].get("namespace", "default"), pod, "Failed", message)
        return failed

    return admit


def roll_out(kube: KubeStandIn, ns: str, admit: Callable[[Obj], Obj]) -> None:
    """The Deployment controller, coarsely: pods whose image differs from the template are replaced."""
    for dep in kube.list("Deployment", ns):
        template = dep["spec"]["template"]["spec"]["containers"][0]["image"]
        labels = dep["spec"]["selector"]["matchLabels"]
        for pod in kube.list("Pod", ns):
            if any(pod["metadata"].get("labels", {}).get(k) != v for k, v in labels.items()):
                continue
            if pod["spec"]["containers"][0]["image"] == template:
                continue
            kube.remove("Pod", ns, pod["metadata"]["name"])
            fresh = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"{dep['metadata']['name']}-7f8d9c6b4-{random_suffix()}",
                    "namespace": ns,
                    "labels": dict(labels),
                    "ownerReferences": pod["metadata"].get("ownerReferences"),
                },
                "spec": {**pod["spec"], "containers": [{**pod["spec"]["containers"][0], "image": template}]},
            }
            kube.put(admit(fresh))


def tag_decider(region: str) -> Callable[[Obj], str]:
    """The registry answers NotFound for a tag ECR does not hold (``ecr:DescribeImages``)."""
    ecr = WorldAws(region).client("ecr")

    def decide(pod: Obj) -> str:
        image = pod["spec"]["containers"][0]["image"]
        ref = parse(image)
        try:
            ecr.describe_images(repositoryName=ref.repository, imageIds=[{"imageTag": ref.tag}])
        except ClientError:
            return pull_message(NOT_FOUND_MSG, image)
        return ""

    return decide


def ptc_decider(region: str, image: str, first_pull_egress: Callable[[Obj], bool]) -> Callable[[Obj], str]:
    """Docker Hub rate-limits ``image``; its pull-through-cache rewrite pulls when the rule exists and,
    for the first pull of an image, the node has a NAT path to the internet (ECR User Guide,
    "Amazon ECR interface VPC endpoints": the first pull through a cache rule over PrivateLink needs
    a NAT gateway route; later pulls do not: https://docs.aws.amazon.com/AmazonECR/latest/userguide/
    vpc-endpoints.html). ``first_pull_egress(pod)`` is the world's own internet verdict."""
    ecr = WorldAws(region).client("ecr")
    cached: set[str] = set()

    def decide(pod: Obj) -> str:
        wanted = pod["spec"]["containers"][0]["image"]
        if wanted == image:
            return pull_message(RATE_MSG, image)
        prefix = parse(wanted).repository.split("/", 1)[0]
        try:
            rules = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=[prefix])
        except ClientError:
            rules = {}
        if not rules.get("pullThroughCacheRules"):
            return pull_message(NOT_FOUND_MSG, wanted)
        if wanted not in cached and not first_pull_egress(pod):
            return pull_message(TIMEOUT_MSG, wanted)
        cached.add(wanted)
        return ""

    return decide
