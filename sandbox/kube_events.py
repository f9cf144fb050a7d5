"""Events as the Kubernetes components write them, in both shapes the API serves through core/v1.

Used by worlds (``sandbox.worlds.*``) on a ``KubeStandIn``:

- ``CoreRecorder``: the old recorder (client-go ``tools/record``), used by the kubelet. It writes
  core/v1 Events with ``firstTimestamp``, ``lastTimestamp``, ``count`` and ``source``. Its
  correlator (client-go ``tools/record/events_cache.go`` @ kubernetes v1.30) counts an exact
  repeat into the same Event (``count`` + 1, new ``lastTimestamp``), and once 10 distinct messages
  share source, object, type and reason within 10 minutes (``defaultAggregateMaxEvents``,
  ``defaultAggregateIntervalInSeconds``; ``EventAggregatorByReasonFunc``) every further one is
  written to one aggregate Event whose message is ``"(combined from similar events): " +`` the
  latest message (``EventAggregatorByReasonMessageFunc``).
- ``record_series``: the new recorder (client-go ``tools/events``, events.k8s.io/v1), used by the
  scheduler and newer controllers. Read through core/v1 (``pkg/apis/events/v1/conversion.go``:
  ``deprecatedFirstTimestamp``/``deprecatedLastTimestamp``/``deprecatedCount`` map to
  ``firstTimestamp``/``lastTimestamp``/``count``, which the new recorder leaves empty) it has
  ``eventTime``, ``firstTimestamp: null``, ``lastTimestamp: null``, ``reportingComponent``
  (= ``reportingController``), ``reportingInstance``, ``action`` and, from the second occurrence,
  ``series`` {``count``, ``lastObservedTime``} (``tools/events/event_broadcaster.go``: the first
  repeat sets ``series.count`` to 2).

Container-level events carry ``involvedObject.fieldPath: spec.containers{NAME}`` (kubelet
``pkg/kubelet/container/ref.go`` ``fieldPath``).
"""

from __future__ import annotations

import uuid
import weakref
from datetime import datetime, timedelta
from typing import Any, Protocol

from sandbox.kube_store import timestamp

Obj = dict[str, Any]
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL = timedelta(seconds=600)
COMBINED_PREFIX = "(combined from similar events): "


class Cluster(Protocol):
    def clock(self) -> datetime: ...

    def put(self, obj: Obj) -> Obj: ...


def micro_time(moment: datetime) -> str:
    """``metav1.MicroTime`` as JSON: RFC 3339 with microseconds."""
    return timestamp(moment).replace("Z", f".{moment.microsecond:06d}Z")


def container_path(container: str) -> str:
    return f"spec.containers{{{container}}}"


def reference(involved: Obj, namespace: str, container: str = "") -> Obj:
    """An ObjectReference to a whole object (or a given reference), with the container's fieldPath."""
    if "metadata" in involved:
        meta = involved["metadata"]
        ref = {
            "apiVersion": involved.get("apiVersion", "v1"),
            "kind": involved.get("kind", ""),
            "name": meta["name"],
            "namespace": meta.get("namespace", namespace),
        }
        for key in ("uid", "resourceVersion"):
            if meta.get(key):
                ref[key] = meta[key]
    else:
        ref = {k: v for k, v in involved.items() if v is not None}
        ref.setdefault("namespace", namespace)
    if container:
        ref["fieldPath"] = container_path(container)
    return ref


def _event_name(ref: Obj, moment: datetime) -> str:
    return f"{ref['name']}.{int(moment.timestamp() * 1e9):x}{uuid.uuid4().hex[:4]}"


class CoreRecorder:
    """One component's ``tools/record`` recorder with its correlator (dedupe and aggregation)."""

    def __init__(self, kube: Cluster, component: str = "kubelet", host: str = ""):
        self.kube, self.component, self.host = kube, component, host
        # aggregate key -> (distinct messages, oldest first; when the last one was seen)
        self._aggregates: dict[tuple, tuple[dict[str, None], datetime]] = {}
        self._written: dict[tuple, Obj] = {}

    def record(
        self,
        involved: Obj,
        reason: str,
        message: str,
        type_: str = "Warning",
        container: str = "",
        namespace: str = "",
        at: datetime | None = None,
    ) -> Obj:
        """Write one occurrence (at ``at``, default now); returns the stored Event.

        The Event is new, an earlier one counted up, or the aggregate. Upstream drops an arbitrary
        message from a full set (``PopAny``); this drops the oldest, so worlds are repeatable.
        """
        ns = namespace or (involved.get("metadata") or involved).get("namespace") or "default"
        ref = reference(involved, ns, container)
        now = at or self.kube.clock()
        agg_key = (
            self.component,
            self.host,
            ref.get("kind"),
            ref.get("namespace"),
            ref.get("name"),
            ref.get("uid", ""),
            ref.get("apiVersion", ""),
            type_,
            reason,
        )
        seen, last = self._aggregates.get(agg_key, ({}, None))
        if last is None or now - last > AGGREGATE_INTERVAL:
            seen = {}
        seen[message] = None
        self._aggregates[agg_key] = (seen, now)
        key: tuple = (*agg_key, ref.get("fieldPath", ""), message)
        if len(seen) >= AGGREGATE_MAX_EVENTS:
            del seen[next(iter(seen))]
            key, message = ("aggregate", *agg_key), COMBINED_PREFIX + message
        # the aggregate keeps the first occurrence's involvedObject (fieldPath included), as upstream
        previous = self._written.get(key)
        stamp = timestamp(now)
        if previous is not None:
            event = {
                **previous,
                "count": int(previous.get("count") or 1) + 1,
                "lastTimestamp": stamp,
                "message": message,
            }
        else:
            source = {"component": self.component, **({"host": self.host} if self.host else {})}
            event = {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": _event_name(ref, now), "namespace": ns},
                "involvedObject": ref,
                "reason": reason,
                "message": message,
                "type": type_,
                "count": 1,
                "source": source,
                "firstTimestamp": stamp,
                "lastTimestamp": stamp,
                "eventTime": None,
                "reportingComponent": self.component,
                "reportingInstance": self.host,
            }
        stored = self.kube.put(event)
        self._written[key] = stored
        return stored


def record_series(
    kube: Cluster,
    involved: Obj,
    reason: str,
    note: str,
    *,
    action: str,
    controller: str,
    instance: str,
    type_: str = "Normal",
    occurrences: int = 1,
    container: str = "",
    namespace: str = "",
    seconds_between: float = 30.0,
    at: datetime | None = None,
) -> Obj:
    """An events.k8s.io/v1 Event as core/v1 reads it: ``occurrences`` > 1 gives it a ``series``."""
    ns = namespace or (involved.get("metadata") or involved).get("namespace") or "default"
    ref = reference(involved, ns, container)
    now = at or kube.clock()
    first = now - timedelta(seconds=seconds_between * (occurrences - 1))
    event: Obj = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": _event_name(ref, first), "namespace": ns, "creationTimestamp": timestamp(first)},
        "involvedObject": ref,
        "reason": reason,
        "message": note,
        "type": type_,
        "eventTime": micro_time(first),
        "firstTimestamp": None,
        "lastTimestamp": None,
        "source": {},
        "action": action,
        "reportingComponent": controller,
        "reportingInstance": instance,
    }
    if occurrences > 1:
        event["series"] = {"count": occurrences, "lastObservedTime": micro_time(now)}
    return kube.put(event)


_KUBELETS: weakref.WeakKeyDictionary[Any, dict[str, CoreRecorder]] = weakref.WeakKeyDictionary()


def kubelet(kube: Cluster, host: str) -> CoreRecorder:
    """The recorder of the kubelet on node ``host`` of ``kube``: one correlator per node, as upstream."""
    per_node = _KUBELETS.setdefault(kube, {})
    return per_node.setdefault(host, CoreRecorder(kube, "kubelet", host))
