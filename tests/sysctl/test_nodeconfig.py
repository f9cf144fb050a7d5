"""Generated node configuration: eksctl files match eksctl's fields, user data parses, the keepalive command."""

from __future__ import annotations

import email
import tomllib

import yaml

from handlers.sysctl import karpenter, nodeconfig
from handlers.sysctl.eksctl_schema import validate_eksctl
from handlers.sysctl.facts import AL2, AL2023, BOTTLEROCKET

SYSCTLS = ["net.ipv4.tcp_keepalive_intvl", "net.core.somaxconn"]


def test_al2_custom_ami_matches_the_notes():
    text = nodeconfig.eksctl_al2_custom_ami(
        "prod", "ap-northeast-2", "ng-sysctl", ["net.ipv4.tcp_keepalive_intvl"], ami="ami-0123456789abcdef0"
    )
    assert validate_eksctl(text) == []
    ng = yaml.safe_load(text)["managedNodeGroups"][0]
    assert ng["ami"] == "ami-0123456789abcdef0" and ng["amiFamily"] == "AmazonLinux2"
    last = ng["overrideBootstrapCommand"].splitlines()[-1]
    assert last == (  # the kubelet's extra arguments are one quoted shell word
        "/etc/eks/bootstrap.sh prod --kubelet-extra-args '--node-labels=alpha.eksctl.io/cluster-name=prod,"
        "alpha.eksctl.io/nodegroup-name=ng-sysctl,eks.amazonaws.com/nodegroup=ng-sysctl,"
        "eks.amazonaws.com/nodegroup-image=ami-0123456789abcdef0 --allowed-unsafe-sysctls="
        "net.ipv4.tcp_keepalive_intvl'"
    )
    assert "overrideBootstrapCommand: |" in text  # a block, as people write it


def test_self_managed_and_bottlerocket_forms_are_valid():
    for text in (
        nodeconfig.eksctl_al2_self_managed("prod", "ap-northeast-2", "ng", SYSCTLS),
        nodeconfig.eksctl_bottlerocket("prod", "ap-northeast-2", "ng", SYSCTLS),
    ):
        assert validate_eksctl(text) == [], text
    doc = yaml.safe_load(nodeconfig.eksctl_al2_self_managed("prod", "r", "ng", SYSCTLS))
    assert doc["nodeGroups"][0]["kubeletExtraConfig"] == {"allowedUnsafeSysctls": SYSCTLS}


def test_schema_catches_what_eksctl_would_refuse():
    doc = yaml.safe_load(nodeconfig.eksctl_al2_custom_ami("prod", "r", "ng", SYSCTLS))
    ng = doc["managedNodeGroups"][0]
    ng["kubeletExtraConfig"] = {"allowedUnsafeSysctls": SYSCTLS}  # only nodeGroups have it
    del ng["ami"]
    problems = validate_eksctl(doc)
    assert "managedNodeGroups[0]: unknown field `kubeletExtraConfig`" in problems
    assert any("needs a custom `ami`" in p for p in problems)
    assert validate_eksctl(
        {
            "apiVersion": "eksctl.io/v1alpha5",
            "kind": "ClusterConfig",
            "metadata": {"name": "x", "region": "r"},
            "nodeGroups": [{"name": "a", "amiFamily": "AmazonLinux3"}],
        }
    ) == ["nodeGroups[0]: amiFamily `AmazonLinux3` is not one eksctl knows"]


def test_al2023_user_data_is_mime_with_a_nodeconfig():
    msg = email.message_from_string(nodeconfig.al2023_user_data(SYSCTLS))
    assert msg.is_multipart()
    (part,) = msg.get_payload()
    assert part.get_content_type() == "application/node.eks.aws"
    config = yaml.safe_load(part.get_payload())
    assert config["apiVersion"] == "node.eks.aws/v1alpha1" and config["kind"] == "NodeConfig"
    assert config["spec"]["kubelet"]["config"]["allowedUnsafeSysctls"] == SYSCTLS
    assert "cluster" not in config["spec"]  # EKS adds it for its own AMIs
    custom = yaml.safe_load(
        email.message_from_string(nodeconfig.al2023_user_data(SYSCTLS, "prod", custom_ami=True))
        .get_payload()[0]
        .get_payload()
    )
    assert custom["spec"]["cluster"]["name"] == "prod"


def test_bottlerocket_toml_parses():
    assert tomllib.loads(nodeconfig.bottlerocket_toml(SYSCTLS)) == {
        "settings": {"kubernetes": {"allowed-unsafe-sysctls": SYSCTLS}}
    }


def test_karpenter_patch_per_family():
    for family, marker in (
        (AL2023, "application/node.eks.aws"),
        (BOTTLEROCKET, "[settings.kubernetes]"),
        (AL2, "allowedUnsafeSysctls"),
    ):
        doc = yaml.safe_load(karpenter.karpenter_nodeclass_patch("default", family, SYSCTLS))
        assert doc["apiVersion"] == "karpenter.k8s.aws/v1" and doc["kind"] == "EC2NodeClass"
        assert marker in doc["spec"]["userData"]
        assert set(doc["spec"]) == {"userData"}  # a patch, nothing else touched
