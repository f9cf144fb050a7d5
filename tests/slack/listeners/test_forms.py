"""The form callbacks of ``bot.slack.listeners.forms``, called directly with mocks, with the one form a
feature brings today: the RDS schedule modal."""

from __future__ import annotations

import json
from unittest.mock import Mock

from bot.services.requests import Ask
from bot.slack.listeners import forms
from handlers.rds.form import CALLBACK, FORM


def _view(days=("1", "2", "3", "4", "5"), stop="20:00", start="08:00", tz="Asia/Seoul", lang="en") -> dict:
    return {
        "callback_id": CALLBACK,
        "private_metadata": json.dumps(
            {"channel": "C1", "lang": lang, "entities": {"verb": "schedule", "db": "portal"}}
        ),
        "state": {
            "values": {
                "days": {"value": {"type": "checkboxes", "selected_options": [{"value": d} for d in days]}},
                "stop": {"value": {"type": "timepicker", "selected_time": stop}},
                "start": {"value": {"type": "timepicker", "selected_time": start}},
                "tz": {"value": {"type": "plain_text_input", "value": tz}},
            }
        },
    }


def _body(view: dict) -> dict:
    return {"type": "view_submission", "user": {"id": "U1"}, "view": view}


def test_a_valid_submission_is_acked_plainly(ack):
    forms.ack_submission(ack=ack, view=_view())
    ack.assert_called_once_with()


def test_problems_are_shown_on_their_fields_in_english(ack):
    forms.ack_submission(ack=ack, view=_view(days=(), tz="Mars/Olympus"))
    ack.assert_called_once_with(
        response_action="errors",
        errors={
            "days": "Pick at least one day.",
            "tz": "Unknown time zone `Mars/Olympus` (e.g. Asia/Seoul).",
        },
    )


def test_problems_are_shown_in_korean_for_a_korean_modal(ack):
    forms.ack_submission(ack=ack, view=_view(start="20:00", lang="ko"))
    ack.assert_called_once_with(response_action="errors", errors={"start": "시작과 중지 시각이 같을 수 없습니다."})


def test_a_valid_submission_files_the_schedule_request(context, deps):
    view = _view(days=("0", "6"), stop="21:30", start="07:05")
    forms.submit(body=_body(view), view=view, context=context)
    deps.requests.submit.assert_called_once_with(
        Ask(
            user="U1",
            channel="C1",
            text="rds schedule portal",
            lang="en",
            intent="rds_schedule",
            entities={
                "verb": "schedule",
                "db": "portal",
                "stop_cron": "30 21 * * 6,0",
                "start_cron": "5 7 * * 6,0",
                "tz": "Asia/Seoul",
            },
        )
    )


def test_an_invalid_submission_files_nothing(context, deps):
    view = _view(stop="", start="")
    forms.submit(body=_body(view), view=view, context=context)
    deps.requests.submit.assert_not_called()


def test_register_wires_every_features_form(deps):
    app = Mock(name="app")
    forms.register(app, deps)
    app.view.assert_called_once_with(CALLBACK)
    app.view.return_value.assert_called_once_with(ack=forms.ack_submission, lazy=[forms.submit])


def test_the_opened_view_carries_the_forms_callback_and_the_requests_metadata():
    view = forms.form_view(FORM, {"verb": "schedule", "db": "portal"}, "C1", "ko", "Asia/Seoul")
    assert view["type"] == "modal" and view["callback_id"] == CALLBACK
    assert json.loads(view["private_metadata"]) == {
        "channel": "C1",
        "lang": "ko",
        "entities": {"verb": "schedule", "db": "portal"},
    }
    assert view["title"]["text"] == "RDS 스케줄"
    assert [b["element"].get("initial_value") for b in view["blocks"] if b.get("block_id") == "tz"] == ["Asia/Seoul"]


def test_a_view_no_feature_owns_is_acked_and_files_nothing(ack, context, deps):
    view = {**_view(), "callback_id": "someone_elses_modal"}
    forms.ack_submission(ack=ack, view=view)
    ack.assert_called_once_with()
    forms.submit(body=_body(view), view=view, context=context)
    deps.requests.submit.assert_not_called()
