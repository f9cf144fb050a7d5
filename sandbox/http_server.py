"""Serve an ASGI app (the Bolt app's Starlette surface) under uvicorn in a background thread.

Used by the sandbox (``chatops demo``) and the tests to run the real HTTP app on 127.0.0.1 with
a port chosen by the OS. ``start()`` returns only once the socket is accepting connections, so a
request sent right after it cannot race the server's start-up. Never binds 0.0.0.0.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn


class BackgroundServer:
    """``BackgroundServer(asgi_app).start()`` -> ``"http://127.0.0.1:PORT"``; ``stop()`` shuts it down."""

    def __init__(self, asgi_app: Any, host: str = "127.0.0.1", start_timeout: float = 10.0) -> None:
        self.host, self.start_timeout = host, start_timeout
        config = uvicorn.Config(asgi_app, host=host, port=0, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> str:
        self._thread = threading.Thread(target=self._server.run, name="bolt-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the HTTP server exited during start-up")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the HTTP server did not start within {self.start_timeout}s")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        with socket.create_connection((self.host, port), timeout=self.start_timeout):
            pass  # accepting: the listening socket answered a real connection
        self.url = f"http://{self.host}:{port}"
        return self.url

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(timeout)
