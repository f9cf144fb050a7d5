"""The official Kubernetes client behind a translating proxy.

``Kube.core`` / ``.apps`` / ``.networking`` / ``.version`` / ``.custom`` behave like the
``kubernetes.client`` API classes but raise ``bot.errors`` and count calls
(``k8s:list_namespaced_pod``). Built from a host URL (sandbox, EKS endpoint + token), a
kubeconfig context, or the in-cluster service account.
"""

from __future__ import annotations

import json
from typing import Any

import urllib3
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.rest import ApiException

from bot import errors
from bot.cloud.counter import CallCounter


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
    def from_host(cls, host: str, token: str = "", verify_ssl: bool = True,
                  ca_file: str | None = None, counter: CallCounter | None = None) -> Kube:
        cfg = k8s.Configuration()
        cfg.host = host
        cfg.verify_ssl = verify_ssl
        if ca_file:
            cfg.ssl_ca_cert = ca_file
        if token:
            cfg.api_key = {"authorization": token}
            cfg.api_key_prefix = {"authorization": "Bearer"}
        cfg.retries = 2
        return cls(k8s.ApiClient(cfg), counter)

    @classmethod
    def from_kubeconfig(cls, context: str | None = None, path: str | None = None,
                        counter: CallCounter | None = None) -> Kube:
        cfg = k8s.Configuration()
        try:
            k8s_config.load_kube_config(config_file=path, context=context, client_configuration=cfg)
        except (k8s_config.ConfigException, OSError) as exc:
            where = f"context {context!r} of " if context else ""
            raise errors.Misconfigured(f"kubeconfig: {where}{path or '~/.kube/config'}: {exc}") from exc
        return cls(k8s.ApiClient(cfg), counter)

    @classmethod
    def in_cluster(cls, counter: CallCounter | None = None) -> Kube:
        cfg = k8s.Configuration()
        try:
            k8s_config.load_incluster_config(client_configuration=cfg)
        except k8s_config.ConfigException as exc:
            raise errors.Misconfigured(f"no in-cluster service account and no KUBE_HOST or kubeconfig: {exc}") from exc
        return cls(k8s.ApiClient(cfg), counter)

    def to_dict(self, obj: Any) -> Any:
        """A model object as the plain JSON dict the API server sent (camelCase keys)."""
        return self.api_client.sanitize_for_serialization(obj)
