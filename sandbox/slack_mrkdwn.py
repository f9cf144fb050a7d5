"""How Slack reads mrkdwn, for tests that check what a person would see in a message.

``markup_in`` lists the control sequences Slack would act on; ``rendered`` is the text as shown.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"<([^<>]*)>")


def markup_in(text: str) -> list[str]:
    """The control sequences Slack acts on in mrkdwn ``text``: ``<@U…>`` mentions, ``<!channel>`` /
    ``<!here>`` / ``<!subteam^S…>`` notifications, ``<#C…>`` channel links, ``<url|label>`` links.

    From "Formatting text for app surfaces" (https://docs.slack.dev/messaging/formatting-message-text):
    ``&``, ``<`` and ``>`` are control characters, sent escaped as ``&amp;``, ``&lt;``, ``&gt;`` to
    show literally; anything between an unescaped ``<`` and ``>`` is markup.
    """
    return _CONTROL.findall(text or "")


def rendered(text: str) -> str:
    """What a person sees for mrkdwn ``text``: markup replaced by what Slack shows, entities decoded."""

    def show(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if label:
            return label
        if target.startswith(("@", "#")):
            return target[0] + target[1:]
        if target.startswith("!"):
            return "@" + target[1:].split("^")[0]
        return target

    return _CONTROL.sub(show, text or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
