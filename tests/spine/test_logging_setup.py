"""``logging_setup.configure``: JSON lines on the stream, and Bolt's per-request debug work switched off."""

from __future__ import annotations

import io
import json
import logging

from slack_bolt import App

from bot import logging_setup


def test_configure_writes_json_and_gives_bolt_a_real_level() -> None:
    root, bolt = logging.getLogger(), logging.getLogger("slack_bolt")
    saved = (root.handlers[:], root.level, bolt.level)
    stream = io.StringIO()
    try:
        logging_setup.configure("INFO", stream)
        logging.getLogger("chatops.test").info("hello", extra={"plan": 7})
        line = json.loads(stream.getvalue().splitlines()[-1])
        assert (line["level"], line["message"], line["plan"]) == ("INFO", "hello", 7)
        # Bolt builds a debug message per middleware whenever its logger's own level is <= DEBUG (unset is 0).
        app = App(signing_secret="s", token="xoxb-x", token_verification_enabled=False, logger=bolt)
        assert app.logger.level > logging.DEBUG
        logging_setup.configure("DEBUG", stream)
        assert app.logger.level == logging.DEBUG  # asking for debug logs still gets Bolt's
    finally:
        root.handlers[:], _, _ = saved
        root.setLevel(saved[1])
        bolt.setLevel(saved[2])
