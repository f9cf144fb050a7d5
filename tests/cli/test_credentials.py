"""No AWS credentials is said as such, in the terminal and in Slack, never as "could not reach the API"."""

from __future__ import annotations

import pytest

from bot import errors, preflight
from bot.cloud.aws import Aws
from bot.services.failures import describe_failure


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_ENDPOINT_URL",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_a_call_without_credentials_is_described_as_missing_credentials(no_credentials):
    with pytest.raises(errors.Unreachable) as info:
        Aws(region="ap-northeast-2", max_attempts=1).client("sts").get_caller_identity()
    assert preflight.credentials_error(info.value.code)
    said = describe_failure(info.value, "ref1")
    assert "no AWS credentials" in said("en") and "Could not reach" not in said("en")
    assert "AWS_PROFILE" in said("en") and "ref1" in said("en") and said("ko") != said("en")


def test_preflight_finds_no_credentials_and_names_the_fix(no_credentials):
    assert preflight.aws_credentials() == preflight.NO_AWS_CREDENTIALS
    assert "AWS_PROFILE" in preflight.NO_AWS_CREDENTIALS


def test_preflight_names_a_profile_that_does_not_exist(no_credentials, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "prod-admin")
    problem = preflight.aws_credentials()
    assert "prod-admin" in problem and "AWS_PROFILE" in problem


def test_credentials_in_the_environment_pass(no_credentials, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    assert preflight.aws_credentials() == ""
