"""``chatops serve`` with ``LAZY_WORKERS=1`` and ``PROMETHEUS_MULTIPROC_DIR``: the diagnosis runs in the
worker process, and the serving process's ``/metrics`` still counts it (and its Kubernetes calls),
with each of its own live gauges exported once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from sandbox.aws import SANDBOX_REGION
from sandbox.kube_api import KubeStandIn
from sandbox.runtime import DEV, REQUEST_CHANNEL
from sandbox.slack_api import SlackStandIn
from sandbox.slack_driver import SlackDriver
from sandbox.worlds.pods import seed_pod_restart_world
from tests.polling import wait
from tests.production.test_serve_process import _free_port, _get
from tests.spine.metrics_scrape import value

ROOT = Path(__file__).resolve().parents[2]
SECRET = "metrics-multiprocess-secret"


def test_counts_made_in_a_lazy_worker_reach_the_serving_process_metrics(
    moto_sandbox, kube_stand_in: KubeStandIn, tmp_path
):
    slack = SlackStandIn()
    slack.start()
    slack.add_user(DEV, "dev-kim")
    slack.add_channel(REQUEST_CHANNEL, "eks-requests")
    facts = seed_pod_restart_world(kube_stand_in)
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": "xoxb-serve",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'chatops.db'}",
        "KUBE_HOST": kube_stand_in.url,
        "CLUSTER_NAME": "prod",
        "AWS_REGION": SANDBOX_REGION,
        "REQUEST_CHANNELS": REQUEST_CHANNEL,
        "LAZY_WORKERS": "1",
        "ROLE_ALLOW_PATTERNS": "eks-*",
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "tmp" / "prometheus"),
    }  # made by the bot
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--migrate", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait(lambda: _get(url + "/readyz") == 200, 60, "the server to be ready")
        driver = SlackDriver(url, SECRET, response_url_for=slack.response_url)
        assert driver.slash(f"pods {facts['namespace']}", user=DEV, channel=REQUEST_CHANNEL).status_code == 200

        def counted() -> str:
            text = httpx.get(url + "/metrics", timeout=5).text
            return text if value(text, "chatops_requests_total", outcome="diagnosed") >= 1 else ""

        text = wait(counted, 60, "the worker's diagnosis to be counted by the serving process")
        assert value(text, "chatops_diagnoses_total", feature="pods", outcome="ok") == 1
        assert value(text, "chatops_diagnosis_duration_seconds_count", feature="pods") == 1
        assert value(text, "chatops_kube_calls_total", verb="list", resource="pods", outcome="ok") >= 1
        for family in ("chatops_lazy_workers_alive", "chatops_requests_total", "chatops_slack_requests_total"):
            assert text.count(f"# TYPE {family} ") == 1, family
        assert value(text, "chatops_lazy_workers_alive") == 1
        assert value(text, "process_resident_memory_bytes") > 0
        server.send_signal(signal.SIGTERM)
        assert server.wait(40) == 0, server.stderr.read()[-2000:]
    finally:
        if server.poll() is None:
            server.kill()
        slack.stop()
