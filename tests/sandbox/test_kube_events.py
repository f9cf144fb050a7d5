"""The event writers worlds use (``sandbox.kube_events``): both shapes, counting and combining."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox import kube_events
from sandbox.kube_api import KubeStandIn

NOW = datetime(2026, 12, 1, 9, 0, 0, 250000, tzinfo=UTC)
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web-0", "namespace": "web", "uid": "u-1"},
    "spec": {"nodeName": "node-a"},
}


def _kube() -> KubeStandIn:
    return KubeStandIn(clock=lambda: NOW)


def test_new_style_events_read_through_core_v1_without_last_timestamp():
    kube = _kube()
    once = kube_events.record_series(
        kube,
        POD,
        "Scheduled",
        "Successfully assigned web/web-0 to node-a",
        action="Binding",
        controller="default-scheduler",
        instance="sched-1",
    )
    repeated = kube_events.record_series(
        kube,
        POD,
        "FailedMount",
        "MountVolume.SetUp failed",
        action="Mounting",
        controller="kubelet",
        instance="node-a",
        type_="Warning",
        occurrences=3,
    )
    assert once["lastTimestamp"] is None and once["firstTimestamp"] is None and "count" not in once
    assert once["eventTime"] == "2026-12-01T09:00:00.250000Z" and "series" not in once
    assert (once["reportingComponent"], once["reportingInstance"], once["action"]) == (
        "default-scheduler",
        "sched-1",
        "Binding",
    )
    assert repeated["series"] == {"count": 3, "lastObservedTime": "2026-12-01T09:00:00.250000Z"}
    assert repeated["eventTime"] == "2026-12-01T08:59:00.250000Z"


def test_the_old_recorder_counts_repeats_and_names_the_container():
    kube = _kube()
    kubelet = kube_events.CoreRecorder(kube, "kubelet", "node-a")
    kubelet.record(
        POD, "BackOff", "Back-off restarting failed container app", container="app", at=NOW - timedelta(minutes=3)
    )
    event = kubelet.record(POD, "BackOff", "Back-off restarting failed container app", container="app")
    assert event["count"] == 2 and event["firstTimestamp"] == "2026-12-01T08:57:00Z"
    assert event["lastTimestamp"] == "2026-12-01T09:00:00Z"
    assert event["involvedObject"]["fieldPath"] == "spec.containers{app}"
    assert event["source"] == {"component": "kubelet", "host": "node-a"}
    assert len(kube.list("Event", "web")) == 1


def test_ten_distinct_messages_with_one_reason_are_combined():
    kube = _kube()
    kubelet = kube_events.CoreRecorder(kube, "kubelet", "node-a")
    for n in range(12):
        last = kubelet.record(POD, "Failed", f'Failed to pull image "x:{n}": not found', container="app")
    assert last["message"] == '(combined from similar events): Failed to pull image "x:11": not found'
    assert last["count"] == 3
    plain = [e for e in kube.list("Event", "web") if not e["message"].startswith("(combined")]
    assert len(plain) == 9
    # another reason about the same pod is not combined
    other = kubelet.record(POD, "BackOff", 'Back-off pulling image "x:1"', type_="Normal", container="app")
    assert not other["message"].startswith("(combined")


def test_after_ten_quiet_minutes_a_new_message_is_not_combined():
    clock = [NOW]
    kube = KubeStandIn(clock=lambda: clock[0])
    kubelet = kube_events.CoreRecorder(kube, "kubelet", "node-a")
    for n in range(10):
        kubelet.record(POD, "Failed", f"m{n}")
    clock[0] = NOW + timedelta(minutes=11)
    assert kubelet.record(POD, "Failed", "m10")["message"] == "m10"
