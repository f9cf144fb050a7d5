"""``chatops parse``: print what the bot understood from text, offline (a stable contract).

Wired as the ``parse`` sub-command of the ``chatops`` entry point, which passes the arguments
after ``parse`` and the bot's composed vocabulary (``bot.services.reading``). Forms:

    chatops parse TEXT...        the words joined by spaces (``chatops parse -- --cluster prod ...``
                                 when the text itself starts with an option-like word)
    chatops parse -              the whole of stdin is one message
    chatops parse --jsonl        one message per input line, one JSON object per output line;
                                 a line that is a JSON string ("...") is decoded first, so
                                 multi-line messages can be fed one per line
    chatops parse --eval FILE [--part dev|test|all]
                                 score the parser against a labelled corpus
                                 (``bot.parsing.evaluate``; default part dev)

Output is JSON with ``ensure_ascii=False``. Exit status 0, or 2 for a usage error.
"""

from __future__ import annotations

import json
import sys
from typing import IO

from bot.parsing.result import parse
from bot.parsing.vocabulary import Vocabulary

USAGE = (
    "usage: chatops parse TEXT... | chatops parse - | chatops parse --jsonl  (reads stdin)"
    " | chatops parse --eval FILE [--part dev|test|all]\n"
)


def _read_all(stdin: IO[str]) -> str:
    raw = getattr(stdin, "buffer", None)
    if raw is not None:  # undecodable bytes must not crash the parser
        return raw.read().decode("utf-8", "replace")
    return stdin.read()


def _lines(stdin: IO[str]):
    raw = getattr(stdin, "buffer", None)
    if raw is not None:
        for line in raw:
            yield line.decode("utf-8", "replace")
    else:
        yield from stdin


def _message(line: str) -> str:
    line = line.rstrip("\r\n")
    if len(line) >= 2 and line[0] == '"' and line[-1] == '"':
        try:
            decoded = json.loads(line)
        except ValueError:
            return line
        if isinstance(decoded, str):
            return decoded
    return line


def _dump(text: str, vocabulary: Vocabulary) -> str:
    return json.dumps(parse(text, vocabulary).to_json(), ensure_ascii=False)


def main(
    argv: list[str],
    vocabulary: Vocabulary,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run ``chatops parse`` with ``argv`` (the arguments after ``parse``), reading with
    ``vocabulary``. Returns the exit status."""
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    if argv in (["-h"], ["--help"]):
        stdout.write(USAGE)
        return 0
    if argv and (argv[0] == "--eval" or argv[0].startswith("--eval=")):
        from bot.parsing.evaluate import main as eval_main  # noqa: PLC0415 (only --eval pays for it)

        return eval_main(argv, vocabulary, stdout, stderr)
    if argv == ["--jsonl"]:
        write = stdout.write
        for line in _lines(stdin):
            write(_dump(_message(line), vocabulary) + "\n")
        stdout.flush()
        return 0
    if argv == ["-"]:
        stdout.write(_dump(_read_all(stdin), vocabulary) + "\n")
        return 0
    if argv[:1] == ["--"] and len(argv) > 1:
        stdout.write(_dump(" ".join(argv[1:]), vocabulary) + "\n")
        return 0
    if not argv or any(a.startswith("--") for a in argv) or "-" in argv:
        stderr.write(USAGE)
        return 2
    stdout.write(_dump(" ".join(argv), vocabulary) + "\n")
    return 0
