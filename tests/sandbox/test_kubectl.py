"""The real ``kubectl`` against the Kubernetes stand-in: what it reads, what it writes, what it is refused.

Each test writes a kubeconfig in ``tmp_path`` pointing at a fresh ``KubeStandIn`` (plain HTTP on
127.0.0.1; the stand-in requires no credentials unless ``require_token`` is switched on, and
kubectl sends no bearer token to an ``http://`` server), runs ``kubectl`` with a timeout, and
checks the result through the stand-in itself, not through kubectl's own output alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sandbox.kube_api import KubeStandIn
from tests.polling import wait

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
NS = "shop"


def _deployment(name: str = "web") -> dict:
    labels = {"app": name}
    container = {
        "name": "app",
        "image": "nginx:1.27",
        "env": [{"name": "MODE", "value": "prod"}],
        "ports": [{"containerPort": 8080}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [container, {"name": "sidecar", "image": "envoy:1"}]},
            },
        },
    }


@pytest.fixture
def cluster(kube_stand_in: KubeStandIn) -> KubeStandIn:
    kube_stand_in.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    kube_stand_in.put({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api", "namespace": NS}})
    kube_stand_in.put(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web-1", "namespace": NS, "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            "status": {"phase": "Running"},
        }
    )
    kube_stand_in.put(_deployment())
    return kube_stand_in


@pytest.fixture
def kubectl(cluster: KubeStandIn, tmp_path: Path):
    config = tmp_path / "kubeconfig"
    config.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "sandbox",
                "clusters": [{"name": "sandbox", "cluster": {"server": cluster.url}}],
                "users": [{"name": "bot", "user": {}}],
                "contexts": [{"name": "sandbox", "context": {"cluster": "sandbox", "user": "bot", "namespace": NS}}],
            }
        )
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "KUBECONFIG": str(config),
        "NO_PROXY": "127.0.0.1,localhost",
    }

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([KUBECTL, *args], env=env, capture_output=True, text=True, timeout=60, check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed: {done.stderr}")
        return done

    return run


def test_get_pods_json_lists_the_stand_ins_pods(kubectl):
    listed = json.loads(kubectl("get", "pods", "-o", "json").stdout)
    assert [p["metadata"]["name"] for p in listed["items"]] == ["web-1"]
    assert listed["items"][0]["status"]["phase"] == "Running"


def test_describe_pod_shows_its_events(kubectl, cluster):
    pod = cluster.get("Pod", NS, "web-1")
    cluster.add_event(NS, pod, "BackOff", "Back-off restarting failed container app")
    out = kubectl("describe", "pod", "web-1").stdout
    assert "Image:" in out and "nginx:1.27" in out
    assert "Back-off restarting failed container app" in out


def test_delete_pod_removes_it_or_leaves_it_terminating(kubectl, cluster):
    uid = cluster.get("Pod", NS, "web-1")["metadata"]["uid"]
    assert 'pod "web-1" deleted' in kubectl("delete", "pod", "web-1", "--wait=false").stdout

    def deleted() -> bool:
        found = cluster.get("Pod", NS, "web-1")
        return found is None or found["metadata"]["uid"] != uid or bool(found["metadata"].get("deletionTimestamp"))

    wait(deleted, what="web-1 gone or terminating")


def test_strategic_merge_patch_merges_containers_and_env_by_name(kubectl, cluster):
    patch = {
        "spec": {"template": {"spec": {"containers": [{"name": "app", "env": [{"name": "DEBUG", "value": "1"}]}]}}}
    }
    kubectl("patch", "deployment", "web", "--type", "strategic", "-p", json.dumps(patch))
    containers = cluster.get("Deployment", NS, "web")["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["app", "sidecar"]
    assert containers[0]["image"] == "nginx:1.27"
    assert containers[0]["env"] == [{"name": "MODE", "value": "prod"}, {"name": "DEBUG", "value": "1"}]


def test_strategic_merge_patch_delete_directive_removes_one_container(kubectl, cluster):
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}}
    kubectl("patch", "deployment", "web", "--type", "strategic", "-p", json.dumps(patch))
    containers = cluster.get("Deployment", NS, "web")["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["app"]


def test_merge_patch_replaces_lists_whole(kubectl, cluster):
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "only", "image": "busybox:1"}]}}}}
    kubectl("patch", "deployment", "web", "--type", "merge", "-p", json.dumps(patch))
    containers = cluster.get("Deployment", NS, "web")["spec"]["template"]["spec"]["containers"]
    assert containers == [{"name": "only", "image": "busybox:1"}]


def test_json_patch_replaces_one_image(kubectl, cluster):
    ops = [{"op": "replace", "path": "/spec/template/spec/containers/1/image", "value": "envoy:2"}]
    kubectl("patch", "deployment", "web", "--type", "json", "-p", json.dumps(ops))
    containers = cluster.get("Deployment", NS, "web")["spec"]["template"]["spec"]["containers"]
    assert [c["image"] for c in containers] == ["nginx:1.27", "envoy:2"]


def test_json_patch_on_a_missing_path_is_refused_and_changes_nothing(kubectl, cluster):
    before = cluster.get("Deployment", NS, "web")["metadata"]["resourceVersion"]
    ops = [{"op": "replace", "path": "/spec/paused/x", "value": True}]
    done = kubectl("patch", "deployment", "web", "--type", "json", "-p", json.dumps(ops), check=False)
    assert done.returncode != 0
    assert cluster.get("Deployment", NS, "web")["metadata"]["resourceVersion"] == before


def test_patch_with_an_unknown_field_warns_and_drops_it(kubectl, cluster):
    done = kubectl("patch", "deployment", "web", "--type", "merge", "-p", '{"spec": {"foo": 1}}')
    assert 'unknown field "spec.foo"' in done.stderr
    assert "foo" not in cluster.get("Deployment", NS, "web")["spec"]


def test_patch_with_a_wrong_type_is_a_bad_request(kubectl, cluster):
    done = kubectl("patch", "deployment", "web", "--type", "merge", "-p", '{"spec": {"replicas": "two"}}', check=False)
    assert done.returncode != 0
    assert "cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32" in done.stderr
    assert cluster.get("Deployment", NS, "web")["spec"]["replicas"] == 1


def test_create_with_an_unknown_field_is_refused_by_strict_validation(kubectl, cluster, tmp_path):
    manifest = tmp_path / "pod.json"
    manifest.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "typo"},
                "spec": {"containers": [{"name": "a", "image": "nginx", "imagee": "x"}]},
            }
        )
    )
    done = kubectl("create", "-f", str(manifest), check=False)
    assert done.returncode != 0
    assert 'strict decoding error: unknown field "spec.containers[0].imagee"' in done.stderr
    assert cluster.get("Pod", NS, "typo") is None


def test_run_with_an_invalid_name_is_invalid(kubectl, cluster):
    done = kubectl("run", "Bad_Name", "--image=nginx", check=False)
    assert done.returncode != 0
    assert 'The Pod "Bad_Name" is invalid' in done.stderr
    assert "metadata.name: Invalid value" in done.stderr
    assert cluster.get("Pod", NS, "Bad_Name") is None


def test_label_namespace_with_a_bogus_pod_security_level_is_refused(kubectl, cluster):
    done = kubectl("label", "namespace", NS, "pod-security.kubernetes.io/enforce=bogus", check=False)
    assert done.returncode != 0
    assert (
        'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": '
        "must be one of privileged, baseline, restricted"
    ) in done.stderr
    assert "pod-security.kubernetes.io/enforce" not in (
        cluster.get("Namespace", None, NS)["metadata"].get("labels") or {}
    )


def test_label_namespace_with_a_valid_pod_security_level_is_stored(kubectl, cluster):
    kubectl(
        "label",
        "namespace",
        NS,
        "pod-security.kubernetes.io/enforce=baseline",
        "pod-security.kubernetes.io/enforce-version=v1.30",
    )
    labels = cluster.get("Namespace", None, NS)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["pod-security.kubernetes.io/enforce-version"] == "v1.30"


def test_label_namespace_with_a_bad_pod_security_version_is_refused(kubectl, cluster):
    done = kubectl("label", "namespace", NS, "pod-security.kubernetes.io/warn-version=1.30", check=False)
    assert done.returncode != 0
    assert 'must be "latest" or "v1.x"' in done.stderr


def test_annotate_serviceaccount(kubectl, cluster):
    role = "arn:aws:iam::123456789012:role/shop-api"
    kubectl("annotate", "serviceaccount", "api", f"eks.amazonaws.com/role-arn={role}")
    sa = cluster.get("ServiceAccount", NS, "api")
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == role


def test_rollout_restart_sets_the_restarted_at_template_annotation(kubectl, cluster):
    kubectl("rollout", "restart", "deployment", "web")
    template = cluster.get("Deployment", NS, "web")["spec"]["template"]
    assert template["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
    assert [c["name"] for c in template["spec"]["containers"]] == ["app", "sidecar"]
