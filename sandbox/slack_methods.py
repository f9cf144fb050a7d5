"""The Slack Web API methods the stand-in answers, the table of them, and ``answer`` for one call.

Each method takes decoded args and returns the body that follows ``"ok": true``, or raises
``SlackError`` with the code Slack would send; ``answer`` wraps that in Slack's reply (ok:false,
HTTP 429 for a queued rate-limit fault, ``unknown_method``, token checks). Behaviour is modelled on
https://docs.slack.dev/reference/methods (error codes per method). Deliberate detail: ``users.info``
returns ``locale`` only with ``include_locale=true``, as Slack does, and each person's ``team_id``,
``is_restricted`` / ``is_ultra_restricted`` (guests) and ``enterprise_user``
(https://docs.slack.dev/reference/objects/user-object); ``conversations.info`` says ``is_ext_shared``
(https://docs.slack.dev/reference/objects/conversation-object). Methods read and change the
stand-in's state under its lock; ``sandbox.slack_api`` owns that state and the HTTP side.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sandbox import slack_checks
from sandbox.slack_checks import SlackError, check_token, decode_args, required, truthy
from sandbox.slack_records import Ephemeral, Fault, Message, Upload

if TYPE_CHECKING:
    from sandbox.slack_api import SlackStandIn


def answer(
    methods: dict[str, Callable[[dict], dict]], method: str, args: dict, token: str | None, fault: Fault | None
) -> tuple[int, dict, dict]:
    """What Slack answers to one call: (HTTP status, extra headers, JSON body), a queued ``fault`` first."""
    status, headers = 200, {}
    try:
        if fault is not None and fault.error is None:
            status, headers = fault.status, {"Retry-After": str(fault.retry_after)}
            raise SlackError("ratelimited" if fault.status == 429 else "fatal_error")
        if method not in methods:
            raise SlackError("unknown_method")
        check_token(method, token)
        if fault is not None:
            raise SlackError(fault.error or "fatal_error")
        body = {"ok": True, **methods[method](decode_args(args))}
    except SlackError as refusal:
        body = {"ok": False, "error": refusal.code}
        if refusal.messages:
            body["response_metadata"] = {"messages": refusal.messages}
    return status, headers, body


def _tz_offset(tz: str) -> int:
    offset = datetime.now(ZoneInfo(tz)).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def method_table(s: SlackStandIn) -> dict[str, Callable[[dict], dict]]:
    m = _Methods(s)
    return {
        "chat.postMessage": m.post_message,
        "chat.update": m.update,
        "chat.postEphemeral": m.post_ephemeral,
        "views.open": m.views_open,
        "views.update": m.views_update,
        "views.publish": m.views_publish,
        "usergroups.users.list": m.usergroup_users,
        "users.info": m.users_info,
        "auth.test": m.auth_test,
        "conversations.info": m.conversations_info,
        "conversations.replies": m.conversations_replies,
        "conversations.history": m.conversations_history,
        "reactions.add": m.reactions_add,
        "files.getUploadURLExternal": m.upload_url,
        "files.completeUploadExternal": m.complete_upload,
        "apps.connections.open": lambda _args: {"url": s.socket_url},
    }


class _Methods:
    """The Web API methods; each takes decoded args and returns the body after ``"ok": true``."""

    def __init__(self, stand_in: SlackStandIn) -> None:
        self.s = stand_in

    def _message_checks(self, args: dict) -> None:
        if not args.get("channel"):
            raise SlackError("channel_not_found")
        self._channel_checks(str(args["channel"]))
        problem = slack_checks.message_error(args.get("text"), args.get("blocks"), args.get("attachments"))
        if problem:
            raise SlackError(*problem)

    def _channel_checks(self, channel: str) -> None:
        """channel_not_found / is_archived / not_in_channel, as chat.postMessage, chat.update,
        chat.postEphemeral and files.completeUploadExternal list them, checked before the payload."""
        refusal = self.s.channel_refusal(channel)
        if refusal:
            raise SlackError(refusal)

    def _find(self, channel: str, ts: str) -> int:
        for index, message in enumerate(self.s._state.messages):
            if message.channel == channel and message.ts == ts:
                return index
        raise SlackError("message_not_found")

    def _wire(self, message: Message, *, with_metadata: bool = False) -> dict:
        wire = {
            "type": "message",
            "ts": message.ts,
            "text": message.text,
            "user": message.user,
            "bot_id": message.bot_id,
            "team": self.s.team_id,
        }
        if message.blocks:
            wire["blocks"] = list(message.blocks)
        if message.thread_ts:
            wire["thread_ts"] = message.thread_ts
        if with_metadata and message.metadata is not None:
            wire["metadata"] = dict(message.metadata)
        return wire

    def post_message(self, args: dict) -> dict:
        self._message_checks(args)
        problem = slack_checks.metadata_error(args.get("metadata"))
        if problem:
            raise SlackError(problem)
        with self.s._lock:
            message = Message(
                args["channel"],
                self.s._next_ts(),
                args.get("text") or "",
                tuple(args.get("blocks") or ()),
                args.get("thread_ts") or None,
                self.s.bot_user_id,
                self.s.bot_id,
                metadata=args.get("metadata"),
            )
            self.s._state.messages.append(message)
        return {"channel": message.channel, "ts": message.ts, "message": self._wire(message)}

    def update(self, args: dict) -> dict:
        self._message_checks(args)
        with self.s._lock:
            index = self._find(args["channel"], str(args.get("ts")))
            old = self.s._state.messages[index]
            new = replace(
                old,
                text=args.get("text", old.text) or "",
                updates=old.updates + 1,
                blocks=tuple(args["blocks"]) if "blocks" in args else old.blocks,
            )
            self.s._state.messages[index] = new
        return {"channel": new.channel, "ts": new.ts, "text": new.text, "message": self._wire(new)}

    def post_ephemeral(self, args: dict) -> dict:
        self._message_checks(args)
        if not args.get("user"):
            raise SlackError("user_not_in_channel")
        with self.s._lock:
            ephemeral = Ephemeral(
                args["channel"],
                args["user"],
                self.s._next_ts(),
                args.get("text") or "",
                tuple(args.get("blocks") or ()),
                args.get("thread_ts") or None,
            )
            self.s._state.ephemerals.append(ephemeral)
        return {"message_ts": ephemeral.message_ts}

    def _view(self, view: Any, view_id: str | None = None) -> dict:
        problems = slack_checks.view_problems(view)
        if problems:
            raise SlackError("invalid_arguments", problems)
        view_id = view_id or f"V{uuid.uuid4().hex[:10].upper()}"
        return {
            **view,
            "id": view_id,
            "team_id": self.s.team_id,
            "app_id": self.s.app_id,
            "bot_id": self.s.bot_id,
            "hash": f"{time.time():.6f}.{uuid.uuid4().hex[:8]}",
            "state": {"values": {}},
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
        }

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
            found = [
                v
                for v in self.s._state.views.values()
                if v["id"] == args.get("view_id") or v.get("external_id") == args.get("external_id")
            ]
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
        user = {
            "id": known["id"],
            "team_id": known.get("team_id") or self.s.team_id,
            "name": known["name"],
            "real_name": known["name"],
            "deleted": False,
            "is_bot": False,
            "tz": known["tz"],
            "tz_label": known["tz"],
            "tz_offset": _tz_offset(known["tz"]),
            "is_restricted": bool(known.get("is_restricted")),
            "is_ultra_restricted": bool(known.get("is_ultra_restricted")),
            "profile": {
                "real_name": known["name"],
                "display_name": known["name"],
                "team": known.get("team_id") or self.s.team_id,
            },
        }
        if known.get("enterprise_id"):
            user["enterprise_user"] = {
                "id": known["id"],
                "enterprise_id": known["enterprise_id"],
                "teams": [user["team_id"]],
            }
        if truthy(args.get("include_locale")):
            user["locale"] = known["locale"]
        return {"user": user}

    def conversations_info(self, args: dict) -> dict:
        channel = self.s._channels.get(args.get("channel", ""))
        if channel is None:
            raise SlackError("channel_not_found")
        flags = {
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_member": True,
            "is_archived": False,
            "is_ext_shared": False,
            "is_shared": False,
        }
        return {"channel": {**flags, **channel}}

    def conversations_replies(self, args: dict) -> dict:
        """A thread, parent first, as conversations.replies returns it: ``thread_not_found`` for a ts that
        starts no thread the stand-in holds, the channel refusals of the other conversation methods, one
        page of up to ``limit`` messages (Slack's default and cap: 1000) with ``next_cursor`` for the rest."""
        channel, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        if not channel:
            raise SlackError("channel_not_found")
        self._channel_checks(channel)
        with self.s._lock:
            thread = [m for m in self.s._state.messages if m.channel == channel and (m.ts == ts or m.thread_ts == ts)]
        if not any(m.ts == ts for m in thread):
            raise SlackError("thread_not_found")
        limit = max(1, min(int(args.get("limit") or 1000), 1000))
        start = int(args.get("cursor") or 0)
        page = thread[start : start + limit]
        more = start + limit < len(thread)
        with_metadata = truthy(args.get("include_all_metadata"))
        body: dict = {"messages": [self._wire(m, with_metadata=with_metadata) for m in page], "has_more": more}
        body["response_metadata"] = {"next_cursor": str(start + limit) if more else ""}
        return body

    def conversations_history(self, args: dict) -> dict:
        """A channel's messages newest first, as conversations.history returns them: top-level messages
        only (a thread's replies are not in it), between ``oldest`` and ``latest`` (exclusive unless
        ``inclusive``), pages of ``limit`` (default 100, at most 999) with ``next_cursor``, and each
        message's ``metadata`` only with ``include_all_metadata``."""
        channel = str(args.get("channel") or "")
        if not channel:
            raise SlackError("channel_not_found")
        self._channel_checks(channel)
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        inclusive = truthy(args.get("inclusive"))

        def within(ts: str) -> bool:
            t = float(ts)
            return oldest <= t <= latest if inclusive else oldest < t < latest

        with self.s._lock:
            top = [m for m in self.s._state.messages if m.channel == channel and not m.thread_ts and within(m.ts)]
        top.sort(key=lambda m: float(m.ts), reverse=True)
        limit = max(1, min(int(args.get("limit") or 100), 999))
        start = int(args.get("cursor") or 0)
        page, more = top[start : start + limit], start + limit < len(top)
        with_metadata = truthy(args.get("include_all_metadata"))
        body: dict = {"messages": [self._wire(m, with_metadata=with_metadata) for m in page], "has_more": more}
        body["response_metadata"] = {"next_cursor": str(start + limit) if more else ""}
        return body

    def auth_test(self, _args: dict) -> dict:
        return {
            "url": "https://sandbox.slack.com/",
            "team": "Sandbox",
            "user": "chatops",
            "team_id": self.s.team_id,
            "user_id": self.s.bot_user_id,
            "bot_id": self.s.bot_id,
            "is_enterprise_install": False,
        }

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
        for one in str(channel or "").split(","):
            if one:
                self._channel_checks(one)
        done = []
        with self.s._lock:
            pending = self.s._state.pending_files
            if any(pending.get(f.get("id"), {}).get("uploaded") is None for f in files):
                raise SlackError("file_not_found")
            for item in files:
                meta = pending.pop(item["id"])
                upload = Upload(
                    item["id"],
                    meta["filename"],
                    item.get("title"),
                    channel,
                    thread_ts,
                    meta["uploaded"],
                    args.get("initial_comment"),
                    meta.get("first_line", ""),
                )
                self.s._state.uploads.append(upload)
                done.append(
                    {
                        "id": upload.file_id,
                        "name": upload.filename,
                        "title": upload.title or upload.filename,
                        "size": upload.length,
                    }
                )
            if channel:
                self.s._state.messages.append(
                    Message(
                        channel,
                        self.s._next_ts(),
                        args.get("initial_comment") or "",
                        thread_ts=thread_ts,
                        user=self.s.bot_user_id,
                        bot_id=self.s.bot_id,
                        files=tuple(f["id"] for f in done),
                    )
                )
        return {"files": done}
