"""Test-only: an AWS endpoint without the ECR pull-through cache API.

The sandbox's moto server answers the pull-through cache actions (``sandbox.aws_ecr_behaviour``).
``without_pull_through_cache_api`` takes them away for the duration of a ``with`` block, so a
test can check what the bot says to an endpoint that lacks them (an emulator's HTTP 500), and
puts them back afterwards.
"""

from __future__ import annotations

from contextlib import contextmanager

from moto.ecr.responses import ECRResponse

_ACTIONS = (
    "create_pull_through_cache_rule",
    "describe_pull_through_cache_rules",
    "delete_pull_through_cache_rule",
)


@contextmanager
def without_pull_through_cache_api():
    saved = {name: ECRResponse.__dict__[name] for name in _ACTIONS if name in ECRResponse.__dict__}
    for name in saved:
        delattr(ECRResponse, name)
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(ECRResponse, name, fn)
