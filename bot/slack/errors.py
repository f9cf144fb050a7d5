"""Failure reporting for lazy listeners: log the traceback with a reference id and tell the user.

Never ``except Exception: logger.error(e)``; the user hears about it, in the thread
or ephemerally, with a reference id that is also in the log.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from bot.errors import ChannelUnavailable
from bot.mrkdwn import as_mrkdwn
from bot.parsing.text import has_hangul
from bot.services.failures import describe_failure, new_ref
from bot.slack.posting import bot_mention, channel_help, tell

log = logging.getLogger("bot.listeners")


def reporting_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a lazy listener: any exception is logged with a ref and told to the user."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ChannelUnavailable as exc:  # not a crash: the person can fix it by inviting the bot
            log.warning(
                "Slack refused to post", extra={"listener": func.__name__, "channel": exc.channel, "error": exc.code}
            )
            named = _arguments(func, args, kwargs)
            body = named.get("body") or {}
            hint = channel_help(exc, bot_mention(named.get("client")))
            if not tell(named.get("client"), named.get("respond"), body, as_mrkdwn(hint, exc.lang)):
                log.error("nobody could be told that Slack refused to post", extra={"channel": exc.channel})
            return None
        except Exception as exc:
            ref = new_ref()
            log.exception("listener failed", extra={"ref": ref, "listener": func.__name__})
            named = _arguments(func, args, kwargs)
            body = named.get("body") or {}
            lang = "ko" if has_hangul(str(body.get("text", ""))[:200]) else "en"
            text = as_mrkdwn(describe_failure(exc, ref), lang)  # error texts carry what users and APIs said
            _tell(named, body, text)
            return None

    return wrapper


def _arguments(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The listener's arguments by name: Bolt passes each by keyword, a direct call may pass them in order."""
    if not args:
        return kwargs
    try:
        return dict(inspect.signature(func).bind_partial(*args, **kwargs).arguments)
    except TypeError:
        return kwargs


def _tell(kwargs: dict[str, Any], body: dict[str, Any], text: str) -> None:
    respond = kwargs.get("respond")
    try:
        if respond is not None and body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        client = kwargs.get("client")
        channel = (
            (body.get("channel") or {}).get("id") or body.get("channel_id") or (body.get("event") or {}).get("channel")
        )
        user = (body.get("user") or {}).get("id") or body.get("user_id") or (body.get("event") or {}).get("user")
        if client is not None and channel and user:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
    except Exception:
        log.exception("could not tell the user about a failure")
