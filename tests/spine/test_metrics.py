"""``/metrics`` as an operator alerts on it: a signed ``/ops`` request through the HTTP app moves the
request, diagnosis, AWS (moto) and Kubernetes (stand-in) counters; Slack's refusals move the Slack
error counter; each AWS and Kubernetes outcome gets its own label; several processes add up."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from botocore.stub import Stubber
from sqlalchemy import func, select

from bot import errors
from bot.cloud.aws import Aws
from bot.cloud.kube import Kube, kube_outcome, verb_and_resource
from bot.store.models import PlanRow
from sandbox.aws import SANDBOX_REGION
from sandbox.runtime import REQUEST_CHANNEL, Sandbox
from sandbox.worlds.pods import seed_pod_restart_world
from tests.polling import wait
from tests.spine.metrics_scrape import label_values, scrape, value


def _moved(url: str, before: str, name: str, **labels: str):
    """The scrape in which ``name{labels}`` has grown past its value in ``before`` (polled)."""
    start = value(before, name, **labels)

    def grown():
        text = scrape(url)
        return text if value(text, name, **labels) > start else ""

    return wait(grown, timeout=60, what=f"{name}{labels} to grow")


def _plans_in_database(sandbox: Sandbox, status: str) -> int:
    with sandbox.bot.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(PlanRow).where(PlanRow.status == status)).scalar())


def test_a_signed_ops_request_moves_the_request_diagnosis_aws_and_kube_counters(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        before = scrape(sandbox.url)
        # prometheus-client's own process and platform collectors, on the registry /metrics serves
        assert value(before, "process_cpu_seconds_total") > 0 and value(before, "process_resident_memory_bytes") > 0
        assert label_values(before, "python_info", "implementation")
        assert _plans_in_database(sandbox, "proposed") == 0 and value(before, "chatops_plans", status="proposed") == 0

        sandbox.ctx.cluster_name = "prod"
        sandbox.seed("ingress-trust")
        assert sandbox.slash("ingress cloudon/cloudon-ingress").status_code == 200  # signed as Slack signs
        req = sandbox.wait_request(lambda r: r.intent == "ingress_delete_denied", timeout=60)
        after = _moved(sandbox.url, before, "chatops_requests_total", outcome="proposed")

        assert (
            value(after, "chatops_requests_total", outcome="proposed")
            == value(before, "chatops_requests_total", outcome="proposed") + 1
        )
        ok = ("chatops_diagnoses_total", {"feature": "irsa", "outcome": "ok"})
        assert value(after, ok[0], **ok[1]) == value(before, ok[0], **ok[1]) + 1
        runs = "chatops_diagnosis_duration_seconds_count"
        assert value(after, runs, feature="irsa") == value(before, runs, feature="irsa") + 1
        assert value(after, "chatops_diagnosis_duration_seconds_sum", feature="irsa") > value(
            before, "chatops_diagnosis_duration_seconds_sum", feature="irsa"
        )
        # the IAM role behind the controller's service account was read from moto, over HTTP
        assert value(after, "chatops_aws_calls_total", service="iam", operation="GetRole", outcome="ok") > value(
            before, "chatops_aws_calls_total", service="iam", operation="GetRole", outcome="ok"
        )
        # and the ingress from the Kubernetes stand-in, through the official client
        assert value(after, "chatops_kube_calls_total", verb="get", resource="ingresses", outcome="ok") > value(
            before, "chatops_kube_calls_total", verb="get", resource="ingresses", outcome="ok"
        )
        assert "serviceaccounts" in label_values(after, "chatops_kube_calls_total", "resource")

        # plans by status are the database's, read at scrape time
        proposed = _plans_in_database(sandbox, "proposed")
        assert proposed == len(sandbox.repo.plans_for_request(req.id)) > 0
        assert value(after, "chatops_plans", status="proposed") == proposed
        assert value(after, "chatops_plans", status="applying") == 0  # every status is there, zero included
        assert value(after, "chatops_slack_requests_total", status="200") > 0


def test_slack_refusing_the_channel_moves_the_slack_error_counter_and_the_request_outcome(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        seed_pod_restart_world(sandbox.kube)
        sandbox.slack.remove_bot(REQUEST_CHANNEL)  # Slack answers not_in_channel to the bot's posts there
        before = scrape(sandbox.url)
        assert sandbox.slash("pods cloudon").status_code == 200
        after = _moved(sandbox.url, before, "chatops_slack_api_errors_total", error="not_in_channel")
        series = ("chatops_slack_api_errors_total", {"method": "chat.postMessage", "error": "not_in_channel"})
        assert value(after, series[0], **series[1]) == value(before, series[0], **series[1]) + 1
        after = _moved(sandbox.url, before, "chatops_requests_total", outcome="post_refused")
        assert value(after, "chatops_diagnoses_total", feature="pods") == value(
            before, "chatops_diagnoses_total", feature="pods"
        )  # nothing was diagnosed without a thread


def test_a_request_from_outside_the_request_channels_is_counted_refused(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        sandbox.slack.add_channel("C_ELSEWHERE", "random")
        before = scrape(sandbox.url)
        assert sandbox.slash("pods cloudon", channel="C_ELSEWHERE").status_code == 200
        after = _moved(sandbox.url, before, "chatops_requests_total", outcome="refused")
        assert (
            value(after, "chatops_requests_total", outcome="refused")
            == value(before, "chatops_requests_total", outcome="refused") + 1
        )


def _aws_calls(text_before: str, text_after: str, **labels: str) -> float:
    return value(text_after, "chatops_aws_calls_total", **labels) - value(
        text_before, "chatops_aws_calls_total", **labels
    )


def _own() -> str:
    from prometheus_client import generate_latest

    from bot.cloud.metrics import serving_registry

    return generate_latest(serving_registry()).decode()


def test_aws_outcomes_ok_not_found_throttled_and_unreachable(moto_sandbox, monkeypatch):
    moto_sandbox.reset()
    iam = Aws(region=SANDBOX_REGION, max_attempts=1).client("iam")
    before = _own()
    iam.list_roles()
    with pytest.raises(errors.NotFound):
        iam.get_role(RoleName="no-such-role")
    after = _own()
    assert _aws_calls(before, after, service="iam", operation="ListRoles", outcome="ok") == 1
    assert _aws_calls(before, after, service="iam", operation="GetRole", outcome="not_found") == 1

    # a throttled answer, as botocore hands it to after-call (Stubber answers in place of the endpoint)
    stubbed = Aws(region=SANDBOX_REGION, max_attempts=1).client("sts")
    before = _own()
    with Stubber(stubbed._inner) as stub:
        stub.add_client_error("get_caller_identity", service_error_code="Throttling", http_status_code=400)
        with pytest.raises(errors.Throttled):
            stubbed.get_caller_identity()
    after = _own()
    assert _aws_calls(before, after, service="sts", operation="GetCallerIdentity", outcome="throttled") == 1

    # no answer at all: after-call-error
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    unreachable = Aws(region=SANDBOX_REGION, max_attempts=1).client("eks")
    before = _own()
    with pytest.raises(errors.Unreachable):
        unreachable.list_clusters()
    after = _own()
    assert _aws_calls(before, after, service="eks", operation="ListClusters", outcome="unreachable") == 1


def test_a_client_counts_each_call_once_however_many_clients_share_a_session(moto_sandbox):
    moto_sandbox.reset()
    aws = Aws(region=SANDBOX_REGION, max_attempts=1)
    first, second = aws.client("iam"), aws.client("iam", region="us-east-1")
    before = _own()
    first.list_roles()
    second.list_roles()
    after = _own()
    assert _aws_calls(before, after, service="iam", operation="ListRoles", outcome="ok") == 2


def test_kube_outcomes_against_the_stand_in(kube_stand_in):
    kube = Kube.from_host(kube_stand_in.url)
    before = _own()
    kube.core.list_namespaced_pod("default")
    with pytest.raises(errors.NotFound):
        kube.core.read_namespaced_pod("nope", "default")
    kube.version.get_code()
    after = _own()

    def moved(**labels: str) -> float:
        return value(after, "chatops_kube_calls_total", **labels) - value(before, "chatops_kube_calls_total", **labels)

    assert moved(verb="list", resource="pods", outcome="ok") == 1
    assert moved(verb="get", resource="pods", outcome="not_found") == 1
    assert moved(verb="get", resource="version", outcome="ok") == 1
    unreachable = Kube.from_host("http://127.0.0.1:9")
    unreachable.api_client.configuration.retries = 0
    before = _own()
    with pytest.raises(errors.Unreachable):
        unreachable.core.list_namespace()
    after = _own()
    assert (
        value(after, "chatops_kube_calls_total", verb="list", resource="namespaces", outcome="unreachable")
        == value(before, "chatops_kube_calls_total", verb="list", resource="namespaces", outcome="unreachable") + 1
    )


@pytest.mark.parametrize(
    ("method", "url", "expected"),
    [
        ("GET", "https://k/api/v1/namespaces/ns/pods", ("list", "pods")),
        ("GET", "https://k/api/v1/namespaces/ns/pods/p", ("get", "pods")),
        ("GET", "https://k/api/v1/namespaces/ns/pods/p/log?container=c", ("get", "pods/log")),
        ("GET", "https://k/api/v1/pods?watch=true", ("watch", "pods")),
        ("GET", "https://k/api/v1/namespaces", ("list", "namespaces")),
        ("GET", "https://k/api/v1/namespaces/ns", ("get", "namespaces")),
        ("PATCH", "https://k/apis/apps/v1/namespaces/ns/deployments/d", ("patch", "deployments")),
        ("PATCH", "https://k/apis/apps/v1/namespaces/ns/deployments/d/scale", ("patch", "deployments/scale")),
        ("POST", "https://k/apis/networking.k8s.io/v1/namespaces/ns/ingresses", ("create", "ingresses")),
        ("PUT", "https://k/api/v1/namespaces/ns/serviceaccounts/sa", ("update", "serviceaccounts")),
        ("DELETE", "https://k/api/v1/namespaces/ns/pods/p", ("delete", "pods")),
        ("DELETE", "https://k/api/v1/namespaces/ns/pods", ("deletecollection", "pods")),
        ("GET", "https://k/prefix/k8s/clusters/c1/api/v1/nodes/n", ("get", "nodes")),
        ("GET", "https://k/version/", ("get", "version")),
    ],
)
def test_verb_and_resource_as_the_api_server_reads_them(method, url, expected):
    assert verb_and_resource(method, url) == expected


def test_kube_outcome_families():
    assert [kube_outcome(s) for s in (200, 201, 401, 403, 404, 409, 422, 429, 500, 503)] == [
        "ok",
        "ok",
        "unauthorized",
        "forbidden",
        "not_found",
        "conflict",
        "invalid_request",
        "throttled",
        "server_error",
        "server_error",
    ]


MULTIPROCESS = textwrap.dedent("""
    import multiprocessing, sys

    def child():
        from bot.cloud.metrics import REQUESTS
        REQUESTS.labels("diagnosed").inc()

    if __name__ == "__main__":
        from prometheus_client import generate_latest
        from bot.cloud.metrics import REQUESTS, serving_registry
        REQUESTS.labels("diagnosed").inc()
        process = multiprocessing.get_context("spawn").Process(target=child)
        process.start()
        process.join(60)
        sys.stdout.write(generate_latest(serving_registry()).decode())
""")


def test_with_a_multiprocess_directory_metrics_add_up_over_processes(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(MULTIPROCESS)
    (tmp_path / "prom").mkdir()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
        "PYTHONPATH": os.pathsep.join(p for p in (os.getcwd(), os.environ.get("PYTHONPATH", "")) if p),
    }
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120, check=True
    ).stdout
    assert value(out, "chatops_requests_total", outcome="diagnosed") == 2  # the parent's and the child's
    assert out.count("# TYPE chatops_requests_total counter") == 1
    assert value(out, "process_cpu_seconds_total") > 0
