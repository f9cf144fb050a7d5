"""Small readers of Kubernetes objects as plain dicts (what ``Kube.to_dict`` returns), shared by
the health report's sections: RFC 3339 timestamps and the controlling owner reference."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any


def kube_time(value: Any) -> datetime | None:
    """A timestamp as the API server writes it (``2026-11-25T00:00:00Z``), or None when absent."""
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def controller_name(obj: Mapping[str, Any]) -> str:
    """``Kind/name`` of the owner reference marked ``controller``, or "" when nothing controls it."""
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    ref = next((r for r in refs if r.get("controller")), None)
    return f"{ref['kind']}/{ref['name']}" if ref else ""
