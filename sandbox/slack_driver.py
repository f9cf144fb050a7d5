"""Plays Slack's side of the HTTP conversation: signed requests into a running Bolt app.

Used by the sandbox (``chatops demo``), the benchmarks and the end-to-end tests. Each method
builds the body Slack would send (slash command form, ``block_actions`` / ``view_submission``
``payload=<json>`` forms, Events API ``event_callback`` JSON), signs it with ``sandbox.signing``
and POSTs it to ``{app_url}/slack/events``, returning the ``httpx.Response``. Shapes follow
https://docs.slack.dev/interactivity/implementing-slash-commands,
https://docs.slack.dev/reference/interaction-payloads/block_actions-payload and
https://docs.slack.dev/apis/events-api (retry headers ``X-Slack-Retry-Num`` / ``-Reason``).

``as_team(team_id, enterprise_id)`` gives a driver whose requests come from another workspace (a
person in a Slack Connect channel): slash commands and interactions then carry that ``team_id`` /
``enterprise_id`` (and ``user.team_id``), events keep the installation's envelope (``team_id``,
``authorizations``) while the event names the sender's ``user_team`` / ``source_team``, as in
https://docs.slack.dev/apis/slack-connect. Guests are people the Slack stand-in knows as
``is_restricted`` / ``is_ultra_restricted``; direct messages are ``message`` events with
``channel_type: im`` on a ``D`` channel.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx

from sandbox import signing

UNROUTABLE_RESPONSES = "http://127.0.0.1:9/response/"  # port 9 (discard): refused at once, never the internet


class SlackDriver:
    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        team_id: str = "T0SANDBOX",
        http: httpx.Client | None = None,
        now: Callable[[], float] = time.time,
        api_app_id: str = "A0SANDBOX",
        bot_user_id: str = "UBOT",
        response_url_for: Callable[[str], str] | None = None,
    ) -> None:
        """``response_url_for(tag)`` builds response URLs (pass ``SlackStandIn.response_url``)."""
        self.endpoint = app_url.rstrip("/") + "/slack/events"
        self.signing_secret, self.team_id, self.api_app_id = signing_secret, team_id, api_app_id
        self.home_team_id, self.enterprise_id = team_id, ""  # the installation's team; the sender's enterprise
        self.bot_user_id, self.now = bot_user_id, now
        # a connection per request: a kept-alive one can be closed by the server's idle timeout
        # (uvicorn's is 5 s) just as the next request goes out on it, which fails as a reset
        self.http = http or httpx.Client(timeout=10.0, limits=httpx.Limits(max_keepalive_connections=0))
        self._response_url_for = response_url_for or (lambda tag: UNROUTABLE_RESPONSES + tag)
        self._counter = itertools.count(1)

    def as_team(self, team_id: str, enterprise_id: str = "") -> SlackDriver:
        """The same app's requests, sent by a person of another workspace (a Slack Connect channel)."""
        other = SlackDriver.__new__(SlackDriver)
        other.__dict__.update(self.__dict__)
        other.team_id, other.enterprise_id = team_id, enterprise_id
        return other

    # ---- low level -------------------------------------------------------------------------------
    def signed_headers(self, body: bytes, timestamp: int | None = None, secret: str | None = None) -> dict:
        stamp = int(self.now()) if timestamp is None else timestamp
        return signing.signed_headers(self.signing_secret if secret is None else secret, stamp, body)

    def post_raw(self, body: bytes, headers: dict) -> httpx.Response:
        return self.http.post(self.endpoint, content=body, headers=headers)

    def _post(self, body: bytes, content_type: str, extra: dict | None = None) -> httpx.Response:
        headers = {"Content-Type": content_type, **self.signed_headers(body), **(extra or {})}
        return self.post_raw(body, headers)

    def _form(self, fields: dict) -> httpx.Response:
        return self._post(urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def _payload(self, payload: dict) -> httpx.Response:
        return self._form({"payload": json.dumps(payload)})

    # ---- ids -------------------------------------------------------------------------------------
    def _next(self) -> int:
        return next(self._counter)

    def new_ts(self) -> str:
        return f"{int(self.now())}.{self._next():06d}"

    def new_trigger_id(self) -> str:
        return f"{self._next()}.{int(self.now())}.{secrets.token_hex(16)}"

    def new_response_url(self) -> str:
        return self._response_url_for(f"{self.team_id}-{self._next()}-{secrets.token_hex(6)}")

    def _user(self, user: str) -> dict:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id}

    def _team(self) -> dict:
        return {"id": self.team_id, "domain": "sandbox"}

    def _enterprise(self) -> dict | None:
        return {"id": self.enterprise_id, "name": "enterprise"} if self.enterprise_id else None

    # ---- slash commands and interactivity --------------------------------------------------------
    def slash(
        self,
        text: str,
        user: str = "U_DEV",
        channel: str = "C_REQ",
        command: str = "/ops",
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> httpx.Response:
        fields = {
            "token": "sandbox-verification-token",
            "team_id": self.team_id,
            "team_domain": "sandbox",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else channel.lower(),
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self.new_response_url(),
            "trigger_id": trigger_id or self.new_trigger_id(),
        }
        if self.enterprise_id:
            fields.update(enterprise_id=self.enterprise_id, enterprise_name="enterprise")
        return self._form(fields)

    def block_action(
        self,
        action_id: str,
        value: str,
        user: str,
        channel: str,
        message_ts: str,
        thread_ts: str | None = None,
        block_id: str = "b",
        trigger_id: str | None = None,
        response_url: str | None = None,
    ) -> httpx.Response:
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        }
        message: dict[str, Any] = {
            "type": "message",
            "ts": message_ts,
            "user": self.bot_user_id,
            "text": "",
            "bot_id": "B0SANDBOX",
        }
        if thread_ts:
            container["thread_ts"] = message["thread_ts"] = thread_ts
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "text": {"type": "plain_text", "text": action_id},
            "action_ts": f"{self.now():.6f}",
        }
        return self._payload(
            {
                "type": "block_actions",
                "user": self._user(user),
                "api_app_id": self.api_app_id,
                "token": "sandbox-verification-token",
                "container": container,
                "trigger_id": trigger_id or self.new_trigger_id(),
                "team": self._team(),
                "enterprise": self._enterprise(),
                "is_enterprise_install": False,
                "channel": {"id": channel, "name": channel.lower()},
                "message": message,
                "state": {"values": {}},
                "response_url": response_url or self.new_response_url(),
                "actions": [action],
            }
        )

    def view_submission(self, callback_id: str, values: dict, user: str, private_metadata: str = "") -> httpx.Response:
        """``values`` is ``{block_id: {action_id: state}}``; a plain string state becomes a text input."""

        def wrap(value: Any) -> dict:
            return value if isinstance(value, dict) else {"type": "plain_text_input", "value": value}

        state = {block: {action: wrap(value) for action, value in actions.items()} for block, actions in values.items()}
        view = {
            "id": f"V{self._next():010d}",
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": state},
            "hash": f"{self.now():.6f}.sandbox",
            "title": {"type": "plain_text", "text": "ChatOps"},
            "app_id": self.api_app_id,
            "bot_id": "B0SANDBOX",
        }
        return self._payload(
            {
                "type": "view_submission",
                "team": self._team(),
                "user": self._user(user),
                "api_app_id": self.api_app_id,
                "token": "sandbox-verification-token",
                "trigger_id": self.new_trigger_id(),
                "view": view,
                "response_urls": [],
                "enterprise": self._enterprise(),
                "is_enterprise_install": False,
            }
        )

    # ---- Events API ------------------------------------------------------------------------------
    def url_verification(self, challenge: str) -> httpx.Response:
        body = {"token": "sandbox-verification-token", "challenge": challenge, "type": "url_verification"}
        return self._post(json.dumps(body).encode(), "application/json")

    def event(
        self,
        event: dict,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        *,
        ext_shared: bool = False,
    ) -> httpx.Response:
        """An Events API delivery; the envelope is the installation's, whoever the sender is."""
        body = {
            "token": "sandbox-verification-token",
            "team_id": self.home_team_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._next():08d}",
            "event_time": int(self.now()),
            "is_ext_shared_channel": ext_shared or self.team_id != self.home_team_id,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.home_team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
        extra = {} if retry_num is None else {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self._post(json.dumps(body).encode(), "application/json", extra)

    def message(
        self,
        text: str,
        user: str,
        channel: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        event_id: str | None = None,
    ) -> httpx.Response:
        """A person's message; on a ``D`` channel, a direct message to the bot (``channel_type: im``)."""
        return self.event(self._message_event("message", text, user, channel, ts, thread_ts), event_id)

    def mention(
        self,
        text: str,
        user: str,
        channel: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        event_id: str | None = None,
    ) -> httpx.Response:
        text = f"<@{self.bot_user_id}> {text}"
        event = self._message_event("app_mention", text, user, channel, ts, thread_ts)
        return self.event(event, event_id)

    def app_home_opened(self, user: str) -> httpx.Response:
        return self.event(
            {
                "type": "app_home_opened",
                "user": user,
                "channel": f"D{user[1:]}",
                "tab": "home",
                "event_ts": f"{self.now():.6f}",
            }
        )

    def subteam_members_changed(
        self, subteam_id: str, added: tuple[str, ...] = (), removed: tuple[str, ...] = ()
    ) -> httpx.Response:
        """Slack's news that a user group's members changed (``usergroups:read``)."""
        return self.event(
            {
                "type": "subteam_members_changed",
                "subteam_id": subteam_id,
                "team_id": self.home_team_id,
                "added_users": list(added),
                "added_users_count": str(len(added)),
                "removed_users": list(removed),
                "removed_users_count": str(len(removed)),
                "event_ts": f"{self.now():.6f}",
            }
        )

    def _message_event(
        self, kind: str, text: str, user: str, channel: str, ts: str | None, thread_ts: str | None
    ) -> dict:
        stamp = ts or self.new_ts()
        event = {
            "type": kind,
            "text": text,
            "user": user,
            "channel": channel,
            "ts": stamp,
            "event_ts": stamp,
            "team": self.team_id,
            "channel_type": "im" if channel.startswith("D") else "channel",
        }
        if self.team_id != self.home_team_id:  # a person of another workspace in a shared channel
            event.update(user_team=self.team_id, source_team=self.team_id)
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event
