"""Structured JSON logs (python-json-logger), configured once by the entry points."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter


def configure(level: str = "INFO", stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                       rename_fields={"asctime": "ts", "levelname": "level"}))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("werkzeug", "urllib3", "botocore", "kubernetes", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
