"""Builds the AWS + Kubernetes context for the configured cluster, lazily and once.

A multi-cluster provider (channels mapped to clusters in several accounts) plugs in behind
the same ``ContextProvider`` protocol.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from bot.cloud.aws import Aws
from bot.cloud.context import ClusterContext, utcnow
from bot.cloud.kube import Kube
from bot.settings import Settings


def kube_from_settings(settings: Settings) -> Kube:
    if settings.kube_host:
        return Kube.from_host(settings.kube_host)
    try:
        return Kube.from_kubeconfig(context=settings.kube_context or None)
    except Exception:  # noqa: BLE001 - no kubeconfig: we are running inside the cluster
        return Kube.in_cluster()


class SingleClusterContexts:
    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        aws_factory: Callable[[], Aws] | None = None,
        kube_factory: Callable[[], Kube] | None = None,
    ):
        self.settings = settings
        self.clock = clock
        self._aws_factory = aws_factory or (
            lambda: Aws(region=settings.aws_region, max_attempts=settings.aws_max_attempts)
        )
        self._kube_factory = kube_factory or (lambda: kube_from_settings(settings))
        self._ctx: ClusterContext | None = None
        self._lock = threading.Lock()

    def get(self, cluster: str = "", user: str = "") -> ClusterContext:
        with self._lock:
            if self._ctx is None:
                s = self.settings
                self._ctx = ClusterContext(
                    aws=self._aws_factory(),
                    kube=self._kube_factory(),
                    cluster_name=s.cluster_name,
                    clock=self.clock,
                    role_allow_patterns=s.role_patterns,
                    wait_seconds=s.verify_wait_seconds,
                    lb_controller=s.lb_controller,
                )
            return self._ctx

    def default_cluster(self, channel: str = "") -> str:
        return self.settings.cluster_name

    def cluster_names(self) -> tuple[str, ...]:
        return (self.settings.cluster_name,) if self.settings.cluster_name else ()

    def clusters_for(self, channel: str = "") -> tuple[str, ...]:
        return self.cluster_names()

    def account_of(self, cluster: str) -> str:
        return ""  # one cluster, reached with the ambient credentials: nothing configured to compare
