"""A local stand-in for Slack's Web API, response URLs, v2 file uploads and Socket Mode.

Used by the sandbox (``chatops demo``) and the tests: the product's ``WebClient`` gets
``base_url=stand_in.base_url`` and talks real HTTP to a ``ThreadingHTTPServer`` on 127.0.0.1.
Answers have Slack's shape (HTTP 200 with ``{"ok": true, ...}`` or ``{"ok": false, "error": code}``;
HTTP 429 with ``Retry-After`` when rate limited), blocks are checked by ``slack_checks`` before
anything is recorded, and every call is recorded for assertions. The Socket Mode side is a
``websockets`` server whose URL ``apps.connections.open`` hands out; ``socket_send`` pushes an
envelope to the connected client and returns its ack.

Method behaviour is modelled on https://docs.slack.dev/reference/methods (error codes per method).
Deliberate detail: ``users.info`` returns ``locale`` only with ``include_locale=true``, as Slack does.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from bot.sandbox import slack_checks
from bot.sandbox.slack_checks import SlackError, check_token, decode_args, required, truthy

FIRST_TS = 1_700_000_000_000_100  # microseconds: the first ts handed out is "1700000000.000100"


@dataclass(frozen=True)
class Call:
    method: str
    args: dict
    response: dict
    at: float

    def __str__(self) -> str:
        return f"{self.method} -> {self.response.get('ok')} {self.response.get('error', '')}".rstrip()


@dataclass(frozen=True)
class Message:
    channel: str
    ts: str
    text: str = ""
    blocks: tuple[dict, ...] = ()
    thread_ts: str | None = None
    user: str | None = None
    bot_id: str | None = None
    updates: int = 0
    files: tuple[str, ...] = ()
    reactions: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.channel} {self.ts}" + (f" in {self.thread_ts}" if self.thread_ts else "")
        return f"[{where}] {self.user or self.bot_id}: {self.text[:100]!r} ({len(self.blocks)} blocks)"


@dataclass(frozen=True)
class Ephemeral:
    channel: str
    user: str
    message_ts: str
    text: str = ""
    blocks: tuple[dict, ...] = ()
    thread_ts: str | None = None


@dataclass(frozen=True)
class Response:
    """What an app POSTed to a response URL (Bolt's ``respond()``)."""

    tag: str
    body: dict
    at: float


@dataclass(frozen=True)
class Upload:
    file_id: str
    filename: str
    title: str | None
    channel: str | None
    thread_ts: str | None
    length: int
    initial_comment: str | None = None


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: int
    error: str | None


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
    faults: dict[str, list[_Fault]] = field(default_factory=dict)
    acks: dict[str, dict] = field(default_factory=dict)
    seq: int = 0


class SlackStandIn:
    """The Slack Web API on 127.0.0.1; ``start()`` returns the ``base_url`` for ``WebClient``."""

    def __init__(self, team_id: str = "T0SANDBOX", bot_user_id: str = "UBOT", bot_id: str = "B0SANDBOX",
                 app_id: str = "A0SANDBOX") -> None:
        self.team_id, self.bot_user_id, self.bot_id, self.app_id = team_id, bot_user_id, bot_id, app_id
        self._lock = threading.RLock()
        self._acked = threading.Condition(self._lock)
        self._state = _State()
        self._users: dict[str, dict] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._channels: dict[str, dict] = {}
        self._sockets: list[ServerConnection] = []
        self._http: ThreadingHTTPServer | None = None
        self._ws: Any = None
        self._methods: dict[str, Callable[[dict], dict]] = _method_table(self)

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> str:
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._http.daemon_threads = True
        threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True).start()
        self._ws = serve(self._socket_session, "127.0.0.1", 0, ping_interval=None, compression=None)
        threading.Thread(target=self._ws.serve_forever, daemon=True).start()
        return self.base_url

    def stop(self) -> None:
        for conn in list(self._sockets):
            conn.close()
        if self._ws is not None:
            self._ws.shutdown()
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
        return f"ws://127.0.0.1:{self._ws.socket.getsockname()[1]}/link/?ticket={uuid.uuid4()}&app_id={self.app_id}"

    # ---- the workspace ---------------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, locale: str = "en-US", tz: str = "Asia/Seoul") -> None:
        with self._lock:
            self._users[user_id] = {"id": user_id, "name": name, "locale": locale, "tz": tz}

    def set_usergroup(self, usergroup_id: str, users: list[str]) -> None:
        with self._lock:
            self._usergroups[usergroup_id] = list(users)

    def add_channel(self, channel_id: str, name: str, is_private: bool = False) -> None:
        with self._lock:
            self._channels[channel_id] = {"id": channel_id, "name": name, "is_private": is_private}

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
    def fail_next(self, method: str, status: int = 429, retry_after: int = 1, times: int = 1,
                  error: str | None = None) -> None:
        """The next ``times`` calls to ``method`` fail: HTTP 429 ratelimited, or ok:false ``error``."""
        with self._lock:
            self._state.faults.setdefault(method, []).extend([_Fault(status, retry_after, error)] * times)

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

    def wait_for(self, predicate: Callable[[Any], bool], timeout: float = 5.0,
                 source: str = "messages") -> Any:
        """Poll until an item of ``source`` (messages, calls, responses, ephemerals, uploads) matches."""
        sources: dict[str, Callable[[], list]] = {
            "messages": self.messages, "calls": lambda: self.calls, "responses": lambda: self.responses,
            "ephemerals": self.ephemerals, "uploads": lambda: self.uploads}
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
        deadline = time.monotonic() + timeout
        while not self._sockets and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self._sockets:
            raise AssertionError("no Socket Mode client is connected")
        self._sockets[-1].send(json.dumps(envelope))
        envelope_id = envelope.get("envelope_id")
        with self._acked:
            remaining = max(0.0, deadline - time.monotonic())
            self._acked.wait_for(lambda: envelope_id in self._state.acks, remaining)
            return self._state.acks.get(envelope_id)

    def _socket_session(self, conn: ServerConnection) -> None:
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": self.app_id},
                 "debug_info": {"host": "sandbox", "build_number": 1, "approximate_connection_time": 18060}}
        conn.send(json.dumps(hello))
        self._sockets.append(conn)
        try:
            for raw in conn:
                message = json.loads(raw)
                if isinstance(message, dict) and "envelope_id" in message:
                    with self._acked:
                        self._state.acks[message["envelope_id"]] = message
                        self._acked.notify_all()
        except ConnectionClosed:
            pass
        finally:
            self._sockets.remove(conn)

    # ---- dispatch (called by the HTTP handler) ---------------------------------------------------
    def dispatch(self, method: str, args: dict, token: str | None) -> tuple[int, dict, dict]:
        """One Web API call: (HTTP status, extra headers, JSON body); records it."""
        status, headers = 200, {}
        with self._lock:
            faults = self._state.faults.get(method)
            fault = faults.pop(0) if faults else None
        try:
            if fault is not None and fault.error is None:
                status, headers = fault.status, {"Retry-After": str(fault.retry_after)}
                raise SlackError("ratelimited" if fault.status == 429 else "fatal_error")
            if method not in self._methods:
                raise SlackError("unknown_method")
            check_token(method, token)
            if fault is not None:
                raise SlackError(fault.error or "fatal_error")
            body = {"ok": True, **self._methods[method](decode_args(args))}
        except SlackError as refusal:
            body = {"ok": False, "error": refusal.code}
            if refusal.messages:
                body["response_metadata"] = {"messages": refusal.messages}
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
            return True

    def _next_ts(self) -> str:
        self._state.seq += 1
        micros = FIRST_TS + (self._state.seq - 1) * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _tz_offset(self, tz: str) -> int:
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
        return int(offset.total_seconds()) if offset else 0


def _handler_class(stand_in: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

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
                args = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                args.update(self._body_args(body))
                auth = self.headers.get("Authorization", "")
                form_token = args.pop("token", None)
                token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else form_token
                status, headers, answer = stand_in.dispatch(name, args, token)
                self._reply(status, json.dumps(answer).encode(), "application/json; charset=utf-8", headers)
            elif kind == "response" and self.command == "POST":
                error = stand_in.record_response(name, json.loads(body or b"{}"))
                self._reply(400 if error else 200, (error or "ok").encode(), "text/plain")
            elif kind == "upload" and self.command == "POST":
                found = stand_in.record_upload(name, body)
                self._reply(200 if found else 404, f"OK - {len(body)}".encode() if found else b"not found",
                            "text/plain")
            else:
                self._reply(404, b"not found", "text/plain")

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

    return Handler


def _method_table(s: SlackStandIn) -> dict[str, Callable[[dict], dict]]:
    m = _Methods(s)
    return {
        "chat.postMessage": m.post_message, "chat.update": m.update, "chat.postEphemeral": m.post_ephemeral,
        "views.open": m.views_open, "views.update": m.views_update, "views.publish": m.views_publish,
        "usergroups.users.list": m.usergroup_users, "users.info": m.users_info, "auth.test": m.auth_test,
        "conversations.info": m.conversations_info, "reactions.add": m.reactions_add,
        "files.getUploadURLExternal": m.upload_url, "files.completeUploadExternal": m.complete_upload,
        "apps.connections.open": lambda _args: {"url": s.socket_url},
    }


class _Methods:
    """The Web API methods; each takes decoded args and returns the body after ``"ok": true``."""

    def __init__(self, stand_in: SlackStandIn) -> None:
        self.s = stand_in

    def _message_checks(self, args: dict) -> None:
        if not args.get("channel"):
            raise SlackError("channel_not_found")
        problem = slack_checks.message_error(args.get("text"), args.get("blocks"), args.get("attachments"))
        if problem:
            raise SlackError(*problem)

    def _find(self, channel: str, ts: str) -> int:
        for index, message in enumerate(self.s._state.messages):
            if message.channel == channel and message.ts == ts:
                return index
        raise SlackError("message_not_found")

    def _wire(self, message: Message) -> dict:
        wire = {"type": "message", "ts": message.ts, "text": message.text, "user": message.user,
                "bot_id": message.bot_id, "team": self.s.team_id}
        if message.blocks:
            wire["blocks"] = list(message.blocks)
        if message.thread_ts:
            wire["thread_ts"] = message.thread_ts
        return wire

    def post_message(self, args: dict) -> dict:
        self._message_checks(args)
        with self.s._lock:
            message = Message(args["channel"], self.s._next_ts(), args.get("text") or "",
                              tuple(args.get("blocks") or ()), args.get("thread_ts") or None,
                              self.s.bot_user_id, self.s.bot_id)
            self.s._state.messages.append(message)
        return {"channel": message.channel, "ts": message.ts, "message": self._wire(message)}

    def update(self, args: dict) -> dict:
        self._message_checks(args)
        with self.s._lock:
            index = self._find(args["channel"], str(args.get("ts")))
            old = self.s._state.messages[index]
            new = replace(old, text=args.get("text", old.text) or "", updates=old.updates + 1,
                          blocks=tuple(args["blocks"]) if "blocks" in args else old.blocks)
            self.s._state.messages[index] = new
        return {"channel": new.channel, "ts": new.ts, "text": new.text, "message": self._wire(new)}

    def post_ephemeral(self, args: dict) -> dict:
        self._message_checks(args)
        if not args.get("user"):
            raise SlackError("user_not_in_channel")
        with self.s._lock:
            ephemeral = Ephemeral(args["channel"], args["user"], self.s._next_ts(), args.get("text") or "",
                                  tuple(args.get("blocks") or ()), args.get("thread_ts") or None)
            self.s._state.ephemerals.append(ephemeral)
        return {"message_ts": ephemeral.message_ts}

    def _view(self, view: Any, view_id: str | None = None) -> dict:
        problems = slack_checks.view_problems(view)
        if problems:
            raise SlackError("invalid_arguments", problems)
        view_id = view_id or f"V{uuid.uuid4().hex[:10].upper()}"
        return {**view, "id": view_id, "team_id": self.s.team_id, "app_id": self.s.app_id,
                "bot_id": self.s.bot_id, "hash": f"{time.time():.6f}.{uuid.uuid4().hex[:8]}",
                "state": {"values": {}}, "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", "")}

    def views_open(self, args: dict) -> dict:
        required(args, "trigger_id", "view")
        view = self._view(args["view"])
        with self.s._lock:
            self.s._state.views[view["id"]] = view
        return {"view": view}

    def views_update(self, args: dict) -> dict:
        required(args, "view")
        if not args.get("view_id") and not args.get("external_id"):
            raise SlackError("invalid_arguments", ["[ERROR] missing required field: view_id or external_id"])
        with self.s._lock:
            found = [v for v in self.s._state.views.values()
                     if v["id"] == args.get("view_id") or v.get("external_id") == args.get("external_id")]
            if not found:
                raise SlackError("not_found")
            view = self._view(args["view"], found[0]["id"])
            self.s._state.views[view["id"]] = view
        return {"view": view}

    def views_publish(self, args: dict) -> dict:
        required(args, "user_id", "view")
        with self.s._lock:
            old = self.s._state.homes.get(args["user_id"])
            view = self._view(args["view"], old["id"] if old else None)
            self.s._state.homes[args["user_id"]] = view
        return {"view": view}

    def usergroup_users(self, args: dict) -> dict:
        group = self.s._usergroups.get(args.get("usergroup", ""))
        if group is None:
            raise SlackError("no_such_subteam")
        return {"users": list(group)}

    def users_info(self, args: dict) -> dict:
        known = self.s._users.get(args.get("user", ""))
        if known is None:
            raise SlackError("user_not_found")
        user = {"id": known["id"], "team_id": self.s.team_id, "name": known["name"],
                "real_name": known["name"], "deleted": False, "is_bot": False, "tz": known["tz"],
                "tz_label": known["tz"],
                "tz_offset": self.s._tz_offset(known["tz"]),
                "profile": {"real_name": known["name"], "display_name": known["name"]}}
        if truthy(args.get("include_locale")):
            user["locale"] = known["locale"]
        return {"user": user}

    def conversations_info(self, args: dict) -> dict:
        channel = self.s._channels.get(args.get("channel", ""))
        if channel is None:
            raise SlackError("channel_not_found")
        flags = {"is_channel": True, "is_group": False, "is_im": False, "is_member": True,
                 "is_archived": False}
        return {"channel": {**channel, **flags}}

    def auth_test(self, _args: dict) -> dict:
        return {"url": "https://sandbox.slack.com/", "team": "Sandbox", "user": "chatops",
                "team_id": self.s.team_id, "user_id": self.s.bot_user_id, "bot_id": self.s.bot_id,
                "is_enterprise_install": False}

    def reactions_add(self, args: dict) -> dict:
        if not args.get("name"):
            raise SlackError("invalid_name")
        with self.s._lock:
            index = self._find(args.get("channel", ""), str(args.get("timestamp")))
            message = self.s._state.messages[index]
            if args["name"] in message.reactions:
                raise SlackError("already_reacted")
            self.s._state.messages[index] = replace(message, reactions=(*message.reactions, args["name"]))
        return {}

    def upload_url(self, args: dict) -> dict:
        required(args, "filename", "length")
        file_id = f"F{uuid.uuid4().hex[:10].upper()}"
        with self.s._lock:
            self.s._state.pending_files[file_id] = {"filename": args["filename"], "uploaded": None}
        return {"upload_url": f"{self.s.url}/upload/{file_id}", "file_id": file_id}

    def complete_upload(self, args: dict) -> dict:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments", ["[ERROR] missing required field: files"])
        channel = args.get("channel_id") or args.get("channels") or None
        thread_ts = args.get("thread_ts") or None
        done = []
        with self.s._lock:
            pending = self.s._state.pending_files
            if any(pending.get(f.get("id"), {}).get("uploaded") is None for f in files):
                raise SlackError("file_not_found")
            for item in files:
                meta = pending.pop(item["id"])
                upload = Upload(item["id"], meta["filename"], item.get("title"), channel, thread_ts,
                                meta["uploaded"], args.get("initial_comment"))
                self.s._state.uploads.append(upload)
                done.append({"id": upload.file_id, "name": upload.filename,
                             "title": upload.title or upload.filename, "size": upload.length})
            if channel:
                self.s._state.messages.append(Message(
                    channel, self.s._next_ts(), args.get("initial_comment") or "", thread_ts=thread_ts,
                    user=self.s.bot_user_id, bot_id=self.s.bot_id, files=tuple(f["id"] for f in done)))
        return {"files": done}
