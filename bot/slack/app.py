"""Builds the Bolt ``App`` and registers every surface explicitly."""

from __future__ import annotations

import logging
import re

from slack_bolt import App
from slack_sdk import WebClient

from bot.settings import Settings
from bot.slack import guard, inject
from bot.slack.deps import Deps
from bot.slack.listeners import actions, commands, events, forms, home, reports

log = logging.getLogger(__name__)

SURFACES = (commands, events, actions, home, reports, forms)


def build_app(settings: Settings, client: WebClient, deps: Deps) -> App:
    """The Bolt app with every surface registered.

    Bolt's own signature check is off because nothing reaches this app unverified: ``bot.http``
    verifies signature and age before Bolt sees a byte (and answers 401), Socket Mode requests come
    over the app-token connection, and lazy workers replay requests the serving process verified.
    Checking again here would repeat the same HMAC over the same bytes on every ack.
    """
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,
        token_verification_enabled=False,
        request_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
    )
    # context["deps"] for every listener (bot.slack.inject), set first so every later step can read it.
    inject.install(app, deps)
    # One authorization policy for every surface (bot.services.authz), before any listener runs.
    guard.install(app, deps, deps.authorizer)
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
