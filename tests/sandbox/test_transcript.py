"""The demo's transcript printer: files by name, mentions as names, each outcome once, word cuts."""

from __future__ import annotations

import io

from rich.console import Console

from sandbox.slack_api import first_text_line
from sandbox.slack_records import Message, Upload
from sandbox.transcript import as_shown, file_lines, print_threads, shorten, thread_bodies

PEOPLE = {"U_OPS": "ops-lee", "U_DEV": "dev-kim"}


def test_mentions_and_channel_links_show_as_names():
    text = (
        "⏳ #1 Approved by <@U_OPS>, <@U_NOBODY>; see <#C_REQ|eks-requests> and "
        "<https://x.test/a|the runbook> &amp; <!here>"
    )
    shown = as_shown(text, PEOPLE, {"C_REQ": "eks-requests"})
    assert shown == "⏳ #1 Approved by @ops-lee, @U_NOBODY; see #eks-requests and the runbook & @here"


def test_uploaded_files_are_shown_by_name_with_size_or_first_line():
    png = Upload("F1", "health.png", "Health", "C0REPORTS", None, 2048)
    yaml = Upload("F2", "ng.yaml", None, "C_REQ", None, 300, first_line="apiVersion: eksctl.io/v1alpha5")
    message = Message("C_REQ", "1.1", "", files=("F1", "F2", "F3"), user="UBOT")
    assert file_lines(message, {"F1": png, "F2": yaml}) == [
        "📎 health.png “Health” (2.0 KB)",
        "📎 ng.yaml (“apiVersion: eksctl.io/v1alpha5”, 300 B)",
        "📎 file F3",
    ]
    out = io.StringIO()
    print_threads(Console(file=out, width=100), [message], PEOPLE, "t", uploads=[png, yaml])
    assert "health.png" in out.getvalue() and "ng.yaml" in out.getvalue()


def test_first_text_line_of_an_upload():
    assert first_text_line(b"\n  key: value\nmore") == "key: value"
    assert first_text_line(b"\x89PNG\r\n\x1a\n\x00\x00") == ""
    assert first_text_line("가".encode() * 2000) != ""  # a character cut at 4 KB is still text


def test_each_outcome_is_shown_once_where_it_is_said_last():
    thread = [
        Message(
            "C", "1.1", "✅ Fixed and verified: ns/pod (request #2)\nnew pod p-2 is Running and ready", user="UBOT"
        ),
        Message(
            "C",
            "1.2",
            "",
            thread_ts="1.1",
            user="UBOT",
            blocks=(
                {"type": "section", "text": {"type": "mrkdwn", "text": "*Plan #1: Restart ns/pod*\n1. Delete pod"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "```\n {\n }```"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "✅ new pod p-2 is Running and ready"}},
                {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Revert"}}]},
            ),
        ),
        Message("C", "1.3", "⏳ #1 Approved by <@U_OPS>; applying…", thread_ts="1.1", user="UBOT"),
        Message("C", "1.4", "✅ #1 new pod p-2 is Running and ready", thread_ts="1.1", user="UBOT"),
    ]
    bodies = [text for _, text in thread_bodies(thread, PEOPLE, {})]
    joined = "\n".join(bodies)
    assert joined.count("new pod p-2 is Running and ready") == 1
    assert bodies[-1] == "✅ #1 new pod p-2 is Running and ready"
    assert bodies[0] == "✅ Fixed and verified: ns/pod (request #2)"
    assert "1. Delete pod" in bodies[1] and "[Revert]" in bodies[1] and " {" in bodies[1]
    assert bodies[2] == "⏳ #1 Approved by @ops-lee; applying…"


def test_audit_summaries_are_cut_at_a_word_boundary():
    text = "step 1: Trust policy of AmazonEKSLoadBalancerControllerRole: add subject system:serviceaccount:cloudon:x"
    short = shorten(text, 60)
    assert short.endswith(" …") and len(short) <= 60 and text.startswith(short[:-2])
    assert short[:-2].split()[-1] in text.split()  # the last word shown is whole
    assert shorten("short enough", 60) == "short enough"
    assert shorten("x" * 80, 60) == "x" * 59 + "…"
