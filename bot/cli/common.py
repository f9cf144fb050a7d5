"""What every ``chatops`` command shares: the settings, read once, and errors said in one line."""

from __future__ import annotations

import sys


def settings_or_exit():
    """The settings from the environment; a setting that is not of its type ends the command in one line."""
    from bot.preflight import load_settings

    settings = load_settings()
    if isinstance(settings, str):
        print(settings, file=sys.stderr)
        raise SystemExit(2)
    return settings


def one_line(exc: BaseException) -> str:
    """An exception as one line: the driver's own message for database errors, no traceback."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]
