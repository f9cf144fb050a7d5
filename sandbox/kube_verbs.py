"""API verbs of the Kubernetes stand-in: what GET, POST, PUT, PATCH and DELETE do to the store.

Called by ``kube_routes`` with a resolved resource, namespace and name; every method raises
``ApiError`` the way the apiserver answers. The rules kept: POST answers 409 AlreadyExists
and honours ``generateName``; PUT with a stale ``metadata.resourceVersion`` is a 409
Conflict; PATCH takes JSON patch, JSON merge patch and strategic merge patch (apply patches are
served as strategic merge, ``kube_patch``); every write body is decoded against the kind's
fields (``kube_schema``: 400 on a wrong type, unknown fields dropped and returned as warnings, or
400 under ``fieldValidation=Strict``) and validated (``kube_validation``: 422 Invalid, and Pod
Security admission of namespace labels);
writes to the main resource leave ``status`` alone and ``/status`` writes change only
``status``; DELETE of an object with finalizers only sets ``metadata.deletionTimestamp``
(``KubeStore.commit`` removes it once a write empties the finalizers); DELETE of a scheduled,
unfinished pod is graceful (``_mark``: Terminating until the kubelet imitation is done, see
``kube_controllers.grace_period``); ``dryRun=All`` computes
the answer without storing it. ``admit`` (set by ``kube_api``) gives pods created through the
API their status, as a kubelet would.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sandbox import kube_controllers, kube_patch, kube_query, kube_schema, kube_validation
from sandbox.kube_resources import (
    SUBRESOURCES,
    ApiError,
    Resource,
    already_exists,
    bad_request,
    conflict,
    not_found,
)
from sandbox.kube_store import KubeStore, Obj, meta_of, timestamp

MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_TYPES = (
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
    "application/apply-patch+json",
)
PATCH_TYPES = ("application/json-patch+json", MERGE_PATCH, *STRATEGIC_TYPES)


class KubeVerbs:
    """The API semantics over one ``KubeStore``."""

    def __init__(self, store: KubeStore):
        self.store = store
        self.admit: Callable[[Obj], Obj] | None = None

    def read(self, res: Resource, namespace: str | None, name: str) -> Obj:
        self.store.finish_terminating()
        found = self.store.get(res, namespace, name)
        if found is None:
            raise not_found(res, name)
        return found

    def list(
        self,
        res: Resource,
        namespace: str | None,
        labels: str | None = None,
        fields: str | None = None,
        limit: int | None = None,
        token: str | None = None,
    ) -> Obj:
        by_label = kube_query.label_selector(labels)
        by_field = kube_query.field_selector(fields, res.kind)
        with self.store.lock:
            self.store.finish_terminating()
            matched = [o for o in self.store.items(res, namespace) if by_label(o) and by_field(o)]
            page, meta = kube_query.paginate(matched, limit, token, self.store.resource_version())
        return {"kind": f"{res.kind}List", "apiVersion": res.api_version, "metadata": meta, "items": page}

    def create(
        self,
        res: Resource,
        namespace: str | None,
        body: Obj,
        *,
        dry_run: bool = False,
        field_validation: str = "Warn",
        warnings: list[str] | None = None,
    ) -> Obj:
        obj = self._checked_body(res, namespace, body, field_validation, warnings)
        meta = meta_of(obj)
        if not meta.get("name"):
            prefix = meta.get("generateName")
            if not prefix:
                raise kube_validation.invalid_error(
                    res,
                    "",
                    [
                        kube_validation.FieldError(
                            "metadata.name", "Required", detail="name or generateName is required"
                        )
                    ],
                )
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
            self._validated(res, obj, None)
            if res.kind == "Pod" and self.admit is not None:
                obj = self.admit(obj)
            return self._write(res, obj, None, dry_run=dry_run)

    def replace(
        self,
        res: Resource,
        namespace: str | None,
        name: str,
        body: Obj,
        subresource: str = "",
        *,
        dry_run: bool = False,
        field_validation: str = "Warn",
        warnings: list[str] | None = None,
    ) -> Obj:
        obj = self._checked_body(res, namespace, body, field_validation, warnings)
        if meta_of(obj).get("name", name) != name:
            raise bad_request("the name of the object does not match the name on the URL")
        meta_of(obj)["name"] = name
        with self.store.lock:
            old = self.read(res, namespace, name)
            sent_rv = meta_of(obj).get("resourceVersion")
            if sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            new = self._scoped(res, old, obj, subresource)
            self._validated(res, new, old)
            return self._write(res, new, old, dry_run=dry_run)

    def patch(
        self,
        res: Resource,
        namespace: str | None,
        name: str,
        content_type: str,
        patch: Any,
        subresource: str = "",
        *,
        dry_run: bool = False,
        field_validation: str = "Warn",
        warnings: list[str] | None = None,
    ) -> Obj:
        if content_type not in PATCH_TYPES:
            raise ApiError(
                415,
                "UnsupportedMediaType",
                f"the body of the request was in an unknown format - "
                f"accepted media types include: {', '.join(PATCH_TYPES)}",
            )
        with self.store.lock:
            old = self.read(res, namespace, name)
            try:
                if content_type == "application/json-patch+json":
                    new = kube_patch.json_patch(old, patch)
                elif content_type == MERGE_PATCH:
                    new = kube_patch.merge_patch(old, patch)
                else:
                    new = kube_patch.strategic_merge_patch(res.kind, old, patch)
            except kube_patch.PatchError as exc:
                raise ApiError(422, "Invalid", str(exc)) from exc
            if not isinstance(new, dict):
                raise bad_request("the patch did not produce an object")
            new = self._decoded(res, new, field_validation, warnings)
            meta = meta_of(new)
            if meta.get("name") != name or meta.get("uid") != old["metadata"]["uid"]:
                raise kube_validation.invalid_error(
                    res,
                    name,
                    [
                        kube_validation.FieldError(
                            "metadata.name" if meta.get("name") != name else "metadata.uid",
                            "Invalid",
                            meta.get("name") if meta.get("name") != name else meta.get("uid"),
                            "field is immutable",
                        )
                    ],
                )
            sent_rv = meta.get("resourceVersion")
            if sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            new = self._scoped(res, old, new, subresource)
            self._validated(res, new, old)
            return self._write(res, new, old, dry_run=dry_run)

    def delete(
        self, res: Resource, namespace: str | None, name: str, options: Obj | None = None, *, dry_run: bool = False
    ) -> Obj:
        """Returns the object (still present when it has finalizers or is terminating) or a Success Status.

        A pod with a grace period is not removed: it gets ``deletionTimestamp`` (now + grace) and
        ``deletionGracePeriodSeconds`` and stays readable, with the same uid, until the imitation
        kubelet finishes it (``KubeStore.finish_terminating``); grace 0 removes it at once.
        """
        with self.store.lock:
            self.store.finish_terminating()
            old = self.read(res, namespace, name)
            pre = (options or {}).get("preconditions") or {}
            for key in ("uid", "resourceVersion"):
                if pre.get(key) and pre[key] != old["metadata"].get(key):
                    raise ApiError(
                        409,
                        "Conflict",
                        f"Precondition failed: {key} in precondition: "
                        f"{pre[key]}, {key} in object meta: {old['metadata'].get(key)}",
                    )
            grace = kube_controllers.grace_period(old, options) if res.kind == "Pod" else 0
            if grace > 0 or old["metadata"].get("deletionTimestamp"):
                if self.store.is_terminating(old["metadata"]["uid"]):
                    return self._delete_again(res, old, grace, dry_run=dry_run)
                if old["metadata"].get("deletionTimestamp"):  # finalizers hold it
                    return old
                return self._mark(res, old, grace, dry_run=dry_run)
            if old["metadata"].get("finalizers"):
                marked = copy.deepcopy(old)
                marked["metadata"]["deletionTimestamp"] = timestamp(self.store.clock())
                marked["metadata"]["deletionGracePeriodSeconds"] = 0
                return self._write(res, marked, old, dry_run=dry_run)
            if dry_run:
                return old
            self.store.drop(res, old)
        return self._deleted(res, old)

    def delete_collection(
        self, res: Resource, namespace: str | None, labels: str | None, fields: str | None, *, dry_run: bool = False
    ) -> Obj:
        with self.store.lock:
            listed = self.list(res, namespace, labels, fields)
            for item in listed["items"]:
                meta = item["metadata"]
                self.delete(res, meta.get("namespace"), meta["name"], dry_run=dry_run)
        return listed

    @staticmethod
    def delete_options(body: Any, query: Any) -> Obj | None:
        """DeleteOptions from the body, with ``?gracePeriodSeconds=`` from the query string winning."""
        options = dict(body) if isinstance(body, dict) else None
        raw = str((query or {}).get("gracePeriodSeconds") or "")
        if raw.lstrip("-").isdigit():
            options = {**(options or {}), "gracePeriodSeconds": int(raw)}
        return options

    def _mark(self, res: Resource, old: Obj, grace: int, *, dry_run: bool) -> Obj:
        """Graceful deletion: Terminating for ``grace`` seconds; a ReplicaSet replaces it at once."""
        marked = copy.deepcopy(old)
        now = self.store.clock()
        marked["metadata"]["deletionTimestamp"] = timestamp(now + timedelta(seconds=grace))
        marked["metadata"]["deletionGracePeriodSeconds"] = grace
        if dry_run:
            return marked
        early = kube_controllers.replaced_while_terminating(old)
        stored = self.store.mark_terminating(res, marked, old, grace, replaced=early)
        if early and self.store.on_removed is not None:
            self.store.on_removed(res, stored)
        return stored

    def _delete_again(self, res: Resource, old: Obj, grace: int, *, dry_run: bool) -> Obj:
        """A delete of a pod already terminating: grace 0 forces it out; a shorter grace shortens it."""
        if dry_run:
            return old
        uid = old["metadata"]["uid"]
        if grace == 0:
            self.store.finish_terminating(force_uid=uid)
            return self._deleted(res, old)
        if grace < int(old["metadata"].get("deletionGracePeriodSeconds") or 0):
            self.store.shorten_grace(uid, grace)
            shorter = copy.deepcopy(old)
            shorter["metadata"]["deletionTimestamp"] = timestamp(self.store.clock() + timedelta(seconds=grace))
            shorter["metadata"]["deletionGracePeriodSeconds"] = grace
            return self.store.commit(res, shorter, old)
        return old

    @staticmethod
    def _deleted(res: Resource, old: Obj) -> Obj:
        if res.kind == "Pod":
            return old
        details = {"name": old["metadata"]["name"], "kind": res.plural, "uid": old["metadata"]["uid"]}
        if res.group:
            details["group"] = res.group
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}

    # ---- internals -----------------------------------------------------------------------------

    def _checked_body(
        self,
        res: Resource,
        namespace: str | None,
        body: Any,
        field_validation: str = "Warn",
        warnings: list[str] | None = None,
    ) -> Obj:
        if not isinstance(body, dict):
            raise bad_request("the request body must be a JSON object")
        obj = self._decoded(res, copy.deepcopy(body), field_validation, warnings)
        if obj.get("kind", res.kind) != res.kind:
            raise bad_request(f"the body is a {obj.get('kind')}, not a {res.kind}")
        sent_ns = meta_of(obj).get("namespace")
        if res.namespaced and sent_ns and sent_ns != namespace:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
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

    @staticmethod
    def _decoded(res: Resource, obj: Obj, field_validation: str, warnings: list[str] | None) -> Obj:
        """The body as the apiserver decodes it: 400 on a wrong type; unknown fields dropped and
        reported in ``warnings`` (``Warn``, the default), refused (``Strict``) or dropped (``Ignore``)."""
        decoded, unknown = kube_schema.decode(res, obj, strict=field_validation == "Strict")
        if warnings is not None and field_validation != "Ignore":
            warnings.extend(unknown)
        return decoded

    @staticmethod
    def _validated(res: Resource, obj: Obj, old: Obj | None) -> None:
        """422 Invalid for what the apiserver's validation refuses, then Pod Security admission."""
        errors = kube_validation.validate(res, obj)
        if errors:
            raise kube_validation.invalid_error(res, meta_of(obj).get("name", ""), errors)
        kube_validation.admit_namespace(res, obj, old)

    def _write(self, res: Resource, obj: Obj, old: Obj | None, *, dry_run: bool) -> Obj:
        if dry_run:
            return obj
        return self.store.commit(res, obj, old)
