"""Slack Web API errors in ``chatops_slack_api_errors_total``, seen by slack_sdk's own retry hook.

slack_sdk asks each of a ``WebClient``'s ``retry_handlers`` about every answer before it becomes a
``SlackResponse`` (or a ``SlackApiError``): a 200 with its parsed body (``{"ok": false, "error":
"not_in_channel"}``), an HTTP error (429 ``ratelimited``, 5xx) and a request that got no answer
(``BaseClient._perform_urllib_http_request`` in slackapi/python-slack-sdk
``slack_sdk/web/base_client.py``, 3.x). ``SlackErrorCounter`` is such a handler that never asks for a
retry: it only counts. Bolt builds a fresh ``WebClient`` for every request it dispatches and gives it
a copy of the app client's ``retry_handlers`` list (``App._init_context`` in slackapi/bolt-python
``slack_bolt/app/app.py``), so the listeners' ``client`` and ``say`` are counted too.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.cloud.metrics import SLACK_API_ERRORS


def _method(url: str) -> str:
    """``https://slack.com/api/chat.postMessage?x=1`` -> ``chat.postMessage``."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _error(response: HttpResponse) -> str:
    """Slack's error code in a non-ok answer, "" for an ok one."""
    body = response.body
    if body is None and response.data:
        try:
            body = json.loads(response.data)
        except (ValueError, UnicodeDecodeError):
            body = None
    if isinstance(body, dict):
        if body.get("ok", True) is not False:
            return "" if response.status_code < 400 else f"http_{response.status_code}"
        return str(body.get("error") or "unknown")
    if response.status_code == 429:
        return "ratelimited"
    return f"http_{response.status_code}" if response.status_code >= 400 else ""


class SlackErrorCounter(RetryHandler):
    """Counts each non-ok Slack answer by method and error; never retries. Put it first in the list:
    slack_sdk stops asking handlers once one of them takes the retry."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=0)

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None:
            code = _error(response)
        else:
            code = "connection_error" if error is not None else ""
        if code:
            SLACK_API_ERRORS.labels(_method(request.url), code).inc()
        return False

    def _can_retry(self, **_: Any) -> bool:
        return False


def counted(handlers: list[RetryHandler]) -> list[RetryHandler]:
    """``handlers`` with a ``SlackErrorCounter`` in front (once)."""
    return [SlackErrorCounter(), *(h for h in handlers if not isinstance(h, SlackErrorCounter))]
