"""Posting that Slack may refuse for the channel: the refusal becomes ``ChannelUnavailable``, and
the words that tell a person what to do about it.

Slack answers ``not_in_channel`` when the bot is not a member of the channel, ``is_archived`` for an
archived channel and ``channel_not_found`` for one it cannot see (chat.postMessage, chat.update,
chat.postEphemeral and files.completeUploadExternal list these errors:
https://docs.slack.dev/reference/methods/chat.postMessage). A slash command's ``response_url``
still works then (it is not a channel post), and so does a direct message to the person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError

from bot.domain import Msg
from bot.errors import ChannelUnavailable
from bot.mrkdwn import Markup, Mrkdwn, channel, escape, markup, mention

log = logging.getLogger(__name__)
CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
T = TypeVar("T")


def channel_error(exc: BaseException) -> str:
    """The channel error code Slack gave, or ""."""
    if isinstance(exc, SlackApiError):
        code = str((exc.response or {}).get("error", ""))
        return code if code in CHANNEL_ERRORS else ""
    return ""


def guarded(channel_id: str, lang: str, call: Callable[[], T]) -> T:
    """``call()``; a channel refusal from Slack is raised as ``ChannelUnavailable``."""
    try:
        return call()
    except SlackApiError as exc:
        code = channel_error(exc)
        if code:
            raise ChannelUnavailable(channel_id, code, lang) from exc
        raise


def bot_mention(client: Any) -> str:
    """``<@Ubot>`` (Slack shows it as @name) from ``auth.test``; ``@bot`` if that fails."""
    try:
        return mention(str(client.auth_test()["user_id"]))
    except Exception:  # noqa: BLE001 - only the wording of a hint depends on it
        log.warning("auth.test failed; the invite hint names no bot")
        return "@bot"


NOTHING_STARTED = Msg("nothing was started", "아무 작업도 시작하지 않았습니다")


def channel_help(
    exc: ChannelUnavailable, bot: str, what: Msg | None = None, consequence: Msg = NOTHING_STARTED
) -> Mrkdwn:
    """What to tell a person when Slack refused to post in ``exc.channel`` (mrkdwn, both languages).

    ``what`` names what was not posted (default: the request's thread), ``consequence`` what that
    means; ``bot`` is ``bot_mention()``. Both are the bot's own words, escaped all the same.
    """
    what = what or Msg("your request's thread", "요청 스레드")
    values = {
        "where": channel(exc.channel),
        "what": what.en,
        "what_ko": what.ko,
        "then": consequence.en,
        "then_ko": consequence.ko,
        "bot": bot if isinstance(bot, Markup) else Markup(escape(bot)),
    }
    if exc.code == "is_archived":
        return markup(
            "⚠️ {where} is archived, so I could not post {what} there; {then}. Use a channel that is in use.",
            "⚠️ {where} 채널이 보관(archived)되어 {what_ko:을} 게시할 수 없습니다. {then_ko}. "
            "사용 중인 채널을 이용해 주세요.",
            **values,
        )
    invite_en = " Invite me there with `/invite {bot}`, then try again."
    invite_ko = " 해당 채널에서 `/invite {bot}` 명령으로 봇을 초대한 뒤 다시 시도해 주세요."
    if exc.code == "channel_not_found":
        return markup(
            "⚠️ I cannot see {where} (it is private, or I was never added), so I could not post "
            "{what} there; {then}." + invite_en,
            "⚠️ {where} 채널을 볼 수 없어(비공개이거나 봇이 추가되지 않음) {what_ko:을} 게시하지 "
            "못했습니다. {then_ko}." + invite_ko,
            **values,
        )
    return markup(
        "⚠️ I am not a member of {where}, so I could not post {what} there; {then}." + invite_en,
        "⚠️ 봇이 {where} 채널의 멤버가 아니어서 {what_ko:을} 게시하지 못했습니다. {then_ko}." + invite_ko,
        **values,
    )


def tell(client: Any, respond: Any, body: dict[str, Any], text: str) -> bool:
    """Tell the person behind ``body`` ``text`` privately, by whatever still works.

    The ``response_url`` first (a slash command's or a button's: it needs no channel membership),
    then an ephemeral message in the channel, then a direct message. True once one got through.
    """
    user = (body.get("user") or {}).get("id") or body.get("user_id") or (body.get("event") or {}).get("user")
    where = (body.get("channel") or {}).get("id") or body.get("channel_id") or (body.get("event") or {}).get("channel")
    attempts: list[Callable[[], Any]] = []
    if respond is not None and body.get("response_url"):
        attempts.append(lambda: respond(text=text, response_type="ephemeral", replace_original=False))
    if client is not None and user and where:
        attempts.append(lambda: client.chat_postEphemeral(channel=where, user=user, text=text))
    if client is not None and user:
        attempts.append(lambda: client.chat_postMessage(channel=user, text=text))
    for attempt in attempts:
        try:
            attempt()
            return True
        except Exception:
            log.warning("could not tell the user this way", exc_info=True)
    return False
