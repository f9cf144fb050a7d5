"""Slash-command load: N concurrent clients POST signed ``/ops`` commands and time each ack.

``run_load`` is the paced load ``bench.ack`` sends the bare Bolt app; ``post_slash`` is one signed
command on a keep-alive connection, which the users of ``bench.users`` send the bot. Bodies are
the form Slack sends for a slash command (https://docs.slack.dev/interactivity/implementing-slash-commands)
signed with ``sandbox.signing`` at send time. One asyncio loop drives all clients, so the
load generator itself adds little jitter. ``percentile`` is pure.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import secrets
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from sandbox import signing


@dataclass(frozen=True)
class LoadResult:
    latencies_ms: tuple[float, ...]
    statuses: dict[int, int]
    seconds: float

    def __str__(self) -> str:
        return f"{len(self.latencies_ms)} acks in {self.seconds:.1f}s, statuses {self.statuses}"


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def trigger_id(seq: str) -> str:
    """The ``trigger_id`` of the command numbered ``seq`` (the bot's ``requests.once_key`` is ``trigger:`` and it)."""
    return f"{seq}.bench"


def slash_body(text: str, user: str, channel: str, response_url: str, seq: str) -> bytes:
    return urlencode(
        {
            "token": "bench",
            "team_id": "T0SANDBOX",
            "team_domain": "sandbox",
            "channel_id": channel,
            "channel_name": channel.lower(),
            "user_id": user,
            "user_name": user.lower(),
            "command": "/ops",
            "text": text,
            "api_app_id": "A0SANDBOX",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id(seq),
        }
    ).encode()


async def _post(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    host: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
) -> int:
    """One HTTP/1.1 keep-alive POST; returns the status code (the body is read and dropped)."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode() + body)
    await writer.drain()
    raw = await reader.readuntil(b"\r\n\r\n")
    lines = raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next((int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:")), 0)
    if length:
        await reader.readexactly(length)
    return status


async def post_slash(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    url: str,
    secret: str,
    text: str,
    user: str,
    trigger: str,
    channel: str = "C_BENCH",
    response_url: str = "http://127.0.0.1:9/r",
) -> tuple[int, float]:
    """One signed ``/ops`` command on an open keep-alive connection to ``url``: (status, ack ms)."""
    parts = urlsplit(url)
    body = slash_body(text, user, channel, response_url, trigger)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **signing.signed_headers(secret, int(time.time()), body),
    }
    started = time.perf_counter()
    status = await _post(reader, writer, parts.netloc, parts.path, body, headers)
    return status, (time.perf_counter() - started) * 1000


async def _client(
    url: str,
    secret: str,
    text: str,
    user: str,
    channel: str,
    response_url: str,
    count: int,
    think: float,
    seq: Iterator[str],
    out: list[float],
    statuses: dict[int, int],
    rng: random.Random,
) -> None:
    parts = urlsplit(url)
    if think:
        await asyncio.sleep(rng.uniform(0, think))  # clients start spread out, not as one wave
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        for _ in range(count):
            body = slash_body(text, user, channel, response_url, next(seq))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                **signing.signed_headers(secret, int(time.time()), body),
            }
            if think:  # a connection per command, as the users of bench.users: a pause outlasts keep-alive
                writer.close()
                reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            started = time.perf_counter()
            status = await _post(reader, writer, parts.netloc, parts.path, body, headers)
            out.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if think:
                await asyncio.sleep(rng.expovariate(1 / think))
    finally:
        writer.close()


async def _run(
    app_url: str,
    secret: str,
    clients: int,
    per_client: int,
    text: str,
    user: str,
    channel: str,
    response_url: str,
    think: float,
    seed: int,
) -> LoadResult:
    url = app_url.rstrip("/") + "/slack/events"
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    run = secrets.token_hex(4)  # trigger ids unique across runs: the bot drops a repeated one as a replay
    seq = (f"{run}.{i}" for i in itertools.count(1))
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _client(
                url,
                secret,
                text,
                user,
                channel,
                response_url,
                per_client,
                think,
                seq,
                latencies,
                statuses,
                random.Random(seed * 1000 + i),
            )
            for i in range(clients)
        )
    )
    return LoadResult(tuple(latencies), statuses, time.perf_counter() - started)


def run_load(
    app_url: str,
    secret: str,
    clients: int = 20,
    per_client: int = 25,
    text: str = "pods -A",
    user: str = "U_DEV",
    channel: str = "C_BENCH",
    response_url: str = "http://127.0.0.1:9/r",
    think: float = 0.0,
    seed: int = 1,
) -> LoadResult:
    """``clients`` concurrent clients, each sending ``per_client`` commands.

    With ``think`` > 0 each client pauses a random time (exponential, mean ``think`` seconds, seeded
    by ``seed``) after each ack and the clients start at random offsets, so commands arrive
    independently (about ``clients / think`` a second) as a workspace's users send them; a fixed
    pause would keep the clients in step and turn the load into waves of ``clients`` at once. With
    ``think`` = 0 every client sends again as soon as it is answered (the burst shape). Paced clients
    open a connection per command (a pause can outlast the server's keep-alive); burst clients keep one.
    """
    return asyncio.run(_run(app_url, secret, clients, per_client, text, user, channel, response_url, think, seed))
