"""Fixtures for the RDS tests: migrated SQLite and PostgreSQL databases (a fresh PostgreSQL database
per test from ``tests.pg``, so parallel runs never collide) and one seeded moto RDS world per module.
"""

from __future__ import annotations

import pytest

from bot.store.db import make_engine, make_session_factory
from bot.store.migrate import upgrade
from handlers.rds.persistence.tables import ScheduleRepo
from tests.pg import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'rds.db'}"
        upgrade(url)
        yield url
        return
    with fresh_database() as url:
        upgrade(url)
        yield url


@pytest.fixture
def repo(db_url):
    engine = make_engine(db_url)
    yield ScheduleRepo(make_session_factory(engine))
    engine.dispose()


@pytest.fixture
def sqlite_repo(tmp_path):
    url = f"sqlite:///{tmp_path / 'rds.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield ScheduleRepo(make_session_factory(engine))
    engine.dispose()


# moto resets are slow here (every reset reloads IAM's managed policies and EC2's defaults), so
# each module seeds one RDS world and its tests leave it as they found it or use their own names.
@pytest.fixture(scope="module")
def rds_world(moto_sandbox):
    from bot.cloud.aws import Aws
    from sandbox.aws import SANDBOX_REGION
    from sandbox.worlds.rds import seed_rds_world

    moto_sandbox.reset()
    aws = Aws(region=SANDBOX_REGION, max_attempts=1)
    return aws, seed_rds_world(aws)


@pytest.fixture(scope="module")
def module_kube():
    from bot.cloud.kube import Kube
    from sandbox.kube_api import KubeStandIn

    server = KubeStandIn()
    server.start()
    yield Kube.from_host(server.url)
    server.stop()


@pytest.fixture
def rds_ctx(rds_world, module_kube):
    from bot.cloud.context import ClusterContext
    from sandbox.aws import SANDBOX_ACCOUNT

    aws, _facts = rds_world
    aws.counter.reset()
    return ClusterContext(
        aws=aws, kube=module_kube, cluster_name="prod", account_id=SANDBOX_ACCOUNT, wait_seconds=5.0, poll_seconds=0.05
    )
