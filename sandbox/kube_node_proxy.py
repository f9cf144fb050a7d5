"""The API server's node proxy in the Kubernetes stand-in: ``/api/v1/nodes/{name}/proxy/configz``.

A real API server forwards ``GET /api/v1/nodes/NAME/proxy/PATH`` to that node's kubelet
(port 10250) once the caller may ``get`` the ``nodes/proxy`` subresource. The kubelet answers
``/configz`` through k8s.io/component-base/configz (``write``: ``json.Marshal`` of every
registered component config, ``Content-Type: application/json``; kubernetes/kubernetes
staging/src/k8s.io/component-base/configz/configz.go @ 15f3b3a3), installed on the kubelet's server
by ``configz.InstallHandler(s.restfulCont)`` (pkg/kubelet/server/server.go). The kubelet registers
one config, ``configz.New("kubeletconfig")``, set to its v1beta1 ``KubeletConfiguration``
(cmd/kubelet/app/server.go ``initConfigz``; newer ``Config.Set`` refuses an object without kind and
group/version, older kubelets may omit them), so the body is
``{"kubeletconfig": {"kind": "KubeletConfiguration", "apiVersion": "kubelet.config.k8s.io/v1beta1",
..., "allowedUnsafeSysctls": [...]}}``; ``allowedUnsafeSysctls`` is ``omitempty`` and absent when
the list is empty (staging/src/k8s.io/kubelet/config/v1beta1/types.go).

Worlds give a node's kubelet its configuration with ``set_kubelet_config``; a node given none runs
the defaults (no unsafe sysctls). ``kube_routes.dispatch`` calls ``serve`` for every request.
"""

from __future__ import annotations

import copy
import json
import threading
import weakref
from typing import Any

from sandbox import kube_resources as kr
from sandbox.kube_resources import ApiError

Reply = tuple[int, str, bytes]
KUBELET_CONFIG = {"kind": "KubeletConfiguration", "apiVersion": "kubelet.config.k8s.io/v1beta1"}

_lock = threading.Lock()
_configs: weakref.WeakKeyDictionary[Any, dict[str, dict[str, Any]]] = weakref.WeakKeyDictionary()


def set_kubelet_config(kube: Any, node: str, config: dict[str, Any]) -> None:
    """The ``KubeletConfiguration`` fields (camelCase) the kubelet on ``node`` of stand-in ``kube`` runs with."""
    with _lock:
        _configs.setdefault(kube.verbs, {})[node] = copy.deepcopy(config)


def kubelet_config(kube: Any, node: str) -> dict[str, Any]:
    """The configuration ``node``'s kubelet runs with, as ``/configz`` serves it under ``kubeletconfig``."""
    return _served(kube.verbs, node)


def _served(verbs: Any, node: str) -> dict[str, Any]:
    with _lock:
        fields = copy.deepcopy((_configs.get(verbs) or {}).get(node) or {})
    if not fields.get("allowedUnsafeSysctls"):
        fields.pop("allowedUnsafeSysctls", None)  # omitempty
    return {**KUBELET_CONFIG, **fields}


def _kubelet_not_found() -> Reply:
    # the kubelet's mux answers unknown paths with Go's http.NotFound
    return 404, "text/plain; charset=utf-8", b"404 page not found\n"


def serve(backend: Any, method: str, parts: list[str]) -> Reply | None:
    """The reply to a node proxy request, or None when ``parts`` is not one (the caller routes it)."""
    if len(parts) < 5 or parts[:3] != ["api", "v1", "nodes"] or parts[4] != "proxy":
        return None
    name, path = parts[3], "/".join(parts[5:])
    res = kr.by_kind("Node")
    verb = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(method, "get")
    try:
        backend.access.authorize(verb, res, "proxy", None, name)
        backend.verbs.read(res, None, name)
    except ApiError as exc:
        return exc.code, "application/json", json.dumps(exc.status(), separators=(",", ":")).encode()
    if method != "GET" or path != "configz":
        return _kubelet_not_found()
    body = {"kubeletconfig": _served(backend.verbs, name)}
    return 200, "application/json", json.dumps(body, separators=(",", ":")).encode()
