"""A tiny HTTP proxy between the bot and moto that injects AWS throttling and 5xx answers.

``FaultyAws(moto_url)`` forwards every request to moto unchanged, except that the next N requests
for a chosen action are answered with an AWS error instead. Only query-protocol services (IAM,
EC2, RDS, STS: ``Action=...`` in the form body) are recognised, which is what the tests use.
``ProxiedSession`` is a ``boto3.Session`` whose clients use the proxy's endpoint, handed to
``bot.cloud.aws.Aws(session=...)``: the product code does not change.

The error bodies are the ones AWS sends for the query protocol. Throttling, as IAM answered it
(HTTP 400, quoted in https://github.com/legion-platform/legion/issues/807):
``<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>``.
A server fault: HTTP 500 ``InternalFailure`` "The request processing has failed because of an
unknown error, exception or failure." (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html).
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import boto3

THROTTLING = (400, "Throttling", "Rate exceeded")
INTERNAL_FAILURE = (
    500,
    "InternalFailure",
    "The request processing has failed because of an unknown error, exception or failure.",
)


@dataclass(frozen=True)
class Seen:
    action: str
    at: float
    status: int


def error_body(code: str, message: str, kind: str = "Sender") -> bytes:
    return (
        f'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>{kind}</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    ).encode()


class FaultyAws:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self._lock = threading.Lock()
        self._faults: dict[str, list[tuple[int, str, str]]] = {}
        self.seen: list[Seen] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = ""

    def start(self) -> str:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, action: str, times: int, fault: tuple[int, str, str] = THROTTLING) -> None:
        """Answer the next ``times`` requests for ``action`` with ``fault`` (status, code, message)."""
        with self._lock:
            self._faults.setdefault(action, []).extend([fault] * times)

    def attempts(self, action: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.action == action]

    def take_fault(self, action: str) -> tuple[int, str, str] | None:
        with self._lock:
            queue = self._faults.get(action)
            return queue.pop(0) if queue else None

    def record(self, action: str, status: int) -> None:
        with self._lock:
            self.seen.append(Seen(action, time.monotonic(), status))


def _handler(proxy: FaultyAws) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass

        def do_GET(self) -> None:
            self._relay(b"")

        def do_POST(self) -> None:
            self._relay(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        def _relay(self, body: bytes) -> None:
            action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
            fault = proxy.take_fault(action)
            if fault is not None:
                status, code, message = fault
                proxy.record(action, status)
                self._reply(
                    status,
                    error_body(code, message, "Sender" if status < 500 else "Receiver"),
                    {"Content-Type": "text/xml"},
                )
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            req = urllib.request.Request(
                proxy.upstream + self.path, data=body or None, headers=headers, method=self.command
            )
            try:
                with urllib.request.urlopen(req, timeout=20) as resp:
                    status, payload, out = resp.status, resp.read(), dict(resp.headers.items())
            except urllib.error.HTTPError as exc:
                status, payload, out = exc.code, exc.read(), dict(exc.headers.items())
            proxy.record(action, status)
            self._reply(
                status,
                payload,
                {
                    k: v
                    for k, v in out.items()
                    if k.lower() not in ("content-length", "transfer-encoding", "connection")
                },
            )

        def _reply(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


class ProxiedSession(boto3.Session):
    """A boto3 session whose clients talk to ``endpoint_url`` (the fault proxy) instead of the default."""

    def __init__(self, endpoint_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._endpoint_url = endpoint_url

    def client(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", self._endpoint_url)
        return super().client(*args, **kwargs)
