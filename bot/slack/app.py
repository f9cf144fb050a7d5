"""Builds the Bolt ``App`` and registers every surface explicitly."""

from __future__ import annotations

import logging
import re

from slack_bolt import App
from slack_sdk import WebClient

from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.listeners import actions, commands, events, home, rds_modal, reports

log = logging.getLogger(__name__)

SURFACES = (commands, events, actions, home, reports, rds_modal)


def build_app(settings: Settings, client: WebClient, deps: Deps, verify_requests: bool = True) -> App:
    app = App(client=client, signing_secret=settings.slack_signing_secret, process_before_response=True,
              token_verification_enabled=False, request_verification_enabled=verify_requests,
              logger=logging.getLogger("slack_bolt"))
    for surface in SURFACES:
        surface.register(app, deps)

    @app.action(re.compile(".*"))
    def ack_unknown_action(ack, body) -> None:
        """Last resort: a button from an old message or another app still gets its ack (not a 404)."""
        ack()
        log.info("ignored an action nobody handles", extra={"action": str(body.get("actions"))[:200]})

    @app.error
    def on_error(error: Exception, body: dict) -> None:
        log.error("unhandled listener error", exc_info=error)

    return app
