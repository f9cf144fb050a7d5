"""Generated node configuration that lets kubelets accept unsafe (namespaced) sysctls, per node type.

Pure text generators, called by ``handlers.sysctl.advice``; the results are posted as files in
the request thread (``Finding.data["files"]``) and rolled out by people, never by the bot.

- AL2 managed node group on a custom AMI: eksctl ``overrideBootstrapCommand`` calling
  ``/etc/eks/bootstrap.sh --kubelet-extra-args "... --allowed-unsafe-sysctls '...'"``, the form in the
  team's notes (https://eksctl.io/usage/schema/#managedNodeGroups-overrideBootstrapCommand).
- AL2 self-managed node group: eksctl ``kubeletExtraConfig: {allowedUnsafeSysctls: [...]}``
  (``kubeletExtraConfig`` exists only on ``nodeGroups``, the NodeGroup type in eksctl's
  pkg/apis/eksctl.io/v1alpha5/types.go).
- AL2023: a nodeadm ``NodeConfig`` (``node.eks.aws/v1alpha1``) in MIME multi-part user data
  (https://awslabs.github.io/amazon-eks-ami/nodeadm/), merged with the one EKS adds.
- Bottlerocket: ``settings.kubernetes.allowed-unsafe-sysctls`` in TOML user data
  (https://bottlerocket.dev/en/os/1.20.x/api/settings/kubernetes/).
- Karpenter: see ``handlers.sysctl.karpenter``.

What goes into these files comes partly from the cluster (node group and node class names, the
sysctls pods ask for), and people run them as root on every node. So every generator refuses a
sysctl name that is not one the kernel could have (``checked_sysctls``), and every value put into a
shell command line is quoted with ``shlex.quote``: nothing in a name can become shell syntax.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from typing import Any

import yaml

from handlers.sysctl import al2_eol
from handlers.sysctl.facts import AL2, AL2023, BOTTLEROCKET

BOUNDARY = "//"

# A sysctl name as the kernel and the API server spell it (dot- or slash-separated segments of
# lower-case letters, digits, "-" and "_", the way pkg/apis/core/validation checks it), or a
# kubelet allow-list pattern: such a prefix ending in "*" (``kernel.msg*``).
_SEGMENT = r"[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
SYSCTL_NAME = re.compile(rf"({_SEGMENT}[./])*{_SEGMENT}")
SYSCTL_PATTERN = re.compile(rf"({_SEGMENT}[./])*([a-z0-9][-_a-z0-9]*)?\*")
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def valid_sysctl(name: str) -> bool:
    """True for a sysctl name (or kubelet allow-list pattern) the kernel's syntax allows."""
    return (
        isinstance(name, str)
        and len(name) <= 253
        and bool(SYSCTL_NAME.fullmatch(name) or SYSCTL_PATTERN.fullmatch(name))
    )


def checked_sysctls(sysctls: Sequence[str]) -> list[str]:
    """``sysctls`` as a list, or ``ValueError`` naming the first that is not a sysctl name."""
    names = list(sysctls)
    for name in names:
        if not valid_sysctl(name):
            raise ValueError(f"not a sysctl name: {name!r}")
    return names


def safe_filename(name: str) -> str:
    """A file name from names that came from the cluster: nothing but letters, digits, ``.``, ``_``, ``-``."""
    return _FILENAME_UNSAFE.sub("_", name)


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line strings, as people write eksctl files by hand."""


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str)


def dump(doc: Any) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=4096)


def header(lines: Sequence[str]) -> str:
    """Comment lines; a value with a line break in it cannot start a line of its own."""
    return "".join("# " + " ".join(line.splitlines()) + "\n" for line in lines)


def al2_bootstrap_command(cluster: str, nodegroup: str, ami: str, sysctls: Sequence[str]) -> str:
    """The bash that goes in ``overrideBootstrapCommand`` (labels eksctl would otherwise set).

    The kubelet's extra arguments are one shell word, quoted, and so is the cluster name.
    """
    allowed = ",".join(checked_sysctls(sysctls))
    labels = ",".join(
        (
            f"alpha.eksctl.io/cluster-name={cluster}",
            f"alpha.eksctl.io/nodegroup-name={nodegroup}",
            f"eks.amazonaws.com/nodegroup={nodegroup}",
            f"eks.amazonaws.com/nodegroup-image={ami}",
        )
    )
    extra_args = f"--node-labels={labels} --allowed-unsafe-sysctls={allowed}"
    return (
        "#!/bin/bash\nset -ex\n"
        f"/etc/eks/bootstrap.sh {shlex.quote(cluster)} --kubelet-extra-args {shlex.quote(extra_args)}\n"
    )


def _node_group(name: str, ami_family: str, instance_type: str, ami: str = "", **extra: Any) -> dict[str, Any]:
    """The node group fields every generated eksctl file shares, in eksctl's usual order."""
    group: dict[str, Any] = {"name": name}
    if ami:
        group["ami"] = ami
    group.update(
        {
            "amiFamily": ami_family,
            "instanceType": instance_type,
            "minSize": 0,
            "maxSize": 10,
            "desiredCapacity": 2,
            "labels": {"sysctl.allowlist": "unsafe"},
            **extra,
        }
    )
    return group


def _cluster_config(cluster: str, region: str, groups_key: str, group: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "eksctl.io/v1alpha5",
        "kind": "ClusterConfig",
        "metadata": {"name": cluster, "region": region},
        groups_key: [group],
    }


def eksctl_al2_custom_ami(
    cluster: str,
    region: str,
    nodegroup: str,
    sysctls: Sequence[str],
    ami: str = "<ami id>",
    instance_type: str = "m5.large",
) -> str:
    """A new managed node group on a custom AL2 AMI whose kubelet allows ``sysctls`` (the classic form)."""
    group = _node_group(
        nodegroup,
        "AmazonLinux2",
        instance_type,
        ami=ami,
        overrideBootstrapCommand=al2_bootstrap_command(cluster, nodegroup, ami, sysctls),
    )
    doc = _cluster_config(cluster, region, "managedNodeGroups", group)
    return header(
        [
            f"eksctl create nodegroup -f this-file.yaml   (cluster {cluster})",
            "A new node group: eksctl cannot change the bootstrap command of an existing one.",
            "Replace <ami id> with your EKS-optimized AL2 AMI; then drain the old node group.",
            *al2_eol.header_lines(),
        ]
    ) + dump(doc)


def eksctl_al2_self_managed(
    cluster: str, region: str, nodegroup: str, sysctls: Sequence[str], instance_type: str = "m5.large"
) -> str:
    """The simpler form: a self-managed AL2 node group with ``kubeletExtraConfig``."""
    group = _node_group(
        nodegroup, "AmazonLinux2", instance_type, kubeletExtraConfig={"allowedUnsafeSysctls": checked_sysctls(sysctls)}
    )
    doc = _cluster_config(cluster, region, "nodeGroups", group)
    return header(
        [
            f"eksctl create nodegroup -f this-file.yaml   (cluster {cluster})",
            "Self-managed alternative: eksctl merges kubeletExtraConfig into the kubelet config.",
            *al2_eol.header_lines(),
        ]
    ) + dump(doc)


def eksctl_bottlerocket(
    cluster: str, region: str, nodegroup: str, sysctls: Sequence[str], instance_type: str = "m5.large"
) -> str:
    group = _node_group(
        nodegroup,
        "Bottlerocket",
        instance_type,
        bottlerocket={"settings": {"kubernetes": {"allowed-unsafe-sysctls": checked_sysctls(sysctls)}}},
    )
    doc = _cluster_config(cluster, region, "managedNodeGroups", group)
    return header([f"eksctl create nodegroup -f this-file.yaml   (cluster {cluster})"]) + dump(doc)


def nodeadm_config(sysctls: Sequence[str], cluster: str = "", *, custom_ami: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"kubelet": {"config": {"allowedUnsafeSysctls": checked_sysctls(sysctls)}}}
    if custom_ami:  # EKS adds the cluster block itself only for its own AMIs
        spec = {
            "cluster": {
                "name": cluster or "<cluster name>",
                "apiServerEndpoint": "<endpoint from DescribeCluster>",
                "certificateAuthority": "<base64 CA from DescribeCluster>",
                "cidr": "<service CIDR, e.g. 172.20.0.0/16>",
            },
            **spec,
        }
    return {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": spec}


def al2023_user_data(sysctls: Sequence[str], cluster: str = "", *, custom_ami: bool = False) -> str:
    """MIME multi-part user data with one ``application/node.eks.aws`` part (for a launch template)."""
    body = dump(nodeadm_config(sysctls, cluster, custom_ami=custom_ami))
    return (
        f'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="{BOUNDARY}"\n\n'
        f"--{BOUNDARY}\nContent-Type: application/node.eks.aws\n\n---\n{body}\n--{BOUNDARY}--\n"
    )


def bottlerocket_toml(sysctls: Sequence[str]) -> str:
    return "[settings.kubernetes]\nallowed-unsafe-sysctls = " + json.dumps(checked_sysctls(sysctls)) + "\n"


def files_for_nodegroup(
    family: str,
    cluster: str,
    region: str,
    nodegroup: str,
    sysctls: Sequence[str],
    *,
    custom_ami: bool,
    instance_type: str = "m5.large",
    kubernetes: tuple[int, int] | None = None,
) -> list[dict[str, str]]:
    """The files to post for one EKS node group of ``family`` in a cluster of Kubernetes ``kubernetes``.

    AL2 files come with an AL2023 alternative, and none is offered where EKS has no AL2 AMI
    (``al2_eol``): then the files are for AL2023 and Bottlerocket node groups.
    """
    sysctls = checked_sysctls(sysctls)
    new_name = f"{nodegroup}-sysctl"
    file_name = safe_filename(new_name)
    if family == AL2 and not al2_eol.available(kubernetes):
        return files_for_nodegroup(
            AL2023, cluster, region, nodegroup, sysctls, custom_ami=False, instance_type=instance_type
        ) + files_for_nodegroup(
            BOTTLEROCKET, cluster, region, nodegroup, sysctls, custom_ami=False, instance_type=instance_type
        )
    if family == AL2:
        files = [
            {
                "filename": f"eksctl-{file_name}.yaml",
                "title": "eksctl: AL2 custom AMI, overrideBootstrapCommand",
                "content": eksctl_al2_custom_ami(cluster, region, new_name, sysctls, instance_type=instance_type),
            }
        ]
        if not custom_ami:
            files.append(
                {
                    "filename": f"eksctl-{file_name}-self-managed.yaml",
                    "title": "eksctl: self-managed AL2, kubeletExtraConfig",
                    "content": eksctl_al2_self_managed(cluster, region, new_name, sysctls, instance_type),
                }
            )
        return files + files_for_nodegroup(
            AL2023, cluster, region, nodegroup, sysctls, custom_ami=False, instance_type=instance_type
        )
    if family == AL2023:
        return [
            {
                "filename": f"{safe_filename(nodegroup)}-al2023-user-data.mime",
                "title": "AL2023 nodeadm NodeConfig (launch template user data)",
                "content": al2023_user_data(sysctls, cluster, custom_ami=custom_ami),
            }
        ]
    if family == BOTTLEROCKET:
        return [
            {
                "filename": f"{safe_filename(nodegroup)}-bottlerocket.toml",
                "title": "Bottlerocket user data (launch template)",
                "content": bottlerocket_toml(sysctls),
            },
            {
                "filename": f"eksctl-{file_name}.yaml",
                "title": "eksctl: Bottlerocket managed node group",
                "content": eksctl_bottlerocket(cluster, region, new_name, sysctls, instance_type),
            },
        ]
    return []
