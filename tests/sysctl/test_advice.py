"""Table-driven advice: sysctl x kubelet version x AMI family x Pod Security -> findings and files.

Cases live in tests/fixtures/sysctl/advice_cases.json; each names the exact finding codes and
generated file names expected, so a wrong version table or a missing generator fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handlers.sysctl.advice import advise
from handlers.sysctl.facts import NodeFacts, NodegroupFacts, SysctlFacts

CASES = json.loads((Path(__file__).parents[1] / "fixtures" / "sysctl" / "advice_cases.json").read_text())["cases"]


def facts_for(case: dict) -> SysctlFacts:
    nodepool = case.get("nodepool", "")
    nodes = tuple(
        NodeFacts(
            name=f"node-{i}",
            kubelet=k,
            kernel=case.get("kernel", "5.10.219-208.866.amzn2.x86_64"),
            os_image=case.get("os_image", ""),
            nodegroup="" if nodepool else "ng",
            nodepool=nodepool,
            allowed_unsafe=tuple(case["allowed_unsafe"]) if "allowed_unsafe" in case else None,
        )
        for i, k in enumerate(case["kubelets"])
    )
    groups = () if nodepool else (NodegroupFacts("ng", case["ami_type"], case["control_plane"][1:5]),)
    return SysctlFacts(
        sysctls=((case["sysctl"], case["value"]),),
        control_plane=case["control_plane"],
        nodes=nodes,
        nodegroups=groups,
        karpenter=bool(nodepool),
        namespace="default",
        namespace_labels=case.get("psa", {}),
        host_network=case.get("host_network", False),
        cluster="prod",
        region="ap-northeast-1",
    )


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_advice_table(case):
    advice = advise(facts_for(case))
    assert sorted(f.code for f in advice.findings) == sorted(case["expect"])
    files = [f["filename"] for finding in advice.findings for f in finding.data.get("files", [])]
    assert sorted(files) == sorted(case["files"])
    for finding in advice.findings:  # every sentence exists in both languages
        assert finding.title.en and finding.title.ko and finding.title.en != finding.title.ko


def test_lagging_kubelet_names_the_node_group_and_the_command():
    case = next(c for c in CASES if c["id"] == "intvl-1.30-cp-1.28-kubelet")
    advice = advise(facts_for(case))
    assert advice.lagging_nodegroups == ("ng",)
    upgrade = next(f for f in advice.findings if f.code == "sysctl.upgrade_nodes")
    assert (
        "update-nodegroup-version --cluster-name prod --nodegroup-name ng --kubernetes-version 1.30"
        in upgrade.evidence[0].en
    )


def test_psa_pin_fix_moves_to_the_control_plane_version():
    case = next(c for c in CASES if c["id"] == "intvl-1.30-psa-pinned-1.28")
    assert advise(facts_for(case)).psa_fix == ("default", "v1.28", "v1.30")


def test_psa_pin_newer_than_the_sysctl_is_not_a_problem():
    case = dict(next(c for c in CASES if c["id"] == "intvl-1.30-psa-pinned-1.28"))
    case["psa"] = {
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/enforce-version": "v1.29",
    }
    advice = advise(facts_for(case))
    assert advice.psa_fix is None
    assert "sysctl.psa.version_pinned" not in [f.code for f in advice.findings]


def test_one_lagging_node_among_current_ones_still_blocks():
    case = dict(next(c for c in CASES if c["id"] == "intvl-1.30-cp-1.28-kubelet"))
    case["kubelets"] = ["v1.30.8-eks-2a3b4c5", "v1.28.15-eks-7f9249a"]
    advice = advise(facts_for(case))
    assert advice.verdicts[0].kind == "kubelet_lagging"
    assert advice.verdicts[0].blocked_on == ("node-1",)


def test_no_nodes_known_falls_back_to_the_control_plane_release():
    facts = SysctlFacts(sysctls=(("net.ipv4.tcp_keepalive_probes", "5"),), control_plane="v1.29.3-eks-1")
    assert advise(facts).verdicts[0].kind == "safe"
    facts = SysctlFacts(sysctls=(("net.ipv4.tcp_keepalive_probes", "5"),), control_plane="v1.28.3-eks-1")
    assert advise(facts).verdicts[0].kind == "safe_after_upgrade"
