"""The world the serving benchmarks talk to, in its own process: moto, the Kubernetes and Slack stand-ins.

Started by ``bench.ack`` as ``python -m bench.stand_ins``. It seeds the sandbox worlds the users of the
benchmark ask about : the image-pull triage world grown to ``PULL_PODS`` pods
(``bench.diagnosers.grow_pull_world``, the same growth the call-count figures use) and the pod-restart
world with a namespace's worth of extra pods. It prints one JSON line with the
URLs, then serves until stdin closes. Lines on stdin are answered with one JSON line each:

- ``stats``: what Slack saw (calls, messages, failed calls);
- ``threads CHANNEL``: for every thread in ``CHANNEL``, when its first diagnosis message was posted
  (``time.time()`` of the ``chat.postMessage`` call) and how many diagnosis messages it holds.

A diagnosis message is a reply in a thread, posted by the bot with blocks and without buttons: the
bot's thread status line is the thread's parent, its plans carry approve and reject buttons, and
its notes (linked requests, refusals, failures) are text alone (``bot.slack.thread``).

Keeping the stand-ins out of the serving process and the load generator means neither the RSS
figure nor the client-side timing includes their work. They are not given a lower CPU priority:
answering a 5,000-pod listing is on the path of every triage, as the Kubernetes API is in production,
and the figures say what users wait for on this machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from bot.cloud.aws import Aws
from sandbox.aws import SANDBOX_REGION, MotoSandbox
from sandbox.kube_api import KubeStandIn
from sandbox.runtime import DEV, OPS, OPS2
from sandbox.slack_api import SlackStandIn
from sandbox.slack_records import Message
from sandbox.worlds import image_pull
from sandbox.worlds.pods import owned_pod, seed_pod_restart_world

BENCH_CHANNEL = "C_BENCH"
EXTRA_PODS = 40  # a namespace's worth of pods beside the restart world's, so each listing renders a real table
PULL_PODS = 5000
PULL_NODES = 50


def seed(aws: Aws, kube: KubeStandIn) -> dict[str, Any]:
    """Every world the benchmark's users ask about; the facts their commands name."""
    from bench.diagnosers import grow_pull_world

    pull = image_pull.seed_private_subnet_world(aws, kube)
    grow_pull_world(aws, kube, image_pull, pull, PULL_PODS, PULL_NODES)
    pods = seed_pod_restart_world(kube)
    owner = {"kind": "ReplicaSet", "name": pods["owner"], "uid": pods["owner_uid"]}
    node = "ip-10-0-1-23.ap-northeast-1.compute.internal"
    for i in range(EXTRA_PODS):
        kube.put(owned_pod("cloudon", f"web-{i:03d}", owner, node, ready=i % 7 != 0))
    return {"pull_namespace": pull["namespace"], "pods_namespace": pods["namespace"], "pods": len(kube.list("Pod"))}


def is_diagnosis(message: Message) -> bool:
    """A reply with blocks and no buttons (see the module docstring)."""
    if not message.thread_ts or message.thread_ts == message.ts or not message.blocks:
        return False
    return not any(block.get("type") == "actions" for block in message.blocks)


def threads(slack: SlackStandIn, channel: str) -> dict[str, dict[str, Any]]:
    posted = {
        c.response.get("ts"): c.at for c in slack.calls if c.method == "chat.postMessage" and c.response.get("ok")
    }
    out: dict[str, dict[str, Any]] = {}
    for message in slack.messages(channel):
        if not is_diagnosis(message):
            continue
        entry = out.setdefault(message.thread_ts or "", {"first": None, "diagnoses": 0})
        entry["diagnoses"] += 1
        at = posted.get(message.ts)
        if at is not None and (entry["first"] is None or at < entry["first"]):
            entry["first"] = at
    return out


def stats(slack: SlackStandIn) -> dict[str, int]:
    calls = slack.calls
    return {
        "slack_calls": len(calls),
        "messages": len(slack.messages()),
        "failed_calls": sum(1 for c in calls if not c.response.get("ok")),
    }


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m bench.stand_ins").parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    moto = MotoSandbox()
    moto.start()
    moto.export()
    kube = KubeStandIn()
    kube.start()
    slack = SlackStandIn()
    slack.start()
    for user, name in ((DEV, "dev-kim"), (OPS, "ops-lee"), (OPS2, "ops-park")):
        slack.add_user(user, name)
    slack.add_channel(BENCH_CHANNEL, "bench")
    facts = seed(Aws(region=SANDBOX_REGION, max_attempts=2), kube)
    announce = {"moto": moto.url, "kube": kube.url, "slack_api": slack.base_url, "slack": slack.url, **facts}
    print(json.dumps(announce), flush=True)
    try:
        for line in sys.stdin:
            words = line.split()
            if words == ["stats"]:
                print(json.dumps(stats(slack)), flush=True)
            elif len(words) == 2 and words[0] == "threads":
                print(json.dumps(threads(slack, words[1])), flush=True)
            else:
                print(json.dumps({"error": f"unknown command {line.strip()[:40]!r}"}), flush=True)
    finally:
        slack.stop()
        kube.stop()
        moto.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
