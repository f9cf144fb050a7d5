"""Bilingual findings for sysctl verdicts: the words the bot says about each decision. Pure.

Called by ``handlers.sysctl.advice`` once it has a ``Verdict``; kept apart so the decision logic
stays readable and the wording can be reviewed (English and Korean side by side) in one place.
"""

from __future__ import annotations

from bot.domain import Finding, Msg, Severity
from bot.korean import attach, josa
from handlers.sysctl import keepalive, knowledge
from handlers.sysctl.facts import (
    AFTER_UPGRADE,
    HOST_NS,
    INVALID,
    KERNEL,
    LAGGING,
    NODE_LEVEL,
    SAFE,
    SysctlFacts,
    Verdict,
)


def kubelet_finding(v: Verdict, facts: SysctlFacts) -> Finding:
    entry = knowledge.safe_entry(v.name)
    since = knowledge.show(entry.since) if entry else ""
    cp = knowledge.show(knowledge.parse_minor(facts.control_plane))
    nodes = ", ".join(v.blocked_on[:5])
    if v.kind == INVALID:
        return Finding(
            "sysctl.invalid_name",
            Severity.ERROR,
            Msg(
                f"`{v.name}` is not a valid sysctl name",
                f"`{v.name}` {josa(v.name, '는')} 올바른 sysctl 이름이 아닙니다",
            ),
        )
    if v.kind == NODE_LEVEL:
        ipc = (
            (
                Msg(
                    "Kubelets 1.29+ know only kernel.shmall/shmmax/shmmni/shm_rmid_forced, kernel.msgmax/"
                    f"msgmnb/msgmni and kernel.sem by name; a `{v.name[:10]}*` pattern in allowedUnsafeSysctls "
                    "covers the other names.",
                    "kubelet 1.29 이상은 kernel.shmall/shmmax/shmmni/shm_rmid_forced, kernel.msgmax/msgmnb/"
                    f"msgmni, kernel.sem 만 이름으로 압니다. 다른 이름은 allowedUnsafeSysctls의 `{v.name[:10]}*` "
                    "패턴으로 허용됩니다.",
                ),
            )
            if v.name.startswith(("kernel.shm", "kernel.msg"))
            else ()
        )
        return Finding(
            "sysctl.node_level",
            Severity.ERROR,
            Msg(
                f"`{v.name}` is not namespaced: it is node-wide and cannot be set per pod",
                f"`{v.name}` {josa(v.name, '는')} 네임스페이스가 없는 노드 전역 sysctl 이라 파드별로 설정할 수 "
                f"없습니다",
            ),
            (
                *ipc,
                Msg(
                    "Set it on the nodes instead: a `sysctl -w` in the node group's user data "
                    "(eksctl preBootstrapCommands, AL2023 user data, Bottlerocket settings.kernel.sysctl), "
                    "then schedule the pod onto those nodes.",
                    "대신 노드에서 설정하세요: 노드 그룹 user data의 `sysctl -w` "
                    "(eksctl preBootstrapCommands, AL2023 user data, Bottlerocket settings.kernel.sysctl) "
                    "후 파드를 그 노드로 스케줄합니다.",
                ),
            ),
            target=v.name,
        )
    if v.kind == HOST_NS:
        return Finding(
            "sysctl.host_namespace",
            Severity.ERROR,
            Msg(
                f"`{v.name}` cannot be set by a pod that shares the host's network/IPC namespace",
                f"호스트 네트워크/IPC 네임스페이스를 쓰는 파드는 `{v.name}` {josa(v.name, '를')} 설정할 수 없습니다",
            ),
            (
                Msg(
                    "Drop hostNetwork/hostIPC, or set the value on the node.",
                    "hostNetwork/hostIPC를 끄거나 노드에서 값을 설정하세요.",
                ),
            ),
            target=v.name,
        )
    if v.kind == SAFE:
        return Finding(
            "sysctl.safe",
            Severity.OK,
            Msg(
                f"`{v.name}` is allowed by these kubelets (safe set or allow-list): no node change is needed",
                f"`{v.name}` {josa(v.name, '는')} 현재 kubelet 이 허용합니다 (safe 목록 또는 허용 목록). "
                "노드 변경이 필요 없습니다",
            ),
            target=v.name,
        )
    if v.kind == LAGGING:
        return Finding(
            "sysctl.kubelet_lagging",
            Severity.ERROR,
            Msg(
                f"`{v.name}` is safe from Kubernetes {since} and the control plane is {cp}, but the kubelets "
                f"on {nodes} are older. Upgrade that node group instead of building a custom AMI.",
                f"`{v.name}` {josa(v.name, '는')} Kubernetes {since}부터 safe 이고 컨트롤 플레인은 {cp} 이지만 "
                f"{nodes}의 kubelet 이 "
                "더 오래된 버전입니다. 커스텀 AMI 대신 해당 노드 그룹을 업그레이드하세요.",
            ),
            target=v.name,
            data={"since": since, "nodes": list(v.blocked_on)},
        )
    if v.kind == KERNEL:
        return Finding(
            "sysctl.kernel_too_old",
            Severity.ERROR,
            Msg(
                f"`{v.name}` needs a newer kernel than {nodes} run; move them to a current AMI",
                f"`{v.name}` {josa(v.name, '는')} {nodes}의 커널보다 새 커널이 필요합니다. 최신 AMI로 교체하세요",
            ),
            target=v.name,
        )
    if v.kind == AFTER_UPGRADE:
        return Finding(
            "sysctl.safe_after_upgrade",
            Severity.ERROR,
            Msg(
                f"`{v.name}` is unsafe on Kubernetes {cp}; it becomes safe in {since}. Until the cluster and "
                "its node groups run that version, the kubelet must allow it (node configuration attached).",
                f"`{v.name}` {josa(v.name, '는')} Kubernetes {cp}에서 unsafe 이며 {since}부터 safe 입니다. "
                "클러스터와 노드 그룹이 "
                "그 버전이 될 때까지는 kubelet 허용 목록이 필요합니다 (노드 설정 파일 첨부).",
            ),
            target=v.name,
            data={"since": since},
        )
    return Finding(
        "sysctl.unsafe",
        Severity.ERROR,
        Msg(
            f"`{v.name}` is namespaced but unsafe: only kubelets started with it in "
            "allowedUnsafeSysctls accept it (node configuration attached).",
            f"`{v.name}` {josa(v.name, '는')} 네임스페이스 sysctl 이지만 unsafe 입니다. allowedUnsafeSysctls에 "
            f"넣어 기동한 "
            "kubelet 만 허용합니다 (노드 설정 파일 첨부).",
        ),
        target=v.name,
    )


def psa_finding(v: Verdict, facts: SysctlFacts) -> Finding:
    policy = knowledge.psa_policy(dict(facts.namespace_labels))
    cp = knowledge.parse_minor(facts.control_plane)
    since = knowledge.pss_allowed_since(v.name)
    if v.psa == "pinned":
        return Finding(
            "sysctl.psa.version_pinned",
            Severity.ERROR,
            Msg(
                f"Namespace {facts.namespace} pins Pod Security `{policy}`; that policy version forbids "
                f"`{v.name}`, which the {policy.level} policy allows from v{knowledge.show(since)}.",
                f"네임스페이스 {attach(facts.namespace, '가')} Pod Security `{policy}` {josa(policy, '로')} "
                f"고정되어 있어 "
                f"`{v.name}` {josa(v.name, '를')} "
                f"금지합니다. {policy.level} 정책은 v{knowledge.show(since)}부터 허용합니다.",
            ),
            target=facts.namespace,
            data={
                "label": knowledge.PSA_ENFORCE_VERSION,
                "from": policy.version,
                "to": f"v{knowledge.show(cp)}",
            },
        )
    return Finding(
        "sysctl.psa.forbidden",
        Severity.ERROR,
        Msg(
            f"Pod Security `{policy}` in namespace {facts.namespace} never admits `{v.name}`; only the "
            "privileged level (or an admission exemption) does. Decide that with the namespace owners.",
            f"네임스페이스 {facts.namespace}의 Pod Security `{policy}` {josa(policy, '는')} `{v.name}` "
            f"{josa(v.name, '를')} 허용하지 않습니다. "
            "privileged 레벨(또는 예외 설정)만 가능하니 네임스페이스 담당자와 결정하세요.",
        ),
        target=facts.namespace,
    )


def keepalive_time_finding(first: int, dead: int) -> Finding:
    """The common trap: keepalive sysctls set, but the first probe still waits too long."""
    idle = keepalive.IDLE_TIMEOUT_SECONDS
    return Finding(
        "sysctl.keepalive.time_missing",
        Severity.WARNING,
        Msg(
            f"The first keepalive probe still comes after {first} s of idleness (peer declared dead after "
            f"{dead} s): behind an NLB or NAT gateway ({idle} s) also set net.ipv4.tcp_keepalive_time, "
            "e.g. 300.",
            f"첫 keepalive probe 가 여전히 유휴 {first}초 후에 나갑니다 (상대 종료 판단 {dead}초). "
            f"NLB/NAT 게이트웨이({idle}초) 뒤라면 net.ipv4.tcp_keepalive_time 도 설정하세요 (예: 300).",
        ),
        (keepalive.EXPLANATION,),
        data={"add": {"net.ipv4.tcp_keepalive_time": "300"}},
    )


def upgrade_finding(groups: list[str], pools: list[str], control_plane: str, cluster: str) -> Finding:
    """How to bring lagging kubelets up to the control plane's release (people run it, not the bot)."""
    version = knowledge.show(knowledge.parse_minor(control_plane))
    steps = [
        Msg.same(
            f"aws eks update-nodegroup-version --cluster-name {cluster} --nodegroup-name {g} "
            f"--kubernetes-version {version}"
        )
        for g in groups
    ]
    steps += [
        Msg(
            f"Karpenter NodePool {p}: nodes drift to the new AMI when the EC2NodeClass selects it by alias "
            "(for example al2023@latest); otherwise pin the AMI of this release.",
            f"Karpenter NodePool {p}: EC2NodeClass 가 alias(예: al2023@latest)로 AMI를 고르면 새 AMI로 "
            "드리프트되어 교체됩니다. 아니면 이 버전의 AMI로 고정하세요.",
        )
        for p in pools
    ]
    return Finding(
        "sysctl.upgrade_nodes",
        Severity.INFO,
        Msg(
            f"Upgrade the lagging nodes to Kubernetes {version} (rolling, done by your team)",
            f"뒤처진 노드를 Kubernetes {attach(version, '로')} 업그레이드하세요 (롤링, 팀에서 진행)",
        ),
        tuple(steps),
        data={"nodegroups": groups, "nodepools": pools, "version": version},
    )


def configz_note(node: str, why: str, names: list[str]) -> Msg:
    """Beside generated node configuration when a kubelet's allow-list could not be read."""
    listed = ", ".join(names)
    return Msg(
        f"The kubelet configuration of {node} could not be read (GET /api/v1/nodes/{node}/proxy/configz: {why}). "
        f"If its allowedUnsafeSysctls already lists {listed}, these files are not needed; the bot needs `get` "
        "on `nodes/proxy` to check.",
        f"{node}의 kubelet 설정을 읽지 못했습니다 (GET /api/v1/nodes/{node}/proxy/configz: {why}). "
        f"allowedUnsafeSysctls에 이미 {attach(listed, '가')} 있다면 이 파일은 필요 없습니다. 확인하려면 봇에 "
        "`nodes/proxy` 의 `get` 권한이 필요합니다.",
    )
