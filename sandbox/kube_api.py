"""A small stateful Kubernetes API server for the offline sandbox and the tests.

``KubeStandIn`` serves core/v1, apps/v1, batch/v1, networking.k8s.io/v1 and
coordination.k8s.io/v1 over HTTP on 127.0.0.1 (an ephemeral port) to the official
``kubernetes`` client. Used by ``tests/conftest.py`` (fixture ``kube_stand_in``) and by the
``chatops demo`` worlds, which set up a cluster with ``put``/``add_event``/``set_pod_log`` and
imitate controllers with ``add_reconciler`` and ``pod_admission``.

It is assembled from: ``kube_resources`` (what is served, Status errors), ``kube_store``
(state), ``kube_verbs`` (API write rules), ``kube_schema`` (decoding: field types, unknown
fields), ``kube_validation`` (422 Invalid, Pod Security namespace labels), ``kube_query``
(selectors, pagination), ``kube_patch`` (JSON, merge and strategic merge patch),
``kube_routes`` (HTTP), ``kube_openapi`` (the OpenAPI v3 paths kubectl reads),
``kube_access`` (401/403 switches) and ``kube_controllers`` (replacement pods). The real
``kubectl`` can drive it (``tests/sandbox/test_kubectl.py``). Not served: watch (the client
gets 405; poll with list instead), server-side apply semantics (apply patches are served as
strategic merge patches), OpenAPI schemas (``kubectl explain``), admission webhooks, garbage
collection of owned objects. ``put`` bypasses validation: worlds may store what they like.
"""

from __future__ import annotations

import copy
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox import kube_controllers, kube_resources
from sandbox.kube_access import Access, DenyRule
from sandbox.kube_resources import Resource
from sandbox.kube_routes import Backend, make_server
from sandbox.kube_store import KubeStore, timestamp
from sandbox.kube_verbs import KubeVerbs

log = logging.getLogger(__name__)
Obj = dict[str, Any]
TICK_SECONDS = 0.1


class KubeStandIn:
    """The fake cluster: start it, point ``kubernetes.client.Configuration().host`` at ``url``."""

    def __init__(
        self, git_version: str = "v1.30.4-eks-a737599", clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ):
        self.url = ""
        self.clock = clock
        self.pod_admission: Callable[[Obj], Obj] | None = None
        self.requests: list[tuple[str, str]] = []
        self.access = Access()
        self.store = KubeStore(clock)
        self.store.on_removed = self._on_removed
        self.verbs = KubeVerbs(self.store)
        self.verbs.admit = self._admit
        self._git_version = git_version
        self._logs: dict[tuple[str, str], str] = {}
        self._reconcilers: list[Callable[[KubeStandIn], None]] = []
        self._reconcile_lock = threading.Lock()
        self._paused = False
        self._requests_lock = threading.Lock()
        self._stop = threading.Event()
        self._server: Any = None
        self._threads: list[threading.Thread] = []

    # ---- life cycle ------------------------------------------------------------------------------

    def start(self) -> str:
        backend = Backend(
            verbs=self.verbs,
            access=self.access,
            git_version=lambda: self._git_version,
            pod_log=self._pod_log,
            record=self._record,
            mutated=self.reconcile,
        )
        self._server = make_server(backend)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._stop.clear()
        self._threads = [
            threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="kube-stand-in-http",
                daemon=True,
            ),
            threading.Thread(target=self._tick_forever, name="kube-stand-in-tick", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self.url

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads = []

    # ---- world set-up --------------------------------------------------------------------------

    def put(self, obj: Obj) -> Obj:
        """Create or replace ``obj`` exactly as given (status included); fills server metadata."""
        if not (obj.get("metadata") or {}).get("name"):
            raise ValueError("put() needs metadata.name")
        return copy.deepcopy(self.store.put(kube_resources.by_kind(obj["kind"]), obj))

    def get(self, kind: str, namespace: str | None, name: str) -> Obj | None:
        return copy.deepcopy(self.store.get(kube_resources.by_kind(kind), namespace, name))

    def list(self, kind: str, namespace: str | None = None) -> list[Obj]:
        res = kube_resources.by_kind(kind)
        found = self.store.items(res, namespace if res.namespaced else None)
        return copy.deepcopy(sorted(found, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"])))

    def remove(self, kind: str, namespace: str | None, name: str) -> None:
        """Hard delete: no finalizers honoured and no controller reaction."""
        self.store.remove(kube_resources.by_kind(kind), namespace, name)

    def set_version(self, git_version: str) -> None:
        self._git_version = git_version

    def set_pod_log(self, namespace: str, pod: str, text: str) -> None:
        with self.store.lock:
            self._logs[(namespace, pod)] = text

    def add_event(
        self,
        namespace: str,
        involved: Obj,
        reason: str,
        message: str,
        type_: str = "Warning",
        count: int = 1,
        source_component: str = "kubelet",
        first_seconds_ago: float = 0,
        last_seconds_ago: float = 0,
    ) -> Obj:
        """A core/v1 Event about ``involved`` (a whole object or an involvedObject reference)."""
        ref = _object_reference(involved, namespace)
        now = self.clock()
        first = timestamp(now - timedelta(seconds=first_seconds_ago))
        last = timestamp(now - timedelta(seconds=last_seconds_ago))
        host = ((involved.get("spec") or {}).get("nodeName") or "") if "metadata" in involved else ""
        source = {"component": source_component, **({"host": host} if host else {})}
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": f"{ref['name']}.{uuid.uuid4().hex[:16]}",
                "namespace": namespace,
                "creationTimestamp": first,
            },
            "involvedObject": ref,
            "reason": reason,
            "message": message,
            "type": type_,
            "count": count,
            "source": source,
            "firstTimestamp": first,
            "lastTimestamp": last,
            "reportingComponent": source_component,
            "reportingInstance": host,
        }
        return self.put(event)

    def add_reconciler(self, fn: Callable[[KubeStandIn], None]) -> None:
        """Run ``fn(self)`` every tick and after each mutating request; use this object, not HTTP."""
        self._reconcilers.append(fn)

    @contextmanager
    def controllers_paused(self) -> Iterator[None]:
        """No reconciler acts inside the block: a pass already running finishes first, later ones are skipped.

        A world's controller reads the cluster, then acts after slower checks (AWS calls); removing the
        object it watches does not stop a pass that has already read it. Pausing does.
        """
        with self._reconcile_lock:
            self._paused = True
        try:
            yield
        finally:
            self._paused = False

    # ---- access switches and request log ------------------------------------------------------

    def require_token(self, token: str | None) -> None:
        """Answer 401 to requests without ``Authorization: Bearer <token>``; None switches it off."""
        self.access.require_token(token)

    def deny(self, verb: str, plural: str, namespace: str | None = None) -> None:
        """Answer 403 to ``verb`` on ``plural`` (``pods``, ``pods/log``, ``*``) in ``namespace``.

        ``namespace=None`` denies it everywhere; ``allow_all()`` lifts every rule.
        """
        self.access.deny(DenyRule(verb, plural, namespace))

    def allow_all(self) -> None:
        self.access.allow_all()

    def reset_requests(self) -> None:
        with self._requests_lock:
            self.requests.clear()

    def count_requests(self, method: str = "", path_prefix: str = "") -> int:
        with self._requests_lock:
            return sum(1 for m, p in self.requests if m.startswith(method) and p.startswith(path_prefix))

    # ---- controllers --------------------------------------------------------------------------

    def reconcile(self) -> None:
        """One pass of every reconciler (skipped if a pass is still running after 5 s)."""
        if self._paused or not self._reconcilers or not self._reconcile_lock.acquire(timeout=5):
            return
        try:
            if self._paused:  # paused while this pass waited for the lock
                return
            for fn in list(self._reconcilers):
                try:
                    fn(self)
                except Exception:  # a broken world must not stop the cluster; the traceback is logged
                    log.exception("Kubernetes stand-in reconciler %r failed", fn)
        finally:
            self._reconcile_lock.release()

    def _tick_forever(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self.reconcile()

    def _admit(self, pod: Obj) -> Obj:
        if self.pod_admission is not None:
            return self.pod_admission(copy.deepcopy(pod))
        return kube_controllers.running_pod(pod, timestamp(self.clock()))

    def _on_removed(self, res: Resource, obj: Obj) -> None:
        """The controller's reaction to a deleted pod it owns: a new pod, admitted."""
        owner = kube_controllers.controller_of(obj) if res.kind == "Pod" else None
        if owner is None:
            return
        namespace, name = obj["metadata"].get("namespace"), None
        while owner["kind"] != "StatefulSet" and (name is None or self.store.get(res, namespace, name)):
            name = f"{owner['name']}-{kube_controllers.random_suffix()}"
        replacement = kube_controllers.replacement_pod(obj, name)
        if replacement is not None:
            self.store.put(res, self._admit(replacement))

    def _pod_log(self, namespace: str, pod: str) -> str | None:
        with self.store.lock:
            return self._logs.get((namespace, pod))

    def _record(self, method: str, path: str) -> None:
        with self._requests_lock:
            self.requests.append((method, path))


def _object_reference(involved: Obj, namespace: str) -> Obj:
    """An involvedObject from a whole object or from a reference dict."""
    if "metadata" not in involved:
        ref = {k: v for k, v in involved.items() if v is not None}
        ref.setdefault("namespace", namespace)
        return ref
    meta = involved["metadata"]
    ref = {
        "apiVersion": involved.get("apiVersion", "v1"),
        "kind": involved.get("kind", ""),
        "name": meta["name"],
        "namespace": meta.get("namespace", namespace),
    }
    for key, target in (("uid", "uid"), ("resourceVersion", "resourceVersion")):
        if meta.get(key):
            ref[target] = meta[key]
    return ref
