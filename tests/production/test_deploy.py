"""The Kubernetes manifests in ``deploy/`` and the Dockerfile, read as data (there is no cluster or
docker engine here): probes, security contexts, resources, the PDB and migration Job, and RBAC that
grants exactly the (group, resource, verb) triples the handlers' source calls."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.production.source_scan import KUBE_APIS, ROOT, kube_calls, product_sources

DEPLOY = ROOT / "deploy"
_VERBS = {"read": "get", "list": "list", "patch": "patch", "delete": "delete", "create": "create",
          "replace": "update", "connect_get": "get"}
_RESOURCES = {"pod": "pods", "pod_log": "pods/log", "event": "events", "node": "nodes",
              "namespace": "namespaces", "service_account": "serviceaccounts", "deployment": "deployments",
              "replica_set": "replicasets",
              "stateful_set": "statefulsets", "daemon_set": "daemonsets", "ingress": "ingresses",
              "node_proxy_with_path": "nodes/proxy"}
_GROUPS = {"core": "", "apps": "apps", "networking": "networking.k8s.io"}


def _docs() -> list[dict]:
    out = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        out += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return out


def _kind(kind: str) -> list[dict]:
    return [d for d in _docs() if d["kind"] == kind]


def _pod_specs() -> list[tuple[str, dict]]:
    return [(d["metadata"]["name"], d["spec"]["template"]["spec"]) for d in _docs()
            if d["kind"] in ("Deployment", "Job")]


def rbac_triple(method: str, args: tuple[str, ...]) -> tuple[str, str, str] | None:
    """(apiGroup, resource, verb) for one client method; None for what RBAC does not govern."""
    if method == "get_code":
        return None  # GET /version: granted to every caller by system:public-info-viewer
    if method == "get_cluster_custom_object":
        group, _version, plural = args[:3]
        return group, plural, "get"
    match = re.fullmatch(r"(connect_get|read|list|patch|delete|create|replace)_(?:namespaced_)?(\w+?)"
                         r"(?:_for_all_namespaces)?", method)
    assert match, f"no RBAC mapping for {method}"
    verb, noun = _VERBS[match.group(1)], match.group(2)
    api = next(name for name, cls in KUBE_APIS.items() if hasattr(cls, method))
    return _GROUPS[api], _RESOURCES[noun], verb


def required_rbac() -> set[tuple[str, str, str]]:
    calls = kube_calls(product_sources("handlers", "bot/services", "bot/scheduler"))
    return {t for c in calls if (t := rbac_triple(c.method, c.args)) is not None}


def granted_rbac() -> set[tuple[str, str, str]]:
    granted = set()
    for role in _kind("ClusterRole") + _kind("Role"):
        for rule in role["rules"]:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"], role["metadata"]["name"]
            granted |= {(g, r, v) for g in rule["apiGroups"] for r in rule["resources"]
                        for v in rule["verbs"]}
    return granted


def test_rbac_grants_exactly_what_the_handlers_call():
    required = required_rbac()
    assert ("", "pods", "delete") in required and ("networking.k8s.io", "ingresses", "get") in required
    granted = granted_rbac()
    assert required - granted == set(), "calls without a rule"
    assert granted - required == set(), "rules no code needs"


def test_rbac_mapping_knows_the_client_methods():
    assert rbac_triple("list_pod_for_all_namespaces", ()) == ("", "pods", "list")
    assert rbac_triple("read_namespaced_pod_log", ()) == ("", "pods/log", "get")
    assert rbac_triple("patch_namespaced_daemon_set", ()) == ("apps", "daemonsets", "patch")
    assert rbac_triple("connect_get_node_proxy_with_path", ()) == ("", "nodes/proxy", "get")
    assert rbac_triple("get_cluster_custom_object", ("karpenter.sh", "v1", "nodepools")) == \
        ("karpenter.sh", "nodepools", "get")


def test_every_role_is_bound_to_the_bot_service_account():
    accounts = _kind("ServiceAccount")
    assert [a["metadata"]["name"] for a in accounts] == ["chatops-bot"]
    assert re.fullmatch(r"arn:aws:iam::\d{12}:role/chatops-bot",
                        accounts[0]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"])
    bound = {b["roleRef"]["name"] for b in _kind("ClusterRoleBinding")
             if {"kind": "ServiceAccount", "name": "chatops-bot", "namespace": "chatops"} in b["subjects"]}
    assert bound == {r["metadata"]["name"] for r in _kind("ClusterRole")}


def test_deployment_probes_and_replicas():
    (deployment,) = _kind("Deployment")
    assert deployment["spec"]["replicas"] >= 2
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
    assert container["args"] == ["serve", "--port", str(port)]
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "chatops-bot"
    (service,) = _kind("Service")
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]


@pytest.mark.parametrize("name", ["chatops-bot", "chatops-migrate"])
def test_pods_run_non_root_with_read_only_root_and_a_tmp_volume(name):
    spec = dict(_pod_specs())[name]
    assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] > 0
    assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    volumes = {v["name"]: v for v in spec["volumes"]}
    for container in spec["containers"]:
        sc = container["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"]
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert "emptyDir" in volumes[mounts["/tmp"]]
        env = {e["name"]: e["value"] for e in container.get("env", [])}
        assert env["HOME"] == "/tmp" and env["TMPDIR"] == "/tmp"
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][kind])
        assert _mebibytes(container["resources"]["limits"]["memory"]) <= 512


def test_the_pod_runs_lazy_workers_and_leaves_room_for_their_processes():
    """LAZY_WORKERS=N means N workers and a scheduler beside the server; measured about 310 MB for N=1."""
    config = _kind("ConfigMap")[0]["data"]
    workers = int(config["LAZY_WORKERS"])
    assert workers >= 1
    container = _kind("Deployment")[0]["spec"]["template"]["spec"]["containers"][0]
    assert _mebibytes(container["resources"]["requests"]["memory"]) >= 384 + 128 * (workers - 1)


def _mebibytes(quantity: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()
    return int(number) * (1024 if unit == "Gi" else 1)


def test_migration_job_runs_chatops_migrate_against_the_database():
    (job,) = _kind("Job")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    # the migration role owns the schema; the bot's runtime role (chatops-database) does not
    assert {"secretRef": {"name": "chatops-database-migrate"}} in container["envFrom"]
    (deployment,) = _kind("Deployment")
    (bot,) = deployment["spec"]["template"]["spec"]["containers"]
    assert {"secretRef": {"name": "chatops-database"}} in bot["envFrom"]
    assert {"secretRef": {"name": "chatops-database-migrate"}} not in bot["envFrom"]


def test_pdb_keeps_a_replica_of_the_deployment():
    (pdb,) = _kind("PodDisruptionBudget")
    (deployment,) = _kind("Deployment")
    assert pdb["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    assert 1 <= pdb["spec"]["minAvailable"] < deployment["spec"]["replicas"]


def test_clusters_file_in_the_config_map_is_valid():
    from bot.services.clusters import parse_clusters

    (config,) = _kind("ConfigMap")
    parsed = parse_clusters(yaml.safe_load(config["data"]["clusters.yaml"]))
    assert parsed.default in parsed.clusters
    (deployment,) = _kind("Deployment")
    mounts = deployment["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert Path(config["data"]["CLUSTERS_FILE"]).parent.as_posix() in {m["mountPath"] for m in mounts}


def test_kustomization_lists_every_manifest():
    listed = set(yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"])
    assert listed == {p.name for p in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}
