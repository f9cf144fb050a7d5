"""Kubernetes' sysctl rules by version: kubelet safe set, namespacing, Pod Security by policy version."""

from __future__ import annotations

import pytest

from handlers.sysctl import knowledge as k


@pytest.mark.parametrize(
    "text,minor",
    [
        ("v1.28.15-eks-a737599", (1, 28)),
        ("1.30", (1, 30)),
        ("v1.9.0", (1, 9)),
        ("5.10.219-208.866.amzn2.x86_64", (5, 10)),
        ("", None),
        ("latest", None),
    ],
)
def test_parse_minor(text, minor):
    assert k.parse_minor(text) == minor


@pytest.mark.parametrize(
    "name,kubelet,kernel,safe",
    [
        ("net.ipv4.tcp_keepalive_intvl", (1, 28), None, False),
        ("net.ipv4.tcp_keepalive_intvl", (1, 29), None, True),
        ("net.ipv4.tcp_keepalive_time", (1, 29), (4, 4), False),  # needs kernel 4.5
        ("net.ipv4.tcp_fin_timeout", (1, 29), (4, 5), False),  # needs kernel 4.6
        ("net.ipv4.tcp_fin_timeout", (1, 29), (4, 6), True),
        ("net.ipv4.ping_group_range", (1, 17), None, False),
        ("net.ipv4.ping_group_range", (1, 18), None, True),
        ("net.ipv4.ip_unprivileged_port_start", (1, 22), None, True),
        ("net.ipv4.ip_local_reserved_ports", (1, 26), None, False),
        ("net.ipv4.tcp_wmem", (1, 32), (4, 15), True),
        ("net.core.somaxconn", (1, 35), None, False),
    ],
)
def test_kubelet_safe_set_by_version_and_kernel(name, kubelet, kernel, safe):
    assert k.kubelet_safe(name, kubelet, kernel) is safe


@pytest.mark.parametrize(
    "name,namespaced,ns",
    [
        ("kernel.shm_rmid_forced", True, "ipc"),
        ("kernel.msgmax", True, "ipc"),
        ("kernel.sem", True, "ipc"),
        ("fs.mqueue.msg_max", True, "ipc"),
        ("net.core.somaxconn", True, "net"),
        ("vm.swappiness", False, ""),
        ("kernel.pid_max", False, ""),
        ("fs.file-max", False, ""),
    ],
)
def test_namespaced(name, namespaced, ns):
    assert k.is_namespaced(name) is namespaced
    assert k.namespace_of(name) == ns


def test_allowlist_patterns_and_host_namespaces():
    assert k.kubelet_admits("net.core.somaxconn", (1, 30), None, ["net.core.*"])
    assert not k.kubelet_admits("net.core.somaxconn", (1, 30), None, ["net.ipv4.*"])
    assert not k.kubelet_admits("vm.swappiness", (1, 30), None, ["vm.*"])  # never per pod
    assert not k.kubelet_admits("net.ipv4.tcp_keepalive_time", (1, 30), None, host_network=True)
    assert (
        k.kubelet_rejection("net.ipv4.tcp_keepalive_intvl")
        == 'forbidden sysctl: "net.ipv4.tcp_keepalive_intvl" not allowlisted'
    )


@pytest.mark.parametrize(
    "labels,cp,allowed",
    [
        ({}, (1, 30), True),  # privileged by default
        ({"pod-security.kubernetes.io/enforce": "baseline"}, (1, 30), True),
        ({"pod-security.kubernetes.io/enforce": "baseline"}, (1, 28), False),
        (
            {
                "pod-security.kubernetes.io/enforce": "baseline",
                "pod-security.kubernetes.io/enforce-version": "v1.28",
            },
            (1, 30),
            False,
        ),
        (
            {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "v1.29",
            },
            (1, 30),
            True,
        ),
        (
            {
                "pod-security.kubernetes.io/enforce": "baseline",
                "pod-security.kubernetes.io/enforce-version": "v1.31",
            },
            (1, 28),
            False,
        ),  # a pin newer than the API server means the API server's own
    ],
)
def test_pod_security_by_policy_version(labels, cp, allowed):
    policy = k.psa_policy(labels)
    assert k.psa_admits("net.ipv4.tcp_keepalive_intvl", policy, cp) is allowed


def test_pss_allowed_since():
    assert k.pss_allowed_since("net.ipv4.tcp_keepalive_probes") == (1, 29)
    assert k.pss_allowed_since("net.ipv4.ip_local_reserved_ports") == (1, 27)
    assert k.pss_allowed_since("net.ipv4.tcp_rmem") == (1, 32)
    assert k.pss_allowed_since("net.core.somaxconn") is None


def test_psa_rejection_wording():
    policy = k.psa_policy(
        {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "v1.28",
        }
    )
    assert k.psa_rejection("ubuntu-abc", policy, ["net.ipv4.tcp_keepalive_intvl"]) == (
        'pods "ubuntu-abc" is forbidden: violates PodSecurity "baseline:v1.28": '
        "forbidden sysctls (net.ipv4.tcp_keepalive_intvl)"
    )


def test_names():
    assert k.normalise_name("net/ipv4/tcp_keepalive_time") == "net.ipv4.tcp_keepalive_time"
    assert k.valid_name("net.ipv4.conf.eth0.rp_filter")
    assert not k.valid_name("Net.IPv4")
    assert not k.valid_name("net..x")
