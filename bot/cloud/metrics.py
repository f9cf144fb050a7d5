"""The bot's own Prometheus metrics, and the registry ``/metrics`` serves.

The counters and the histogram live on one registry of this module (``OWN``), so every layer that
counts (the AWS and Kubernetes clients here, the request service, the Slack client) increments the
same objects however many bots a process builds. ``serving_registry`` is what ``/metrics`` exposes:
prometheus-client's process and platform collectors, these metrics, and whatever the HTTP app adds
(Slack acks, plans and jobs by status).

With ``chatops worker`` processes beside the server, the diagnoses (and their AWS and Kubernetes calls)
run in other processes; each serves its own ``/metrics`` on its health port. When several processes
share one pod, prometheus-client's multiprocess mode covers that: when ``PROMETHEUS_MULTIPROC_DIR`` names a writable
directory (made if missing; empty when the pod starts, as an emptyDir is) in the environment of every
process, set before the bot starts as its documentation asks
(https://prometheus.github.io/client_python/multiprocess/), each process writes its values there and
``/metrics`` sums them with ``MultiProcessCollector`` (process and platform metrics stay the serving
process's). Without it, ``/metrics`` shows the serving process's own counts only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, PlatformCollector, ProcessCollector
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector


def multiprocess_dir() -> str:
    """prometheus-client's multiprocess directory from the environment ("" when not in that mode)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


# Each process writes its values there from the first sample on (no series exists before ``labels()``);
# made here so a path on an empty volume (``/tmp/prometheus`` on the pod's emptyDir) is enough.
if multiprocess_dir():
    os.makedirs(multiprocess_dir(), exist_ok=True)

OWN = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "chatops_requests",
    "Requests by how they ended: diagnosed (nothing to change), proposed "
    "(plans posted), asked (which problem?), linked (to an open thread), failed, post_refused "
    "(Slack would not post in the channel), refused (not allowed)",
    ["outcome"],
    registry=OWN,
)
DIAGNOSES = Counter(
    "chatops_diagnoses",
    "Diagnoser runs by feature and outcome (ok, or the error class)",
    ["feature", "outcome"],
    registry=OWN,
)
DIAGNOSIS_SECONDS = Histogram(
    "chatops_diagnosis_duration_seconds",
    "Time a diagnoser took, failures included",
    ["feature"],
    registry=OWN,
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160),
)
AWS_CALLS = Counter(
    "chatops_aws_calls",
    "AWS API calls as botocore finished them (after its retries), by "
    "outcome: ok, throttled, access_denied, not_found, conflict, invalid_request, server_error, "
    "unreachable",
    ["service", "operation", "outcome"],
    registry=OWN,
)
KUBE_CALLS = Counter(
    "chatops_kube_calls",
    "Kubernetes API calls by verb, resource and outcome: ok, throttled, "
    "unauthorized, forbidden, not_found, conflict, invalid_request, server_error, unreachable",
    ["verb", "resource", "outcome"],
    registry=OWN,
)
SLACK_API_ERRORS = Counter(
    "chatops_slack_api_errors",
    "Slack Web API answers that were not ok, by method and Slack's error code (each attempt, retried ones included)",
    ["method", "error"],
    registry=OWN,
)

JOBS_FINISHED = Counter(
    "chatops_jobs_finished",
    "Jobs run to the end by outcome: done, retried (an attempt failed; queued again), failed (no attempt left)",
    ["outcome"],
    registry=OWN,
)
for _outcome in ("done", "retried", "failed"):  # every outcome exported from the start, zero included
    JOBS_FINISHED.labels(_outcome)
TIME_TO_ANSWER = Histogram(
    "chatops_time_to_answer_seconds",
    "From the ack (the job's creation) to the end of its handler: what the person who asked waits for",
    registry=OWN,
    buckets=(0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300),
)

OWN_NAMES = frozenset(family.name for family in OWN.collect())


class _Own(Collector):
    """This module's metrics as one process counted them."""

    def collect(self) -> Iterable[Metric]:
        return OWN.collect()


class _AllProcesses(Collector):
    """This module's metrics summed over every process writing to ``PROMETHEUS_MULTIPROC_DIR``.

    Only the families defined here: metrics a process serves live (the HTTP app's gauges) are
    collected by the serving registry itself, and must not appear twice.
    """

    def __init__(self, path: str):
        self._inner = MultiProcessCollector(None, path=path)

    def collect(self) -> Iterable[Metric]:
        return [family for family in self._inner.collect() if family.name in OWN_NAMES]


def serving_registry() -> CollectorRegistry:
    """A fresh registry for ``/metrics``: process and platform metrics plus the bot's own."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    path = multiprocess_dir()
    registry.register(_AllProcesses(path) if path else _Own())
    return registry


def error_family(name: str) -> str:
    """``AccessDenied`` -> ``access_denied``: an error class as an outcome label."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
