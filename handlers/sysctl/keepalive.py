"""Why people ask for TCP keepalive sysctls, and whether the values they chose will do the job.

Pure text and arithmetic, used by ``handlers.sysctl.analyse``. Idle TCP connections through an
AWS Network Load Balancer or a NAT gateway are dropped after 350 seconds without traffic, while
Linux waits ``tcp_keepalive_time`` = 7,200 seconds before its first probe, so a pod that needs
long-lived idle connections must lower ``tcp_keepalive_time`` below 350 s (and its sockets
must enable ``SO_KEEPALIVE``: the sysctls only change the defaults of sockets that ask for it).

Sources: NAT gateway "the connection times out after 350 seconds of idle time"
(https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html);
NLB TCP idle timeout 350 s by default, configurable 60-6000 s
(https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html);
kernel defaults (https://docs.kernel.org/networking/ip-sysctl.html).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain import Msg
from bot.korean import attach, josa

IDLE_TIMEOUT_SECONDS = 350  # NLB (default) and NAT gateway (fixed)
LINUX_DEFAULTS = {
    "net.ipv4.tcp_keepalive_time": 7200,
    "net.ipv4.tcp_keepalive_intvl": 75,
    "net.ipv4.tcp_keepalive_probes": 9,
    "net.ipv4.tcp_fin_timeout": 60,
}
# Ranges that work behind a 350 s idle timeout without flooding the network with probes.
GOOD_RANGES = {
    "net.ipv4.tcp_keepalive_time": (60, 300),
    "net.ipv4.tcp_keepalive_intvl": (30, 60),
    "net.ipv4.tcp_keepalive_probes": (3, 9),
}
RECOMMENDED = {
    "net.ipv4.tcp_keepalive_time": "300",
    "net.ipv4.tcp_keepalive_intvl": "60",
    "net.ipv4.tcp_keepalive_probes": "5",
}
KEEPALIVE = ("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes")

EXPLANATION = Msg(
    "TCP keepalive: after `tcp_keepalive_time` seconds without traffic the kernel sends a probe, then "
    "one every `tcp_keepalive_intvl` seconds, and gives up after `tcp_keepalive_probes` unanswered probes. "
    f"An NLB or NAT gateway forgets an idle connection after {IDLE_TIMEOUT_SECONDS} s, but Linux waits "
    "7,200 s before the first probe, so idle connections die silently. Set `tcp_keepalive_time` below "
    f"{IDLE_TIMEOUT_SECONDS} (for example 300, with intvl 30-60 and probes 3-9). The settings only apply to "
    "sockets that enable SO_KEEPALIVE.",
    "TCP keepalive: 트래픽 없이 `tcp_keepalive_time` 초가 지나면 커널이 첫 probe를 보내고, 이후 "
    "`tcp_keepalive_intvl` 초마다 다시 보내며, `tcp_keepalive_probes` 번 응답이 없으면 연결을 끊습니다. "
    f"NLB 와 NAT 게이트웨이는 유휴 연결을 {IDLE_TIMEOUT_SECONDS}초 뒤에 잊어버리는데 "
    "리눅스 기본값은 첫 probe 까지 "
    f"7,200초라서 유휴 연결이 조용히 끊깁니다. `tcp_keepalive_time` 을 {IDLE_TIMEOUT_SECONDS} 보다 작게 "
    "(예: 300, intvl 30~60, probes 3~9) 설정하세요. 이 값들은 SO_KEEPALIVE를 켠 소켓에만 적용됩니다.",
)


def _int(value: str) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def value_problems(name: str, value: str) -> list[Msg]:
    """What is wrong with one keepalive value (empty: fine or not a keepalive sysctl)."""
    if name not in GOOD_RANGES or not str(value).strip():  # no value given: nothing to judge
        return []
    number = _int(value)
    if number is None or number <= 0:
        return [
            Msg(
                f"`{name}={value}` is not a positive whole number of seconds/probes.",
                f"`{name}={value}` {josa(value, '는')} 양의 정수가 아닙니다.",
            )
        ]
    low, high = GOOD_RANGES[name]
    if name == "net.ipv4.tcp_keepalive_time" and number >= IDLE_TIMEOUT_SECONDS:
        return [
            Msg(
                f"`{name}={number}` is not below the {IDLE_TIMEOUT_SECONDS} s idle timeout of NLB and NAT "
                f"gateway: the first probe comes too late. Use {low}-{high}.",
                f"`{name}={number}` {josa(number, '는')} NLB/NAT 게이트웨이 유휴 제한 "
                f"{IDLE_TIMEOUT_SECONDS}초보다 작지 않아 "
                f"첫 probe 가 너무 늦습니다. {low}~{attach(high, '를')} 쓰세요.",
            )
        ]
    if not low <= number <= high:
        return [
            Msg(
                f"`{name}={number}` is outside the usual {low}-{high}.",
                f"`{name}={number}` {josa(number, '는')} 일반적인 범위 {low}~{high} 밖입니다.",
            )
        ]
    return []


def effective_time(requested: Mapping[str, str]) -> int:
    """The keepalive time a pod really gets: what it asked for, else the Linux default."""
    number = _int(requested.get("net.ipv4.tcp_keepalive_time", ""))
    return number if number and number > 0 else LINUX_DEFAULTS["net.ipv4.tcp_keepalive_time"]


def missing_time(requested: Mapping[str, str]) -> bool:
    """The common trap: intvl/probes set but the first probe still waits 7,200 s."""
    asks_keepalive = any(name in requested for name in KEEPALIVE)
    return asks_keepalive and effective_time(requested) >= IDLE_TIMEOUT_SECONDS


def first_probe_and_give_up(requested: Mapping[str, str]) -> tuple[int, int]:
    """Seconds of idleness until the first probe, and until the kernel declares the peer dead."""
    time_ = effective_time(requested)
    intvl = _int(requested.get("net.ipv4.tcp_keepalive_intvl", "")) or LINUX_DEFAULTS["net.ipv4.tcp_keepalive_intvl"]
    probes = _int(requested.get("net.ipv4.tcp_keepalive_probes", "")) or LINUX_DEFAULTS["net.ipv4.tcp_keepalive_probes"]
    return time_, time_ + intvl * probes
