"""A local stand-in for Slack's Web API, response URLs, v2 file uploads and Socket Mode.

Used by the sandbox (``chatops demo``) and the tests: the product's ``WebClient`` gets
``base_url=stand_in.base_url`` and talks real HTTP to a ``ThreadingHTTPServer`` on 127.0.0.1.
Answers have Slack's shape (HTTP 200 with ``{"ok": true, ...}`` or ``{"ok": false, "error": code}``;
HTTP 429 with ``Retry-After`` when rate limited), blocks are checked by ``slack_checks`` before
anything is recorded, and every call is recorded for assertions.

This module holds ``SlackStandIn`` itself (state, queries, faults, dispatch) and its HTTP handler.
The method implementations are in ``slack_methods``, the Socket Mode server (whose URL
``apps.connections.open`` hands out; ``socket_send`` pushes an envelope and returns its ack) in
``slack_socket``, and the recorded dataclasses in ``slack_records``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox import slack_checks
from sandbox.slack_checks import decode_args
from sandbox.slack_methods import answer, method_table
from sandbox.slack_records import Call, Ephemeral, Fault, Message, Response, Upload
from sandbox.slack_socket import SocketModeServer
from sandbox.slack_workspace import Workspace

__all__ = ["Call", "Ephemeral", "Message", "Response", "SlackStandIn", "Upload"]

FIRST_TS = 1_700_000_000_000_100  # microseconds: the first ts handed out is "1700000000.000100"


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    ephemerals: list[Ephemeral] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    views: dict[str, dict] = field(default_factory=dict)
    homes: dict[str, dict] = field(default_factory=dict)
    pending_files: dict[str, dict] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    acks: dict[str, dict] = field(default_factory=dict)
    seq: int = 0


class SlackStandIn(Workspace):
    """The Slack Web API on 127.0.0.1; ``start()`` returns the ``base_url`` for ``WebClient``."""

    def __init__(
        self,
        team_id: str = "T0SANDBOX",
        bot_user_id: str = "UBOT",
        bot_id: str = "B0SANDBOX",
        app_id: str = "A0SANDBOX",
        *,
        strict_channels: bool = False,
    ) -> None:
        self.team_id, self.bot_user_id, self.bot_id, self.app_id = team_id, bot_user_id, bot_id, app_id
        self.strict_channels = strict_channels
        self._gone_channels: set[str] = set()
        self._lock = threading.RLock()
        self._state = _State()
        self._users: dict[str, dict] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._channels: dict[str, dict] = {}
        self._http: ThreadingHTTPServer | None = None
        self._socket = SocketModeServer(app_id, self._lock, lambda: self._state.acks)
        self._methods: dict[str, Callable[[dict], dict]] = method_table(self)

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> str:
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._http.daemon_threads = True
        threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True).start()
        self._socket.start()
        return self.base_url

    def stop(self) -> None:
        self._socket.stop()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()

    @property
    def url(self) -> str:
        if self._http is None:
            raise RuntimeError("SlackStandIn is not started")
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.url + "/api/"

    @property
    def socket_url(self) -> str:
        return self._socket.url

    def next_ts(self) -> str:
        """A fresh ts from the same sequence as posted messages (for a person's message sent by event)."""
        with self._lock:
            return self._next_ts()

    def add_message(self, channel: str, text: str, user: str, thread_ts: str | None = None) -> Message:
        """A message a person wrote (for example the request a thread hangs from)."""
        with self._lock:
            message = Message(channel, self._next_ts(), text, thread_ts=thread_ts, user=user)
            self._state.messages.append(message)
            return message

    # ---- faults ----------------------------------------------------------------------------------
    def fail_next(
        self, method: str, status: int = 429, retry_after: int = 1, times: int = 1, error: str | None = None
    ) -> None:
        """The next ``times`` calls to ``method`` fail: HTTP 429 ratelimited, or ok:false ``error``."""
        with self._lock:
            self._state.faults.setdefault(method, []).extend([Fault(status, retry_after, error)] * times)

    # ---- what happened ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget calls, messages, views, uploads and faults; users, groups and channels stay."""
        with self._lock:
            self._state = _State()

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[dict]:
        return [call.args for call in self.calls if call.method == method]

    @property
    def responses(self) -> list[Response]:
        with self._lock:
            return list(self._state.responses)

    @property
    def uploads(self) -> list[Upload]:
        with self._lock:
            return list(self._state.uploads)

    def messages(self, channel: str | None = None) -> list[Message]:
        with self._lock:
            return [m for m in self._state.messages if channel is None or m.channel == channel]

    def channels(self) -> list[str]:
        """Channels that hold at least one message, sorted."""
        return sorted({m.channel for m in self.messages()})

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """The parent (when known) and then its replies, oldest first."""
        return [m for m in self.messages(channel) if m.ts == thread_ts or m.thread_ts == thread_ts]

    def find(self, predicate: Callable[[Message], bool]) -> Message | None:
        return next((m for m in self.messages() if predicate(m)), None)

    def ephemerals(self, user: str | None = None) -> list[Ephemeral]:
        with self._lock:
            return [e for e in self._state.ephemerals if user is None or e.user == user]

    def views(self) -> list[dict]:
        """Modals opened or updated, by view id order."""
        with self._lock:
            return list(self._state.views.values())

    def home(self, user: str) -> dict | None:
        with self._lock:
            return self._state.homes.get(user)

    def wait_for(self, predicate: Callable[[Any], bool], timeout: float = 5.0, source: str = "messages") -> Any:
        """Poll until an item of ``source`` (messages, calls, responses, ephemerals, uploads) matches."""
        sources: dict[str, Callable[[], list]] = {
            "messages": self.messages,
            "calls": lambda: self.calls,
            "responses": lambda: self.responses,
            "ephemerals": self.ephemerals,
            "uploads": lambda: self.uploads,
        }
        deadline = time.monotonic() + timeout
        while True:
            items = sources[source]()
            match = next((item for item in items if predicate(item)), None)
            if match is not None:
                return match
            if time.monotonic() >= deadline:
                listing = "\n".join(f"  {item}" for item in items[-20:]) or "  (none)"
                raise AssertionError(f"no matching {source} within {timeout}s; last {source}:\n{listing}")
            time.sleep(0.02)

    def response_url(self, tag: str = "r") -> str:
        return f"{self.url}/response/{tag}"

    # ---- Socket Mode -----------------------------------------------------------------------------
    def socket_send(self, envelope: dict, timeout: float = 5.0) -> dict | None:
        """Push an envelope to the newest Socket Mode client and return its ack (None if none came).

        Raises AssertionError when no client has connected within ``timeout``.
        """
        return self._socket.send(envelope, timeout)

    # ---- dispatch (called by the HTTP handler) ---------------------------------------------------
    def dispatch(self, method: str, args: dict, token: str | None) -> tuple[int, dict, dict]:
        """One Web API call: (HTTP status, extra headers, JSON body); records it."""
        with self._lock:
            faults = self._state.faults.get(method)
            fault = faults.pop(0) if faults else None
        status, headers, body = answer(self._methods, method, args, token, fault)
        with self._lock:
            self._state.calls.append(Call(method, decode_args(args, strict=False), body, time.time()))
        return status, headers, body

    def record_response(self, tag: str, body: dict) -> str | None:
        """A POST to a response URL; returns the error text for a payload Slack would refuse."""
        problem = slack_checks.message_error(body.get("text"), body.get("blocks"), body.get("attachments"))
        if problem and not body.get("delete_original"):
            return problem[0]
        with self._lock:
            self._state.responses.append(Response(tag, body, time.time()))
        return None

    def record_upload(self, file_id: str, data: bytes) -> bool:
        with self._lock:
            pending = self._state.pending_files.get(file_id)
            if pending is None:
                return False
            pending["uploaded"] = len(data)
            pending["first_line"] = first_text_line(data)
            return True

    def _next_ts(self) -> str:
        self._state.seq += 1
        micros = FIRST_TS + (self._state.seq - 1) * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def first_text_line(data: bytes, limit: int = 80) -> str:
    """The first non-empty line of ``data`` when it is UTF-8 text (no NUL byte), cut to ``limit``; else ""."""
    if b"\0" in data[:4096]:
        return ""
    head = data[:4096]
    for cut in range(4 if len(data) > len(head) else 1):  # a character may straddle the 4 KB cut
        try:
            text = head[: len(head) - cut].decode("utf-8")
            break
        except UnicodeDecodeError:
            continue
    else:
        return ""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


class _Handler(BaseHTTPRequestHandler):
    """The stand-in's HTTP side: Web API methods, response URLs and upload URLs of ``stand_in``."""

    protocol_version = "HTTP/1.1"
    stand_in: SlackStandIn

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _serve(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        kind, _, name = parts.path.strip("/").partition("/")
        if kind == "api" and name:
            self._serve_api(name, parts.query, body)
        elif kind == "response" and self.command == "POST":
            error = self.stand_in.record_response(name, json.loads(body or b"{}"))
            self._reply(400 if error else 200, (error or "ok").encode(), "text/plain")
        elif kind == "upload" and self.command == "POST":
            found = self.stand_in.record_upload(name, body)
            self._reply(200 if found else 404, f"OK - {len(body)}".encode() if found else b"not found", "text/plain")
        else:
            self._reply(404, b"not found", "text/plain")

    def _serve_api(self, name: str, query: str, body: bytes) -> None:
        """A Web API call: its arguments from the query and the body, its token from the header or the form."""
        args = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        args.update(self._body_args(body))
        auth = self.headers.get("Authorization", "")
        form_token = args.pop("token", None)
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else form_token
        status, headers, answer = self.stand_in.dispatch(name, args, token)
        self._reply(status, json.dumps(answer).encode(), "application/json; charset=utf-8", headers)

    def _body_args(self, body: bytes) -> dict:
        if not body:
            return {}
        if self.headers.get("Content-Type", "").startswith("application/json"):
            parsed = json.loads(body)
            return parsed if isinstance(parsed, dict) else {}
        return {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}

    def _reply(self, status: int, payload: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)


def _handler_class(stand_in: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    """A handler class that serves ``stand_in`` (the HTTP server makes one handler per connection)."""
    return type("Handler", (_Handler,), {"stand_in": stand_in})
