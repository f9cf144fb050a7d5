"""The official Kubernetes client behind a translating proxy.

``Kube.core`` / ``.apps`` / ``.networking`` / ``.version`` / ``.custom`` behave like the
``kubernetes.client`` API classes but raise ``bot.errors`` and count calls
(``k8s:list_namespaced_pod``). Built from a host URL (sandbox, EKS endpoint + token), a
kubeconfig context, or the in-cluster service account.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import urllib3
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.rest import ApiException

from bot import errors
from bot.cloud.counter import CallCounter
from bot.cloud.metrics import KUBE_CALLS


def translate_api_exception(call: str, exc: ApiException) -> errors.CloudError:
    reason = exc.reason or ""
    message = reason
    try:
        body = json.loads(exc.body or "{}")
        message = body.get("message", reason)
    except (ValueError, TypeError):
        pass
    verb_resource = call.removeprefix("k8s:")
    if exc.status == 403:
        return errors.AccessDenied(call, "Forbidden", message, permission=f"RBAC for {verb_resource}")
    if exc.status == 401:
        return errors.AccessDenied(call, "Unauthorized", message, permission="a valid cluster credential")
    if exc.status == 404:
        return errors.NotFound(call, "NotFound", message)
    if exc.status == 409:
        return errors.Conflict(call, "Conflict", message)
    if exc.status == 429:
        return errors.Throttled(call, "TooManyRequests", message)
    if exc.status and exc.status >= 500:
        return errors.Unreachable(call, str(exc.status), message)
    return errors.InvalidRequest(call, str(exc.status), message)


_STATUS_OUTCOMES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict", 429: "throttled"}


def kube_outcome(status: int) -> str:
    """``ok`` for 2xx and 3xx, else the family of the HTTP status (as ``translate_api_exception`` sorts them)."""
    if status < 400:
        return "ok"
    if status in _STATUS_OUTCOMES:
        return _STATUS_OUTCOMES[status]
    return "server_error" if status >= 500 else "invalid_request"


def verb_and_resource(method: str, url: str) -> tuple[str, str]:
    """The Kubernetes verb and resource of a request, read from its URL as the API server reads it.

    ``/api/v1/namespaces/NS/pods/NAME/log`` is ``get pods/log``; ``/apis/apps/v1/deployments`` is
    ``list deployments``; ``?watch=true`` makes a ``watch``. Paths and verbs as in "API concepts"
    (https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris) and the API
    server's request info (kubernetes/apiserver ``pkg/endpoints/request/requestinfo.go``). A path
    outside ``/api`` and ``/apis`` (``/version``) is named by its first segment.
    """
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    roots = [i for i, s in enumerate(segments) if s in ("api", "apis")]
    if not roots:
        return method.lower(), segments[0] if segments else ""
    start = roots[0]
    rest = segments[start + (2 if segments[start] == "api" else 3) :]
    if len(rest) >= 3 and rest[0] == "namespaces":
        rest = rest[2:]
    resource = rest[0] if rest else ""
    name = rest[1] if len(rest) > 1 else ""
    if len(rest) > 2:
        resource = f"{resource}/{rest[2]}"
    method = method.upper()
    if method == "GET":
        watching = parse_qs(parts.query).get("watch", [""])[0].lower() in ("true", "1")
        verb = "watch" if watching else ("get" if name else "list")
    elif method == "DELETE":
        verb = "delete" if name else "deletecollection"
    else:
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(method, method.lower())
    return verb, resource


class CountedApiClient(k8s.ApiClient):
    """The official client's ``ApiClient``, counting each call in ``chatops_kube_calls_total``.

    Every generated API method (``CoreV1Api.list_namespaced_pod`` ...) sends its request through
    ``ApiClient.call_api(method, url, ...)``, which returns the ``RESTResponse`` whatever its status
    (the caller raises ``ApiException`` after it) and raises only when no answer came
    (``kubernetes/client/api_client.py``, kubernetes-client/python 37).
    """

    def call_api(self, method, url, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def,override]
        verb, resource = verb_and_resource(str(method), str(url))
        try:
            response = super().call_api(method, url, *args, **kwargs)
        except ApiException as exc:
            KUBE_CALLS.labels(verb, resource, kube_outcome(int(exc.status or 0))).inc()
            raise
        except BaseException:
            KUBE_CALLS.labels(verb, resource, "unreachable").inc()
            raise
        KUBE_CALLS.labels(verb, resource, kube_outcome(int(getattr(response, "status", 0) or 0))).inc()
        return response


class _Api:
    def __init__(self, inner: Any, counter: CallCounter):
        self._inner = inner
        self._counter = counter

    def json(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``name`` and return the server's JSON as plain dicts (camelCase keys), skipping the
        client's model objects: for lists of thousands of pods that costs more CPU than the request."""
        resp = getattr(self, name)(*args, _preload_content=False, **kwargs)
        try:
            return json.loads(resp.data)
        finally:
            resp.release_conn()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        if not callable(method):
            return method
        call = f"k8s:{name}"

        def invoke(*args: Any, **kwargs: Any) -> Any:
            self._counter.add(call)
            kwargs.setdefault("_request_timeout", 20)
            try:
                return method(*args, **kwargs)
            except ApiException as exc:
                raise translate_api_exception(call, exc) from exc
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise errors.Unreachable(call, type(exc).__name__, str(exc)) from exc

        return invoke


class Kube:
    """Typed access to one cluster's API."""

    def __init__(self, api_client: k8s.ApiClient, counter: CallCounter | None = None):
        self.api_client = api_client
        self.counter = counter or CallCounter()
        self.core = _Api(k8s.CoreV1Api(api_client), self.counter)
        self.apps = _Api(k8s.AppsV1Api(api_client), self.counter)
        self.networking = _Api(k8s.NetworkingV1Api(api_client), self.counter)
        self.version = _Api(k8s.VersionApi(api_client), self.counter)
        self.custom = _Api(k8s.CustomObjectsApi(api_client), self.counter)

    @classmethod
    def from_host(
        cls,
        host: str,
        token: str = "",
        *,
        verify_ssl: bool = True,
        ca_file: str | None = None,
        counter: CallCounter | None = None,
    ) -> Kube:
        cfg = k8s.Configuration()
        cfg.host = host
        cfg.verify_ssl = verify_ssl
        if ca_file:
            cfg.ssl_ca_cert = ca_file
        if token:
            cfg.api_key = {"authorization": token}
            cfg.api_key_prefix = {"authorization": "Bearer"}
        cfg.retries = 2
        return cls(CountedApiClient(cfg), counter)

    @classmethod
    def from_kubeconfig(
        cls, context: str | None = None, path: str | None = None, counter: CallCounter | None = None
    ) -> Kube:
        cfg = k8s.Configuration()
        try:
            k8s_config.load_kube_config(config_file=path, context=context, client_configuration=cfg)
        except (k8s_config.ConfigException, OSError) as exc:
            where = f"context {context!r} of " if context else ""
            raise errors.Misconfigured(f"kubeconfig: {where}{path or '~/.kube/config'}: {exc}") from exc
        return cls(CountedApiClient(cfg), counter)

    @classmethod
    def in_cluster(cls, counter: CallCounter | None = None) -> Kube:
        cfg = k8s.Configuration()
        try:
            k8s_config.load_incluster_config(client_configuration=cfg)
        except k8s_config.ConfigException as exc:
            raise errors.Misconfigured(f"no in-cluster service account and no KUBE_HOST or kubeconfig: {exc}") from exc
        return cls(CountedApiClient(cfg), counter)

    def to_dict(self, obj: Any) -> Any:
        """A model object as the plain JSON dict the API server sent (camelCase keys)."""
        return self.api_client.sanitize_for_serialization(obj)
