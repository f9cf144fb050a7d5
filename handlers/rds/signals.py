"""What people write about database schedules, for the core parser: database, stop/start and schedule
words, and when a reading is an RDS schedule request. Pure; composed into ``bot.parsing.vocabulary``."""

from __future__ import annotations

import re

from bot.parsing.confidence import PHRASE
from bot.parsing.signal import Signal
from bot.parsing.vocabulary import AwsError, Pairing, PhraseRule, Reading, Signals
from handlers.rds.entities import ENTITIES

DB = frozenset(
    {
        "rds",
        "aurora",
        "database",
        "databases",
        "db",
        "dbs",
        "mysql",
        "postgres",
        "postgresql",
        "데이터베이스",
        "디비",
        "오로라",
    }
)
STOP_START = frozenset(
    {
        "stop",
        "stops",
        "stopped",
        "stopping",
        "start",
        "starts",
        "started",
        "shutdown",
        "중지",
        "정지",
        "종료",
        "자동종료",
        "시작",
        "꺼",
        "켜",
        "끄",
        "꺼주세요",
        "켜주세요",
    }
)
SCHEDULE = frozenset(
    {
        "schedule",
        "scheduled",
        "scheduling",
        "schedules",
        "cron",
        "nightly",
        "overnight",
        "weekend",
        "weekends",
        "weekdays",
        "스케줄",
        "스케줄링",
        "스케줄화",
        "예약",
        "야간",
        "주말",
        "평일",
        "퇴근",
        "새벽",
    }
)
DB_SAID = Signal(
    (
        "aurora",
        "database",
        "mysql",
        "postgres",
        "디비",
        "데이터베이스",
        "오로라",
        "not eligible for stopping",
        "stopdbinstance",
        "stopdbcluster",
        "autostop",
        "db_cluster",
        "db_instance",
        "dbcluster",
        "dbinstance",
    ),
    re.compile(r"\brds\b|\bdbs?\b"),
    ("rds", "db"),
)
_CLOCK = re.compile(r"\bstop|\bstart|\bat \d{1,2}(?::\d\d)?\s*(?:am|pm)?\b|\b\d{1,2}:\d\d\b")
SCHEDULE_SAID = Signal(
    (
        "schedul",
        "night",
        "weekend",
        "cron",
        "business hours",
        "office hours",
        "autostop",
        "not eligible for stopping",
        "every day",
        "every evening",
        "every weekday",
        "꺼",
        "켜",
        "끄",
        "중지",
        "정지",
        "시작",
        "스케줄",
        "예약",
        "밤",
        "야간",
        "주말",
        "퇴근",
        "출근",
        "자동",
    ),
    _CLOCK,
    ("stop", "start", "at ", ":"),
)
SCHEDULE_VERB = Signal(("꺼", "켜", "끄", "중지", "정지", "schedul"), re.compile(r"\bstop|\bstart"), ("stop", "start"))
TIME_WORD = Signal(
    ("night", "weekend", "every ", "cron", "밤", "야간", "주말", "퇴근", "시에"),
    re.compile(r"\bat \d{1,2}|\b\d{1,2}:\d\d\b"),
    ("at ", ":"),
)
K8S_OBJECT = Signal(("pod", "파드", "포드", "node", "노드", "deployment", "디플로이", "container", "컨테이너"))

KOREAN = (("스케줄", "schedule"),)


def _schedule(low: str, _aws: AwsError) -> Reading | None:
    if SCHEDULE_SAID(low) and (DB_SAID(low) or (SCHEDULE_VERB(low) and TIME_WORD(low) and not K8S_OBJECT(low))):
        return "rds_schedule", PHRASE
    return None


SIGNALS = Signals(
    entities=ENTITIES,
    families={"db": DB, "stop_start": STOP_START, "schedule": SCHEDULE},
    korean=KOREAN,
    pairings=(
        Pairing(
            "rds_schedule",
            50,
            lambda f: "db" in f and ("stop_start" in f or "schedule" in f),
            frozenset({"pods", "help"}),
        ),
    ),
    rules=(PhraseRule(100, _schedule),),
    in_scope=frozenset({"db"}),
    other_topics=frozenset({"db"}),
    domain_words=("rds", "aurora", "db"),
)
