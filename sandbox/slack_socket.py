"""The Slack stand-in's Socket Mode side: a ``websockets`` server on 127.0.0.1 and ``send``.

``apps.connections.open`` hands out ``url``; a client that connects gets Slack's ``hello``, and
``send`` pushes an envelope to the newest client and waits for its ack. Acks are kept in a dict the
owner supplies (``SlackStandIn`` keeps them in its resettable state), guarded by the owner's lock.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class SocketModeServer:
    """Socket Mode on 127.0.0.1; ``start()`` before reading ``url``."""

    def __init__(self, app_id: str, lock: threading.RLock, acks: Callable[[], dict[str, dict]]) -> None:
        self.app_id = app_id
        self._acked = threading.Condition(lock)
        self._acks = acks
        self._sockets: list[ServerConnection] = []
        self._ws: Any = None

    def start(self) -> None:
        self._ws = serve(self._session, "127.0.0.1", 0, ping_interval=None, compression=None)
        threading.Thread(target=self._ws.serve_forever, daemon=True).start()

    def stop(self) -> None:
        for conn in list(self._sockets):
            conn.close()
        if self._ws is not None:
            self._ws.shutdown()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._ws.socket.getsockname()[1]}/link/?ticket={uuid.uuid4()}&app_id={self.app_id}"

    def send(self, envelope: dict, timeout: float = 5.0) -> dict | None:
        """Push an envelope to the newest Socket Mode client and return its ack (None if none came).

        Raises AssertionError when no client has connected within ``timeout``.
        """
        deadline = time.monotonic() + timeout
        while not self._sockets and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self._sockets:
            raise AssertionError("no Socket Mode client is connected")
        self._sockets[-1].send(json.dumps(envelope))
        envelope_id = envelope.get("envelope_id")
        with self._acked:
            remaining = max(0.0, deadline - time.monotonic())
            self._acked.wait_for(lambda: envelope_id in self._acks(), remaining)
            return self._acks().get(envelope_id)

    def _session(self, conn: ServerConnection) -> None:
        hello = {
            "type": "hello",
            "num_connections": 1,
            "connection_info": {"app_id": self.app_id},
            "debug_info": {"host": "sandbox", "build_number": 1, "approximate_connection_time": 18060},
        }
        conn.send(json.dumps(hello))
        self._sockets.append(conn)
        try:
            for raw in conn:
                message = json.loads(raw)
                if isinstance(message, dict) and "envelope_id" in message:
                    with self._acked:
                        self._acks()[message["envelope_id"]] = message
                        self._acked.notify_all()
        except ConnectionClosed:
            pass
        finally:
            self._sockets.remove(conn)
