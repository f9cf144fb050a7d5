"""Generated Karpenter configuration that lets kubelets accept unsafe sysctls. Pure text generators.

Called by ``handlers.sysctl.advice`` for nodes a Karpenter NodePool launched. ``EC2NodeClass``
``spec.kubelet`` has no sysctl field (https://karpenter.sh/docs/concepts/nodeclasses/), so the
allow-list goes into ``spec.userData``, which Karpenter merges with its own bootstrap: a nodeadm
``NodeConfig`` part (AL2023), Bottlerocket TOML, or for AL2 a shell part that edits the kubelet
config before Karpenter's ``bootstrap.sh`` runs. Changing the class makes its nodes drift, and
Karpenter replaces them.

Sysctl names are checked (``nodeconfig.checked_sysctls``) and every value in a shell command line
is quoted with ``shlex.quote``, as in ``handlers.sysctl.nodeconfig``.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence

from handlers.sysctl import al2_eol
from handlers.sysctl.facts import AL2, AL2023, BOTTLEROCKET
from handlers.sysctl.nodeconfig import (
    BOUNDARY,
    al2023_user_data,
    bottlerocket_toml,
    checked_sysctls,
    dump,
    header,
    safe_filename,
)


def al2_karpenter_user_data(sysctls: Sequence[str]) -> str:
    """AL2 under Karpenter: Karpenter runs bootstrap.sh itself after this part, so edit the kubelet config."""
    program = f".allowedUnsafeSysctls = {json.dumps(checked_sysctls(sysctls))}"
    script = (
        "#!/bin/bash\nset -euo pipefail\nCFG=/etc/kubernetes/kubelet/kubelet-config.json\n"
        f'jq {shlex.quote(program)} "$CFG" > "$CFG.new"\n'
        'mv "$CFG.new" "$CFG"\n'
    )
    return (
        f'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="{BOUNDARY}"\n\n'
        f'--{BOUNDARY}\nContent-Type: text/x-shellscript; charset="us-ascii"\n\n{script}\n--{BOUNDARY}--\n'
    )


def karpenter_nodeclass_patch(nodeclass: str, family: str, sysctls: Sequence[str]) -> str:
    """A merge patch for an ``EC2NodeClass``; nodes it launched drift and are replaced."""
    user_data = {
        AL2023: al2023_user_data(sysctls),
        BOTTLEROCKET: bottlerocket_toml(sysctls),
        AL2: al2_karpenter_user_data(sysctls),
    }.get(family, al2023_user_data(sysctls))
    doc = {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": {"name": nodeclass},
        "spec": {"userData": user_data},
    }
    return header(
        [
            f"kubectl patch ec2nodeclass {shlex.quote(nodeclass)} --type merge --patch-file this-file.yaml",
            "If the class already has userData, merge this part into it instead of replacing it.",
            "Karpenter marks the nodes of every NodePool using this class as drifted and replaces them.",
            *(al2_eol.karpenter_lines() if family == AL2 else []),
        ]
    ) + dump(doc)


def files_for_nodeclass(nodeclass: str, family: str, sysctls: Sequence[str]) -> list[dict[str, str]]:
    return [
        {
            "filename": f"ec2nodeclass-{safe_filename(nodeclass)}-sysctl.yaml",
            "title": f"Karpenter EC2NodeClass {nodeclass} patch",
            "content": karpenter_nodeclass_patch(nodeclass, family, sysctls),
        }
    ]
