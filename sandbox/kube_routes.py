"""HTTP front of the Kubernetes stand-in: URL routing, verbs, Status errors.

``KubeStandIn`` (``kube_api``) runs ``make_server(backend)`` in a daemon thread; every
request goes through ``dispatch``, which authenticates, authorizes, maps the apiserver URL
layout (``/api/v1/namespaces/{ns}/pods/{name}/log``, ``/apis/apps/v1/deployments``, ...) to a
``KubeVerbs`` method and answers in JSON, or with a ``Status`` object on failure, so the
official ``kubernetes`` client behaves as it does against a real cluster.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from sandbox import kube_node_proxy, kube_openapi
from sandbox import kube_resources as kr
from sandbox.kube_access import Access
from sandbox.kube_resources import SUBRESOURCES, ApiError, Resource, bad_request
from sandbox.kube_verbs import KubeVerbs

log = logging.getLogger(__name__)
JSON = "application/json"
Reply = tuple[int, str, bytes]


@dataclass(frozen=True)
class Backend:
    """What the routes need from the stand-in."""

    verbs: KubeVerbs
    access: Access
    git_version: Callable[[], str]
    pod_log: Callable[[str, str], str | None]
    record: Callable[[str, str], None]
    mutated: Callable[[], None]


@dataclass(frozen=True)
class Target:
    """A resource URL taken apart."""

    res: Resource
    namespace: str | None
    name: str
    subresource: str


def _json(code: int, body: Any) -> Reply:
    return code, JSON, json.dumps(body, separators=(",", ":")).encode()


def _unknown_path() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource")


def _discovery(parts: list[str], git_version: str) -> Any | None:
    if (document := kube_openapi.serve(parts)) is not None:
        return document
    if parts == ["version"]:
        return kr.version_info(git_version)
    if parts == ["api"]:
        return kr.core_versions()
    if parts == ["apis"]:
        return kr.api_group_list()
    if parts == ["api", "v1"]:
        return kr.resource_list("", "v1")
    if len(parts) == 2 and parts[0] == "apis" and parts[1] in kr.group_versions():
        return kr.api_group(parts[1])
    if len(parts) == 3 and parts[0] == "apis" and parts[2] in kr.group_versions().get(parts[1], []):
        return kr.resource_list(parts[1], parts[2])
    return None


def parse_target(parts: list[str]) -> Target:
    """``/api/v1/...`` or ``/apis/{group}/{version}/...`` as a resource, namespace, name, subresource."""
    if len(parts) >= 3 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        raise _unknown_path()
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        inner = kr.by_path(group, version, rest[2])
        if inner is not None and inner.namespaced:
            namespace, rest = rest[1], rest[2:]
    res = kr.by_path(group, version, rest[0])
    if res is None or len(rest) > 3 or (res.namespaced and namespace is None and len(rest) > 1):
        raise _unknown_path()
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    if sub and sub not in SUBRESOURCES.get(res.plural, ()):
        raise _unknown_path()
    return Target(res, namespace, name, sub)


def _verb(method: str, target: Target, query: Mapping[str, str]) -> str:
    if method == "GET":
        if not target.name:
            return "watch" if query.get("watch") in ("true", "1") else "list"
        return "get"
    verbs = {
        ("POST", False): "create",
        ("PUT", True): "update",
        ("PATCH", True): "patch",
        ("DELETE", True): "delete",
        ("DELETE", False): "deletecollection",
    }
    if target.subresource == "eviction" and method == "POST":
        return "create"
    verb = verbs.get((method, bool(target.name)))
    if verb is None or (target.subresource == "log" and method != "GET"):
        raise ApiError(
            405,
            "MethodNotAllowed",
            f"the server does not allow this method on the requested resource ({method} {target.res.plural})",
        )
    return verb


def _body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    try:
        if "yaml" in content_type:
            return yaml.safe_load(raw)
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as exc:
        raise bad_request(f"the request body could not be decoded: {exc}") from exc


def _pod_log(backend: Backend, target: Target, query: Mapping[str, str]) -> Reply:
    pod = backend.verbs.read(target.res, target.namespace, target.name)
    containers = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
    container = query.get("container")
    if container is None and len(containers) > 1:
        raise bad_request(
            f"a container name must be specified for pod {target.name}, choose one of: [{' '.join(containers)}]"
        )
    if container is not None and container not in containers:
        raise bad_request(f"container {container} is not valid for pod {target.name}")
    text = backend.pod_log(target.namespace or "", target.name) or ""
    tail = query.get("tailLines")
    if tail and tail.isdigit():
        lines = text.splitlines(keepends=True)
        text = "".join(lines[-int(tail) :]) if int(tail) else ""
    return 200, "text/plain", text.encode()


def _serve(
    backend: Backend,
    method: str,
    target: Target,
    query: Mapping[str, str],
    raw: bytes,
    content_type: str,
    warnings: list[str],
) -> Reply:
    verbs, res, ns, name = backend.verbs, target.res, target.namespace, target.name
    dry_run = query.get("dryRun") == "All"
    checks = {"field_validation": query.get("fieldValidation") or "Warn", "warnings": warnings}
    if method == "GET":
        if target.subresource == "log":
            return _pod_log(backend, target, query)
        if name:
            return _json(200, verbs.read(res, ns, name))
        limit = query.get("limit") or ""
        return _json(
            200,
            verbs.list(
                res,
                ns,
                query.get("labelSelector"),
                query.get("fieldSelector"),
                int(limit) if limit.isdigit() else None,
                query.get("continue"),
            ),
        )
    body = _body(raw, content_type)
    if method == "POST" and target.subresource == "eviction":
        verbs.delete(res, ns, name, (body or {}).get("deleteOptions"), dry_run=dry_run)
        return _json(201, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
    if method == "POST":
        return _json(201, verbs.create(res, ns, body, dry_run=dry_run, **checks))
    if method == "PUT":
        return _json(200, verbs.replace(res, ns, name, body, target.subresource, dry_run=dry_run, **checks))
    if method == "PATCH":
        return _json(200, verbs.patch(res, ns, name, content_type, body, target.subresource, dry_run=dry_run, **checks))
    if name:
        return _json(200, verbs.delete(res, ns, name, verbs.delete_options(body, query), dry_run=dry_run))
    return _json(
        200, verbs.delete_collection(res, ns, query.get("labelSelector"), query.get("fieldSelector"), dry_run=dry_run)
    )


def dispatch(
    backend: Backend,
    method: str,
    raw_path: str,
    headers: Mapping[str, str],
    raw: bytes,
    warnings: list[str] | None = None,
) -> Reply:
    """Answer one request: (status code, content type, body bytes); ``warnings`` collects the texts
    to send as ``Warning: 299`` headers (unknown fields under field validation ``Warn``)."""
    backend.record(method, raw_path)
    url = urlsplit(raw_path)
    parts = [p for p in url.path.split("/") if p]
    query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    try:
        backend.access.authenticate(headers.get("Authorization"))
        if method == "GET" and (found := _discovery(parts, backend.git_version())) is not None:
            return _json(200, found)
        if (proxied := kube_node_proxy.serve(backend, method, parts)) is not None:
            return proxied
        target = parse_target(parts)
        verb = _verb(method, target, query)
        backend.access.authorize(verb, target.res, target.subresource, target.namespace, target.name)
        if verb == "watch":
            raise ApiError(
                405,
                "MethodNotAllowed",
                "watch is not supported by the sandbox Kubernetes stand-in; poll with list instead",
            )
        reply = _serve(backend, method, target, query, raw, content_type, warnings if warnings is not None else [])
    except ApiError as exc:
        return _json(exc.code, exc.status())
    if method != "GET":
        backend.mutated()
    return reply


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        warnings: list[str] = []
        try:
            code, content_type, payload = dispatch(
                self.server.backend, self.command, self.path, self.headers, raw, warnings
            )
        except Exception as exc:  # a stand-in bug must reach the client as a 500, with the traceback logged
            log.exception("Kubernetes stand-in failed on %s %s", self.command, self.path)
            code, content_type, payload = _json(500, ApiError(500, "InternalError", repr(exc)).status())
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for text in warnings:  # RFC 7234 warn-code 299, as the apiserver sends them
            self.send_header("Warning", "299 - " + json.dumps(text))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("kube stand-in: " + format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    backend: Backend


def make_server(backend: Backend, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A threading HTTP server bound to ``host:port`` (0 picks a free port), not yet serving."""
    server = _Server((host, port), _Handler)
    server.backend = backend
    return server
