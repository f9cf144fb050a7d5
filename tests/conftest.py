"""Shared fixtures: moto server, Kubernetes stand-in, cluster context.

AWS is reached through moto's server over HTTP (boto3 honours ``AWS_ENDPOINT_URL``);
Kubernetes through the official client against ``sandbox.kube_api.KubeStandIn``.
"""

from __future__ import annotations

import pytest

from bot.cloud.aws import Aws
from bot.cloud.context import ClusterContext
from bot.cloud.kube import Kube
from sandbox.aws import SANDBOX_ACCOUNT, SANDBOX_REGION, MotoSandbox


@pytest.fixture(scope="session")
def moto_sandbox():
    sandbox = MotoSandbox()
    sandbox.start()
    sandbox.export()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def aws(moto_sandbox) -> Aws:
    """A fresh moto world per test, reached over HTTP; missing actions fail fast."""
    moto_sandbox.reset()
    return Aws(region=SANDBOX_REGION, max_attempts=1)


@pytest.fixture
def kube_stand_in():
    from sandbox.kube_api import KubeStandIn

    server = KubeStandIn()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def kube(kube_stand_in) -> Kube:
    return Kube.from_host(kube_stand_in.url)


@pytest.fixture
def cluster_ctx(aws, kube) -> ClusterContext:
    return ClusterContext(
        aws=aws, kube=kube, cluster_name="prod", account_id=SANDBOX_ACCOUNT, wait_seconds=5.0, poll_seconds=0.05
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A migrated database URL, once on SQLite and once on PostgreSQL."""
    from bot.store.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        upgrade(url)
        yield url
        return
    from tests.pg import fresh_database

    with fresh_database() as url:
        upgrade(url)
        yield url
