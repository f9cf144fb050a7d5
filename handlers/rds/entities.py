"""The entities of RDS requests, for the core parser: the database named, and the stop and start
times written in the text (as crons, with a note on what could not be read). Pure."""

from __future__ import annotations

import re

from bot.parsing.entities import END, START, Rule, first_found, rules
from bot.parsing.vocabulary import EntityRule, EntityText
from handlers.rds.schedule_times import read_times

DB = rules(
    ((":rds:",), r"arn:aws[\w-]*:rds:[\w-]+:\d{12}:(?:db|cluster):([a-z][-a-z0-9]*)"),
    (("identifier",), r"db(?:instance|cluster)identifier[\"':=\s]+([a-z][-a-z0-9]*)"),
    (("cannot stop",), r"\bcannot stop (?:instance|cluster|rds) ([a-z][-a-z0-9]*)"),
    (("stopping",), r"\bstopping (?:cluster|instance):?\s+([a-z][-a-z0-9]*)"),
    (
        (" db", " database", " rds", " aurora", "디비", "데이터베이스"),
        START + r"([a-z][-a-z0-9]*)\s+(?:db|database|rds|aurora|디비|데이터베이스)(?![a-z])",
    ),
    (
        ("db ", "database ", "rds ", "aurora "),
        r"(?:\bdb|\bdatabase|\brds|\baurora)(?:\s+(?:cluster|instance))?\s+([a-z][-a-z0-9]*)" + END,
    ),
    (
        ("schedule", "stop", "start"),
        r"\b(?:schedule|stop|start)\s+(?:the\s+)?([a-z][-a-z0-9]*)\s+(?:to|at|every|on|each|nightly|daily|from|until)\b",
    ),
)
# Last resort in a schedule request: the first identifier-looking word ("portal-rds-1", "db2").
DB_TOKEN: tuple[Rule, ...] = (((), re.compile(START + r"([a-z][a-z0-9]*(?:-[a-z0-9]+)+|[a-z]+[0-9][a-z0-9]*)" + END)),)


def extract_db(read: EntityText, found: dict[str, str]) -> None:
    low, head, intent = read.low, read.head, read.intent
    if intent == "rds_schedule" or "db" in low or "rds" in low or "database" in low or "디비" in low:
        value = first_found(DB, low if intent == "rds_schedule" else head, low)
        if not value and intent == "rds_schedule":
            value = first_found(DB_TOKEN, head, head)
        found["db"] = value
    if found.get("cluster") and found["cluster"].lower() == found.get("db"):
        del found["cluster"]  # "aurora cluster portal" names a database, not an EKS cluster


def extract_times(read: EntityText, found: dict[str, str]) -> None:
    if read.intent == "rds_schedule":  # times in the text become the schedule's crons; what is unread is said
        times = read_times(read.low)
        found.update(
            stop_cron=times.stop_cron,
            start_cron=times.start_cron,
            schedule_note=times.note_en,
            schedule_note_ko=times.note_ko,
        )


ENTITIES = (
    EntityRule(10, ("db",), extract_db),
    EntityRule(40, ("stop_cron", "start_cron", "schedule_note", "schedule_note_ko"), extract_times),
)
