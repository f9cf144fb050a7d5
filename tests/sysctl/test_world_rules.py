"""The sysctl world's own tables (sandbox.worlds.sysctl_rules) and what the world does with them."""

from __future__ import annotations

import json

import pytest
from kubernetes import client as k8s

from sandbox import kube_node_proxy
from sandbox.worlds import sysctl as worlds
from sandbox.worlds import sysctl_allowlisted
from sandbox.worlds import sysctl_rules as rules

KEEPALIVE = ("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes")


@pytest.fixture(autouse=True)
def _no_default_amis(monkeypatch):
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.mark.parametrize("name", KEEPALIVE)
def test_kubelet_safe_set_gains_keepalive_in_1_29(name):
    assert name not in rules.kubelet_safe_set((1, 28), (5, 10))
    assert name in rules.kubelet_safe_set((1, 29), (5, 10))
    assert name not in rules.kubelet_safe_set((1, 29), (4, 4))  # dropped on a kernel that does not namespace it


def test_kubelet_refusals_word_for_word():
    assert rules.kubelet_refusal("net.core.somaxconn", (1, 30), (6, 1), [], host_net=False, host_ipc=False) == (
        'forbidden sysctl: "net.core.somaxconn" not allowlisted'
    )
    assert (
        rules.kubelet_refusal("net.core.somaxconn", (1, 30), (6, 1), ["net.core.*"], host_net=False, host_ipc=False)
        is None
    )
    assert rules.kubelet_refusal("net.ipv4.tcp_keepalive_time", (1, 30), (6, 1), [], host_net=True, host_ipc=False) == (
        'forbidden sysctl: "net.ipv4.tcp_keepalive_time" not allowed with host Net enabled'
    )


def test_a_kubelet_will_not_start_with_a_node_level_sysctl_allowed():
    for bad in ("vm.swappiness", "kernel.domainname", "user.max_user_namespaces", "kernel.shm_next_id"):
        with pytest.raises(ValueError, match="not known to be namespaced"):
            rules.check_allowlist([bad])
    rules.check_allowlist(["kernel.shm*", "kernel.shmmax", "net.core.somaxconn", "fs.mqueue.msg_max"])


@pytest.mark.parametrize(
    "level,version,server,forbidden",
    [
        ("privileged", "latest", (1, 30), []),
        ("", "latest", (1, 30), []),  # no label: privileged
        ("baseline", "latest", (1, 28), ["net.ipv4.tcp_keepalive_intvl"]),
        ("baseline", "latest", (1, 29), []),
        ("baseline", "v1.28", (1, 30), ["net.ipv4.tcp_keepalive_intvl"]),
        ("restricted", "v1.28", (1, 30), ["net.ipv4.tcp_keepalive_intvl"]),  # restricted includes baseline
        ("baseline", "v1.99", (1, 30), []),  # a pin newer than the server: the server's policy
    ],
)
def test_pod_security_by_level_and_version(level, version, server, forbidden):
    assert rules.psa_forbidden(["net.ipv4.tcp_keepalive_intvl"], level, version, server) == forbidden


def test_pod_security_baseline_1_32_and_1_37_rows():
    assert rules.psa_forbidden(["net.ipv4.tcp_rmem"], "baseline", "v1.31", (1, 32)) == ["net.ipv4.tcp_rmem"]
    assert rules.psa_forbidden(["net.ipv4.tcp_rmem"], "baseline", "v1.32", (1, 32)) == []
    assert rules.psa_forbidden(["net.ipv4.tcp_notsent_lowat"], "baseline", "latest", (1, 37)) == []
    assert rules.psa_forbidden(["net.core.somaxconn"], "baseline", "latest", (1, 37)) == ["net.core.somaxconn"]


def test_a_pod_created_through_the_api_meets_pod_security_first(aws, kube_stand_in):
    sysctl_allowlisted.seed_allowlisted(aws, kube_stand_in)
    api = k8s.CoreV1Api(k8s.ApiClient(k8s.Configuration(host=kube_stand_in.url)))
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "probe"},
        "spec": {
            "containers": [{"name": "c", "image": "nginx"}],
            "securityContext": {"sysctls": [{"name": "net.core.somaxconn", "value": "1024"}]},
        },
    }
    with pytest.raises(k8s.ApiException) as refused:
        api.create_namespaced_pod("default", body)
    assert refused.value.status == 403
    message = json.loads(refused.value.body)["message"]
    assert (
        message
        == 'pods "probe" is forbidden: violates PodSecurity "baseline:latest": forbidden sysctls (net.core.somaxconn)'
    )


def test_world_d_kubelet_allows_it_pod_security_does_not_then_the_pod_runs(aws, kube_stand_in):
    facts = sysctl_allowlisted.seed_allowlisted(aws, kube_stand_in)
    config = kube_node_proxy.kubelet_config(kube_stand_in, facts["node"])
    assert config["allowedUnsafeSysctls"] == ["net.core.somaxconn"]
    assert kube_stand_in.list("Pod", "default") == []
    (event,) = [e for e in kube_stand_in.list("Event", "default") if e["reason"] == "FailedCreate"]
    assert "forbidden sysctls (net.core.somaxconn)" in event["message"]
    sysctl_allowlisted.relabel_namespace(kube_stand_in, "default", {worlds.PSA_ENFORCE: "privileged"})
    (pod,) = kube_stand_in.list("Pod", "default")
    assert pod["status"]["phase"] == "Running" and pod["spec"]["nodeName"] == facts["node"]


def test_a_rolled_out_node_group_serves_its_new_allow_list(aws, kube_stand_in):
    facts = worlds.seed_keepalive_on_128(aws, kube_stand_in)
    name = worlds.roll_out_nodegroup(
        aws, kube_stand_in, facts["world"], "ng-al2", "ng-al2-sysctl", "1.28", allow=("net.ipv4.tcp_keepalive_intvl",)
    )
    assert kube_node_proxy.kubelet_config(kube_stand_in, name)["allowedUnsafeSysctls"] == [
        "net.ipv4.tcp_keepalive_intvl"
    ]
