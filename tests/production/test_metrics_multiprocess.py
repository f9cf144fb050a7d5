"""``chatops serve`` and ``chatops worker`` in one pod, sharing ``PROMETHEUS_MULTIPROC_DIR``: the diagnosis
runs in the worker process, and the serving process's ``/metrics`` still counts it (its job, its
Kubernetes calls, the time to answer), with each of its own live gauges exported once.

The chart runs one process per container, each scraped on its own port; this is the layout of an image
run with both commands in one container, which prometheus-client's multiprocess mode
(``bot/cloud/metrics.py``) serves. Once on SQLite and once on PostgreSQL, where the worker claims with
``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import httpx

from sandbox.kube_api import KubeStandIn
from sandbox.runtime import DEV, REQUEST_CHANNEL
from sandbox.slack_api import SlackStandIn
from sandbox.slack_driver import SlackDriver
from sandbox.worlds.pods import seed_pod_restart_world
from tests.polling import wait
from tests.production.test_serve_process import _free_port, _get, bot_env, start, stop
from tests.spine.metrics_scrape import value

SECRET = "metrics-multiprocess-secret"


def test_counts_made_in_a_worker_process_reach_the_serving_process_metrics(
    moto_sandbox, kube_stand_in: KubeStandIn, tmp_path, db_url
):
    slack = SlackStandIn()
    slack.start()
    slack.add_user(DEV, "dev-kim")
    slack.add_channel(REQUEST_CHANNEL, "eks-requests")
    facts = seed_pod_restart_world(kube_stand_in)
    port, health_port = _free_port(), _free_port()
    shared = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "tmp" / "prometheus")}  # made by the bot
    server_env = bot_env(db_url, slack, kube_stand_in, SLACK_SIGNING_SECRET=SECRET, WORKER_THREADS="0", **shared)
    worker_env = bot_env(db_url, slack, kube_stand_in, WORKER_THREADS="1", **shared)
    url = f"http://127.0.0.1:{port}"
    server = start(["serve", "--host", "127.0.0.1", "--port", str(port)], server_env, tmp_path)
    worker = start(["worker", "--host", "127.0.0.1", "--health-port", str(health_port)], worker_env, tmp_path)
    try:
        wait(lambda: _get(url + "/readyz") == 200, 90, "the server to be ready (the worker's pool reported)")
        driver = SlackDriver(url, SECRET, response_url_for=slack.response_url)
        assert driver.slash(f"pods {facts['namespace']}", user=DEV, channel=REQUEST_CHANNEL).status_code == 200

        def counted() -> str:
            scrape = httpx.get(url + "/metrics", timeout=5).text
            return scrape if value(scrape, "chatops_jobs_finished_total", outcome="done") >= 1 else ""

        scrape = wait(counted, 90, "the worker's job to be counted by the serving process")
        assert value(scrape, "chatops_requests_total", outcome="diagnosed") == 1
        assert value(scrape, "chatops_diagnoses_total", feature="pods", outcome="ok") == 1
        assert value(scrape, "chatops_diagnosis_duration_seconds_count", feature="pods") == 1
        assert value(scrape, "chatops_kube_calls_total", verb="list", resource="pods", outcome="ok") >= 1
        assert value(scrape, "chatops_time_to_answer_seconds_count") == 1
        for family in (
            "chatops_jobs",
            "chatops_requests_total",
            "chatops_slack_requests_total",
            "chatops_jobs_finished_total",
        ):
            assert scrape.count(f"# TYPE {family} ") == 1, family
        assert (
            value(scrape, "chatops_jobs", state="queued") == 0 and value(scrape, "chatops_jobs", state="running") == 0
        )
        assert value(scrape, "process_resident_memory_bytes") > 0
        for process in (worker, server):
            status, err = stop(process)
            assert status == 0, err
    finally:
        for process in (server, worker):
            if process.poll() is None:
                process.kill()
        slack.stop()
