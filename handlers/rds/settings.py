"""The RDS feature's settings, read from the environment with the ``RDS_`` prefix.

The names without the prefix (``AUTOSTOP_TAG``, ``SWEEP_MINUTES``), which earlier releases read, are
still accepted; the prefixed name wins when both are set.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RdsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RDS_", extra="ignore", frozen=True, populate_by_name=True)

    autostop_tag: str = Field(
        "autostop=yes",
        validation_alias=AliasChoices("RDS_AUTOSTOP_TAG", "AUTOSTOP_TAG"),
        description="Tag (key=value) that adopts a database for scheduling (also read as AUTOSTOP_TAG).",
    )
    sweep_minutes: int = Field(
        5,
        ge=1,
        validation_alias=AliasChoices("RDS_SWEEP_MINUTES", "SWEEP_MINUTES"),
        description="Minutes between RDS schedule sweeps (also read as SWEEP_MINUTES).",
    )
