"""Stop/start times of an RDS schedule request, read from free text into the crons the schedule uses.

Called by ``bot.parsing.entities`` for ``rds_schedule`` requests. Pure. The result is what
``/ops rds schedule DB stop CRON start CRON`` would have given (``handlers.rds.commands``):
5-field crons, minute and hour from the text, day-of-week from the day words. Read forms:

* clock times: ``9pm``, ``9 pm``, ``21:00``, ``8am``, ``9시``, ``9시 30분``, ``9시반``,
  ``밤 10시`` / ``저녁`` / ``오후`` (afternoon and evening), ``아침`` / ``오전`` / ``새벽`` (morning);
* which action a time belongs to: the stop/start word nearest to it (English puts the verb
  before the time, Korean after it), or a range ``from 9pm to 8am`` / ``21시부터 8시까지``,
  which is the stopped span when it is said of stopping (or of "off"), the running span otherwise;
* days: ``weekdays`` / ``평일`` / ``mon-fri`` / ``월~금`` -> ``1-5``; ``weekends`` / ``주말`` ->
  ``0,6``; ``every night`` / ``every day`` / ``daily`` / ``매일`` -> ``*``; none -> ``1-5`` (the
  default schedule's days).

Whatever cannot be read is said in ``note_en`` / ``note_ko`` together with what is proposed
instead (the default times of the schedule: stop 20:00, start 08:00), so the thread tells the
person the bot did not understand that part rather than silently using a default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.korean import attach
from bot.parsing.text import has_hangul

DEFAULT_STOP = (20, 0)
DEFAULT_START = (8, 0)

_EN_TIME = re.compile(
    r"\b(?:at\s+)?([01]?\d|2[0-3])(?::([0-5]\d))?\s*(am|pm|a\.m\.|p\.m\.)(?![a-z])"
    r"|\b([01]?\d|2[0-3]):([0-5]\d)\b"
)
_KO_TIME = re.compile(r"(밤|저녁|오후|아침|오전|새벽|낮)?\s*([01]?\d|2[0-3])\s*시\s*(?:(반)|([0-5]?\d)\s*분)?")
_BARE_AT = re.compile(r"\bat\s+([01]?\d|2[0-3])\b(?![:\d])")
_STOP = re.compile(r"\b(?:stop|shut ?down|turn(?:ed)? off|off|pause|sleep)\b|꺼|끄|끈|중지|정지|멈추|멈춰|내려")
_START = re.compile(
    r"\b(?:start|turn(?:ed)? on|switch(?:ed)? on|back on|resume|wake|bring (?:it )?(?:back )?up|run)\b"
    r"|켜|켠|시작|기동|올려"
)
_RANGE = re.compile(
    r"\bfrom\s+(.{1,20}?)\s+(?:to|until|till)\s+(.{1,20}?)(?:[,.;]|\s+(?:on|every|each|and)\b|$)"
    r"|(\S.{0,12}?)\s*(?:부터|~|-)\s*(\S.{0,12}?)\s*까지",
    re.M,
)
_DAYS = (
    (
        re.compile(
            r"weekdays?|every weekday|business days|mon(?:day)?\s*(?:-|to|through)\s*fri(?:day)?|평일|월\s*[~-]\s*금"
            r"|주중"
        ),
        "1-5",
    ),
    (re.compile(r"weekends?|주말|토\s*[,~-]?\s*일요일"), "0,6"),
    (re.compile(r"every (?:night|day|evening|morning)|nightly|daily|매일|날마다|매일 밤|매일밤|매일 아침"), "*"),
)
_UNREADABLE = re.compile(
    r"퇴근\s*(?:후|시간|하면)?|출근\s*(?:전|시간)?|after work|end of (?:the )?day|"
    r"close of business|every night|at night|nightly|tonight|\bevening\b|밤에|야간|새벽에|저녁에"
)
_NAMED = {"midnight": (0, 0), "자정": (0, 0), "noon": (12, 0), "정오": (12, 0)}  # clock times with a name


@dataclass(frozen=True)
class ScheduleTimes:
    """Crons for the stop and the start (empty when the text named no time), and what could not be read."""

    stop_cron: str = ""
    start_cron: str = ""
    note_en: str = ""
    note_ko: str = ""


@dataclass(frozen=True)
class _Time:
    hour: int
    minute: int
    start: int
    end: int
    guessed: bool = False  # "at 9" with no am/pm: read from the action (stop at night, start in the morning)


def _en_times(low: str) -> list[_Time]:
    """English times: "21:30", "9pm", "9:30 am"; an am/pm hour above 12 is no time."""
    out: list[_Time] = []
    for m in _EN_TIME.finditer(low) if ("m" in low or ":" in low) else ():
        if m.group(4) is not None:
            out.append(_Time(int(m.group(4)), int(m.group(5)), m.start(), m.end()))
            continue
        hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)[0]
        if hour > 12:
            continue
        hour = hour % 12 + (12 if half == "p" else 0)
        out.append(_Time(hour, minute, m.start(), m.end()))
    return out


def _ko_times(low: str) -> list[_Time]:
    """Korean times: "밤 9시", "오전 7시 반"; an hour with no part of the day is a guess."""
    out: list[_Time] = []
    for m in _KO_TIME.finditer(low) if "시" in low else ():
        part, hour = m.group(1), int(m.group(2))
        minute = 30 if m.group(3) else int(m.group(4) or 0)
        if part in ("밤", "저녁", "오후") and hour < 12:
            hour += 12
        elif part == "밤" and hour == 12:
            hour = 0
        out.append(_Time(hour, minute, m.start(), m.end(), guessed=part is None and 1 <= hour <= 11))
    return out


def _times(low: str) -> list[_Time]:
    if not any(ch.isdigit() for ch in low):
        return [_Time(h, mi, i, i + len(w)) for w, (h, mi) in _NAMED.items() if (i := low.find(w)) >= 0]
    out = [*_en_times(low), *_ko_times(low)]
    for m in _BARE_AT.finditer(low) if "at " in low else ():
        if not any(t.start <= m.start() < t.end for t in out):
            out.append(_Time(int(m.group(1)), 0, m.start(), m.end(), guessed=True))
    for word, (hour, minute) in _NAMED.items():
        i = low.find(word)
        if i >= 0:
            out.append(_Time(hour, minute, i, i + len(word)))
    return sorted(out, key=lambda t: t.start)


def _verbs(text: str) -> list[tuple[int, str]]:
    found = [(m.start(), "stop") for m in _STOP.finditer(text)]
    return sorted(found + [(m.start(), "start") for m in _START.finditer(text)])


def _nearest_action(low: str, t: _Time, *, korean: bool) -> str:
    """ "stop" or "start": the verb just after a Korean time, just before an English one; else the other side."""
    after = _verbs(low[t.end : t.end + 16])
    before = _verbs(low[max(0, t.start - 30) : t.start])
    first_after = after[0][1] if after else ""
    last_before = before[-1][1] if before else ""
    return (first_after or last_before) if korean else (last_before or first_after)


def _days(low: str) -> str:
    for pattern, days in _DAYS:
        if pattern.search(low):
            return days
    return "1-5"


def _cron(hm: tuple[int, int], days: str) -> str:
    return f"{hm[1]} {hm[0]} * * {days}"


def _fmt(hm: tuple[int, int]) -> str:
    return f"{hm[0]:02d}:{hm[1]:02d}"


def _range_stop_start(low: str, rng: re.Match[str], times: list[_Time]) -> tuple[tuple[int, int], tuple[int, int]]:
    """(stop, start) for a range of the first two times: "off from 9pm to 7am", or "on 9-18" the other way."""
    first, second = times[0], times[1]
    span_is_off = bool(_STOP.search(low[max(0, rng.start() - 30) : rng.end() + 16]))
    a, b = (first.hour, first.minute), (second.hour, second.minute)
    return (a, b) if span_is_off else (b, a)


def _stop_start_by_verbs(
    low: str, times: list[_Time], *, korean: bool
) -> tuple[tuple[int, int] | None, tuple[int, int] | None, list[str]]:
    """(stop, start, the stop hours read as pm) from the verb nearest each time; the first of each wins."""
    stop: tuple[int, int] | None = None
    start: tuple[int, int] | None = None
    guessed: list[str] = []
    for t in times:
        action = _nearest_action(low, t, korean=korean)
        if not action:
            action = "stop" if stop is None else "start"
        hm = (t.hour, t.minute)
        if t.guessed and action == "stop" and t.hour < 12:
            hm = (t.hour + 12, t.minute)
            guessed.append(_fmt(hm))
        if action == "stop" and stop is None:
            stop = hm
        elif action == "start" and start is None:
            start = hm
    return stop, start, guessed


def _no_time_read(low: str) -> ScheduleTimes:
    """No crons, and a note proposing the default schedule, naming what looked like a time if anything did."""
    unread = _UNREADABLE.search(low)
    what_en = f' ("{unread.group(0)}")' if unread else ""
    what_ko = f' ("{unread.group(0)}")' if unread else ""
    note_en = (
        f"I could not read a time{what_en}; proposing the default: stop {_fmt(DEFAULT_STOP)}, "
        f"start {_fmt(DEFAULT_START)}, Mon-Fri. Change it with /ops rds schedule."
    )
    note_ko = (
        f"시각을 읽지 못했습니다{what_ko}. 기본값을 제안합니다: 중지 {_fmt(DEFAULT_STOP)}, "
        f"시작 {_fmt(DEFAULT_START)}, 월~금. `/ops rds schedule` 명령으로 바꿀 수 있습니다."
    )
    return ScheduleTimes(note_en=note_en, note_ko=note_ko)


def read_times(text: str) -> ScheduleTimes:
    """The stop/start crons a schedule request asks for (``text`` lowercased or not)."""
    low = text.lower()
    korean = has_hangul(low)
    times = _times(low)
    days = _days(low)
    rng = (
        _RANGE.search(low)
        if len(times) >= 2 and ("from " in low or "부터" in low or "~" in low or "-" in low)
        else None
    )
    guessed: list[str] = []
    if rng:
        stop, start = _range_stop_start(low, rng, times)
    else:
        stop, start, guessed = _stop_start_by_verbs(low, times, korean=korean)
    if stop is None and start is None:
        return _no_time_read(low)
    notes_en, notes_ko = [], []
    if stop is None:
        stop = DEFAULT_STOP
        notes_en.append(f"No stop time given; proposing {_fmt(stop)}.")
        notes_ko.append(f"중지 시각이 없어 {attach(_fmt(stop), '을')} 제안합니다.")
    if start is None:
        start = DEFAULT_START
        notes_en.append(
            f"No start time given; proposing {_fmt(start)} (a stopped database starts by itself after 7 days)."
        )
        notes_ko.append(
            f"시작 시각이 없어 {attach(_fmt(start), '을')} 제안합니다 (중지된 DB는 7일 뒤 스스로 시작됩니다)."
        )
    if guessed:
        notes_en.append(f"Read the stop hour without am/pm as {', '.join(guessed)}.")
        notes_ko.append(f"오전/오후 없는 중지 시각을 {attach(', '.join(guessed), '으로')} 읽었습니다.")
    if stop == start:
        notes_en.append("Stop and start are the same time; check the schedule before approving.")
        notes_ko.append("중지와 시작 시각이 같습니다. 승인 전에 확인하세요.")
    return ScheduleTimes(_cron(stop, days), _cron(start, days), " ".join(notes_en), " ".join(notes_ko))
