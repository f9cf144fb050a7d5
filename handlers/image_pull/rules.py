"""Security group and network ACL rule evaluation for one TCP flow, as EC2 describes the rules.

Pure functions over the dicts ``ec2:DescribeSecurityGroups`` / ``ec2:DescribeNetworkAcls``
return; called by ``handlers.image_pull.network`` (and by the sandbox world's kubelet
imitation through it). A destination is a CIDR: a rule "covers" it when the rule's CIDR
contains the whole destination (``0.0.0.0/0`` covers the internet; the VPC CIDR covers an
endpoint's subnet).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

TCP = ("tcp", "6")
ALL = ("-1", "all")
INTERNET = "0.0.0.0/0"
# Return traffic of an outbound connection arrives on the client's ephemeral port; Linux uses
# 32768-60999, AWS recommends opening 1024-65535. Checked at the edges of both ranges.
EPHEMERAL_SAMPLES = (1024, 32768, 60999, 65535)


def covers(rule_cidr: str | None, dest_cidr: str) -> bool:
    """True when ``rule_cidr`` contains all of ``dest_cidr`` (IPv4 only; IPv6 rules never match)."""
    if not rule_cidr:
        return False
    try:
        rule = ipaddress.ip_network(rule_cidr, strict=False)
        dest = ipaddress.ip_network(dest_cidr, strict=False)
    except ValueError:
        return False
    return rule.version == dest.version and dest.subnet_of(rule)  # type: ignore[arg-type]


def _port_ok(rule: Mapping[str, Any], port: int, from_key: str = "FromPort", to_key: str = "ToPort") -> bool:
    low, high = rule.get(from_key), rule.get(to_key)
    if low is None or high is None or low == -1:
        return True
    return int(low) <= port <= int(high)


def _proto_ok(protocol: Any) -> bool:
    return str(protocol).lower() in TCP + ALL


def sg_permits(
    permissions: Iterable[Mapping[str, Any]],
    port: int,
    cidr: str = "",
    group_ids: Iterable[str] = (),
    *,
    prefix_list: bool = False,
) -> bool:
    """Whether any permission admits TCP ``port`` to/from ``cidr``, a group in ``group_ids``,
    or (``prefix_list``) an AWS-managed prefix list such as the S3 one."""
    groups = set(group_ids)
    for perm in permissions:
        if not _proto_ok(perm.get("IpProtocol")):
            continue
        if str(perm.get("IpProtocol")) not in ALL and not _port_ok(perm, port):
            continue
        if cidr and any(covers(r.get("CidrIp"), cidr) for r in perm.get("IpRanges") or []):
            return True
        if groups and any(p.get("GroupId") in groups for p in perm.get("UserIdGroupPairs") or []):
            return True
        if prefix_list and perm.get("PrefixListIds"):
            return True
    return False


def groups_permit(
    groups: Iterable[Mapping[str, Any]],
    direction: str,
    port: int,
    cidr: str = "",
    group_ids: Iterable[str] = (),
    *,
    prefix_list: bool = False,
) -> bool:
    """Security groups are unioned: one admitting group is enough."""
    key = "IpPermissionsEgress" if direction == "egress" else "IpPermissions"
    ids = tuple(group_ids)
    return any(sg_permits(g.get(key) or [], port, cidr, ids, prefix_list=prefix_list) for g in groups)


def nacl_decision(entries: Iterable[Mapping[str, Any]], *, egress: bool, port: int, cidr: str) -> str:
    """``allow`` or ``deny``: the first entry (lowest rule number) matching the flow decides."""
    ordered = sorted(
        (e for e in entries if bool(e.get("Egress")) == egress), key=lambda e: int(e.get("RuleNumber", 32767))
    )
    for entry in ordered:
        if not _proto_ok(entry.get("Protocol")):
            continue
        ports = entry.get("PortRange") or {}
        if str(entry.get("Protocol")) not in ALL and not _port_ok(ports, port, "From", "To"):
            continue
        if not covers(entry.get("CidrBlock"), cidr):
            continue
        return str(entry.get("RuleAction", "deny")).lower()
    return "deny"


def nacl_allows_https(entries: Iterable[Mapping[str, Any]], cidr: str) -> tuple[bool, bool]:
    """(egress 443 to ``cidr`` allowed, return traffic on ephemeral ports from ``cidr`` allowed)."""
    rules = list(entries)
    out_ok = nacl_decision(rules, egress=True, port=443, cidr=cidr) == "allow"
    back_ok = all(nacl_decision(rules, egress=False, port=p, cidr=cidr) == "allow" for p in EPHEMERAL_SAMPLES)
    return out_ok, back_ok


def has_443_rule(group: Mapping[str, Any], direction: str, cidr: str = "", source_group_id: str = "") -> bool:
    """Whether ``group`` holds exactly the rule ``ec2.sg_rule_443`` writes (tcp 443 to/from one peer)."""
    key = "IpPermissionsEgress" if direction == "egress" else "IpPermissions"
    for perm in group.get(key) or []:
        if str(perm.get("IpProtocol")) not in TCP or perm.get("FromPort") != 443 or perm.get("ToPort") != 443:
            continue
        if source_group_id:
            if any(p.get("GroupId") == source_group_id for p in perm.get("UserIdGroupPairs") or []):
                return True
        elif any(r.get("CidrIp") == cidr for r in perm.get("IpRanges") or []):
            return True
    return False
