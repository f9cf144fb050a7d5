"""Operational surfaces: /healthz, /readyz, /metrics, `chatops audit --csv`, `chatops diagnose`."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import httpx

from bot.diagnose_cli import run as diagnose_run
from sandbox.runtime import Sandbox
from sandbox.worlds.pods import seed_pod_restart_world


def test_health_ready_metrics_and_audit_csv_and_diagnose(moto_sandbox, tmp_path):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        assert httpx.get(f"{sandbox.url}/healthz").text == "ok"
        assert httpx.get(f"{sandbox.url}/readyz").status_code == 200
        seed_pod_restart_world(sandbox.kube)
        sandbox.slash("pods cloudon")
        sandbox.wait_request(lambda r: r.intent == "pods")
        metrics = httpx.get(f"{sandbox.url}/metrics").text
        assert 'chatops_slack_requests_total{status="200"}' in metrics
        assert "chatops_slack_ack_seconds_bucket" in metrics

        out = subprocess.run(
            [sys.executable, "-m", "bot.cli", "audit", "--csv", "--url", sandbox.settings.database_url],
            capture_output=True,
            text=True,
            check=True,
        )
        rows = list(csv.DictReader(io.StringIO(out.stdout)))
        assert [r["kind"] for r in rows] == ["request_received", "diagnosis_completed"]
        assert rows[0]["actor"] == "U_DEV"

        buf = io.StringIO()
        code = diagnose_run("restart cloudon/api-7d9f8-zz81m", sandbox.settings, buf)
        assert code == 0
        text = buf.getvalue()
        assert "owned by ReplicaSet/api-7d9f8" in text and '"op": "k8s.delete_pod"' in text
        assert "apply it from Slack after approval" in text
        assert sandbox.kube.get("Pod", "cloudon", "api-7d9f8-zz81m") is not None  # nothing applied
        bad = io.StringIO()
        assert diagnose_run('restart "cloudon', sandbox.settings, bad) == 2 and "check the quotes" in bad.getvalue()


def test_readyz_reports_a_broken_database(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        from sqlalchemy import create_engine

        working = sandbox.bot.engine
        sandbox.bot.engine = create_engine("sqlite:////nonexistent/dir/x.db")  # the database went away
        resp = httpx.get(f"{sandbox.url}/readyz")
        assert resp.status_code == 503 and "database not ready" in resp.text
        sandbox.bot.engine = working
