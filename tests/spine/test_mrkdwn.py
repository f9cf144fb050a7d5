"""Output hygiene: what users and clusters say reaches Slack escaped; the bot's own markup still works;
plans are shown in full (in the message, or in an attached file when it cannot hold them; the Approve dialog)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from unittest.mock import MagicMock

from bot import blockkit
from bot.domain import Diagnosis, Finding, Msg, Severity
from bot.mrkdwn import Markup, Mrkdwn, as_mrkdwn, channel, clip, escape, join, markup, mention, usergroup
from bot.services.approvers import Approvers
from bot.slack import attachments, render
from bot.slack.thread import SlackThread
from bot.store.records import PlanRecord, RequestRecord

HOSTILE = "<!channel> <https://evil.example|click> <@U0ADMIN> & more"
ESCAPED = "&lt;!channel&gt; &lt;https://evil.example|click&gt; &lt;@U0ADMIN&gt; &amp; more"


def _all_texts(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _req(**kw) -> RequestRecord:
    values = dict(
        id=3,
        created_at=datetime(2030, 1, 1, tzinfo=UTC),
        user_id="U0DEV",
        channel="C0REQ",
        thread_ts="1.1",
        status_ts="1.1",
        lang="en",
        text="",
        intent="pods",
        entities={"namespace": "cloudon", "name": "<!here>"},
        target="",
        cluster="prod",
        account_id="",
        state="diagnosing",
        diagnosis=None,
    )
    values.update(kw)
    return RequestRecord(**values)


def _step(description: str, before=None, after=None, op="k8s.delete_pod") -> dict:
    return {
        "op": op,
        "params": {},
        "before": before if before is not None else {"exists": True},
        "after": after if after is not None else {"exists": False},
        "description": {"en": description, "ko": description},
    }


def _plan(steps, **kw) -> PlanRecord:
    values = dict(
        id=7,
        request_id=3,
        kind="pods",
        title={"en": "Restart <!channel>", "ko": "재시작 <!channel>"},
        target="",
        risk="high",
        status="proposed",
        steps=steps,
        verify={},
        requested_by="U0DEV",
        created_at=datetime(2030, 1, 1, tzinfo=UTC),
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        decided_at=None,
        applied_at=None,
        approvals_needed=2,
        message_ts="",
        result=None,
        reverts_plan_id=None,
        version=0,
    )
    values.update(kw)
    return PlanRecord(**values)


# ---- the mechanism ------------------------------------------------------------------------------


def test_escape_replaces_only_slacks_three_control_characters():
    assert escape(HOSTILE) == ESCAPED
    assert escape("*bold* _it_ `code` ~s~ 한국어 \"q\" 'a'") == "*bold* _it_ `code` ~s~ 한국어 \"q\" 'a'"


def test_a_plain_msg_is_escaped_and_markup_is_sent_as_built():
    assert as_mrkdwn(Msg.same(HOSTILE), "en") == ESCAPED
    built = markup("{who} approved {what}", "{who} 님이 {what} 승인", who=mention("U0OPS"), what=HOSTILE)
    assert isinstance(built, Mrkdwn)
    assert as_mrkdwn(built, "en") == f"<@U0OPS> approved {ESCAPED}"
    assert as_mrkdwn(built, "ko") == f"<@U0OPS> 님이 {ESCAPED} 승인"


def test_builders_accept_only_slack_ids():
    assert mention("U0OPS") == "<@U0OPS>" and mention("W123ABC") == "<@W123ABC>"
    assert usergroup("S0123ABCD") == "<!subteam^S0123ABCD>"
    assert channel("C0REQ") == "<#C0REQ>"
    for forged in ("U1> <!channel", "<!here>", "u0ops", "", "bot"):
        assert "<" not in mention(forged) and "<" not in usergroup(forged) and "<" not in channel(forged)
    assert join(", ", [mention("U1AB"), "<@U0ADMIN>"]) == "<@U1AB>, &lt;@U0ADMIN&gt;"


def test_mrkdwn_format_escapes_its_values():
    template = Mrkdwn("{who} said {x}", "{who}: {x}")
    out = template.format(who=mention("U0OPS"), x="<!here>")
    assert isinstance(out, Mrkdwn) and out.en == "<@U0OPS> said &lt;!here&gt;"


def test_clip_never_leaves_half_an_entity():
    text = escape("ab<cd")  # ab&lt;cd
    assert [clip(text, n) for n in range(2, 8)] == ["ab", "ab", "ab", "ab", "ab&lt;", "ab&lt;c"]
    assert clip("abc", 10) == "abc"
    assert isinstance(Markup("x"), str)


# ---- rendering ----------------------------------------------------------------------------------


def test_findings_titles_evidence_tables_and_headlines_are_escaped():
    finding = Finding(
        code="pods.events",
        severity=Severity.ERROR,
        title=Msg.same(f"Back-off {HOSTILE}"),
        evidence=(Msg.same(f"event: {HOSTILE}"),),
        table=(("POD", "IMAGE"), ("<@U0ADMIN>", "repo/app:1&2")),
    )
    diagnosis = Diagnosis(kind="pods", target="cloudon", headline=Msg.same(f"Pods {HOSTILE}"), findings=(finding,))
    text = _all_texts(render.diagnosis_blocks(_req(), diagnosis))
    for raw in ("<!channel>", "<https://evil.example|click>", "<@U0ADMIN>", "1&2"):
        assert raw not in text
    assert ESCAPED in text and "repo/app:1&amp;2" in text and "&lt;@U0ADMIN&gt;" in text


def test_table_is_laid_out_on_the_raw_text_then_escaped():
    out = blockkit.table_text([("A", "B"), ("<x>", "y")])
    assert out.splitlines() == ["A    B", "&lt;x&gt;  y"]  # "<x>" is 3 wide on screen


def test_status_text_escapes_the_target_and_the_detail():
    text = render.status_text(_req(), "failed", Msg.same("boom <!channel>"))
    assert "<!here>" not in text and "&lt;!here&gt;" in text and "boom &lt;!channel&gt;" in text
    done = render.status_text(_req(), "done", markup("{who} asked", "{who}", who=mention("U0DEV")))
    assert "<@U0DEV> asked" in done


def test_plan_text_steps_and_diffs_are_escaped_but_the_approvers_mention_works():
    plan = _plan([_step("Delete pod <@U0ADMIN>", before={"image": "a&b <!here>"}, after={"image": "c"})])
    blocks = render.plan_blocks(plan, "en", "<!subteam^S0123ABCD>")
    text = _all_texts(blocks)
    assert "<@U0ADMIN>" not in text and "<!here>" not in text and "<!channel>" not in text
    assert "&lt;@U0ADMIN&gt;" in text and "a&amp;b &lt;!here&gt;" in text
    assert "<!subteam^S0123ABCD>" in text  # built by the bot from configuration


def test_a_note_is_escaped_unless_the_bot_built_it():
    plan = _plan([_step("x")])
    plain = _all_texts(render.plan_blocks(plan, "en", "ops", Msg.same("failed: <!channel>"), "none"))
    assert "failed: &lt;!channel&gt;" in plain
    built = _all_texts(render.plan_blocks(plan, "en", "ops", markup("by {w}", "{w}", w=mention("U0OPS")), "none"))
    assert "by <@U0OPS>" in built


# ---- plans in full --------------------------------------------------------------------------------


def _confirm(plan, lang="en"):
    approve = [e for e in render.decide_actions(plan, lang)["elements"] if e["action_id"] == "approve_plan"][0]
    return approve["confirm"]["text"]


def test_the_confirm_dialog_shows_every_step_when_they_fit():
    plan = _plan([_step("Delete pod cloudon/api-1"), _step("Annotate <sa>")])
    text = _confirm(plan)
    assert text == {"type": "mrkdwn", "text": "1. Delete pod cloudon/api-1\n2. Annotate &lt;sa&gt;"}


def test_the_confirm_dialog_sends_you_to_the_thread_when_the_steps_do_not_fit():
    steps = [_step(f"Grant s3:GetObject on arn:aws:s3:::bucket-{i}/* to role app-{i}") for i in range(8)]
    plan = _plan(steps)
    en, ko = _confirm(plan, "en")["text"], _confirm(plan, "ko")["text"]
    assert len(en) <= render.CONFIRM_LIMIT and len(ko) <= render.CONFIRM_LIMIT
    assert "8 steps, read them in the thread" in en
    assert "8단계" in ko and "스레드" in ko
    assert "Grant" not in en  # never a list cut off halfway
    one = _plan([_step("x" * 400)])
    assert "1 step, read them in the thread" in _confirm(one)["text"]


def test_a_long_step_description_and_a_long_diff_are_never_cut():
    long_text = "Allow " + ", ".join(f"arn:aws:iam::123456789012:role/r{i}" for i in range(200))
    big_after = {
        "Statement": [{"Effect": "Allow", "Action": f"s3:GetObject{i}", "Resource": "x" * 3500} for i in range(3)]
    }
    plan = _plan([_step(long_text, before={}, after=big_after)])
    blocks = render.plan_blocks(plan, "en", "ops")
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert blockkit.blocks_text(blocks) <= blockkit.BLOCK_TEXT_BUDGET
    full = attachments.plan_file(plan, "en")["content"]  # what the message cannot hold is attached in full
    assert all(f"role/r{i}" in full for i in range(200))
    assert full.count("x") >= 3 * 3500
    assert "plan-7.txt" in _all_texts(blocks)


def test_a_plan_too_long_for_one_message_is_one_message_and_a_file():
    steps = [_step(f"Step number {i}", before={"n": i}, after={"n": i + 1}) for i in range(60)]
    plan = _plan(steps)
    blocks = render.plan_blocks(plan, "en", "ops")
    assert len(blocks) <= blockkit.MAX_BLOCKS and blockkit.blocks_text(blocks) <= blockkit.BLOCK_TEXT_BUDGET
    assert blocks[-1]["type"] == "actions"
    full = attachments.plan_file(plan, "en")["content"]
    assert all(f"{i + 1}. Step number {i}" in full for i in range(60))
    # whether the steps go to a file depends only on the plan: rebuilt with a note, the same body
    noted = render.plan_blocks(plan, "en", "ops", Msg.same("applied"), "revert")
    assert blocks[:2] == noted[:2]


def test_the_thread_posts_the_plan_once_and_updates_it_in_place():
    client = MagicMock()
    counter = iter(range(1, 100))
    client.chat_postMessage.side_effect = lambda **kw: MagicMock(data={"ts": f"2.{next(counter)}"})
    thread = SlackThread(client, Approvers(["U0OPS"]))
    plan = _plan([_step(f"Step {i} <@U0ADMIN>") for i in range(60)])
    diagnosis = Diagnosis(kind="pods", target="x", headline=Msg.same("Headline <!channel>"), findings=())
    ts = thread.diagnosis(_req(), diagnosis, [plan])
    posts = [c.kwargs for c in client.chat_postMessage.call_args_list]
    assert posts[0]["text"] == "Headline &lt;!channel&gt;"
    plan_posts = posts[1:]
    assert len(plan_posts) == 1 and ts == ["2.2"]
    assert all("<@U0ADMIN>" not in json.dumps(p) for p in plan_posts)
    assert "<@U0OPS>" in json.dumps(plan_posts[-1]["blocks"])
    upload = client.files_upload_v2.call_args.kwargs
    assert upload["filename"] == "plan-7.txt" and "Step 59 <@U0ADMIN>" in upload["content"]  # a file: no markup

    plan = replace(plan, message_ts=ts[0])
    thread.plan_changed(_req(), plan, "rejected", markup("Rejected by {w}.", "{w}", w=mention("U0OPS")))
    update = client.chat_update.call_args.kwargs
    assert update["ts"] == ts[0] and update["blocks"] == render.plan_blocks(
        plan, "en", "<@U0OPS>", Mrkdwn("🚫 Rejected by <@U0OPS>.", "🚫 <@U0OPS>"), "none"
    )
    reply = client.chat_postMessage.call_args.kwargs["text"]
    assert reply == "🚫 #7 Rejected by <@U0OPS>."
    thread.reply(_req(), Msg.same("error: <!channel>"))
    assert client.chat_postMessage.call_args.kwargs["text"] == "error: &lt;!channel&gt;"


def test_expiry_shown_in_utc_is_unchanged():
    plan = _plan([_step("x")], expires_at=datetime(2030, 1, 1, tzinfo=UTC) + timedelta(minutes=5))
    assert "Expires 2030-01-01 00:05 UTC" in _all_texts(render.plan_blocks(plan, "en", "ops"))
