"""``MissingActionNote``: moto's missing actions are one warning line; other server errors are untouched."""

from __future__ import annotations

import logging

from sandbox.aws import MissingActionNote


def _record(msg: str) -> logging.LogRecord:
    return logging.LogRecord("werkzeug", logging.ERROR, __file__, 1, msg, (), None)


def test_a_missing_moto_action_becomes_one_warning_line():
    trace = (
        'Error on request:\nTraceback (most recent call last):\n  File "x.py", line 1, in f\n'
        "NotImplementedError: The create_pull_through_cache_rule action has not been implemented\n"
    )
    record = _record(trace)
    assert MissingActionNote().filter(record)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "moto: The create_pull_through_cache_rule action has not been implemented"


def test_other_server_errors_keep_their_traceback():
    trace = "Error on request:\nTraceback (most recent call last):\nKeyError: 'Bucket'\n"
    record = _record(trace)
    assert MissingActionNote().filter(record)
    assert record.levelno == logging.ERROR and record.getMessage() == trace
