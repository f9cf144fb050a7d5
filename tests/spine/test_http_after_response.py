"""``bot.http``: work a listener hands on runs after the answer has been written, and is never dropped."""

from __future__ import annotations

import asyncio

import pytest
from starlette.responses import PlainTextResponse

from bot.http import _AnswerThen


def _run(response, send) -> None:
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    asyncio.run(response({"type": "http", "method": "POST"}, receive, send))


def test_hooks_run_once_the_answer_is_written():
    events: list[str] = []

    async def send(message):
        events.append(message["type"])

    _run(_AnswerThen(PlainTextResponse("ok"), [lambda: events.append("queued")]), send)
    assert events == ["http.response.start", "http.response.body", "queued"]


def test_hooks_still_run_when_the_client_has_gone():
    events: list[str] = []

    async def send(message):
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        _run(_AnswerThen(PlainTextResponse("ok"), [lambda: events.append("queued")]), send)
    assert events == ["queued"]
