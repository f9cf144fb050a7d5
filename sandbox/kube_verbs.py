"""API verbs of the Kubernetes stand-in: what GET, POST, PUT, PATCH and DELETE do to the store.

Called by ``kube_routes`` with a resolved resource, namespace and name; every method raises
``ApiError`` the way the apiserver answers. The rules kept: POST answers 409 AlreadyExists
and honours ``generateName``; PUT with a stale ``metadata.resourceVersion`` is a 409
Conflict; PATCH takes JSON patch, merge patch, and strategic/apply patches served as merge
patches; writes to the main resource leave ``status`` alone and ``/status`` writes change only
``status``; DELETE of an object with finalizers only sets ``metadata.deletionTimestamp``
(``KubeStore.commit`` removes it once a write empties the finalizers); ``dryRun=All`` computes
the answer without storing it. ``admit`` (set by ``kube_api``) gives pods created through the
API their status, as a kubelet would.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from typing import Any

from sandbox import kube_patch, kube_query
from sandbox.kube_resources import (
    SUBRESOURCES,
    ApiError,
    Resource,
    already_exists,
    bad_request,
    conflict,
    invalid,
    not_found,
)
from sandbox.kube_store import KubeStore, Obj, meta_of, timestamp

MERGE_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json",
               "application/apply-patch+yaml", "application/apply-patch+json")


class KubeVerbs:
    """The API semantics over one ``KubeStore``."""

    def __init__(self, store: KubeStore):
        self.store = store
        self.admit: Callable[[Obj], Obj] | None = None

    def read(self, res: Resource, namespace: str | None, name: str) -> Obj:
        found = self.store.get(res, namespace, name)
        if found is None:
            raise not_found(res, name)
        return found

    def list(self, res: Resource, namespace: str | None, labels: str | None = None,
             fields: str | None = None, limit: int | None = None, token: str | None = None) -> Obj:
        by_label = kube_query.label_selector(labels)
        by_field = kube_query.field_selector(fields, res.kind)
        with self.store.lock:
            matched = [o for o in self.store.items(res, namespace) if by_label(o) and by_field(o)]
            page, meta = kube_query.paginate(matched, limit, token, self.store.resource_version())
        return {"kind": f"{res.kind}List", "apiVersion": res.api_version, "metadata": meta, "items": page}

    def create(self, res: Resource, namespace: str | None, body: Obj, dry_run: bool = False) -> Obj:
        obj = self._checked_body(res, namespace, body)
        meta = meta_of(obj)
        if not meta.get("name"):
            prefix = meta.get("generateName")
            if not prefix:
                raise invalid(res, "", "metadata.name: Required value: name or generateName is required")
            meta["name"] = self._free_name(res, namespace, prefix)
        for key in ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp"):
            meta.pop(key, None)
        if res.plural in SUBRESOURCES:
            obj.pop("status", None)
        if res.kind == "Pod":
            obj["status"] = {"phase": "Pending"}
        with self.store.lock:
            if self.store.get(res, namespace, meta["name"]) is not None:
                raise already_exists(res, meta["name"])
            if res.kind == "Pod" and self.admit is not None:
                obj = self.admit(obj)
            return self._write(res, obj, None, dry_run)

    def replace(self, res: Resource, namespace: str | None, name: str, body: Obj,
                subresource: str = "", dry_run: bool = False) -> Obj:
        obj = self._checked_body(res, namespace, body)
        if meta_of(obj).get("name", name) != name:
            raise bad_request("the name of the object does not match the name on the URL")
        meta_of(obj)["name"] = name
        with self.store.lock:
            old = self.read(res, namespace, name)
            sent_rv = meta_of(obj).get("resourceVersion")
            if sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            return self._write(res, self._scoped(res, old, obj, subresource), old, dry_run)

    def patch(self, res: Resource, namespace: str | None, name: str, content_type: str, patch: Any,
              subresource: str = "", dry_run: bool = False) -> Obj:
        with self.store.lock:
            old = self.read(res, namespace, name)
            try:
                if content_type == "application/json-patch+json":
                    new = kube_patch.json_patch(old, patch)
                elif content_type in MERGE_TYPES:
                    new = copy.deepcopy(kube_patch.merge_patch(old, patch))  # stored objects stay immutable
                else:
                    raise ApiError(415, "UnsupportedMediaType",
                                   f"the body of the request was in an unknown format - accepted media "
                                   f"types include: application/json-patch+json, "
                                   f"{', '.join(MERGE_TYPES)}")
            except kube_patch.PatchError as exc:
                raise invalid(res, name, str(exc)) from exc
            if not isinstance(new, dict):
                raise bad_request("the patch did not produce an object")
            meta = meta_of(new)
            if meta.get("name") != name or meta.get("uid") != old["metadata"]["uid"]:
                raise invalid(res, name, "metadata.name and metadata.uid cannot be changed by a patch")
            sent_rv = meta.get("resourceVersion")
            if sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            return self._write(res, self._scoped(res, old, new, subresource), old, dry_run)

    def delete(self, res: Resource, namespace: str | None, name: str, options: Obj | None = None,
               dry_run: bool = False) -> Obj:
        """Returns the object (still present when it has finalizers) or a Success Status."""
        with self.store.lock:
            old = self.read(res, namespace, name)
            pre = (options or {}).get("preconditions") or {}
            for key in ("uid", "resourceVersion"):
                if pre.get(key) and pre[key] != old["metadata"].get(key):
                    raise ApiError(409, "Conflict", f"Precondition failed: {key} in precondition: "
                                   f"{pre[key]}, {key} in object meta: {old['metadata'].get(key)}")
            if old["metadata"].get("finalizers"):
                if old["metadata"].get("deletionTimestamp"):
                    return old
                marked = copy.deepcopy(old)
                marked["metadata"]["deletionTimestamp"] = timestamp(self.store.clock())
                marked["metadata"]["deletionGracePeriodSeconds"] = 0
                return self._write(res, marked, old, dry_run)
            if dry_run:
                return old
            self.store.drop(res, old)
        if res.kind == "Pod":
            return old
        details = {"name": name, "kind": res.plural, "uid": old["metadata"]["uid"]}
        if res.group:
            details["group"] = res.group
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}

    def delete_collection(self, res: Resource, namespace: str | None, labels: str | None,
                          fields: str | None, dry_run: bool = False) -> Obj:
        with self.store.lock:
            listed = self.list(res, namespace, labels, fields)
            for item in listed["items"]:
                meta = item["metadata"]
                self.delete(res, meta.get("namespace"), meta["name"], dry_run=dry_run)
        return listed

    # ---- internals -----------------------------------------------------------------------------


    # ---- internals -----------------------------------------------------------------------------

    def _checked_body(self, res: Resource, namespace: str | None, body: Any) -> Obj:
        if not isinstance(body, dict):
            raise bad_request("the request body must be a JSON object")
        obj = copy.deepcopy(body)
        if obj.get("kind", res.kind) != res.kind:
            raise bad_request(f"the body is a {obj.get('kind')}, not a {res.kind}")
        sent_ns = meta_of(obj).get("namespace")
        if res.namespaced and sent_ns and sent_ns != namespace:
            raise bad_request("the namespace of the provided object does not match the namespace sent "
                              "on the request")
        if res.namespaced:
            meta_of(obj)["namespace"] = namespace
        return obj

    @staticmethod
    def _scoped(res: Resource, old: Obj, new: Obj, subresource: str) -> Obj:
        """Main-resource writes keep the old status; ``/status`` writes change only the status."""
        if "status" not in SUBRESOURCES.get(res.plural, ()):
            return new
        if subresource == "status":
            merged = copy.deepcopy(old)
            merged["status"] = copy.deepcopy(new.get("status"))
            if merged["status"] is None:
                merged.pop("status")
            return merged
        merged = copy.deepcopy(new)
        if "status" in old:
            merged["status"] = copy.deepcopy(old["status"])
        else:
            merged.pop("status", None)
        return merged

    def _free_name(self, res: Resource, namespace: str | None, prefix: str) -> str:
        alphabet = "bcdfghjklmnpqrstvwxz2456789"
        while True:
            name = prefix + "".join(secrets.choice(alphabet) for _ in range(5))
            if self.store.get(res, namespace, name) is None:
                return name

    def _write(self, res: Resource, obj: Obj, old: Obj | None, dry_run: bool) -> Obj:
        if dry_run:
            return obj
        return self.store.commit(res, obj, old)

