"""Authentication and authorization switches of the Kubernetes stand-in.

``kube_routes`` asks ``Access.check`` before serving each request; tests and demo worlds
flip the switches through ``KubeStandIn.require_token`` and ``KubeStandIn.deny`` to make the
cluster refuse the bot (401 without the right bearer token, 403 worded like the RBAC
authorizer, e.g. https://github.com/cilium/cilium/pull/7010).
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass

from sandbox.kube_resources import Resource, forbidden, unauthorized

BOT_USER = "system:serviceaccount:chatops:chatops-bot"


@dataclass(frozen=True)
class DenyRule:
    """Refuse ``verb`` on ``resource`` (``pods``, ``pods/log``; ``*`` for any) in ``namespace``."""

    verb: str
    resource: str
    namespace: str | None = None

    def matches(self, verb: str, resource: str, namespace: str | None) -> bool:
        return (
            self.verb in ("*", verb)
            and self.resource in ("*", resource)
            and (self.namespace is None or self.namespace == namespace)
        )


class Access:
    """Who may call: an optional required bearer token and a list of deny rules."""

    def __init__(self, user: str = BOT_USER):
        self.user = user
        self._lock = threading.Lock()
        self._token: str | None = None
        self._rules: list[DenyRule] = []

    def require_token(self, token: str | None) -> None:
        with self._lock:
            self._token = token

    def deny(self, rule: DenyRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def allow_all(self) -> None:
        """Forget every deny rule (the token requirement stays)."""
        with self._lock:
            self._rules.clear()

    def authenticate(self, authorization: str | None) -> None:
        """Raise 401 unless the request carries ``Bearer <token>`` when a token is required."""
        with self._lock:
            token = self._token
        if token is not None and not hmac.compare_digest((authorization or "").encode(), f"Bearer {token}".encode()):
            raise unauthorized()

    def authorize(self, verb: str, res: Resource, subresource: str, namespace: str | None, name: str) -> None:
        """Raise 403 if a deny rule matches this verb on this resource."""
        resource = f"{res.plural}/{subresource}" if subresource else res.plural
        with self._lock:
            rules = list(self._rules)
        if any(rule.matches(verb, resource, namespace) for rule in rules):
            raise forbidden(self.user, verb, res, resource, namespace, name)
