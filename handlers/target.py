"""Argument parsers shared by ``/ops`` sub-commands (``NAMESPACE/NAME``, ``NAMESPACE|-A``).

Each returns request entities or raises ``UsageError`` naming exactly what was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.errors import UsageError
from bot.korean import josa

# RFC 1123 label (namespaces) and subdomain (most object names), as Kubernetes validates them.
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


def check_namespace(ns: str) -> str:
    if not _LABEL.match(ns):
        raise UsageError(
            f"`{ns[:64]}` is not a valid namespace name (lowercase letters, digits and '-').",
            f"`{ns[:64]}` {josa(ns[:64], '는')} 올바른 네임스페이스 이름이 아닙니다 (소문자, 숫자, '-').",
        )
    return ns


def check_name(name: str, what: str = "name") -> str:
    if not _SUBDOMAIN.match(name):
        raise UsageError(
            f"`{name[:64]}` is not a valid Kubernetes {what}.",
            f"`{name[:64]}` {josa(name[:64], '는')} 올바른 Kubernetes {what} 이름이 아닙니다.",
        )
    return name


def namespaced_name(entity: str) -> Callable[[list[str]], dict[str, str]]:
    """Parser for exactly one ``NAMESPACE/NAME`` argument, stored as namespace + ``entity``."""

    def parse(args: list[str]) -> dict[str, str]:
        if len(args) != 1 or args[0].count("/") != 1:
            got = " ".join(args)[:80] or "nothing"
            raise UsageError(
                f"expected NAMESPACE/{entity.upper()}, got `{got}`.",
                f"NAMESPACE/{entity.upper()} 형식이 필요합니다 (입력: `{got}`).",
            )
        ns, name = args[0].split("/")
        return {"namespace": check_namespace(ns), entity: check_name(name, entity)}

    return parse


def namespace_or_all(args: list[str]) -> dict[str, str]:
    """Parser for ``[NAMESPACE|-A]``; all namespaces is stored as namespace ``*``."""
    if not args or args == ["-A"] or args == ["--all-namespaces"]:
        return {"namespace": "*"}
    if len(args) != 1:
        raise UsageError(
            f"expected one NAMESPACE or -A, got `{' '.join(args)[:80]}`.",
            f"네임스페이스 하나 또는 -A 가 필요합니다 (입력: `{' '.join(args)[:80]}`).",
        )
    return {"namespace": check_namespace(args[0])}
