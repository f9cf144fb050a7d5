"""Scenario sysctl-allowlisted: the kubelets already allow the sysctl, so the node is not the problem.

Deployment ``default/web`` asks for ``net.core.somaxconn``; every kubelet's configz lists it in
``allowedUnsafeSysctls``, but namespace ``default`` enforces Pod Security ``baseline``. The bot must
propose no node change (no node configuration files, no plan) and name Pod Security as the blocker.
The namespace owners then do what Pod Security needs (``enforce: privileged``) and the world's own
tables decide the end: a ``web`` pod Running on the unchanged node, the node group untouched.
"""

from __future__ import annotations

from sandbox.runtime import Sandbox
from sandbox.worlds import sysctl_allowlisted as world
from sandbox.worlds.sysctl import CLUSTER, PSA_ENFORCE

NODE_FILES = ("eksctl-", "ec2nodeclass-")
NODE_SUFFIXES = (".mime", ".toml")


def _outcome(*, ok: bool, detail: str):
    from sandbox.demo import Outcome

    return Outcome(ok, detail)


def _nodegroups(sandbox: Sandbox) -> list[tuple[str, str]]:
    eks = sandbox.aws.client("eks")
    names = eks.list_nodegroups(clusterName=CLUSTER).get("nodegroups") or []
    return [
        (n, eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName=n)["nodegroup"]["version"]) for n in sorted(names)
    ]


def allowlisted(sandbox: Sandbox):
    facts = world.seed_allowlisted(sandbox.aws, sandbox.kube)
    groups_before = _nodegroups(sandbox)
    sandbox.slash("sysctl default/web")
    req = sandbox.wait_request(lambda r: r.intent == "sysctl")
    codes = (req.diagnosis or {}).get("codes", [])
    node_files = [
        u.filename
        for u in sandbox.slack.uploads
        if u.filename.startswith(NODE_FILES) or u.filename.endswith(NODE_SUFFIXES)
    ]
    plans = sandbox.repo.plans_for_request(req.id)
    named = "sysctl.psa.forbidden" in codes
    # the namespace owners change what Pod Security enforces; nothing is done to the nodes
    world.relabel_namespace(sandbox.kube, facts["namespace"], {PSA_ENFORCE: "privileged"})
    sandbox.kube.reconcile()
    running = [
        p["metadata"]["name"]
        for p in sandbox.kube.list("Pod", facts["namespace"])
        if (p.get("status") or {}).get("phase") == "Running" and (p.get("spec") or {}).get("nodeName") == facts["node"]
    ]
    nodes = [n["metadata"]["name"] for n in sandbox.kube.list("Node")]
    unchanged = _nodegroups(sandbox) == groups_before and nodes == [facts["node"]]
    ok = named and not node_files and not plans and bool(running) and unchanged
    return _outcome(
        ok=ok,
        detail=f"kubelets allow it: blocker named={named}; node files {node_files}; plans "
        f"{[p.id for p in plans]}; after the namespace change running {running} on the "
        f"unchanged node={unchanged}",
    )


PARTS = (allowlisted,)
