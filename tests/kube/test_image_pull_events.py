"""The image-pull collector reads kubelet events as the kubelet writes them.

Events come from ``sandbox.kube_events`` (through the world's ``pull_events``): repeated pulls
are counted and, past 10 distinct ``Failed`` messages about a pod, combined into one
``(combined from similar events): ...`` event; each carries the container's ``fieldPath``.
"""

from __future__ import annotations

import pytest

from bot.cloud.context import ClusterContext
from bot.cloud.kube import Kube
from bot.parsing.image_pull import classify_pull_error
from handlers.image_pull.collect import collect_pods
from sandbox.kube_api import KubeStandIn
from sandbox.worlds.image_pull_kubelet import failing_pod, pull_events
from sandbox.worlds.image_pull_messages import NOT_FOUND_MSG, TIMEOUT_MSG, pull_message

NODE = "ip-10-0-1-23.ap-northeast-2.compute.internal"
ECR = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com"
API, AGENT = f"{ECR}/api:v9", "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300"


@pytest.fixture
def ctx(kube_stand_in) -> ClusterContext:
    return ClusterContext(
        aws=None,
        kube=Kube.from_host(kube_stand_in.url),
        cluster_name="prod",  # type: ignore[arg-type]
        account_id="123456789012",
        wait_seconds=1.0,
        poll_seconds=0.01,
    )


def _pod(kube: KubeStandIn, name: str, containers: list[tuple[str, str]], message: str) -> dict:
    spec = {"nodeName": NODE, "containers": [{"name": n, "image": i} for n, i in containers]}
    bare = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "web"}, "spec": spec}
    return kube.put(failing_pod(bare, message, "2026-12-01T09:00:00Z"))


def test_a_combined_event_does_not_hide_the_pull_error(kube_stand_in, ctx):
    message = pull_message(TIMEOUT_MSG, API)
    pod = _pod(kube_stand_in, "api-0", [("app", API)], message)
    pull_events(kube_stand_in, pod, message, count=9)
    failed = [e for e in kube_stand_in.list("Event", "web") if e["reason"] == "Failed"]
    latest = max(failed, key=lambda e: (e["lastTimestamp"], e["message"].startswith("(combined")))
    assert latest["message"] == "(combined from similar events): Error: ImagePullBackOff", "the world must combine"

    failing, _ = collect_pods(ctx, "web")
    verdict = classify_pull_error(failing[0].message)
    assert (verdict.cause, verdict.image, verdict.registry) == ("network_unreachable", API, ECR)


def test_each_failing_container_gets_its_own_error(kube_stand_in, ctx):
    api_msg, agent_msg = pull_message(NOT_FOUND_MSG, API), pull_message(TIMEOUT_MSG, AGENT)
    pod = _pod(kube_stand_in, "mixed-0", [("app", API), ("agent", AGENT)], api_msg)
    pull_events(kube_stand_in, pod, api_msg, count=3, messages={"app": api_msg, "agent": agent_msg})

    failing, _ = collect_pods(ctx, "web")
    found = {f.container: classify_pull_error(f.message) for f in failing}
    assert (found["app"].cause, found["app"].image) == ("not_found", API)
    assert (found["agent"].cause, found["agent"].image) == ("network_unreachable", AGENT)
