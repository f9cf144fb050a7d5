"""``chatops socket --health-port``: the same health app as ``serve``, without Slack's endpoint, ready
only while the Socket Mode connection is open and a job worker runs
(``bot.http.build_http_app(..., socket_connected=...)``)."""

from __future__ import annotations

import httpx
import pytest

from bot.bootstrap import build, migrate
from bot.http import build_http_app
from bot.settings import Settings
from sandbox.http_server import BackgroundServer


class Connection:
    def __init__(self) -> None:
        self.open = False

    def __call__(self) -> bool:
        return self.open


@pytest.fixture
def served(tmp_path):
    url = f"sqlite:///{tmp_path / 'chatops.db'}"
    migrate(url)
    settings = Settings(database_url=url, slack_api_url="http://127.0.0.1:9/api/", slack_team_id="T1", worker_threads=1)
    bot = build(settings)
    connection = Connection()
    server = BackgroundServer(build_http_app(bot, socket_connected=connection))
    base = server.start()
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client, connection, bot
    finally:
        server.stop()
        bot.workers.stop(grace=5)
        bot.engine.dispose()


def test_ready_only_while_the_socket_to_slack_is_open_and_a_job_worker_runs(served):
    client, connection, bot = served
    assert client.get("/healthz").status_code == 200
    refused = client.get("/readyz")
    assert refused.status_code == 503 and "Socket Mode" in refused.text
    connection.open = True
    no_worker = client.get("/readyz")  # acks would promise answers nobody gives
    assert no_worker.status_code == 503 and "no job worker" in no_worker.text
    bot.workers.start()
    assert client.get("/readyz").status_code == 200


def test_socket_mode_serves_no_slack_endpoint_but_serves_metrics(served):
    client, _connection, _bot = served
    assert client.post("/slack/events", content=b"{}").status_code == 404
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and "python_info" in metrics.text
