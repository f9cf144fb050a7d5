"""Call budget of a whole-cluster triage: bounded Kubernetes lists and batched EC2 describes.

Seeds ~500 failing pods on 50 nodes and checks that the number of API calls does not depend
on the number of pods (the same triage over 52 pods costs exactly the same).
"""

from __future__ import annotations

from handlers.image_pull import triage_call_counts
from sandbox.kube_store import timestamp
from sandbox.worlds.image_pull import (
    AGENT_IMAGE,
    NODE_AMI,
    TIMEOUT_MSG,
    failing_pod,
    pull_message,
    seed_private_subnet_world,
)


def _add_nodes(aws, kube, facts, count: int) -> None:
    ec2 = aws.client("ec2")
    made = ec2.run_instances(
        ImageId=NODE_AMI,
        MinCount=count,
        MaxCount=count,
        SubnetId=facts["private_subnet"],
        SecurityGroupIds=[facts["node_sg"]],
    )["Instances"]
    for inst in made:
        kube.put(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": inst["PrivateDnsName"]},
                "status": {"conditions": [{"type": "Ready", "status": "True"}]},
            }
        )


def _add_pods(kube, prefix: str, count: int) -> None:
    """``count`` failing cloudwatch-agent pods (i/o timeout), spread over the nodes and 5 namespaces."""
    nodes = [n["metadata"]["name"] for n in kube.list("Node")]
    ds = kube.get("DaemonSet", "amazon-cloudwatch", "cloudwatch-agent")
    owner = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "name": "cloudwatch-agent",
        "uid": ds["metadata"]["uid"],
        "controller": True,
    }
    message = pull_message(TIMEOUT_MSG, AGENT_IMAGE)
    now = timestamp(kube.clock())
    for i in range(count):
        ns = f"team-{i % 5}"
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"{prefix}-{i:04d}", "namespace": ns, "ownerReferences": [owner]},
            "spec": {
                "nodeName": nodes[i % len(nodes)],
                "containers": [{"name": "cloudwatch-agent", "image": AGENT_IMAGE}],
            },
        }
        kube.add_event(ns, kube.put(failing_pod(pod, message, now)), "Failed", message)


def test_triage_call_counts_do_not_grow_with_pods(cluster_ctx, kube_stand_in, aws):
    facts = seed_private_subnet_world(aws, kube_stand_in)
    _add_nodes(aws, kube_stand_in, facts, 49)
    _add_pods(kube_stand_in, "small", 50)
    small = triage_call_counts(cluster_ctx)
    assert small["pull_triage_failing_pods"] == 52
    _add_pods(kube_stand_in, "big", 450)
    big = triage_call_counts(cluster_ctx)
    assert big["pull_triage_failing_pods"] == 502
    # pods, events, nodes, daemonsets: 4 lists whatever the pod count
    assert big["pull_triage_kube_calls"] == small["pull_triage_kube_calls"] == 4
    # one DescribeInstances for 50 node names, then 8 describes and 2 DNS attributes for the VPC
    assert big["pull_triage_ec2_calls"] == small["pull_triage_ec2_calls"] == 11
    assert cluster_ctx.aws.counter.snapshot()["ec2:DescribeInstances"] == 1
