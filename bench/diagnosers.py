"""Diagnosis cost: image-pull triage over 5,000 pods; RDS sweep vs a tag-driven stop/start Lambda over 1,000 databases.

Called by ``bench.run`` (in its own process, after the ack figures). Each figure comes from the
diagnoser's own call-count helper (``handlers.image_pull.triage_call_counts``,
``handlers.rds.lambda_baseline.count_calls``) run against moto and the Kubernetes stand-in; when a
diagnoser module is not there yet the figures are null and ``<name>_note`` says why.
"""

from __future__ import annotations

import importlib
from typing import Any

from bot.cloud.aws import Aws
from bot.cloud.context import ClusterContext
from bot.cloud.kube import Kube
from sandbox.aws import SANDBOX_ACCOUNT, SANDBOX_REGION, MotoSandbox
from sandbox.kube_api import KubeStandIn
from sandbox.kube_store import timestamp

PULL_PODS = 5000
PULL_NODES = 50
RDS_DATABASES = 1000
PULL_KEYS = ("pull_triage_kube_calls", "pull_triage_ec2_calls", "pull_triage_seconds")
RDS_KEYS = ("rds_sweep_api_calls", "seed_lambda_api_calls")


def _missing(keys: tuple[str, ...], why: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        out[key] = None
        out[f"{key}_note"] = why
    return out


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        return f"{module} is not available yet ({exc})"


def grow_pull_world(aws: Aws, kube: KubeStandIn, world: Any, facts: dict[str, Any], pods: int, nodes: int) -> None:
    """Nodes as real moto instances in the world's private subnet; failing agent pods spread over them."""
    ec2 = aws.client("ec2")
    image_id = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    made = ec2.run_instances(
        ImageId=image_id,
        MinCount=nodes - 1,
        MaxCount=nodes - 1,
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
    names = [n["metadata"]["name"] for n in kube.list("Node")]
    ds = kube.get("DaemonSet", "amazon-cloudwatch", "cloudwatch-agent")
    owner = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "name": "cloudwatch-agent",
        "uid": ds["metadata"]["uid"],
        "controller": True,
    }
    message = world.pull_message(world.TIMEOUT_MSG, world.AGENT_IMAGE)
    now = timestamp(kube.clock())
    for i in range(pods - len(kube.list("Pod"))):
        ns = f"team-{i % 10}"
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"agent-{i:05d}", "namespace": ns, "ownerReferences": [owner]},
            "spec": {
                "nodeName": names[i % len(names)],
                "containers": [{"name": "cloudwatch-agent", "image": world.AGENT_IMAGE}],
            },
        }
        kube.add_event(ns, kube.put(world.failing_pod(pod, message, now)), "Failed", message)


def pull_triage(moto: MotoSandbox, pods: int = PULL_PODS, nodes: int = PULL_NODES) -> dict[str, Any]:
    image_pull = _optional("handlers.image_pull")
    world = _optional("sandbox.worlds.image_pull")
    for mod in (image_pull, world):
        if isinstance(mod, str):
            return _missing(PULL_KEYS, mod)
    if not hasattr(image_pull, "triage_call_counts"):
        return _missing(PULL_KEYS, "handlers.image_pull has no triage_call_counts helper yet")
    moto.reset()
    kube = KubeStandIn()
    kube.start()
    try:
        aws = Aws(region=SANDBOX_REGION, max_attempts=2)
        facts = world.seed_private_subnet_world(aws, kube)
        grow_pull_world(aws, kube, world, facts, pods, nodes)
        ctx = ClusterContext(aws=aws, kube=Kube.from_host(kube.url), cluster_name="bench", account_id=SANDBOX_ACCOUNT)
        counts = image_pull.triage_call_counts(ctx)
        total = len(kube.list("Pod"))
    finally:
        kube.stop()
    out = {key: counts.get(key) for key in PULL_KEYS}
    out["pull_triage_pods"] = total
    out["pull_triage_failing_pods"] = counts.get("pull_triage_failing_pods")
    return out


def rds_sweep(moto: MotoSandbox, databases: int = RDS_DATABASES) -> dict[str, Any]:
    baseline = _optional("handlers.rds.lambda_baseline")
    world = _optional("sandbox.worlds.rds")
    for mod in (baseline, world):
        if isinstance(mod, str):
            return _missing(RDS_KEYS, mod)
    moto.reset()
    aws = Aws(region=SANDBOX_REGION, max_attempts=2)
    world.seed_many_databases(aws, databases)
    counts = baseline.count_calls(aws)
    out = {key: counts.get(key) for key in RDS_KEYS}
    out["rds_sweep_databases"] = databases
    return out


def measure_diagnosers() -> dict[str, Any]:
    moto = MotoSandbox()
    moto.start()
    moto.export()
    try:
        return {**pull_triage(moto), **rds_sweep(moto)}
    finally:
        moto.stop()
