"""``/ops`` text: a command word that does not parse as that command falls back to the free-text
parser before a usage error; an unknown command word gets "did you mean"."""

from __future__ import annotations

import pytest

from bot.errors import UsageError
from bot.parsing.suggest import did_you_mean
from bot.services.commands import parse_command


def test_a_command_word_followed_by_free_text_is_read_as_free_text():
    cmd = parse_command("rds portal-rds-1 평일 밤 9시에 멈추고 아침 8시에 켜주세요")
    assert (cmd.kind, cmd.intent) == ("request", "rds_schedule")
    assert (cmd.entities["db"], cmd.entities["stop_cron"]) == ("portal-rds-1", "0 21 * * 1-5")


def test_a_malformed_command_that_is_not_a_request_either_keeps_its_usage_error():
    with pytest.raises(UsageError) as err:
        parse_command("rds keep-running portal for")
    assert "keep-running" in str(err.value.message)


@pytest.mark.parametrize(
    "typo, meant", [("psds", "pods"), ("restrat", "restart"), ("sysctrl", "sysctl"), ("audti", "audit")]
)
def test_an_unknown_command_gets_did_you_mean(typo, meant):
    with pytest.raises(UsageError) as err:
        parse_command(f"{typo} cloudon")
    assert f"did you mean `{meant}`" in err.value.message and f"`{meant}`" in err.value.message_ko


def test_no_suggestion_for_a_word_like_no_command():
    assert did_you_mean("frobnicate", ["pods", "rds", "help"]) == ""
    with pytest.raises(UsageError) as err:
        parse_command("frobnicate now")
    assert "unknown command" in err.value.message and "did you mean" not in err.value.message


@pytest.mark.parametrize("text, usage", [("restart cloudon", "NAMESPACE/POD"), ("events cloudon", "NAMESPACE/POD")])
def test_a_command_missing_its_argument_gets_the_usage_line_even_when_free_text_reads_an_intent(text, usage):
    """Free text that names nothing the command could act on is no better than the usage line."""
    with pytest.raises(UsageError) as err:
        parse_command(text)
    assert usage in err.value.message
