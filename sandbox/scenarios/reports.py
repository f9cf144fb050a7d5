"""Scenario reports: one report of each kind, run twice with the clock advanced and a problem fixed.

The world: the pod-restart world (a crash-looping pod), the image-pull world (cloudwatch-agent pods
that cannot reach ECR), an ingress stuck in deletion, a pod the kubelet rejected for a sysctl, and
the RDS world with one schedule and its actions. A developer asks to restart the crash-looping pod
(a plan waits for approval); ops configure the four reports over ``/ops report add`` and post them
with ``/ops report run``; ops approve the restart (the pod is replaced: fixed); a day later the
scheduler's ``run_due`` posts the second run, which shows what is new, resolved and unchanged.
``seed_health_world`` is shared with ``tests/reports``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sandbox.kube_store import timestamp
from sandbox.runtime import DEV, OPS, Sandbox
from sandbox.scenarios.common import approve_and_wait, latest_plan
from sandbox.worlds.image_pull import seed_private_subnet_world
from sandbox.worlds.irsa import stuck_ingress
from sandbox.worlds.pods import seed_pod_restart_world
from sandbox.worlds.rds import seed_rds_world

REPORTS = "C0REPORTS"
KINDS = ("health", "approvals", "rds", "audit")
SYSCTL_MESSAGE = 'Pod was rejected: forbidden sysctl: "net.ipv4.tcp_keepalive_intvl" not allowlisted'


def sysctl_rejected_pod(namespace: str, name: str, owner: str, node: str) -> dict[str, Any]:
    """A pod as the kubelet leaves it after rejecting an unsafe sysctl (kubelet.go rejectPod)."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": owner,
                    "uid": f"uid-{owner}",
                    "controller": True,
                }
            ],
        },
        "spec": {
            "nodeName": node,
            "containers": [{"name": "app", "image": "payments:1.4"}],
            "securityContext": {"sysctls": [{"name": "net.ipv4.tcp_keepalive_intvl", "value": "30"}]},
        },
        "status": {"phase": "Failed", "reason": "SysctlForbidden", "message": SYSCTL_MESSAGE},
    }


def seed_health_world(sandbox: Sandbox) -> dict[str, Any]:
    pods = seed_pod_restart_world(sandbox.kube)
    pull = seed_private_subnet_world(sandbox.aws, sandbox.kube)
    sandbox.kube.pod_admission = None  # replacements of other pods start normally
    deleted_at = timestamp(sandbox.clock() - timedelta(days=3))
    sandbox.kube.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments"}})
    sandbox.kube.put(stuck_ingress("cloudon", "cloudon-ingress", "k8s-cloudon-1234.elb.amazonaws.com", deleted_at))
    sandbox.kube.put(sysctl_rejected_pod("payments", "keepalive-5d8f9-abcde", "keepalive-5d8f9", pull["node"]))
    return {
        "stuck_pod": pods["stuck"],
        "namespace": pods["namespace"],
        "pull_image": pull["image"],
        "ingress": "cloudon/cloudon-ingress",
        "sysctl_pod": "payments/keepalive-5d8f9-abcde",
    }


def seed_rds_history(sandbox: Sandbox) -> None:
    seed_rds_world(sandbox.aws)
    repo = sandbox.bot.stores["rds"].repo
    now = sandbox.clock()
    repo.upsert_schedule(
        "cluster",
        "portal",
        "0 20 * * 1-5",
        "0 8 * * 1-5",
        "Asia/Seoul",
        created_by=OPS,
        approved_by=OPS,
        now=now - timedelta(days=3),
    )
    repo.record_action("cluster", "portal", "stop", "schedule:1", at=now - timedelta(days=2, hours=12))
    repo.record_action("cluster", "portal", "start", "schedule:1", at=now - timedelta(days=2))


def posts(sandbox: Sandbox) -> list[Any]:
    return sandbox.slack.messages(REPORTS)


def run(sandbox: Sandbox):
    from sandbox.demo import Outcome

    sandbox.slack.add_channel(REPORTS, "ops-reports")
    facts = seed_health_world(sandbox)
    seed_rds_history(sandbox)
    sandbox.slash(f"restart {facts['namespace']}/{facts['stuck_pod']}", user=DEV)
    req = sandbox.wait_request(lambda r: r.intent == "pod_restart")
    plan = latest_plan(sandbox, req.id)
    for kind in KINDS:
        sandbox.slash(f"report add {kind} <#{REPORTS}|ops-reports> 0 9 * * * Asia/Seoul", user=OPS)
    service = sandbox.bot.deps.reports
    sandbox.slack.wait_for(lambda r: "Report #4" in r.body.get("text", ""), timeout=10, source="responses")
    reports = {r.kind: r.id for r in service.list()}
    sandbox.clock.advance(timedelta(minutes=30))  # past the not-ready threshold, plan still open
    for kind in KINDS:
        sandbox.slash(f"report run {reports[kind]}", user=OPS)
        sandbox.slack.wait_for(lambda m, k=kind: _is_report(m, k), timeout=30)
    first = len(posts(sandbox))
    plan = approve_and_wait(sandbox, plan.id)
    sandbox.clock.advance(timedelta(days=1))
    second = service.run_due()
    later = posts(sandbox)[first:]
    texts = {r.content.kind: r.content.text for r in second}
    health_blocks = json.dumps(
        next((r.content.blocks for r in second if r.content.kind == "health"), []), ensure_ascii=False
    )
    checks = {
        "first run posted all four": first >= 4,
        "restart applied": plan.status == "applied",
        "second run ran each report once": sorted(texts) == sorted(KINDS),
        "health: crash-looping pod resolved": "Resolved" in health_blocks and facts["stuck_pod"] in health_blocks,
        "health: image pulls still open": "Still open" in health_blocks and "cloudwatch-agent" in health_blocks,
        "approvals: plan no longer waiting": f"Plan #{plan.id}" in texts.get("approvals", ""),
        "audit: the applied restart": "1 applied" in texts.get("audit", ""),
        "rds: unchanged is one line": "\n" not in texts.get("rds", "\n") and "no change" in texts.get("rds", ""),
        "charts uploaded": {u.filename.split("-")[0] for u in sandbox.slack.uploads} >= {"health", "rds"},
    }
    failed = [name for name, ok in checks.items() if not ok]
    detail = f"{first} posts in run 1, {len(later)} in run 2; {len(sandbox.slack.uploads)} charts; " + (
        "all checks passed" if not failed else "failed: " + "; ".join(failed)
    )
    return Outcome(not failed, detail)


def _is_report(message: Any, kind: str) -> bool:
    titles = {
        "health": "Cluster health",
        "approvals": "Plans waiting",
        "rds": "RDS schedules",
        "audit": "Changes this week",
    }
    return message.channel == REPORTS and message.text.startswith(titles[kind])
