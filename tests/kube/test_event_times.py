"""When an event was last seen, for both event shapes, at every place the bot orders events.

Worlds write events with ``sandbox.kube_events``: the kubelet's in the old shape
(``lastTimestamp``, ``count``), the scheduler's and other new-style recorders' in the
events.k8s.io shape (``lastTimestamp: null``, ``eventTime``, ``series.lastObservedTime``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.cloud.context import ClusterContext
from bot.cloud.kube import Kube
from bot.domain import Request
from handlers import events as k8s_events
from handlers.image_pull import verify
from handlers.pods import PodsDiagnoser
from sandbox import kube_events
from sandbox.kube_api import KubeStandIn
from sandbox.worlds.pods import owned_pod

NODE = "ip-10-0-1-23.ap-northeast-1.compute.internal"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def stand_in():
    server = KubeStandIn(clock=lambda: NOW)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def ctx(stand_in) -> ClusterContext:
    return ClusterContext(
        aws=None,
        kube=Kube.from_host(stand_in.url),
        cluster_name="prod",  # type: ignore[arg-type]
        account_id="123456789012",
        wait_seconds=1.0,
        poll_seconds=0.01,
        clock=lambda: NOW,
    )


def _world(stand_in: KubeStandIn) -> dict:
    owner = {"kind": "ReplicaSet", "name": "api-7d9f8", "uid": "rs-1"}
    pod = stand_in.put(owned_pod("cloudon", "api-7d9f8-zz81m", owner, NODE, ready=False))
    kubelet = kube_events.CoreRecorder(stand_in, "kubelet", NODE)
    kubelet.record(
        pod, "Unhealthy", "Readiness probe failed: connection refused", container="app", at=NOW - timedelta(minutes=2)
    )
    # a newer controller's warning, repeated: its last occurrence is now, its first 4 minutes ago
    kube_events.record_series(
        stand_in,
        pod,
        "FailedMount",
        'MountVolume.SetUp failed for volume "config"',
        action="Mounting",
        controller="kubelet-csi",
        instance=NODE,
        type_="Warning",
        occurrences=5,
        seconds_between=60,
    )
    return pod


def test_last_seen_prefers_the_series_then_each_older_field():
    assert (
        k8s_events.last_seen(
            {
                "series": {"lastObservedTime": "2026-12-01T09:00:00.000001Z"},
                "lastTimestamp": None,
                "eventTime": "2026-12-01T08:56:00.000000Z",
            }
        )
        == "2026-12-01T09:00:00.000001Z"
    )
    assert (
        k8s_events.last_seen({"lastTimestamp": "2026-12-01T08:00:00Z", "eventTime": None})
        == "2026-12-01T08:00:00.000000Z"
    )
    assert k8s_events.last_seen({"firstTimestamp": "2026-12-01T07:00:00+00:00"}) == "2026-12-01T07:00:00.000000Z"
    assert k8s_events.last_seen({"metadata": {"creationTimestamp": "2026-12-01T06:00:00Z"}}).startswith("2026-12-01T06")


def test_pod_events_are_ordered_and_aged_by_their_last_occurrence(stand_in, ctx):
    _world(stand_in)
    diagnosis = PodsDiagnoser().diagnose(ctx, Request("pod_events", {"namespace": "cloudon", "pod": "api-7d9f8-zz81m"}))
    rows = diagnosis.findings[0].table[1:]
    assert [r[2] for r in rows] == ["Unhealthy", "FailedMount"]
    assert [r[0] for r in rows] == ["2m", "0s"]


def test_the_latest_warning_after_a_fix_is_the_last_occurrence(stand_in, ctx):
    _world(stand_in)
    assert verify._latest_event(ctx, "cloudon", "api-7d9f8-zz81m").startswith("MountVolume.SetUp failed")
