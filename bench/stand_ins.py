"""The world the ack benchmark talks to, in its own process: moto, the Kubernetes and Slack stand-ins.

Started by ``bench.run`` as ``python -m bench.stand_ins``. It seeds the pods world (the diagnoses
that ``/ops pods -A`` triggers list these pods), prints one JSON line with the URLs, then serves
until stdin closes. A line ``stats`` on stdin is answered with one JSON line of what Slack saw,
so the benchmark can check that the diagnoses really ran. Keeping the stand-ins out of both the
serving process and the load generator means neither the RSS figure nor the client-side
latency includes their work; ``--idle`` also keeps them from taking CPU time the process under
test wants, as services on other machines would.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from bot.supervisor import yield_cpu_to_acks
from sandbox.aws import MotoSandbox
from sandbox.kube_api import KubeStandIn
from sandbox.runtime import DEV, OPS, OPS2
from sandbox.slack_api import SlackStandIn
from sandbox.worlds.pods import owned_pod, seed_pod_restart_world

EXTRA_PODS = 40  # a namespace's worth of pods, so each diagnosis renders a real table


def seed(kube: KubeStandIn) -> None:
    facts = seed_pod_restart_world(kube)
    owner = {"kind": "ReplicaSet", "name": facts["owner"], "uid": facts["owner_uid"]}
    node = "ip-10-0-1-23.ap-northeast-1.compute.internal"
    for i in range(EXTRA_PODS):
        kube.put(owned_pod("cloudon", f"web-{i:03d}", owner, node, ready=i % 7 != 0))


def stats(slack: SlackStandIn) -> dict[str, int]:
    calls = slack.calls
    return {
        "slack_calls": len(calls),
        "messages": len(slack.messages()),
        "failed_calls": sum(1 for c in calls if not c.response.get("ok")),
    }


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(prog="python -m bench.stand_ins")
    args.add_argument("--idle", action="store_true", help="run at idle CPU priority (they play remote services)")
    if args.parse_args(argv).idle:
        yield_cpu_to_acks()
    logging.basicConfig(level=logging.ERROR)
    moto = MotoSandbox()
    moto.start()
    kube = KubeStandIn()
    kube.start()
    slack = SlackStandIn()
    slack.start()
    for user, name in ((DEV, "dev-kim"), (OPS, "ops-lee"), (OPS2, "ops-park")):
        slack.add_user(user, name)
    slack.add_channel("C_BENCH", "bench")  # bench.serve_sandbox's request channel
    seed(kube)
    print(json.dumps({"moto": moto.url, "kube": kube.url, "slack_api": slack.base_url}), flush=True)
    try:
        for line in sys.stdin:
            if line.strip() == "stats":
                print(json.dumps(stats(slack)), flush=True)
    finally:
        slack.stop()
        kube.stop()
        moto.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
