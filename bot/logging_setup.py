"""Structured JSON logs (python-json-logger), configured once by the entry points."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter


def configure(level: str = "INFO", stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"asctime": "ts", "levelname": "level"}
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Bolt decides whether to build its per-request debug messages from its logger's *own* level, and
    # an unset level (0) counts as DEBUG: without this, every ack formats eight messages nobody logs.
    logging.getLogger("slack_bolt").setLevel(level.upper())
    for noisy in ("werkzeug", "urllib3", "botocore", "kubernetes", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
