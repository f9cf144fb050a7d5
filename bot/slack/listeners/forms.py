"""The features' modals (``Feature.forms``): opened in place of filing a slash command's request,
validated when submitted (errors shown on their fields), and filed as that request once valid.

The view's metadata carries the request channel, the language and the command's entities, so a
submission files exactly the request the command would have, with the form's values added.
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App

from bot.services.requests import Ask
from bot.slack.deps import Deps
from bot.slack.errors import reporting_errors
from handlers import registry
from handlers.base import Form


def form_view(form: Form, entities: dict[str, str], channel: str, lang: str, default_tz: str) -> dict[str, Any]:
    """The view to open: the feature's layout with the form's callback id and the request's metadata."""
    meta = {"channel": channel, "lang": lang, "entities": dict(entities)}
    return {
        **form.view(entities, lang, default_tz),
        "callback_id": form.callback_id,
        "private_metadata": json.dumps(meta),
    }


def _submitted(view: dict[str, Any]) -> tuple[Form | None, dict[str, Any], dict[str, str], dict[str, str]]:
    """(form, metadata, entities read, errors by block) of a submitted view."""
    form = registry.form_named(str(view.get("callback_id") or ""))
    meta = json.loads(view.get("private_metadata") or "{}")
    if form is None:
        return None, meta, {}, {}
    entities, problems = form.read(view["state"]["values"], meta.get("lang", "en"))
    return form, meta, entities, problems


def ack_submission(ack: Any, view: dict[str, Any]) -> None:
    _, _, _, problems = _submitted(view)
    if problems:
        ack(response_action="errors", errors=problems)
        return
    ack()


@reporting_errors
def submit(body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    form, meta, entities, problems = _submitted(view)
    if form is None or problems:
        return
    request_entities = {**meta.get("entities", {}), **entities}
    context["deps"].requests.submit(
        Ask(
            user=body["user"]["id"],
            channel=meta["channel"],
            text=form.text(request_entities),
            lang=meta.get("lang", "en"),
            intent=form.intent,
            entities=request_entities,
        )
    )


def register(app: App, deps: Deps) -> None:
    for form in registry.forms():
        app.view(form.callback_id)(ack=ack_submission, lazy=[submit])
