"""The queue of lazy listener calls from the serving process to its worker processes.

``LazyWorkers`` puts one call per ack that has work left; each worker takes calls with ``take``.
It does what ``multiprocessing.Queue`` did here, without the two costs that queue has:

- No thread hand-off per ack. ``multiprocessing.Queue.put`` wakes a feeder thread that then takes
  the GIL, pickles and writes while the next ack is being served. ``CallQueue.put`` pickles and sends
  the call itself, as one record on a Unix ``SOCK_SEQPACKET`` socket pair, without blocking. Only when
  the socket's buffer is full (the workers are far behind) do calls wait in a backlog, which one
  thread sends on in order.
- No lock between readers. A receive takes exactly one whole record, so a worker killed while it
  waits holds nothing its replacement would then wait on forever.

Workers read end-of-file once every call sent before the serving process closed its end (or died)
has been taken: that is how they learn to stop. A call too large for one record goes through a file
in a private directory, and its record carries the file's name.
"""

from __future__ import annotations

import collections
import logging
import multiprocessing
import os
import pickle
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

WANTED_SEND_BUFFER = 8 << 20  # what we ask for; the kernel caps it at net.core.wmem_max
RECORD_OVERHEAD = 64  # the kernel refuses a record longer than the send buffer less a little
INLINE, IN_FILE = b"P", b"F"


@dataclass(frozen=True)
class CallReader:
    """The workers' end, handed to each worker process when it is spawned."""

    sock: socket.socket
    pending: Any  # a spawn-context Semaphore counting calls sent and not yet taken
    record_limit: int

    def take(self) -> Any:
        """The next call, waiting for one; ``None`` once the serving process's end is closed."""
        record = self.sock.recv(self.record_limit + RECORD_OVERHEAD)
        if not record:
            return None
        self.pending.acquire(False)
        if record[:1] == IN_FILE:
            path = record[1:].decode()
            with open(path, "rb") as fh:
                data = fh.read()
            os.unlink(path)
            return pickle.loads(data)
        return pickle.loads(record[1:])


class CallQueue:
    """The serving process's end: ``put`` from any thread; ``close`` once nothing more will come."""

    def __init__(self, send_buffer: int = WANTED_SEND_BUFFER) -> None:
        self._writer, reader = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._writer.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        except OSError:
            pass  # the default buffer still works; calls just spill to files or the backlog sooner
        limit = self._writer.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) - RECORD_OVERHEAD
        self.reader = CallReader(reader, multiprocessing.get_context("spawn").Semaphore(0), limit)
        self._backlog: collections.deque[bytes] = collections.deque()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._sender: threading.Thread | None = None
        self._spill_dir: str | None = None
        self._closed = False

    def put(self, call: Any) -> None:
        """Send ``call`` to whichever worker takes it next; never blocks on slow workers."""
        frame = INLINE + pickle.dumps(call, protocol=pickle.HIGHEST_PROTOCOL)
        if len(frame) > self.reader.record_limit:
            frame = self._spill(frame)
        with self._lock:
            if self._closed:
                raise RuntimeError("the lazy call queue is closed")
            self.reader.pending.release()
            if not self._backlog:
                try:
                    self._writer.send(frame, socket.MSG_DONTWAIT)
                    return
                except BlockingIOError:
                    pass
            self._backlog.append(frame)
            if self._sender is None:
                self._sender = threading.Thread(target=self._send_backlog, daemon=True, name="chatops-call-backlog")
                self._sender.start()
            self._changed.notify()

    def waiting(self) -> int:
        """Calls sent or in the backlog that no worker has taken yet."""
        return self.reader.pending.get_value()

    def _spill(self, frame: bytes) -> bytes:
        if self._spill_dir is None:
            self._spill_dir = tempfile.mkdtemp(prefix="chatops-calls-")
        fd, path = tempfile.mkstemp(dir=self._spill_dir, suffix=".call")
        with os.fdopen(fd, "wb") as fh:
            fh.write(frame[len(INLINE) :])
        return IN_FILE + path.encode()

    def _send_backlog(self) -> None:
        """Sends what waits, oldest first, blocking as long as the workers need; ends after ``close``."""
        while True:
            with self._lock:
                while not self._backlog and not self._closed:
                    self._changed.wait()
                if not self._backlog:
                    return
                frame = self._backlog[0]  # stays queued while sent, so a put meanwhile lines up behind it
            try:
                self._writer.send(frame)
            except OSError as exc:
                log.error("a lazy call could not be handed to the workers", extra={"error": str(exc)})
            with self._lock:
                self._backlog.popleft()
                self._changed.notify_all()

    def close(self, timeout: float = 10.0) -> None:
        """No more calls: send the backlog (up to ``timeout``), then close, so workers read end-of-file."""
        with self._lock:
            self._closed = True
            self._changed.notify_all()
            self._changed.wait_for(lambda: not self._backlog, timeout)
            left = len(self._backlog)
        if left:
            log.error("lazy calls dropped at shutdown: the workers did not take them in time", extra={"calls": left})
        try:
            self._writer.shutdown(socket.SHUT_WR)  # also ends a send the backlog thread is blocked in
        except OSError:
            pass  # already closed
        self._writer.close()

    def cleanup(self) -> None:
        """Remove the spill directory (after the workers have stopped) and this process's read end."""
        self.reader.sock.close()
        if self._spill_dir is not None:
            shutil.rmtree(self._spill_dir, ignore_errors=True)
