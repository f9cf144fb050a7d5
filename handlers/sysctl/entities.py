"""The entity of sysctl requests, for the core parser: the kernel parameter named, with its
namespace prefix when it is written bare (``somaxconn`` is ``net.core.somaxconn``). Pure."""

from __future__ import annotations

import re

from bot.parsing.vocabulary import EntityRule, EntityText

SYSCTL = re.compile(r"(?<![\w.])((?:net|kernel|vm|fs|user|abi)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)")
SYSCTL_BARE = re.compile(
    r"(?<![\w.])(tcp_keepalive_(?:time|intvl|probes)|tcp_fin_timeout"
    r"|ip_local_port_range|tcp_syncookies|ip_unprivileged_port_start|ping_group_range|somaxconn)(?![\w.])"
)
BARE_PREFIX = {"somaxconn": "net.core."}


def sysctl_named(low: str) -> str:
    m = SYSCTL.search(low) if "." in low else None
    if m:
        return m.group(1)
    m = SYSCTL_BARE.search(low)
    if m:
        name = m.group(1)
        return BARE_PREFIX.get(name, "net.ipv4.") + name
    return ""


def extract_sysctl(read: EntityText, found: dict[str, str]) -> None:
    if "." in read.low or "tcp_" in read.low or "somaxconn" in read.low:
        found["sysctl"] = sysctl_named(read.low)


ENTITIES = (EntityRule(30, ("sysctl",), extract_sysctl),)
