"""The Kubernetes stand-in's state: every object of the fake cluster, by resource and name.

Used by ``kube_verbs`` (the API semantics) and by ``kube_api.KubeStandIn`` (``put``/``get``/
``remove`` for worlds that set up a cluster). One re-entrant lock guards everything. Stored
objects are never mutated in place: every write stores a fresh copy, so readers may serialise
what they get without copying it. ``commit`` fills what the server owns (uid,
resourceVersion, creationTimestamp, generation) and removes an object being deleted once its
finalizers are empty; ``on_removed`` (set by ``kube_api``) lets controllers react.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.kube_resources import Resource

Obj = dict[str, Any]


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta_of(obj: Obj) -> Obj:
    return obj.setdefault("metadata", {})


class KubeStore:
    """All objects of the fake cluster, keyed by resource and (namespace, name)."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.lock = threading.RLock()
        self.clock = clock
        self.on_removed: Callable[[Resource, Obj], None] | None = None
        self._objects: dict[Resource, dict[tuple[str, str], Obj]] = {}
        self._rv = 1000

    def resource_version(self) -> str:
        with self.lock:
            return str(self._rv)

    def put(self, res: Resource, obj: Obj) -> Obj:
        """Create or replace ``obj`` as given (status included); returns the stored object."""
        with self.lock:
            meta = obj.get("metadata") or {}
            namespace = (meta.get("namespace") or "default") if res.namespaced else None
            old = self.get(res, namespace, meta.get("name", ""))
            return self.commit(res, copy.deepcopy(obj), old)

    def get(self, res: Resource, namespace: str | None, name: str) -> Obj | None:
        with self.lock:
            return self._objects.get(res, {}).get((self._ns(res, namespace), name))

    def items(self, res: Resource, namespace: str | None = None) -> list[Obj]:
        with self.lock:
            found = self._objects.get(res, {})
            return [o for (ns, _), o in found.items() if namespace is None or ns == namespace]

    def remove(self, res: Resource, namespace: str | None, name: str) -> Obj | None:
        with self.lock:
            return self._objects.get(res, {}).pop((self._ns(res, namespace), name), None)

    @staticmethod
    def _ns(res: Resource, namespace: str | None) -> str:
        return (namespace or "") if res.namespaced else ""

    def commit(self, res: Resource, obj: Obj, old: Obj | None) -> Obj:
        """Fill server-owned metadata and store ``obj`` (already a private copy)."""
        obj["apiVersion"], obj["kind"] = res.api_version, res.kind
        meta = meta_of(obj)
        if not res.namespaced:
            meta.pop("namespace", None)
        elif not meta.get("namespace"):
            meta["namespace"] = "default"
        old_meta = (old or {}).get("metadata") or {}
        meta["uid"] = old_meta.get("uid") or meta.get("uid") or str(uuid.uuid4())
        meta["creationTimestamp"] = (old_meta.get("creationTimestamp") or meta.get("creationTimestamp")
                                     or timestamp(self.clock()))
        if old is None:
            meta.setdefault("generation", 1)
        else:
            changed = old.get("spec") != obj.get("spec")
            meta["generation"] = int(old_meta.get("generation") or 1) + (1 if changed else 0)
        if old_meta.get("deletionTimestamp"):
            meta["deletionTimestamp"] = old_meta["deletionTimestamp"]
        self._rv += 1
        meta["resourceVersion"] = str(self._rv)
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            self.drop(res, obj)
            return obj
        self._objects.setdefault(res, {})[(self._ns(res, meta.get("namespace")), meta["name"])] = obj
        return obj

    def drop(self, res: Resource, obj: Obj) -> None:
        meta = obj["metadata"]
        self._objects.get(res, {}).pop((self._ns(res, meta.get("namespace")), meta["name"]), None)
        self._rv += 1
        if self.on_removed is not None:
            self.on_removed(res, obj)
