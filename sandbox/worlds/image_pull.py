"""Image-pull worlds for the sandbox (scenario ``image-pull``) and the image-pull tests.

``seed_private_subnet_world`` is the seed case: a node in a private subnet whose route table
has neither a NAT route nor VPC endpoints, and ``amazon-cloudwatch/cloudwatch-agent`` pods
failing with containerd's i/o timeout to ECR; the VPC does have a public subnet with an
internet gateway and a NAT gateway. ``seed_missing_tag_world``: a Deployment whose ECR tag does
not exist. ``seed_dockerhub_rate_limit_world``: Docker Hub answers 429.

The kubelet imitation (``kube.pod_admission``) decides from LIVE moto state whether a new pod
can pull: the network path with the world's own tables (``sandbox.worlds.reachability``) on
freshly described EC2 state, the tag with ``ecr:DescribeImages``, the pull-through rule with
``ecr:DescribePullThroughCacheRules`` (answered by ``sandbox.aws_ecr_behaviour``): a rewritten
Docker Hub image runs once the rule exists, the node reaches ECR and, for its first pull, the
internet. Stuck pulls are retried with back-off (``image_pull_backoff``). A reconciler imitates
the Deployment rollout after an image change. Used by the demo scenarios and the tests.

This module only assembles the worlds: the moto VPC and the network decider are in
``image_pull_network``, the kubelet and controller imitation in ``image_pull_kubelet``, the pull
error wordings in ``image_pull_messages`` (re-exported here, with the node constants).
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.kube_api import KubeStandIn
from sandbox.kube_store import timestamp
from sandbox.worlds.image_pull_backoff import retry_pulls
from sandbox.worlds.image_pull_kubelet import (
    admission,
    failing_pod,
    owned_pod,
    ptc_decider,
    pull_events,
    roll_out,
    tag_decider,
)
from sandbox.worlds.image_pull_messages import NOT_FOUND_MSG, RATE_MSG, TIMEOUT_MSG, pull_message
from sandbox.worlds.image_pull_network import (
    NODE_AMI,
    NODE_IP,
    REGION,
    build_network,
    internet_verdict,
    path_decider,
    put_node,
)

__all__ = [
    "AGENT_IMAGE",
    "NODE_AMI",
    "NODE_IP",
    "NOT_FOUND_MSG",
    "RATE_MSG",
    "REGION",
    "TIMEOUT_MSG",
    "failing_pod",
    "pull_message",
    "seed_dockerhub_rate_limit_world",
    "seed_missing_tag_world",
    "seed_private_subnet_world",
]

AGENT_IMAGE = "602401143452.dkr.ecr.ap-northeast-1.amazonaws.com/cloudwatch-agent/cloudwatch-agent:1.300049.1b929"


def seed_private_subnet_world(
    aws: Any, kube: KubeStandIn, *, dns_hostnames: bool = True, far_side: dict[str, bool] | None = None
) -> dict[str, Any]:
    """``far_side``: what this world declares behind egress targets it cannot see (``tgw-...``)."""
    net = build_network(aws, nat_route=False, dns_hostnames=dns_hostnames)
    put_node(kube, net)
    ns = "amazon-cloudwatch"
    kube.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    labels = {"app.kubernetes.io/name": "cloudwatch-agent"}
    ds = kube.put(
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "cloudwatch-agent", "namespace": ns},
            "spec": {
                "selector": {"matchLabels": labels},
                "updateStrategy": {"type": "RollingUpdate"},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "cloudwatch-agent", "image": AGENT_IMAGE}]},
                },
            },
        }
    )
    message = pull_message(TIMEOUT_MSG, AGENT_IMAGE)
    now = timestamp(kube.clock())
    pods = []
    for name in ("cloudwatch-agent-fz4hj", "cloudwatch-agent-pdklg"):
        pod = kube.put(
            failing_pod(owned_pod(ns, name, ds, labels, net["node"], AGENT_IMAGE, "cloudwatch-agent"), message, now)
        )
        pull_events(kube, pod, message, count=6)
        pods.append(name)
    decide = path_decider(far_side, region=aws.region)
    kube.pod_admission = admission(kube, decide)
    kube.add_reconciler(retry_pulls(ns, decide))
    return {
        **net,
        "namespace": ns,
        "daemonset": "cloudwatch-agent",
        "pods": pods,
        "image": AGENT_IMAGE,
        "message": message,
    }


def _deployment_world(
    aws: Any, kube: KubeStandIn, ns: str, name: str, image: str, message: str, decide
) -> dict[str, Any]:
    net = build_network(aws, nat_route=True)
    put_node(kube, net)
    kube.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    labels = {"app": name}
    dep = kube.put(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": labels},
                "strategy": {"type": "RollingUpdate"},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "app", "image": image}]},
                },
            },
        }
    )
    rs = kube.put(
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{name}-6c9f7d5b8",
                "namespace": ns,
                "labels": labels,
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": name,
                        "uid": dep["metadata"]["uid"],
                        "controller": True,
                    }
                ],
            },
            "spec": {"replicas": 2, "selector": {"matchLabels": labels}},
        }
    )
    now = timestamp(kube.clock())
    pods = []
    for suffix in ("x7k2p", "q9w4z"):
        pod = kube.put(
            failing_pod(
                owned_pod(ns, f"{rs['metadata']['name']}-{suffix}", rs, labels, net["node"], image), message, now
            )
        )
        pull_events(kube, pod, message, count=4)
        pods.append(pod["metadata"]["name"])
    admit = admission(kube, decide)
    kube.pod_admission = admit
    kube.add_reconciler(lambda k: roll_out(k, ns, admit))
    return {
        **net,
        "namespace": ns,
        "deployment": name,
        "replicaset": rs["metadata"]["name"],
        "pods": pods,
        "image": image,
        "message": message,
    }


def seed_missing_tag_world(aws: Any, kube: KubeStandIn) -> dict[str, Any]:
    ecr = aws.client("ecr")
    repo = "payments/api"
    uri = ecr.create_repository(repositoryName=repo)["repository"]["repositoryUri"]
    for i, tag in enumerate(("1.4.2", "1.4.3", "1.5.0", "latest")):
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"digest": f"sha256:{i:064x}", "size": 1, "mediaType": "application/json"},
            "layers": [],
        }
        ecr.put_image(repositoryName=repo, imageManifest=json.dumps(manifest), imageTag=tag)
    image = f"{uri}:1.4.4"
    decide = tag_decider(aws.region)
    facts = _deployment_world(aws, kube, "payments", "api", image, pull_message(NOT_FOUND_MSG, image), decide)
    return {
        **facts,
        "repository": repo,
        "tags": ["1.4.2", "1.4.3", "1.5.0", "latest"],
        "expected_tag": "1.4.3",
    }


def seed_dockerhub_rate_limit_world(aws: Any, kube: KubeStandIn) -> dict[str, Any]:
    image = "nginx:1.27.2"
    secret = aws.client("secretsmanager").create_secret(
        Name="ecr-pullthroughcache/docker-hub",
        SecretString=json.dumps({"username": "ops", "accessToken": "x"}),
    )
    decide = ptc_decider(aws.region, image, internet_verdict(aws.region), path_decider(region=aws.region))
    facts = _deployment_world(aws, kube, "web", "frontend", image, pull_message(RATE_MSG, image), decide)
    return {**facts, "secret_arn": secret["ARN"]}
