"""The decision: for each requested sysctl, what stops it and exactly what to change. Pure.

Called by ``handlers.sysctl.analyse`` with ``SysctlFacts`` (collected by ``collect`` or loaded
from fixtures). The kubelet on the pod's node decides, not the control plane: during an upgrade a
1.30 API server can run 1.28 kubelets that still treat the keepalive sysctls as unsafe. Pod Security
admission is judged separately, by the policy version the namespace pins.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Finding, Msg, Severity
from bot.korean import attach
from handlers.sysctl import al2_eol, karpenter, keepalive, knowledge, nodeconfig, wording
from handlers.sysctl.eksctl_schema import validate_eksctl
from handlers.sysctl.facts import (
    AFTER_UPGRADE,
    AL2,
    HOST_NS,
    INVALID,
    KERNEL,
    LAGGING,
    NEEDS_ALLOWLIST,
    NODE_LEVEL,
    SAFE,
    UNKNOWN,
    UNSAFE,
    WINDOWS,
    SysctlFacts,
    Verdict,
    family_of,
)


@dataclass(frozen=True)
class Advice:
    verdicts: tuple[Verdict, ...]
    findings: tuple[Finding, ...]
    psa_fix: tuple[str, str, str] | None = None  # (namespace, old enforce-version, new enforce-version)
    lagging_nodegroups: tuple[str, ...] = ()


def _kubelet_kind(name: str, facts: SysctlFacts) -> tuple[str, tuple[str, ...]]:
    cp = knowledge.parse_minor(facts.control_plane)
    nodes = facts.nodes
    refused = tuple(
        n.name
        for n in nodes
        if not knowledge.kubelet_admits(
            name, knowledge.parse_minor(n.kubelet), knowledge.parse_kernel(n.kernel), n.allowed_unsafe or ()
        )
    )
    entry = knowledge.safe_entry(name)
    if not nodes:  # no kubelet to ask: judge by the control plane's release
        return (SAFE if knowledge.kubelet_safe(name, cp) else AFTER_UPGRADE if entry else UNSAFE), ()
    if not refused:
        return SAFE, ()
    if entry is None:
        return UNSAFE, refused
    by_name = {n.name: n for n in nodes}
    old_kubelet = [n for n in refused if (knowledge.parse_minor(by_name[n].kubelet) or (0, 0)) < entry.since]
    if not old_kubelet:
        return KERNEL, refused
    if cp is not None and cp >= entry.since:
        return LAGGING, refused
    return AFTER_UPGRADE, refused


def _namespaced_somewhere(name: str, facts: SysctlFacts) -> bool:
    """Could any kubelet in scope (or, with none, one of the control plane's release) admit ``name``?

    Kubelets before 1.29 know every ``kernel.shm*`` / ``kernel.msg*`` name as namespaced, newer ones
    only the listed names, unless an allow-list pattern such as ``kernel.shm*`` covers it.
    """
    if not facts.nodes:
        return knowledge.is_namespaced(name, knowledge.parse_minor(facts.control_plane))
    return any(
        knowledge.is_namespaced(name, knowledge.parse_minor(n.kubelet))
        or knowledge.kubelet_admits(name, knowledge.parse_minor(n.kubelet), None, n.allowed_unsafe or ())
        for n in facts.nodes
    )


def verdict(name: str, value: str, facts: SysctlFacts) -> Verdict:
    name = knowledge.normalise_name(name)
    if not knowledge.valid_name(name):
        return Verdict(name, value, INVALID)
    if not _namespaced_somewhere(name, facts):
        return Verdict(name, value, NODE_LEVEL)
    ns = knowledge.namespace_of(name)
    if (ns == "net" and facts.host_network) or (ns == "ipc" and facts.host_ipc):
        return Verdict(name, value, HOST_NS)
    kind, blocked = _kubelet_kind(name, facts)
    cp = knowledge.parse_minor(facts.control_plane)
    policy = knowledge.psa_policy(dict(facts.namespace_labels))
    psa = ""
    if not knowledge.psa_admits(name, policy, cp):
        psa = "pinned" if policy.pinned and cp and knowledge.pss_allowed(name, cp) else "forbidden"
    return Verdict(name, value, kind, blocked, psa)


def _node_files(facts: SysctlFacts, names: list[str]) -> tuple[list[dict[str, str]], list[Msg]]:
    files: list[dict[str, str]] = []
    notes: list[Msg] = []
    kubernetes = knowledge.parse_minor(facts.control_plane)  # a new node group gets the cluster's version
    scope = facts.nodes
    groups = sorted({n.nodegroup for n in scope if n.nodegroup}) or (
        [g.name for g in facts.nodegroups] if not scope else []
    )
    for group in groups:
        ng = facts.nodegroup(group)
        image = next((n.os_image for n in scope if n.nodegroup == group), "")
        family = family_of(ng.ami_type if ng else "", image)
        if family in (UNKNOWN, WINDOWS):
            notes.append(
                Msg(
                    f"{group}: AMI family {family}, no generator",
                    f"{group}: AMI 계열 {attach(family, '는')} 설정 생성기가 없습니다",
                )
            )
            continue
        if family == AL2:
            notes.append(al2_eol.note(group, kubernetes))
        itype = ng.instance_types[0] if ng and ng.instance_types else "m5.large"
        files += nodeconfig.files_for_nodegroup(
            family,
            facts.cluster,
            facts.region,
            group,
            names,
            custom_ami=bool(ng and ng.custom_ami),
            instance_type=itype,
            kubernetes=kubernetes,
        )
    for pool in sorted({n.nodepool for n in scope if n.nodepool}):
        image = next((n.os_image for n in scope if n.nodepool == pool), "")
        if family_of("", image) == AL2:
            notes.append(al2_eol.note(f"nodepool {pool}", kubernetes))
        files += karpenter.files_for_nodeclass(facts.nodeclasses.get(pool, pool), family_of("", image), names)
    for f in files:  # never post an eksctl file eksctl would refuse
        if f["filename"].startswith("eksctl-"):
            problems = validate_eksctl(f["content"])
            if problems:
                raise ValueError(f"generated {f['filename']} is invalid: {problems}")
    return files, notes


def advise(facts: SysctlFacts) -> Advice:
    verdicts = tuple(verdict(n, v, facts) for n, v in facts.sysctls)
    findings = [wording.kubelet_finding(v, facts) for v in verdicts]
    findings += [wording.psa_finding(v, facts) for v in verdicts if v.psa]
    allow = [v.name for v in verdicts if v.kind in NEEDS_ALLOWLIST]
    if allow:
        files, notes = _node_files(facts, allow)
        title = Msg(
            f"Node configuration to allow {', '.join(allow)} (roll out by your team)",
            f"{', '.join(allow)} 허용을 위한 노드 설정 (롤아웃은 팀에서 진행)",
        )
        unread = [n for n in facts.nodes if n.configz_error]
        notes += [wording.configz_note(n.name, n.configz_error, allow) for n in unread[:3]]
        evidence = tuple(notes)
        findings.append(
            Finding("sysctl.nodeconfig", Severity.INFO, title, evidence, data={"files": files, "sysctls": allow})
        )
    requested = facts.requested()
    for name, value in facts.sysctls:
        for problem in keepalive.value_problems(name, value):
            findings.append(Finding("sysctl.keepalive.value", Severity.WARNING, problem, target=name))
    if keepalive.missing_time(requested):
        first, dead = keepalive.first_probe_and_give_up(requested)
        findings.append(wording.keepalive_time_finding(first, dead))
    elif any(name in keepalive.KEEPALIVE for name in requested):
        findings.append(
            Finding(
                "sysctl.keepalive.explain",
                Severity.INFO,
                Msg("What the keepalive settings do", "keepalive 설정의 의미"),
                (keepalive.EXPLANATION,),
            )
        )
    pinned = [f for f in findings if f.code == "sysctl.psa.version_pinned"]
    psa_fix = (facts.namespace, pinned[0].data["from"], pinned[0].data["to"]) if pinned else None
    behind = [n for v in verdicts if v.kind == LAGGING for n in facts.nodes if n.name in v.blocked_on]
    lagging = sorted({n.nodegroup for n in behind if n.nodegroup})
    pools = sorted({n.nodepool for n in behind if n.nodepool})
    if lagging or pools:
        findings.append(wording.upgrade_finding(lagging, pools, facts.control_plane, facts.cluster))
    return Advice(verdicts, tuple(findings), psa_fix, tuple(lagging))
