"""Scenario rds-multi-az-cluster: "orders-db 밤에 자동으로 꺼주세요" for an RDS Multi-AZ DB cluster.

``orders-db`` is an RDS for PostgreSQL Multi-AZ DB cluster (not Aurora), tagged ``autostop=yes``. A
developer asks for it to be stopped at night; the bot explains that AWS cannot stop a Multi-AZ DB
cluster and proposes no plan. A schedule that exists anyway (written before the bot knew better)
is skipped by the night's sweep with one notice in the ops channel and one audit entry, not a
failed StopDBCluster every night, and no adoption is proposed for the tag. The end state comes
from the world's own table (``sandbox.worlds.rds_rules``): AWS refuses, the cluster stays available.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from botocore.exceptions import ClientError

from sandbox.runtime import Sandbox
from sandbox.worlds.rds import expected_after, may_stop, seed_multi_az_cluster

OPS_CHANNEL = "C_OPS"
KST = ZoneInfo("Asia/Seoul")
CLUSTER = "orders-db"


def _outcome(*, ok: bool, detail: str):
    from sandbox.demo import Outcome

    return Outcome(ok, detail)


def _status(sandbox: Sandbox) -> str:
    rds = sandbox.aws.client("rds")
    return rds.describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]["Status"]


def _said(messages) -> str:
    return " ".join((m.text or "") + json.dumps(m.blocks, ensure_ascii=False) for m in messages)


def _aws_answer(sandbox: Sandbox) -> str:
    """What AWS itself answers StopDBCluster with (the error code), asked with a plain client."""
    try:
        sandbox.aws.client("rds").stop_db_cluster(DBClusterIdentifier=CLUSTER)
    except ClientError as exc:
        return exc.response["Error"]["Code"]
    return "accepted"


def refuse_and_skip(sandbox: Sandbox):
    seed_multi_az_cluster(sandbox.aws, CLUSTER, clock=sandbox.clock)
    rule = may_stop(sandbox.aws, "cluster", CLUSTER)  # the world's table: AWS refuses, and why
    expected = expected_after(sandbox.aws, "cluster", CLUSTER, "stop")
    sandbox.clock.set(datetime(2026, 11, 27, 18, 30, tzinfo=KST))  # a Friday evening in Seoul
    sandbox.say(f"{CLUSTER} 밤에 자동으로 꺼주세요")
    req = sandbox.wait_request(lambda r: r.intent == "rds_schedule")
    plans = sandbox.repo.plans_for_request(req.id)
    told = _said(sandbox.slack.thread(req.channel, req.thread_ts))
    refused_in_thread = "Multi-AZ" in told and "Aurora" in told

    # A schedule that predates the check: the sweep must skip it, not fail on it every night.
    sandbox.bot.stores["rds"].repo.upsert_schedule("cluster", CLUSTER, "0 20 * * 1-5", "0 8 * * 1-5", "Asia/Seoul")
    job = sandbox.bot.job("rds-sweep", channel=OPS_CHANNEL)
    sandbox.clock.set(datetime(2026, 11, 27, 20, 1, tzinfo=KST))
    night = job.run()
    sandbox.clock.advance(timedelta(days=1))  # Saturday night, same stop period
    again = job.run()
    sandbox.clock.advance(timedelta(minutes=10))
    ops = [m for m in sandbox.slack.messages(OPS_CHANNEL) if CLUSTER in (m.text or "")]
    refused_notes = [n for n in night.notes if n.get("code") == "rds.sweep.refused"]
    failures = [m for m in ops if "could not" in (m.text or "") or "실패" in (m.text or "")]
    audits = [r for r in sandbox.repo.audit_rows() if CLUSTER in r.summary and "refused" in r.summary]
    answer = _aws_answer(sandbox)
    end = _status(sandbox)
    ok = (
        rule is not None
        and not plans
        and refused_in_thread
        and night.done == []
        and len(refused_notes) == 1
        and again.done == []
        and again.notes == []
        and not night.proposals
        and len(ops) == 1
        and not failures
        and len(audits) == 1
        and answer == rule.code
        and end == expected == "available"
    )
    return _outcome(
        ok=ok,
        detail=f"world table: {rule.id if rule else 'may stop'} ({rule.code if rule else '-'}); "
        f"{len(plans)} plan(s); refusal in thread={refused_in_thread}; night sweep: "
        f"{len(night.done)} call(s), {len(refused_notes)} refusal notice(s), "
        f"{len(night.proposals)} adoption(s); next night {len(again.notes)} notice(s); "
        f"{len(ops)} ops message(s), {len(failures)} failure(s), {len(audits)} audit row(s); "
        f"AWS answers StopDBCluster with {answer}; cluster {end} (world expects {expected})",
    )


PARTS = (refuse_and_skip,)
