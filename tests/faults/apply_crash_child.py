"""A bot replica in a process of its own that SIGKILLs itself right after one AWS write of a plan.

Run by ``tests/faults/test_apply_crash.py`` as ``python -m tests.faults.apply_crash_child DB SLACK
SECRET``: the real composition root behind uvicorn, with the fault operations registered, except
that ``RoleTag`` kills the process as soon as its write to AWS (moto) has returned, before the bot
can record the outcome or audit the step. Prints its URL on one line, then serves until killed
(or until its parent is gone).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any

from bot.cloud.context import ClusterContext
from bot.domain import PlanStep
from tests.faults.harness import Replica, make_settings
from tests.faults.ops import RoleDescription, RoleTag


class _SlackAt:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


class DiesAfterWrite(RoleTag):
    """``RoleTag`` whose process is SIGKILLed between the write and anything the bot does next."""

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        super().apply(ctx, step)
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable: the process was killed")


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(3)


def main(database_url: str, slack_url: str, secret: str) -> None:
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    replica = Replica(make_settings(database_url, _SlackAt(slack_url), secret))  # type: ignore[arg-type]
    for op in (DiesAfterWrite(), RoleDescription()):
        replica.services.operations[op.name] = op
    replica.start()
    print(replica.url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(*sys.argv[1:4])
