"""A Sandbox leaves no temporary directory behind once its context exits."""

from __future__ import annotations

import os
import tempfile

import pytest

from sandbox.runtime import Sandbox


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    where = tmp_path / "tmp"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


def test_the_sandbox_directory_is_removed_on_exit(moto_sandbox, private_tmp):
    with Sandbox(moto=moto_sandbox) as sb:
        made = os.listdir(private_tmp)
        assert len(made) == 1 and made[0].startswith("chatops-sandbox-")
        assert sb.repo.audit_rows() == []  # its database lives there and works
    assert os.listdir(private_tmp) == []


def test_a_sandbox_given_a_database_makes_no_directory(moto_sandbox, private_tmp, tmp_path):
    with Sandbox(moto=moto_sandbox, database_url=f"sqlite:///{tmp_path / 'given.db'}"):
        assert os.listdir(private_tmp) == []
    assert os.listdir(private_tmp) == [] and (tmp_path / "given.db").exists()


def test_a_sandbox_that_fails_to_start_cleans_up(moto_sandbox, private_tmp):
    with pytest.raises(Exception), Sandbox(moto=moto_sandbox, settings_overrides={"verify_wait_seconds": "soon"}):
        pass
    assert os.listdir(private_tmp) == []
