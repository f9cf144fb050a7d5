"""The product's sysctl knowledge against the newest upstream releases: the 1.37 safe set and Pod
Security policy, and the kubelet's namespaced-sysctl table that became exact names in 1.29."""

from __future__ import annotations

import pytest

from handlers.sysctl import knowledge as k

NEW = ("net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat")


@pytest.mark.parametrize("name", NEW)
def test_the_1_37_kubelet_safe_set(name):
    assert k.kubelet_safe(name, (1, 37), (6, 1))
    assert not k.kubelet_safe(name, (1, 36), (6, 1))


def test_the_1_37_safe_sysctls_need_their_kernels():
    assert not k.kubelet_safe("net.ipv4.tcp_slow_start_after_idle", (1, 37), (4, 14))
    assert k.kubelet_safe("net.ipv4.tcp_notsent_lowat", (1, 37), (4, 6))
    assert not k.kubelet_safe("net.ipv4.tcp_notsent_lowat", (1, 37), (4, 5))


@pytest.mark.parametrize("name", NEW)
def test_the_1_37_pod_security_baseline(name):
    assert k.pss_allowed(name, (1, 37)) and not k.pss_allowed(name, (1, 36))
    assert k.pss_allowed_since(name) == (1, 37)


@pytest.mark.parametrize(
    "name,kubelet,namespaced",
    [
        ("kernel.shmmax", (1, 30), True),
        ("kernel.msgmnb", (1, 30), True),
        ("kernel.shm_next_id", (1, 30), False),  # 1.29+: exact names only
        ("kernel.msg_next_id", (1, 30), False),
        ("kernel.shm_next_id", (1, 28), True),  # before 1.29 every kernel.shm* name
        ("kernel.domainname", (1, 30), False),  # UTS: the kubelet knows no UTS sysctls
        ("kernel.hostname", (1, 30), False),
        ("user.max_user_namespaces", (1, 30), False),
        ("fs.mqueue.msg_max", (1, 30), True),
        ("net.core.somaxconn", (1, 30), True),
    ],
)
def test_namespaced_as_the_kubelet_of_that_release_knows_it(name, kubelet, namespaced):
    assert k.is_namespaced(name, kubelet) is namespaced


def test_a_kernel_shm_pattern_still_admits_other_shm_names_on_new_kubelets():
    assert k.kubelet_admits("kernel.shm_next_id", (1, 30), None, ["kernel.shm*"])
    assert not k.kubelet_admits("kernel.shm_next_id", (1, 30), None, ["kernel.shm_next_id"])
    assert not k.kubelet_admits("kernel.domainname", (1, 30), None, ["kernel.*"])


def test_advice_calls_an_unknown_ipc_name_node_level_on_new_kubelets_only():
    from handlers.sysctl.advice import verdict
    from handlers.sysctl.facts import NODE_LEVEL, NodeFacts, SysctlFacts

    def facts(kubelet: str, allowed: tuple[str, ...] = ()) -> SysctlFacts:
        node = NodeFacts("n1", kubelet, "6.1.119", allowed_unsafe=allowed)
        return SysctlFacts((("kernel.shm_next_id", "1"),), kubelet, (node,))

    assert verdict("kernel.shm_next_id", "1", facts("v1.30.8")).kind == NODE_LEVEL
    assert verdict("kernel.shm_next_id", "1", facts("v1.28.15")).kind != NODE_LEVEL
    assert verdict("kernel.shm_next_id", "1", facts("v1.30.8", ("kernel.shm*",))).kind != NODE_LEVEL


def test_an_unknown_ipc_name_is_told_about_the_pattern_in_both_languages():
    from handlers.sysctl import wording
    from handlers.sysctl.facts import NODE_LEVEL, SysctlFacts, Verdict

    finding = wording.kubelet_finding(Verdict("kernel.shm_next_id", "1", NODE_LEVEL), SysctlFacts((), "v1.30.8"))
    (hint,) = [m for m in finding.evidence if "pattern" in m.en]
    assert "`kernel.shm*`" in hint.en and "`kernel.shm*`" in hint.ko
