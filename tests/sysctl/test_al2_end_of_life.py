"""Amazon Linux 2 node configuration says that AL2 AMIs reached end of support, recommends AL2023 or
Bottlerocket, and is not offered for Kubernetes versions EKS builds no AL2 AMI for (1.33 and later)."""

from __future__ import annotations

import email

from handlers.sysctl import karpenter, nodeconfig
from handlers.sysctl.advice import advise
from handlers.sysctl.facts import AL2, NodeFacts, NodegroupFacts, SysctlFacts

SYSCTLS = ["net.core.somaxconn"]


def _names(files):
    return [f["filename"] for f in files]


def test_al2_files_up_to_1_32_carry_the_end_of_support_and_an_al2023_alternative():
    files = nodeconfig.files_for_nodegroup(
        AL2, "prod", "ap-northeast-1", "ng-al2", SYSCTLS, custom_ami=False, instance_type="m5.large", kubernetes=(1, 32)
    )
    names = _names(files)
    assert names[0] == "eksctl-ng-al2-sysctl.yaml"
    assert "ng-al2-al2023-user-data.mime" in names
    for f in files:
        if f["filename"].startswith("eksctl-"):
            assert "end of support on 2025-11-26" in f["content"]
            assert "1.32 is the last Kubernetes version" in f["content"]
            assert "AL2023" in f["content"] and "Bottlerocket" in f["content"]


def test_no_al2_file_for_a_version_without_al2_amis():
    files = nodeconfig.files_for_nodegroup(
        AL2, "prod", "ap-northeast-1", "ng-al2", SYSCTLS, custom_ami=False, instance_type="m5.large", kubernetes=(1, 33)
    )
    names = _names(files)
    assert not any("AmazonLinux2\n" in f["content"] or "bootstrap.sh" in f["content"] for f in files)
    assert "ng-al2-al2023-user-data.mime" in names and "ng-al2-bottlerocket.toml" in names
    mime = next(f for f in files if f["filename"].endswith(".mime"))["content"]
    part = [p for p in email.message_from_string(mime).walk() if p.get_content_type() == "application/node.eks.aws"]
    assert "kind: NodeConfig" in part[0].get_payload()


def test_karpenter_al2_class_is_told_to_move_on():
    text = karpenter.karpenter_nodeclass_patch("default", AL2, SYSCTLS)
    assert "end of support on 2025-11-26" in text and "al2023@latest" in text


def test_the_advice_says_so_in_both_languages():
    facts = SysctlFacts(
        (("net.core.somaxconn", "4096"),),
        "v1.32.1-eks-1",
        (NodeFacts("n1", "v1.32.1", "5.10.1", "Amazon Linux 2", nodegroup="ng-al2", allowed_unsafe=()),),
        (NodegroupFacts("ng-al2", "AL2_x86_64", "1.32"),),
        cluster="prod",
        region="ap-northeast-1",
    )
    found = next(f for f in advise(facts).findings if f.code == "sysctl.nodeconfig")
    notes = [(m.en, m.ko) for m in found.evidence]
    assert any("2025-11-26" in en and "AL2023" in en and "2025-11-26" in ko for en, ko in notes), notes


def test_an_al2_group_left_on_1_32_under_a_1_33_control_plane_gets_no_al2_files():
    facts = SysctlFacts(
        (("net.core.somaxconn", "4096"),),
        "v1.33.2-eks-1",
        (NodeFacts("n1", "v1.32.1", "5.10.1", "Amazon Linux 2", nodegroup="ng-al2", allowed_unsafe=()),),
        (NodegroupFacts("ng-al2", "AL2_x86_64", "1.32"),),
        cluster="prod",
        region="ap-northeast-1",
    )
    found = next(f for f in advise(facts).findings if f.code == "sysctl.nodeconfig")
    assert sorted(_names(found.data["files"])) == sorted(
        ["ng-al2-al2023-user-data.mime", "ng-al2-bottlerocket.toml", "eksctl-ng-al2-sysctl.yaml"]
    )
    assert "Bottlerocket" in next(f["content"] for f in found.data["files"] if f["filename"].startswith("eksctl-"))
    assert any("no Amazon Linux 2 AMI exists for Kubernetes 1.33" in m.en for m in found.evidence)
