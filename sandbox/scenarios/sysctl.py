"""Scenario sysctl: a keepalive pod in three clusters, each with a different right answer.

(a) EKS 1.28 with AL2 nodes: the node group configuration is generated and posted as a file;
(b) 1.30 control plane with 1.28 kubelets: upgrade the lagging node group, then the bot recreates
the pod and it runs; (c) a namespace pinning Pod Security ``enforce-version`` to v1.28: the bot
proposes the label change, ops approve, and the pod runs.
"""

from __future__ import annotations

from sandbox.runtime import Sandbox
from sandbox.scenarios.common import approve_and_wait, latest_plan
from sandbox.worlds import sysctl as worlds


def _outcome(*, ok: bool, detail: str):
    from sandbox.demo import Outcome

    return Outcome(ok, detail)


def keepalive_on_128(sandbox: Sandbox):
    worlds.seed_keepalive_on_128(sandbox.aws, sandbox.kube)
    sandbox.say("ubuntu pod in default fails with forbidden sysctl net.ipv4.tcp_keepalive_intvl")
    req = sandbox.wait_request(lambda r: r.intent == "sysctl")
    codes = req.diagnosis["codes"] if req.diagnosis else []
    uploads = [u.filename for u in sandbox.slack.uploads]
    ok = (
        "sysctl.nodeconfig" in codes
        and any(n.startswith("eksctl-") for n in uploads)
        and not sandbox.repo.plans_for_request(req.id)
    )
    return _outcome(ok=ok, detail=f"1.28/AL2: findings {codes[:3]}, files posted {uploads}")


def lagging_nodegroup(sandbox: Sandbox):
    facts = worlds.seed_lagging_nodegroup(sandbox.aws, sandbox.kube)
    sandbox.slash("sysctl default/ubuntu")
    first = sandbox.wait_request(lambda r: r.intent == "sysctl")
    lagging = "sysctl.kubelet_lagging" in (first.diagnosis or {}).get("codes", [])
    worlds.roll_out_nodegroup(sandbox.aws, sandbox.kube, facts["world"], "ng-al2", "ng-al2", "1.30")
    sandbox.slash("sysctl default/ubuntu")
    second = sandbox.wait_request(lambda r: r.intent == "sysctl" and r.id != first.id)
    plan = approve_and_wait(sandbox, latest_plan(sandbox, second.id).id)
    pod = sandbox.kube.get("Pod", "default", "ubuntu") or {}
    running = (pod.get("status") or {}).get("phase") == "Running"
    ok = lagging and plan.status == "applied" and running
    return _outcome(
        ok=ok,
        detail=f"1.30/1.28 kubelets: lagging found={lagging}; after the node group upgrade plan "
        f"#{plan.id} {plan.status}; pod Running={running}",
    )


def psa_pinned(sandbox: Sandbox):
    worlds.seed_psa_pinned(sandbox.aws, sandbox.kube)
    sandbox.slash("sysctl default/ubuntu")
    req = sandbox.wait_request(lambda r: r.intent == "sysctl")
    plan = approve_and_wait(sandbox, latest_plan(sandbox, req.id).id)
    labels = sandbox.kube.get("Namespace", None, "default")["metadata"]["labels"]
    running = [
        p["metadata"]["name"]
        for p in sandbox.kube.list("Pod", "default")
        if (p.get("status") or {}).get("phase") == "Running"
    ]
    version = labels.get("pod-security.kubernetes.io/enforce-version")
    ok = plan.status == "applied" and version != "v1.28" and bool(running)
    return _outcome(
        ok=ok, detail=f"PSA pinned: plan #{plan.id} {plan.status}; enforce-version now {version}; running {running}"
    )


PARTS = (keepalive_on_128, lagging_nodegroup, psa_pinned)
