"""The kubelet and the Deployment controller of the image-pull worlds, imitated on ``KubeStandIn``.

Failing pods as the kubelet leaves them (``failing_pod``) with their pull events, pods owned by a
controller, the admission hook that runs or fails a new pod on a decider's word, the registry
deciders (the tag with ``ecr:DescribeImages``, the pull-through rule with
``ecr:DescribePullThroughCacheRules``, the path to the private registry, and the first pull
through a rule needing internet egress) and a coarse Deployment rollout
after an image change. The network decider is in ``image_pull_network``. Used by ``sandbox.worlds.image_pull``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from sandbox import kube_events
from sandbox.aws import WorldAws
from sandbox.kube_api import KubeStandIn
from sandbox.kube_controllers import random_suffix, running_pod
from sandbox.kube_store import timestamp
from sandbox.worlds.image_pull_messages import NOT_FOUND_MSG, RATE_MSG, TIMEOUT_MSG, pull_message
from sandbox.worlds.image_pull_network import NODE_IP
from sandbox.worlds.image_refs import parse

Obj = dict[str, Any]
# The upstreamRegistryUrl a pull-through cache rule gives for an image's registry host (Amazon ECR
# API Reference, CreatePullThroughCacheRule: Docker Hub is registry-1.docker.io); others are their host.
UPSTREAM_URLS = {"docker.io": "registry-1.docker.io"}


def failing_pod(pod: Obj, message: str, now: str, *, backoff: bool = True) -> Obj:
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


def _resolved_again(message: str, attempt: int) -> str:
    """The message of a later attempt: a registry name resolves to another address each time."""
    return re.sub(
        r"dial tcp (\d+\.\d+\.\d+)\.(\d+):", lambda m: f"dial tcp {m[1]}.{(int(m[2]) + attempt) % 250 + 1}:", message
    )


def pull_events(
    kube: KubeStandIn, pod: Obj, message: str, count: int = 1, messages: dict[str, str] | None = None
) -> None:
    """``count`` pull attempts per container, 30 s apart, as the node's kubelet records them.

    ``messages`` gives a container's own failure message (default: ``message`` with the first
    container's image replaced by its own). Events go through ``sandbox.kube_events.kubelet``, so
    exact repeats are counted and, past 10 distinct ``Failed`` messages about the pod (an i/o
    timeout names a new address each time), they are combined as the kubelet's recorder does.
    """
    ns = pod["metadata"]["namespace"]
    containers = pod["spec"]["containers"]
    first = containers[0]["image"]
    recorder = kube_events.kubelet(kube, pod["spec"].get("nodeName") or "")
    now = kube.clock()
    scheduled_event(kube, pod, now - timedelta(seconds=30 * count + 5))
    for attempt in range(count):
        at = now - timedelta(seconds=30 * (count - 1 - attempt))
        for c in containers:
            name, image = c["name"], c["image"]
            said = (messages or {}).get(name) or message.replace(first, image)
            said = _resolved_again(said, attempt)
            recorder.record(pod, "Pulling", f'Pulling image "{image}"', "Normal", name, ns, at)
            recorder.record(pod, "Failed", said, "Warning", name, ns, at)
            recorder.record(pod, "Failed", "Error: ErrImagePull", "Warning", name, ns, at)
            recorder.record(pod, "BackOff", f'Back-off pulling image "{image}"', "Normal", name, ns, at)
            recorder.record(pod, "Failed", "Error: ImagePullBackOff", "Warning", name, ns, at)


def scheduled_event(kube: KubeStandIn, pod: Obj, at: datetime | None = None) -> None:
    """The scheduler's Scheduled event: events.k8s.io/v1, so core/v1 shows it without lastTimestamp."""
    meta, node = pod["metadata"], pod["spec"].get("nodeName") or ""
    kube_events.record_series(
        kube,
        pod,
        "Scheduled",
        f"Successfully assigned {meta['namespace']}/{meta['name']} to {node}",
        action="Binding",
        controller="default-scheduler",
        instance="default-scheduler-6d8f9c7b5-q4m2x",
        at=at,
    )


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
        recorder = kube_events.kubelet(kube, pod["spec"].get("nodeName") or "")
        container = pod["spec"]["containers"][0]["name"]
        recorder.record(pod, "Failed", message, "Warning", container, pod["metadata"].get("namespace", "default"))
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


def ptc_decider(
    region: str, image: str, first_pull_egress: Callable[[Obj], bool], ecr_path: Callable[[Obj], str] | None = None
) -> Callable[[Obj], str]:
    """Docker Hub rate-limits ``image``; its pull-through-cache rewrite pulls when the rule exists,
    names the image's own registry as its upstream, the node reaches the private ECR registry
    (``ecr_path(pod)``: the world's network verdict, "" when it opens) and, for the first pull of an
    image, the upstream is reachable (ECR User Guide, "Amazon ECR interface VPC endpoints": the
    first pull through a cache rule over PrivateLink needs a NAT gateway route; later pulls do not:
    https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html).
    ``first_pull_egress(pod)`` is the world's own internet verdict."""
    ecr = WorldAws(region).client("ecr")
    upstream = UPSTREAM_URLS.get(parse(image).host, parse(image).host)
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
        found = rules.get("pullThroughCacheRules") or []
        if not found or found[0].get("upstreamRegistryUrl", "").removeprefix("https://").rstrip("/") != upstream:
            return pull_message(NOT_FOUND_MSG, wanted)
        blocked = ecr_path(pod) if ecr_path is not None else ""
        if blocked:
            return blocked
        if wanted not in cached and not first_pull_egress(pod):
            return pull_message(TIMEOUT_MSG, wanted)
        cached.add(wanted)
        return ""

    return decide
