"""From evidence (fixture files) to findings and the single proposed plan."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from handlers.sysctl.analyse import NAMESPACE_LABEL, RECREATE_POD, WORKLOAD_SYSCTLS, analyse
from handlers.sysctl.collect import Evidence, Workload
from handlers.sysctl.facts import NodeFacts, NodegroupFacts, SysctlFacts, sysctls_of

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sysctl"
NODE = "ip-10-0-1-23.ap-northeast-1.compute.internal"
PSA = {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/enforce-version": "v1.28",
}


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def facts(spec: dict, cp: str, kubelet: str, labels: dict | None = None) -> SysctlFacts:
    return SysctlFacts(
        sysctls=sysctls_of(spec),
        control_plane=cp,
        nodes=(NodeFacts(NODE, kubelet, "5.10.219", "Amazon Linux 2", "ng-al2"),),
        nodegroups=(NodegroupFacts("ng-al2", "AL2_x86_64", kubelet[1:5]),),
        namespace="default",
        namespace_labels=labels or {},
        cluster="prod",
        region="ap-northeast-1",
    )


def test_kubelet_rejection_on_1_28_attaches_the_notes_config_and_proposes_nothing():
    pod = load("pod_sysctl_forbidden.json")
    ev = Evidence("default", "ubuntu", pod, None, (), facts(pod["spec"], "v1.28.15-eks-1", "v1.28.15-eks-1"))
    diag = analyse(ev)
    assert diag.codes()[:2] == ["sysctl.rejected.kubelet", "sysctl.safe_after_upgrade"]
    rejected = diag.findings[0]
    assert rejected.evidence[0].en.endswith('"net.ipv4.tcp_keepalive_intvl" not allowlisted')
    files = next(f for f in diag.findings if f.code == "sysctl.nodeconfig").data["files"]
    assert "--allowed-unsafe-sysctls=net.ipv4.tcp_keepalive_intvl'" in files[0]["content"]
    assert diag.plans == ()  # node groups are rolled out by people


def test_rejected_bare_pod_on_nodes_that_now_allow_it_is_recreated():
    pod = load("pod_sysctl_forbidden.json")
    ev = Evidence("default", "ubuntu", pod, None, (), facts(pod["spec"], "v1.30.8-eks-1", "v1.30.8-eks-1"))
    (plan,) = analyse(ev).plans
    (step,) = plan.steps
    assert step.op == RECREATE_POD
    assert step.before == {"uid": pod["metadata"]["uid"], "phase": "Failed", "reason": "SysctlForbidden"}
    assert plan.verify == {
        "namespace": "default",
        "pod": "ubuntu",
        "sysctls": {"net.ipv4.tcp_keepalive_intvl": "60"},
    }


def test_psa_refusal_proposes_the_label_change():
    event = load("event_psa_failedcreate.json")
    spec = copy.deepcopy(load("pod_sysctl_forbidden.json")["spec"])
    del spec["nodeName"]
    workload = Workload("Deployment", "ubuntu", {"app": "ubuntu"}, spec)
    ev = Evidence("default", "ubuntu", None, workload, (event,), facts(spec, "v1.30.8-eks-1", "v1.30.8-eks-1", PSA))
    diag = analyse(ev)
    assert diag.codes()[0] == "sysctl.rejected.psa" and diag.findings[0].count == 14
    assert "baseline:v1.28" in diag.headline.en
    (plan,) = diag.plans
    (step,) = plan.steps
    assert (step.op, dict(step.params), step.before, step.after) == (
        NAMESPACE_LABEL,
        {"namespace": "default", "label": "pod-security.kubernetes.io/enforce-version"},
        {"value": "v1.28"},
        {"value": "v1.30"},
    )
    assert plan.verify["selector"] == {"app": "ubuntu"}


def test_running_workload_without_keepalive_time_gets_a_template_change():
    spec = load("pod_sysctl_forbidden.json")["spec"]
    pod = {
        "metadata": {"name": "ubuntu-6b7d9c5f4d-x7k2p", "namespace": "default", "uid": "u1"},
        "spec": spec,
        "status": {"phase": "Running"},
    }
    workload = Workload("Deployment", "ubuntu", {"app": "ubuntu"}, spec)
    ev = Evidence("default", pod["metadata"]["name"], pod, workload, (), facts(spec, "v1.30.8-eks-1", "v1.30.8-eks-1"))
    diag = analyse(ev)
    assert "sysctl.running" in diag.codes() and "sysctl.keepalive.time_missing" in diag.codes()
    (plan,) = diag.plans
    (step,) = plan.steps
    assert step.op == WORKLOAD_SYSCTLS
    assert step.before == {"sysctls": [{"name": "net.ipv4.tcp_keepalive_intvl", "value": "60"}]}
    assert step.after == {
        "sysctls": [
            {"name": "net.ipv4.tcp_keepalive_intvl", "value": "60"},
            {"name": "net.ipv4.tcp_keepalive_time", "value": "300"},
        ]
    }


def test_running_pod_behind_its_template_is_reported():
    spec = load("pod_sysctl_forbidden.json")["spec"]
    newer = copy.deepcopy(spec)
    newer["securityContext"]["sysctls"].append({"name": "net.ipv4.tcp_keepalive_time", "value": "300"})
    pod = {
        "metadata": {"name": "p", "namespace": "default", "uid": "u1"},
        "spec": spec,
        "status": {"phase": "Running"},
    }
    ev = Evidence(
        "default",
        "p",
        pod,
        Workload("Deployment", "ubuntu", {"app": "ubuntu"}, newer),
        (),
        facts(spec, "v1.30.8-eks-1", "v1.30.8-eks-1"),
    )
    assert "sysctl.spec_drift" in analyse(ev).codes()
