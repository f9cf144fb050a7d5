"""The lazy-call queue between the serving process and its workers (``bot.slack.call_queue``).

Real sockets and real spawned processes: order, a full socket buffer (backlog, puts never block),
calls too large for one record (through a file), end-of-file for the readers, and several readers
taking each call exactly once without a lock between them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.slack.call_queue import CallQueue, CallReader
from tests.polling import pid_running, wait


def _take_all(reader: CallReader) -> list:
    out = []
    while (item := reader.take()) is not None:
        out.append(item)
    return out


def test_calls_arrive_in_order_and_the_reader_sees_the_end():
    queue = CallQueue()
    for i in range(50):
        queue.put({"n": i, "body": b"x" * i})
    assert queue.waiting() == 50
    queue.close()
    got = _take_all(queue.reader)
    assert [c["n"] for c in got] == list(range(50)) and got[7]["body"] == b"x" * 7
    assert queue.waiting() == 0
    queue.cleanup()


def test_a_full_socket_never_blocks_a_put_and_the_backlog_keeps_the_order():
    queue = CallQueue(send_buffer=16 * 1024)  # fills after a handful of calls
    body = b"y" * 3000
    done = threading.Event()

    def put_all() -> None:
        for i in range(400):  # ~1.2 MB: far more than the socket holds
            queue.put({"n": i, "body": body})
        done.set()

    threading.Thread(target=put_all, daemon=True).start()
    assert done.wait(10), "put blocked while no worker was reading"
    assert queue.waiting() == 400
    taker = threading.Thread(target=lambda: got.extend(_take_all(queue.reader)))
    got: list = []
    taker.start()
    queue.close(timeout=10)
    taker.join(10)
    assert [c["n"] for c in got] == list(range(400))
    queue.cleanup()


def test_a_call_larger_than_a_record_goes_through_a_file_that_is_removed():
    queue = CallQueue(send_buffer=16 * 1024)
    big = {"body": os.urandom(200_000)}
    queue.put({"n": 0})
    queue.put(big)
    queue.put({"n": 2})
    spill = Path(queue._spill_dir or "")
    assert queue._spill_dir and len(list(spill.iterdir())) == 1
    queue.close()
    got = _take_all(queue.reader)
    assert got == [{"n": 0}, big, {"n": 2}]
    assert list(spill.iterdir()) == []  # the worker removed the file it read
    queue.cleanup()
    assert not spill.exists()


def test_a_put_after_close_is_refused_loudly():
    queue = CallQueue()
    queue.close()
    with pytest.raises(RuntimeError, match="closed"):
        queue.put({"n": 1})
    queue.cleanup()


def _reader_process(reader: CallReader, out: str) -> None:
    Path(out).write_text(json.dumps([c["n"] for c in _take_all(reader)]))


def test_several_worker_processes_take_each_call_exactly_once(tmp_path):
    spawn = multiprocessing.get_context("spawn")
    queue = CallQueue()
    outs = [str(tmp_path / f"r{i}.json") for i in range(3)]
    procs = [spawn.Process(target=_reader_process, args=(queue.reader, out)) for out in outs]
    for p in procs:
        p.start()
    for i in range(600):
        queue.put({"n": i, "body": b"z" * 500})
    queue.close()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    taken = [n for out in outs for n in json.loads(Path(out).read_text())]
    assert sorted(taken) == list(range(600))  # none lost, none twice
    queue.cleanup()


SERVING_PROCESS = """
import multiprocessing, sys, time
from tests.spine.test_call_queue import _slow_reader_process
from bot.slack.call_queue import CallQueue
if __name__ == "__main__":
    queue = CallQueue()
    reader = multiprocessing.get_context("spawn").Process(target=_slow_reader_process, args=(queue.reader, sys.argv[1]))
    reader.start()
    for i in range(100):
        queue.put({"n": i})
    print(reader.pid, flush=True)
    time.sleep(120)
"""


def _slow_reader_process(reader: CallReader, out: str) -> None:
    time.sleep(2)  # every call is still in the socket when the serving process is killed
    _reader_process(reader, out)


def test_calls_sent_before_the_serving_process_is_killed_are_still_taken(tmp_path):
    out = tmp_path / "taken.json"
    parent = subprocess.Popen(
        [sys.executable, "-c", SERVING_PROCESS, str(out)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        reader_pid = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)  # no close(), no atexit: the kernel closes the writing end
        parent.wait(10)
        wait(lambda: not pid_running(reader_pid), 30, "the reader to reach end-of-file and exit")
        assert json.loads(out.read_text()) == list(range(100))
    finally:
        if parent.poll() is None:
            parent.kill()
