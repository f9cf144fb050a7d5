"""Pure parts of reports from fixture data: the diff, the health items, the one-line form, the
channel/cron parsing of ``/ops report add``, and the chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import Msg
from bot.errors import UsageError
from bot.reportkit.diff import diff, state_of
from bot.reportkit.model import Item
from bot.reportkit.render import unchanged_line
from bot.reports import health
from bot.services.reports import check_cron, next_fire
from bot.slack.listeners.reports import parse_add, parse_channel
from handlers.image_pull.analyse import group_failures
from handlers.image_pull.model import Evidence, FailingPod

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def _item(key: str, **kw) -> Item:
    return Item(key, "s", Msg(key, key), **kw)


def test_diff_carries_since_reports_resolved_once_and_notices_changed_fields():
    first = diff([_item("a"), _item("b", fields={"n": 1})], None, NOW)
    assert first.first_run and [i.key for i in first.new] == ["a", "b"]
    state = state_of(first, NOW)
    later = NOW + timedelta(hours=1)
    second = diff([_item("b", fields={"n": 2}), _item("c")], state, later)
    assert [i.key for i in second.new] == ["c"] and [i.key for i in second.changed] == ["b"]
    assert [r.key for r in second.resolved] == ["a"] and second.resolved[0].since == NOW
    assert second.changed[0].since == NOW  # still failing since the first run saw it
    third = diff([_item("b", fields={"n": 2}), _item("c")], state_of(second, later), later + timedelta(hours=1))
    assert third.unchanged and third.resolved == () and third.changed_at == later


def test_unchanged_line_is_one_stable_line_in_both_languages():
    d = diff(
        [_item("a", since=NOW - timedelta(days=2))],
        state_of(diff([_item("a")], None, NOW), NOW),
        NOW + timedelta(hours=3),
    )
    en = unchanged_line("Cluster health", d, "en", NOW + timedelta(hours=3))
    assert en == "Cluster health: no change since 11-25 09:00; 1 still open (oldest since 11-23 09:00)."
    assert en == unchanged_line("Cluster health", d, "en", NOW + timedelta(hours=9))
    assert "이후 변화 없음" in unchanged_line("클러스터 상태", d, "ko", NOW)


def _pod(name: str, *, ready: bool, since: str, phase: str = "Running", **status) -> dict:
    return {
        "metadata": {"name": name, "namespace": "web", "creationTimestamp": since},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": str(ready), "lastTransitionTime": since}],
            **status,
        },
    }


def test_health_items_from_fixture_pods_ingresses_and_events():
    now = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
    pods = (
        _pod("old", ready=False, since="2026-11-25T00:00:00Z"),
        _pod("fresh", ready=False, since="2026-11-25T00:25:00Z"),
        _pod("fine", ready=True, since="2026-11-24T00:00:00Z"),
        _pod(
            "rej-1",
            ready=False,
            since="2026-11-25T00:00:00Z",
            phase="Failed",
            reason="SysctlForbidden",
            message="forbidden",
        ),
        _pod("pulling", ready=False, since="2026-11-24T00:00:00Z", phase="Pending"),
    )
    pods[3]["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "name": "rej", "controller": True}]
    ingress = {
        "metadata": {
            "name": "web",
            "namespace": "web",
            "deletionTimestamp": "2026-11-22T00:00:00Z",
            "finalizers": ["ingress.k8s.aws/resources"],
        }
    }
    gone = {"metadata": {"name": "gone", "namespace": "web", "deletionTimestamp": "2026-11-22T00:00:00Z"}}
    psa = {
        "message": 'pods "x" is forbidden: violates PodSecurity "baseline:latest": forbidden sysctls '
        "(net.ipv4.tcp_keepalive_time)",
        "involvedObject": {"kind": "ReplicaSet", "name": "api-5f"},
        "metadata": {"namespace": "web"},
        "firstTimestamp": "2026-11-24T00:00:00Z",
    }
    failing = FailingPod(
        "web",
        "pulling",
        "u1",
        "node-1",
        "app",
        "nginx:9.9",
        "ErrImagePull",
        'Failed to pull image "nginx:9.9": rpc error: code = NotFound desc = '
        'failed to pull and unpack image "docker.io/library/nginx:9.9": not found',
    )
    groups = tuple(group_failures(Evidence("*", "ap-northeast-1", "1", (failing,))))
    data = health.HealthData("prod", pods, (ingress, gone), (psa,), {"image_pull": groups}, not_ready_minutes=10)
    items = {i.key: i for i in health.problems(data, now)}
    assert set(items) == {
        "pull|nginx:9.9|not_found|",
        "sysctl|web|ReplicaSet/rej",
        "sysctl-psa|web|api-5f",
        "ingress|web|web",
        "notready|web|old",
    }
    assert items["ingress|web|web"].ask == {
        "intent": "ingress_delete_denied",
        "entities": {"namespace": "web", "name": "web"},
    }
    assert items["notready|web|old"].since == datetime(2026, 11, 25, tzinfo=UTC)
    content = health.build(data, None, now, "ko")
    assert content.changed and "이미지 pull" in content.text
    assert content.charts[0].png.startswith(b"\x89PNG") and content.state["series"][-1][1] == 5


@pytest.mark.parametrize(
    "token,channel",
    [
        ("<#C0123ABC|ops-alerts>", "C0123ABC"),
        ("<#C0123ABC|>", "C0123ABC"),
        ("<#G0PRIVATE>", "G0PRIVATE"),
        ("C0123ABCD", "C0123ABCD"),
    ],
)
def test_channels_as_slack_escapes_them(token, channel):
    assert parse_channel(token) == channel


def test_report_add_arguments():
    assert parse_add(["health", "<#C1ABC|x>", "0", "9", "*", "*", "1-5", "UTC"]) == (
        "health",
        "C1ABC",
        "0 9 * * 1-5",
        "UTC",
    )
    assert parse_add(["audit", "<#C1ABC|x>", "0 9 * * 1"]) == ("audit", "C1ABC", "0 9 * * 1", "")
    assert parse_add(["rds", "<#C1ABC>", "@daily", "Asia/Seoul"])[2:] == ("@daily", "Asia/Seoul")
    for bad in (
        ["health", "#ops", "0 9 * * *"],
        ["health"],
        ["health", "<#C1ABC>", "0", "9", "*", "*", "*", "a", "b"],
    ):
        with pytest.raises(UsageError):
            parse_add(bad)
    with pytest.raises(UsageError):
        check_cron("0 9 * *")
    assert next_fire("0 9 * * *", "Asia/Seoul", NOW) == NOW + timedelta(days=1)
