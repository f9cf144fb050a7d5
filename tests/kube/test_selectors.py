"""Workload label selectors with ``matchExpressions``: the bot must select the same pods the
Deployment does (meta/v1 LabelSelector: ``matchLabels`` and ``matchExpressions`` ANDed; operators
In, NotIn, Exists, DoesNotExist)."""

from __future__ import annotations

import pytest

from bot.cloud.context import ClusterContext
from bot.cloud.kube import Kube
from handlers.image_pull import verify
from handlers.image_pull.collect import collect_pods
from handlers.image_pull.steps import watch_entry
from handlers.workloads import selector_string
from sandbox.kube_api import KubeStandIn
from sandbox.worlds.image_pull_kubelet import failing_pod, owned_pod
from sandbox.worlds.image_pull_messages import NOT_FOUND_MSG, pull_message

NODE = "ip-10-0-1-23.ap-northeast-2.compute.internal"
OLD = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/web:v9"
NEW = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/web:v8"
SELECTOR = {
    "matchLabels": {"app": "web"},
    "matchExpressions": [
        {"key": "track", "operator": "NotIn", "values": ["canary"]},
        {"key": "tier", "operator": "In", "values": ["front", "edge"]},
        {"key": "team", "operator": "Exists"},
        {"key": "legacy", "operator": "DoesNotExist"},
    ],
}


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


def _labels(**extra: str) -> dict[str, str]:
    return {"app": "web", "tier": "front", "team": "shop", **extra}


def _world(kube: KubeStandIn) -> None:
    dep = kube.put(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {
                "selector": SELECTOR,
                "template": {
                    "metadata": {"labels": _labels()},
                    "spec": {"containers": [{"name": "app", "image": OLD}]},
                },
            },
        }
    )
    rs = kube.put(
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": "web-6c9f7d5b8",
                "namespace": "shop",
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": "web",
                        "uid": dep["metadata"]["uid"],
                        "controller": True,
                    }
                ],
            },
            "spec": {"selector": SELECTOR},
        }
    )
    message = pull_message(NOT_FOUND_MSG, OLD)
    kube.put(
        failing_pod(owned_pod("shop", "web-6c9f7d5b8-x7k2p", rs, _labels(), NODE, OLD), message, "2026-12-01T09:00:00Z")
    )
    # pods the Deployment's selector leaves out, all Running the new image
    for name, labels in (
        ("web-canary-1", _labels(track="canary")),
        ("web-back-1", _labels(tier="back")),
        ("web-noteam-1", {"app": "web", "tier": "edge"}),
        ("web-legacy-1", _labels(legacy="yes")),
    ):
        kube.put(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "namespace": "shop", "labels": labels},
                "spec": {"nodeName": NODE, "containers": [{"name": "app", "image": NEW}]},
                "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
            }
        )
    kube.put(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web-7f8d9-abcde", "namespace": "shop", "labels": _labels(tier="edge")},
            "spec": {"nodeName": NODE, "containers": [{"name": "app", "image": NEW}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
        }
    )


def test_selector_string_selects_what_the_deployment_selects(kube_stand_in, ctx):
    _world(kube_stand_in)
    listed = ctx.kube.core.list_namespaced_pod("shop", label_selector=selector_string(SELECTOR)).items
    assert sorted(p.metadata.name for p in listed) == ["web-6c9f7d5b8-x7k2p", "web-7f8d9-abcde"]


def test_verification_after_an_image_change_watches_only_the_deployments_pods(kube_stand_in, ctx):
    _world(kube_stand_in)
    failing, _ = collect_pods(ctx, "shop")
    assert failing[0].owner is not None and failing[0].owner.kind == "Deployment"
    entry = watch_entry(failing, image=NEW)
    names = sorted(p["metadata"]["name"] for p in verify._candidates(ctx, entry))
    assert names == ["web-7f8d9-abcde"]
