"""The RBAC the Helm chart in ``deploy/chart`` renders grants exactly the (group, resource, verb) triples
the handlers' source calls, and every pod that runs job workers has their threads and room for them and
for its shutdown. The chart is rendered by helm (``make helm``) and read as data;
``tests/deploy/test_chart.py`` checks the rest of it."""

from __future__ import annotations

import re

import pytest

from tests.deploy.chart import deployment, env_values, kinds, one, render
from tests.production.source_scan import KUBE_APIS, kube_calls, product_sources

_VERBS = {
    "read": "get",
    "list": "list",
    "patch": "patch",
    "delete": "delete",
    "create": "create",
    "replace": "update",
    "connect_get": "get",
}
_RESOURCES = {
    "pod": "pods",
    "pod_log": "pods/log",
    "event": "events",
    "node": "nodes",
    "namespace": "namespaces",
    "service_account": "serviceaccounts",
    "deployment": "deployments",
    "replica_set": "replicasets",
    "stateful_set": "statefulsets",
    "daemon_set": "daemonsets",
    "ingress": "ingresses",
    "node_proxy_with_path": "nodes/proxy",
}
_GROUPS = {"core": "", "apps": "apps", "networking": "networking.k8s.io"}


def _granted(docs: tuple[dict, ...]) -> set[tuple[str, str, str]]:
    granted = set()
    for role in kinds(docs, "ClusterRole") + kinds(docs, "Role"):
        for rule in role["rules"]:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"], role["metadata"]["name"]
            granted |= {(g, r, v) for g in rule["apiGroups"] for r in rule["resources"] for v in rule["verbs"]}
    return granted


def rbac_triple(method: str, args: tuple[str, ...]) -> tuple[str, str, str] | None:
    """(apiGroup, resource, verb) for one client method; None for what RBAC does not govern."""
    if method == "get_code":
        return None  # GET /version: granted to every caller by system:public-info-viewer
    if method == "get_cluster_custom_object":
        group, _version, plural = args[:3]
        return group, plural, "get"
    match = re.fullmatch(
        r"(connect_get|read|list|patch|delete|create|replace)_(?:namespaced_)?(\w+?)"
        r"(?:_for_all_namespaces)?",
        method,
    )
    assert match, f"no RBAC mapping for {method}"
    verb, noun = _VERBS[match.group(1)], match.group(2)
    api = next(name for name, cls in KUBE_APIS.items() if hasattr(cls, method))
    return _GROUPS[api], _RESOURCES[noun], verb


def required_rbac() -> set[tuple[str, str, str]]:
    calls = kube_calls(product_sources("handlers", "bot/services", "bot/scheduler"))
    return {t for c in calls if (t := rbac_triple(c.method, c.args)) is not None}


@pytest.mark.parametrize("case", ["http", "namespaced-rbac"])
def test_rbac_grants_exactly_what_the_handlers_call(case):
    """Cluster-wide writes (http) or per-namespace Roles (namespaced-rbac): the same rules either way."""
    required = required_rbac()
    assert ("", "pods", "delete") in required and ("networking.k8s.io", "ingresses", "get") in required
    granted = _granted(render(case, ("rbac.kubeletConfig=true",)))
    assert required - granted == set(), "calls without a rule"
    assert granted - required == set(), "rules no code needs"


def test_rbac_mapping_knows_the_client_methods():
    assert rbac_triple("list_pod_for_all_namespaces", ()) == ("", "pods", "list")
    assert rbac_triple("read_namespaced_pod_log", ()) == ("", "pods/log", "get")
    assert rbac_triple("patch_namespaced_daemon_set", ()) == ("apps", "daemonsets", "patch")
    assert rbac_triple("connect_get_node_proxy_with_path", ()) == ("", "nodes/proxy", "get")
    assert rbac_triple("get_cluster_custom_object", ("karpenter.sh", "v1", "nodepools")) == (
        "karpenter.sh",
        "nodepools",
        "get",
    )


@pytest.mark.parametrize("case", ["http", "namespaced-rbac"])
def test_every_role_is_bound_to_the_bot_service_account(case):
    docs = render(case, ("rbac.kubeletConfig=true",))
    account = one(docs, "ServiceAccount")
    assert account["metadata"]["name"] == "chatops-bot"
    assert re.fullmatch(
        r"arn:aws:iam::\d{12}:role/chatops-bot", account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    )
    subject = {"kind": "ServiceAccount", "name": "chatops-bot", "namespace": "chatops"}
    bound = {
        (b["roleRef"]["kind"], b["roleRef"]["name"], b["metadata"].get("namespace"))
        for b in kinds(docs, "ClusterRoleBinding") + kinds(docs, "RoleBinding")
        if subject in b["subjects"]
    }
    roles = {
        (r["kind"], r["metadata"]["name"], r["metadata"].get("namespace"))
        for r in kinds(docs, "ClusterRole") + kinds(docs, "Role")
    }
    assert bound == roles


@pytest.mark.parametrize("case", ["default", "http", "socket"])
def test_every_pod_running_job_workers_has_threads_and_room_for_them(case):
    """One process per container whatever WORKER_THREADS is (the job workers are threads): about 150 MB
    resident was measured after a diagnosis, serving or worker process alike."""
    docs = render(case, ("worker.enabled=true",))
    for component in ("bot", "worker"):
        spec = deployment(docs, component)["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        env = env_values(container)
        threads = int(env["WORKER_THREADS"])
        assert threads >= (1 if component == "worker" else 0), (case, component)
        requests, limits = container["resources"]["requests"], container["resources"]["limits"]
        if threads:
            assert _mebibytes(requests["memory"]) >= 256, (case, component)
        assert _mebibytes(requests["memory"]) <= _mebibytes(limits["memory"]) <= 1024, (case, component)
        # SIGKILL comes after the running jobs' grace, with time left to release the rest
        assert spec["terminationGracePeriodSeconds"] > float(env["SHUTDOWN_GRACE_SECONDS"]), (case, component)


def _mebibytes(quantity: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()
    return int(number) * (1024 if unit == "Gi" else 1)
