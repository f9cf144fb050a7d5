"""What the listener tests hand a callback: a ``Deps`` whose services are mocks, in a Bolt-like context."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import Mock

import pytest

from bot.services.apply import ApplyService
from bot.services.plans import PlanService
from bot.services.reports import ReportService
from bot.services.requests import RequestService
from bot.slack.deps import Deps


@pytest.fixture
def settings() -> SimpleNamespace:
    return SimpleNamespace(
        slash_command="/ops",
        request_channel_ids=("C1",),
        allow_direct_messages=False,
        default_timezone="Asia/Seoul",
    )


@pytest.fixture
def deps(settings) -> Deps:
    services = Mock(name="services")
    services.settings = settings
    return Deps(
        services=services,
        requests=Mock(spec=RequestService),
        plans=Mock(spec=PlanService),
        applier=Mock(spec=ApplyService),
        reports=Mock(spec=ReportService),
        authz=Mock(name="authz"),
    )


@pytest.fixture
def context(deps) -> dict[str, Any]:
    return {"deps": deps}


@pytest.fixture
def ack() -> Mock:
    return Mock(name="ack")


@pytest.fixture
def client() -> Mock:
    return Mock(name="client")


@pytest.fixture
def respond() -> Mock:
    return Mock(name="respond")
