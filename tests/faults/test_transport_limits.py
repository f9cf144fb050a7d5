"""What a request costs before it is known to be Slack's: bounded, through real HTTP (uvicorn).

The route is served by ``BackgroundServer`` behind a wrapper that counts the body bytes the app
pulls from the server (ASGI ``receive``), so "refused before the body was read" is checked on the
server's side, and the clients here are raw sockets that count what they sent: no timing.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from prometheus_client import CollectorRegistry
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from starlette.applications import Starlette

from bot import http as bot_http
from sandbox import signing
from sandbox.http_server import BackgroundServer

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
MB = 1024 * 1024


class CountingApp:
    """ASGI wrapper: how many body bytes the app below it received."""

    def __init__(self, app):
        self.app, self.body_bytes, self.requests = app, 0, 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.requests += 1

        async def counted():
            message = await receive()
            if message["type"] == "http.request":
                self.body_bytes += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


def _bolt_app() -> App:
    """A bare Bolt app that needs no Slack API: authorization is given, not asked of ``auth.test``."""

    def authorize(**_kwargs):
        return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-test", bot_user_id="UBOT", bot_id="B1")

    return App(signing_secret=SECRET, authorize=authorize, request_verification_enabled=False)


@pytest.fixture(scope="module")
def served():
    app = _bolt_app()

    @app.command("/ops")
    def ops(ack):
        ack(text="got it")

    counting = CountingApp(Starlette(routes=[bot_http.slack_route(app, SECRET, CollectorRegistry())]))
    server = BackgroundServer(counting)
    url = server.start()
    yield url, counting
    server.stop()


def _slash() -> bytes:
    return urlencode(
        {
            "token": "x",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/ops",
            "text": "pods",
            "response_url": "http://127.0.0.1:9/r",
            "trigger_id": "1.2.3",
        }
    ).encode()


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    sock.settimeout(10)
    return sock


def _head(headers: dict[str, str]) -> bytes:
    lines = [
        "POST /slack/events HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/x-www-form-urlencoded",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            break
        data += piece
    status = int(data.split(b" ", 2)[1])
    return status, data


class Sender(threading.Thread):
    """Sends ``total`` bytes in ``chunk``-sized pieces (HTTP chunked when ``chunked``); counts what went out.

    Stops at the first send error: the server closing the connection is how a refusal ends.
    """

    def __init__(self, sock: socket.socket, total: int, chunk: int = 64 * 1024, *, chunked: bool = False):
        super().__init__(daemon=True)
        self.sock, self.total, self.chunk, self.chunked = sock, total, chunk, chunked
        self.sent, self.stop = 0, threading.Event()

    def run(self) -> None:
        piece = b"a" * self.chunk
        try:
            while self.sent < self.total and not self.stop.is_set():
                data = piece[: self.total - self.sent]
                self.sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n" if self.chunked else data)
                self.sent += len(data)
            if self.chunked and not self.stop.is_set():
                self.sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass


def test_a_200_mb_content_length_is_refused_before_any_of_the_body_is_read(served):
    url, counting = served
    before = counting.body_bytes
    now = int(time.time())
    sock = _connect(url)
    # signed headers, so the size alone is what refuses it; not one byte of the body is sent
    sock.sendall(_head({**signing.signed_headers(SECRET, now, b"x"), "Content-Length": str(200 * MB)}))
    status, head = _response(sock)
    sock.close()
    assert status == 413
    assert b"connection: close" in head.lower()
    assert counting.body_bytes == before  # the app never pulled a byte of it


def test_a_200_mb_unsigned_body_streamed_with_content_length_is_refused_and_not_read(served):
    url, counting = served
    before = counting.body_bytes
    sock = _connect(url)
    sock.sendall(_head({"Content-Length": str(200 * MB)}))
    sender = Sender(sock, 200 * MB)
    sender.start()
    status, _ = _response(sock)
    sender.stop.set()
    sender.join(10)
    sock.close()
    assert status == 413
    assert counting.body_bytes == before
    # the client stopped long before the end: the server answered and closed instead of reading it
    assert sender.sent < 200 * MB


def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(served):
    url, counting = served
    before = counting.body_bytes
    now = int(time.time())
    sock = _connect(url)
    sock.sendall(_head({**signing.signed_headers(SECRET, now, b"x"), "Transfer-Encoding": "chunked"}))
    sender = Sender(sock, 200 * MB, chunked=True)
    sender.start()
    status, _ = _response(sock)
    sender.stop.set()
    sender.join(10)
    sock.close()
    assert status == 413
    pulled = counting.body_bytes - before
    # read up to the limit, then cut off: never the whole body, never much past the limit
    assert bot_http.MAX_BODY_BYTES < pulled <= bot_http.MAX_BODY_BYTES + 1 * MB
    assert sender.sent < 200 * MB


def test_a_small_chunked_body_that_is_signed_still_works(served):
    url, _ = served
    body = _slash()
    headers = signing.signed_headers(SECRET, int(time.time()), body)
    sock = _connect(url)
    sock.sendall(_head({**headers, "Transfer-Encoding": "chunked"}))
    half = len(body) // 2
    for part in (body[:half], body[half:]):
        sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
    sock.sendall(b"0\r\n\r\n")
    status, data = _response(sock)
    sock.close()
    assert status == 200


@pytest.mark.parametrize(
    "name,headers",
    [
        ("no timestamp", {"X-Slack-Signature": "v0=" + "0" * 64}),
        ("no signature", {"X-Slack-Request-Timestamp": "{now}"}),
        ("six minutes old", {"X-Slack-Request-Timestamp": "{old}", "X-Slack-Signature": "v0=" + "0" * 64}),
        ("timestamp not a number", {"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=" + "0" * 64}),
        ("signature not hex", {"X-Slack-Request-Timestamp": "{now}", "X-Slack-Signature": "v0=" + "z" * 64}),
        ("signature too short", {"X-Slack-Request-Timestamp": "{now}", "X-Slack-Signature": "v0=abc"}),
    ],
)
def test_bad_signature_headers_are_refused_before_the_body_is_read(served, name, headers):
    url, counting = served
    before = counting.body_bytes
    now = int(time.time())
    headers = {k: v.format(now=now, old=now - 360) for k, v in headers.items()}
    sock = _connect(url)
    sock.sendall(_head({**headers, "Content-Length": str(512 * 1024)}))  # within the limit; never sent
    status, _ = _response(sock)
    sock.close()
    assert status == 401, name
    assert counting.body_bytes == before, name


def test_the_signed_path_works_and_a_wrong_signature_is_refused_after_the_hmac(served):
    url, _ = served
    body = _slash()
    now = int(time.time())
    with httpx.Client(base_url=url) as client:
        good = client.post(
            "/slack/events",
            content=body,
            headers={**signing.signed_headers(SECRET, now, body), "Content-Type": "application/x-www-form-urlencoded"},
        )
        forged = client.post(
            "/slack/events",
            content=body,
            headers={
                **signing.signed_headers("another-secret", now, body),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
    assert good.status_code == 200 and good.text == "got it"
    assert forged.status_code == 401


def test_slacks_documented_example_verifies():
    # The example on Slack's "Verifying requests from Slack" page, checked by the route's own rules.
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGl"
        b"gcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    stamp = 1531420618
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert signing.signature(SECRET, stamp, body) == expected
    assert bot_http.SIGNATURE.fullmatch(expected)


def test_bad_signatures_are_logged_at_most_once_a_minute_with_a_count(caplog):
    now = [1000.0]
    warn = bot_http._RateLimitedWarning("bad signature; is the signing secret right?", clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="bot.http"):
        assert warn() is True
        assert [warn() for _ in range(5)] == [False] * 5
        now[0] += 61
        assert warn() is True
    records = [r for r in caplog.records if r.name == "bot.http"]
    assert len(records) == 2
    assert records[0].suppressed_since_last == 0 and records[1].suppressed_since_last == 5
    assert "signing secret" in records[0].getMessage()


def test_a_forged_request_logs_a_hint_about_the_signing_secret(caplog):
    app = _bolt_app()
    server = BackgroundServer(Starlette(routes=[bot_http.slack_route(app, SECRET, CollectorRegistry())]))
    url = server.start()
    body = _slash()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.http"), httpx.Client(base_url=url) as client:
            statuses = [
                client.post(
                    "/slack/events", content=body, headers=signing.signed_headers("wrong", int(time.time()), body)
                ).status_code
                for _ in range(3)
            ]
    finally:
        server.stop()
    assert statuses == [401, 401, 401]
    warnings = [r for r in caplog.records if r.name == "bot.http" and r.levelno == logging.WARNING]
    assert len(warnings) == 1  # three forged requests, one line
    assert "SLACK_SIGNING_SECRET" in warnings[0].getMessage()
