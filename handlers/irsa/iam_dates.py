"""Date values of IAM ``Date*`` condition operators, read as instants in UTC. Pure.

The IAM User Guide (condition operators, "Date condition operators",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date)
says values use the W3C profile of ISO 8601 (https://www.w3.org/TR/NOTE-datetime:
``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY-MM-DDThh:mm[:ss[.s]]TZD`` with ``TZD`` = ``Z`` or
``+hh:mm``) or epoch (UNIX) time; a string of digits (so also a bare ``YYYY``) is
epoch seconds. A value without a zone is read as UTC. Anything else is not a date:
``parse_date`` returns None and the caller treats the comparison as a non-match.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_EPOCH = re.compile(r"^-?\d+(\.\d+)?$")
_PARTIAL = re.compile(r"^(\d{4})-(\d{2})$")


def parse_date(text: object) -> datetime | None:
    """The instant ``text`` names (timezone-aware, UTC), or None when it is not an IAM date."""
    value = str(text).strip()
    if not value:
        return None
    try:
        if _EPOCH.match(value):
            return datetime.fromtimestamp(float(value), UTC)
        partial = _PARTIAL.match(value)
        if partial:
            return datetime(int(partial.group(1)), int(partial.group(2)), 1, tzinfo=UTC)
        if len(value) < 10 or value[4] != "-":
            return None
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "zZ" else value)
    except (ValueError, OverflowError, OSError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
