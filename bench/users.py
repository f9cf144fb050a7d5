"""Users of a busy workspace: each sends a signed ``/ops`` command, waits for its answer, and asks again.

Used by ``bench.ack`` (the time-to-answer run) and ``bench.crash``. ``run_users`` drives ``users``
concurrent users for ``seconds``; every user cycles through ``COMMANDS`` (the image-pull triage of
``bench.stand_ins``'s 5,000 pods, a namespace's pods, one team's image pulls, every pod), starting at a
different place in the cycle. Per request it records the ack latency (client side) and the time to
answer: from just before the signed command is sent to the moment the Slack stand-in received the
first diagnosis message of the request's thread (``bench.stand_ins.threads``).

``Tracker`` finds each request's thread: the bot records the delivery that created a request
(``requests.once_key`` is ``trigger:<trigger_id>``), so one query of the bot's database gives
the thread of every request in flight, and one ``threads`` question to the stand-ins gives when their
diagnoses were posted. A user is released once its request has left ``diagnosing`` (its thread is
complete). A request for a target whose earlier request still awaits a decision is linked to that
thread and gets no diagnosis of its own (``bot.services.requests``); so that nearly every request of
the loop is a diagnosis, the tracker closes an answered request that proposed plans (``state``
``open`` set to ``done``, as if the team had dealt with it). That one write is the benchmark's only
touch of the bot's database. A command sent in the moment between an answer and its closing is
still linked: it is released once its job is done and counted in ``users_linked``, not timed.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, create_engine, text

from bench.load import percentile, post_slash, trigger_id
from bench.stand_ins import BENCH_CHANNEL

COMMANDS = ("pull -A", "pods cloudon", "pull team-{n}", "pods -A")
THINK_SECONDS = 1.0  # mean pause of a user between an answer and the next command (exponential)
ANSWER_TIMEOUT = 120.0
POLL_SECONDS = 0.25


def kind_of(text: str) -> str:
    """The command's figure name: ``pull_all``, ``pods_ns``, ``pull_ns``, ``pods_all``."""
    head, _, scope = text.partition(" ")
    return f"{head}_{'all' if scope == '-A' else 'ns'}"


@dataclass
class Outcome:
    """One request as its user saw it."""

    text: str
    trigger: str
    sent_at: float  # time.time() just before the command was sent
    status: int = 0
    ack_ms: float = 0.0
    answer_ms: float | None = None  # to the first diagnosis message
    diagnoses: int = 0  # diagnosis messages in the request's thread
    state: str = ""  # the request row's state when the user was released
    done: asyncio.Event = field(default_factory=asyncio.Event)


ROWS = text("SELECT once_key, id, thread_ts, state FROM requests WHERE once_key IN :keys").bindparams(
    bindparam("keys", expanding=True)
)
FINISHED_JOBS = text(
    "SELECT dedupe_key FROM jobs WHERE state IN ('done', 'failed') AND dedupe_key IN :keys"
).bindparams(bindparam("keys", expanding=True))
CLOSE_OPEN = text("UPDATE requests SET state = 'done' WHERE id = :id AND state = 'open'")


class Tracker:
    """The requests in flight: their rows in the bot's database and their threads in the stand-in."""

    def __init__(
        self, database_url: str, threads: Callable[[], dict[str, dict[str, Any]]], *, close_open: bool
    ) -> None:
        self.engine = create_engine(database_url, pool_size=1)
        self.threads, self.close_open = threads, close_open
        self.pending: dict[str, Outcome] = {}

    def poll(self) -> list[Outcome]:
        """Fill in what is known now; the outcomes whose request left ``diagnosing``."""
        if not self.pending:
            return []
        keys = {f"trigger:{trigger_id(t)}": o for t, o in dict(self.pending).items()}  # the loop adds to it meanwhile
        with self.engine.connect() as db:
            rows = db.execute(ROWS, {"keys": list(keys)}).all()
            # no row, its job finished: the request was linked to an open thread (or not a request at all)
            jobs = db.execute(FINISHED_JOBS, {"keys": [f"run_ops:{key}" for key in keys]}).all()
        found = {row[0] for row in rows}
        seen = self.threads() if rows else {}
        released, closing = [], []
        for (dedupe_key,) in jobs:
            once_key = dedupe_key.removeprefix("run_ops:")
            if once_key not in found:
                keys[once_key].state = "linked"
                released.append(keys[once_key])
        for once_key, request_id, thread_ts, state in rows:
            outcome = keys[once_key]
            thread = seen.get(thread_ts or "", {})
            outcome.diagnoses = thread.get("diagnoses", 0)
            if thread.get("first") is not None:
                outcome.answer_ms = max(thread["first"] - outcome.sent_at, 0.0) * 1000
            if state != "diagnosing":
                outcome.state = state
                released.append(outcome)
                if state == "open" and self.close_open:
                    closing.append(request_id)
        if closing:
            with self.engine.begin() as db:
                db.execute(CLOSE_OPEN, [{"id": i} for i in closing])
        for outcome in released:
            self.pending.pop(outcome.trigger, None)
        return released

    def close(self) -> None:
        self.engine.dispose()


async def _poller(tracker: Tracker, stop: asyncio.Event) -> None:
    while not stop.is_set():
        for outcome in await asyncio.to_thread(tracker.poll):
            outcome.done.set()
        await asyncio.sleep(POLL_SECONDS)


async def _user(
    n: int, url: str, secret: str, run: str, until: float, tracker: Tracker, out: list[Outcome], user_id: str
) -> None:
    parts = urlsplit(url)
    rng = random.Random(n)
    await asyncio.sleep(rng.uniform(0, THINK_SECONDS))  # users do not all start in the same instant
    i = n
    while time.monotonic() < until:
        text = COMMANDS[i % len(COMMANDS)].format(n=(n + i) % 10)
        trigger = f"{run}.{n}.{i}"
        outcome = Outcome(text, trigger, time.time())
        tracker.pending[trigger] = outcome
        # a connection per command: a user waits longer for an answer than the server keeps one idle
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            outcome.status, outcome.ack_ms = await post_slash(
                reader, writer, url.rstrip("/") + "/slack/events", secret, text, user_id, trigger, BENCH_CHANNEL
            )
        finally:
            writer.close()
        out.append(outcome)
        if outcome.status != 200:
            tracker.pending.pop(trigger, None)
        else:
            try:
                await asyncio.wait_for(outcome.done.wait(), ANSWER_TIMEOUT)
            except TimeoutError:
                tracker.pending.pop(trigger, None)
        i += 1
        await asyncio.sleep(rng.expovariate(1 / THINK_SECONDS))


async def _run(url: str, secret: str, users: int, seconds: float, tracker: Tracker, user_id: str) -> list[Outcome]:
    out: list[Outcome] = []
    stop = asyncio.Event()
    poller = asyncio.create_task(_poller(tracker, stop))
    run = secrets.token_hex(4)  # trigger ids unique across runs: the bot drops a repeated one as a replay
    until = time.monotonic() + seconds
    try:
        await asyncio.gather(*(_user(n, url, secret, run, until, tracker, out, user_id) for n in range(users)))
    finally:
        stop.set()
        await poller
    return out


def run_users(
    url: str,
    secret: str,
    database_url: str,
    threads: Callable[[], dict[str, dict[str, Any]]],
    users: int = 20,
    seconds: float = 120.0,
    user_id: str = "U_DEV",
) -> list[Outcome]:
    """``users`` users in a loop for ``seconds`` (a request under way then is waited for)."""
    tracker = Tracker(database_url, threads, close_open=True)
    try:
        return asyncio.run(_run(url, secret, users, seconds, tracker, user_id))
    finally:
        tracker.close()


def _ms(values: list[float], pct: float) -> float | None:
    return round(percentile(values, pct), 1) if values else None


def figures(outcomes: list[Outcome], seconds: float) -> dict[str, Any]:
    acked = [o for o in outcomes if o.status == 200]
    # a linked request is answered in another's thread: no diagnosis of its own to time
    answered = [o for o in acked if o.answer_ms is not None]
    out: dict[str, Any] = {
        "time_to_answer_p50_ms": _ms([o.answer_ms for o in answered if o.answer_ms is not None], 50),
        "time_to_answer_p99_ms": _ms([o.answer_ms for o in answered if o.answer_ms is not None], 99),
        "ack_p50_ms": _ms([o.ack_ms for o in outcomes], 50),
        "ack_p99_ms": _ms([o.ack_ms for o in outcomes], 99),
        "users_requests": len(outcomes),
        "users_non_200": len(outcomes) - len(acked),
        "users_answered": len(answered),
        "users_unanswered": sum(1 for o in acked if o.answer_ms is None and o.state != "linked"),
        "users_failed": sum(1 for o in acked if o.state == "failed"),
        "users_linked": sum(1 for o in acked if o.state == "linked"),
        "users_duplicates": sum(1 for o in acked if o.diagnoses > 1),
        "users_commands_per_s": round(len(outcomes) / seconds, 2) if seconds else None,
    }
    for kind in sorted({kind_of(o.text) for o in answered}):
        times = [o.answer_ms for o in answered if kind_of(o.text) == kind and o.answer_ms is not None]
        out[f"time_to_answer_{kind}_p50_ms"] = _ms(times, 50)
        out[f"time_to_answer_{kind}_p99_ms"] = _ms(times, 99)
        out[f"time_to_answer_{kind}_requests"] = len(times)
    return out
