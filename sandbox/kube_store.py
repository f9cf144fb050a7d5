"""The Kubernetes stand-in's state: every object of the fake cluster, by resource and name.

Used by ``kube_verbs`` (the API semantics) and by ``kube_api.KubeStandIn`` (``put``/``get``/
``remove`` for worlds that set up a cluster). One re-entrant lock guards everything. Stored
objects are never mutated in place: every write stores a fresh copy, so readers may serialise
what they get without copying it. ``commit`` fills what the server owns (uid,
resourceVersion, creationTimestamp, generation) and removes an object being deleted once its
finalizers are empty; ``on_removed`` (set by ``kube_api``) lets controllers react.

Pods deleted with a grace period stay readable, Terminating, until the imitation kubelet has
stopped them: ``mark_terminating`` records when that happens on the store's clock
(``kubelet_stop_seconds`` after the delete, never later than the grace period), and
``finish_terminating`` (called before every read and list of the store) removes those whose
time has come. Tests that want to see the Terminating state hold a fake clock and advance it.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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
        # How long the imitation kubelet takes to stop a terminating pod's containers (sandbox clock).
        self.kubelet_stop_seconds = 2.0
        # uid -> (resource, namespace, name, when the kubelet is done, controller already reacted)
        self._terminating: dict[str, tuple[Resource, str | None, str, datetime, bool]] = {}
        self._finishing = False

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
            self.finish_terminating()
            return self._objects.get(res, {}).get((self._ns(res, namespace), name))

    def items(self, res: Resource, namespace: str | None = None) -> list[Obj]:
        with self.lock:
            self.finish_terminating()
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
        meta["creationTimestamp"] = (
            old_meta.get("creationTimestamp") or meta.get("creationTimestamp") or timestamp(self.clock())
        )
        if old is None:
            meta.setdefault("generation", 1)
        else:
            changed = old.get("spec") != obj.get("spec")
            meta["generation"] = int(old_meta.get("generation") or 1) + (1 if changed else 0)
        if old_meta.get("deletionTimestamp"):
            meta["deletionTimestamp"] = old_meta["deletionTimestamp"]
            if "deletionGracePeriodSeconds" in old_meta:
                meta.setdefault("deletionGracePeriodSeconds", old_meta["deletionGracePeriodSeconds"])
        self._rv += 1
        meta["resourceVersion"] = str(self._rv)
        graceful = meta["uid"] in self._terminating and int(meta.get("deletionGracePeriodSeconds") or 0) > 0
        if meta.get("deletionTimestamp") and not meta.get("finalizers") and not graceful:
            self.drop(res, obj)
            return obj
        self._objects.setdefault(res, {})[(self._ns(res, meta.get("namespace")), meta["name"])] = obj
        return obj

    def drop(self, res: Resource, obj: Obj, *, react: bool = True) -> None:
        """Remove ``obj``; controllers react (``on_removed``) unless ``react`` is False."""
        meta = obj["metadata"]
        self._objects.get(res, {}).pop((self._ns(res, meta.get("namespace")), meta["name"]), None)
        self._terminating.pop(meta.get("uid", ""), None)
        self._rv += 1
        if react and self.on_removed is not None:
            self.on_removed(res, obj)

    # ---- graceful deletion of pods -------------------------------------------------------------

    def mark_terminating(self, res: Resource, marked: Obj, old: Obj, grace: int, *, replaced: bool) -> Obj:
        """Store ``marked`` (``deletionTimestamp`` already set) as Terminating for ``grace`` seconds.

        ``replaced`` says the owning controller already made a replacement (a ReplicaSet does so as
        soon as the pod is terminating), so nothing reacts again when the kubelet finishes.
        """
        with self.lock:
            meta = marked["metadata"]
            done = self.clock() + timedelta(seconds=min(float(grace), self.kubelet_stop_seconds))
            self._terminating[meta["uid"]] = (res, meta.get("namespace"), meta["name"], done, replaced)
            return self.commit(res, marked, old)

    def shorten_grace(self, uid: str, grace: int) -> None:
        """A second delete with a shorter grace period brings the kubelet's deadline forward."""
        with self.lock:
            entry = self._terminating.get(uid)
            if entry is not None:
                done = min(entry[3], self.clock() + timedelta(seconds=grace))
                self._terminating[uid] = (*entry[:3], done, entry[4])

    def is_terminating(self, uid: str) -> bool:
        with self.lock:
            return uid in self._terminating

    def finish_terminating(self, force_uid: str = "") -> None:
        """Remove the terminating pods the kubelet is done with (``force_uid``: that one now)."""
        with self.lock:
            if self._finishing or not self._terminating:
                return
            self._finishing = True
            try:
                self._finish_due(force_uid)
            finally:
                self._finishing = False

    def _finish_due(self, force_uid: str) -> None:
        now = self.clock()
        for uid, (res, namespace, name, done, replaced) in list(self._terminating.items()):
            if uid != force_uid and now < done:
                continue
            obj = self.get(res, namespace, name)
            if obj is None or obj["metadata"].get("uid") != uid:
                self._terminating.pop(uid, None)
                continue
            if obj["metadata"].get("finalizers"):  # the kubelet is done; the finalizers still hold it
                self._terminating.pop(uid, None)
                kept = copy.deepcopy(obj)
                kept["metadata"]["deletionGracePeriodSeconds"] = 0
                self.commit(res, kept, obj)
                continue
            self.drop(res, obj, react=not replaced)
