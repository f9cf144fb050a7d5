"""Defaults that fit any team: the AWS region from boto3's chain, UTC, English, and one line when no region is set."""

from __future__ import annotations

import boto3
import pytest
from pydantic import ValidationError

from bot import errors
from bot.cloud.aws import NO_REGION, Aws, resolve_region
from bot.services.contexts import SingleClusterContexts
from bot.settings import Settings


@pytest.fixture
def no_region(monkeypatch, tmp_path):
    """No region anywhere: no variables, a profile file without one."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config"
    config.write_text("[default]\noutput = json\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    return config


def test_defaults_name_no_region_zone_or_language_of_their_own(no_region):
    settings = Settings()
    assert (settings.aws_region, settings.default_timezone, settings.default_language) == ("", "UTC", "en")


def test_aws_region_setting_wins_then_aws_default_region_then_the_profile(no_region, monkeypatch):
    no_region.write_text("[default]\nregion = eu-west-1\n")
    assert Aws(region=Settings().aws_region or None).region == "eu-west-1"  # the profile's
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    assert Aws(region=Settings().aws_region or None).region == "us-west-2"
    monkeypatch.setenv("AWS_REGION", "ap-northeast-1")
    assert Settings().aws_region == "ap-northeast-1"
    assert Aws(region=Settings().aws_region).region == "ap-northeast-1"


def test_no_region_anywhere_is_said_in_one_line_not_guessed(no_region):
    with pytest.raises(errors.Misconfigured) as caught:
        resolve_region("", boto3.Session())
    assert str(caught.value) == NO_REGION and "\n" not in NO_REGION
    contexts = SingleClusterContexts(Settings(), kube_factory=lambda: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(errors.Misconfigured, match="no AWS region"):
        contexts.get()


@pytest.mark.parametrize(("name", "value"), [("DEFAULT_TIMEZONE", "Asia/Seol"), ("DEFAULT_LANGUAGE", "kr")])
def test_a_bad_zone_or_language_is_refused_with_its_name(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert caught.value.errors()[0]["loc"] == (name.lower(),)
