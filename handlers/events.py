"""Reading Kubernetes Events in either shape: when one was last seen, and what it says.

Events come in two shapes through core/v1: those written by the old recorder (client-go
``tools/record``, the kubelet's) carry ``lastTimestamp`` and ``count``; those written through
events.k8s.io/v1 (client-go ``tools/events``, e.g. the scheduler's) have ``lastTimestamp: null``
and carry ``eventTime`` and, when repeated, ``series.lastObservedTime``
(kubernetes/kubernetes pkg/apis/events/v1/conversion.go). The old recorder also folds frequent
similar events into one whose message starts with ``(combined from similar events): ``
(client-go tools/record/events_cache.go ``EventAggregatorByReasonMessageFunc``); container
events name the container in ``involvedObject.fieldPath`` as ``spec.containers{NAME}``.
Used by ``handlers.pods``, ``handlers.image_pull.collect``, ``handlers.image_pull.verify`` and
``handlers.irsa.kube_facts``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

COMBINED_PREFIX = "(combined from similar events): "
_FIELD_PATH = re.compile(r"^spec\.(?:initContainers|containers|ephemeralContainers)\{([^}]*)\}")


def last_seen(event: Mapping[str, Any]) -> str:
    """When ``event`` last happened (RFC 3339), or "".

    ``series.lastObservedTime``, then ``lastTimestamp``, ``eventTime``, ``firstTimestamp`` and
    ``metadata.creationTimestamp``: the first one set.
    """
    series = event.get("series") or {}
    for value in (
        series.get("lastObservedTime"),
        event.get("lastTimestamp"),
        event.get("eventTime"),
        event.get("firstTimestamp"),
        (event.get("metadata") or {}).get("creationTimestamp"),
    ):
        if value:
            return _normal(str(value))
    return ""


def _normal(ts: str) -> str:
    """RFC 3339 with a "Z" and microseconds, so that strings sort in time order."""
    ts = ts.replace("+00:00", "Z")
    if ts.endswith("Z") and "." not in ts:
        ts = ts[:-1] + ".000000Z"
    return ts


def by_time(events: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``events`` oldest first by ``last_seen``."""
    return sorted(events, key=last_seen)


def message(event: Mapping[str, Any]) -> str:
    """The message without the ``(combined from similar events): `` prefix."""
    text = str(event.get("message") or event.get("note") or "")
    return text[len(COMBINED_PREFIX) :] if text.startswith(COMBINED_PREFIX) else text


def container(event: Mapping[str, Any]) -> str:
    """The container an event is about (from ``involvedObject.fieldPath``), or "" for the whole pod."""
    path = str((event.get("involvedObject") or event.get("regarding") or {}).get("fieldPath") or "")
    m = _FIELD_PATH.match(path)
    return m.group(1) if m else ""
