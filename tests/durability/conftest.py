"""Fixtures of the durability tests: a ``World`` (stand-ins, the acking server, worker processes)."""

from __future__ import annotations

import pytest

from tests.durability.harness import World


@pytest.fixture
def world_settings() -> dict:
    """Settings of the ``World`` (both sides) that a test module changes by overriding this fixture."""
    return {}


@pytest.fixture
def world(aws, db_url, tmp_path, world_settings):
    """A started ``World`` on ``db_url``, with a fresh moto."""
    world = World(db_url, tmp_path, overrides=world_settings)
    try:
        yield world.start()
    finally:
        world.stop()
