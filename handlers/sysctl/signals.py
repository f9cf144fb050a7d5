"""What people write about kernel parameters, for the core parser: the sysctl words and names, and
when a reading is a sysctl question. Pure; composed into ``bot.parsing.vocabulary``."""

from __future__ import annotations

from bot.parsing.confidence import STRUCTURAL
from bot.parsing.signal import Signal
from bot.parsing.vocabulary import AwsError, Pairing, PhraseRule, Reading, Signals
from handlers.sysctl.entities import ENTITIES

KERNEL = frozenset({"sysctl", "sysctls", "somaxconn", "keepalive", "커널", "킵얼라이브"})
SYSCTL = Signal(
    (
        "sysctl",
        "keepalive",
        "keep-alive",
        "tcp_fin_timeout",
        "net.ipv4.",
        "net.ipv6.",
        "net.core.",
        "net.netfilter.",
        "kernel.shm",
        "kernel.msg",
        "kernel.sem",
        "somaxconn",
        "커널 파라미터",
        "커널파라미터",
        "킵얼라이브",
        "킵 얼라이브",
    )
)

PHRASES = (
    ("kernel parameter", "kernel"),
    ("kernel parameters", "kernel"),
    ("커널 파라미터", "kernel"),
    ("커널 옵션", "kernel"),
    ("net.ipv4.", "kernel"),
    ("net.core.", "kernel"),
)


def _structural(low: str, _aws: AwsError) -> Reading | None:
    return ("sysctl", STRUCTURAL) if SYSCTL(low) else None


SIGNALS = Signals(
    entities=ENTITIES,
    families={"kernel": KERNEL},
    phrases=PHRASES,
    pairings=(Pairing("sysctl", 30, lambda f: "kernel" in f, frozenset({"pods", "help", "irsa_access_denied"})),),
    rules=(PhraseRule(30, _structural),),
    in_scope=frozenset({"kernel"}),
    other_topics=frozenset({"kernel"}),
    domain_words=("sysctl", "kernel", "커널"),
)
