"""``/ops sysctl`` argument parsing and the keepalive arithmetic."""

from __future__ import annotations

import pytest

from bot.errors import UsageError
from handlers.sysctl import keepalive
from handlers.sysctl.diagnoser import parse_args


@pytest.mark.parametrize(
    "args,entities",
    [
        (["default/ubuntu"], {"namespace": "default", "pod": "ubuntu"}),
        (["net.ipv4.tcp_keepalive_time=300"], {"sysctl": "net.ipv4.tcp_keepalive_time", "value": "300"}),
        (
            ["net/ipv4/tcp_keepalive_time=300", "web"],
            {"sysctl": "net.ipv4.tcp_keepalive_time", "value": "300", "namespace": "web"},
        ),
        (["net.core.somaxconn"], {"sysctl": "net.core.somaxconn", "value": ""}),
    ],
)
def test_parse(args, entities):
    assert parse_args(args) == entities


@pytest.mark.parametrize(
    "args,fragment",
    [
        ([], "expected"),
        (["a", "b", "c"], "expected"),
        (["Bad.Name=1"], "not a valid sysctl"),
        (["net.ipv4.tcp_keepalive_time=1", "Web"], "namespace"),
    ],
)
def test_parse_errors(args, fragment):
    with pytest.raises(UsageError) as err:
        parse_args(args)
    assert fragment in err.value.message and err.value.message_ko


def test_keepalive_timing():
    assert keepalive.missing_time({"net.ipv4.tcp_keepalive_intvl": "60"})
    assert not keepalive.missing_time({"net.ipv4.tcp_keepalive_time": "300"})
    assert not keepalive.missing_time({"net.core.somaxconn": "1024"})
    assert keepalive.first_probe_and_give_up({"net.ipv4.tcp_keepalive_intvl": "60"}) == (7200, 7200 + 60 * 9)
    assert keepalive.value_problems("net.ipv4.tcp_keepalive_time", "350")
    assert keepalive.value_problems("net.ipv4.tcp_keepalive_probes", "x")
    assert keepalive.value_problems("net.ipv4.tcp_keepalive_time", "300") == []
    assert keepalive.value_problems("net.ipv4.tcp_keepalive_time", "") == []  # asked without a value
