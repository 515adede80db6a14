"""A webhook receiver on loopback: a real HTTP server in a thread that records every POST.

It can refuse its first ``failures`` POSTs (HTTP 500), and hold each answer until the test
``release``s it (a slow receiver), so tests see what a backend does with either.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOLD_AT_MOST_SECONDS = 120.0


@dataclass(frozen=True)
class Received:
    """One POST as it arrived: when (unix seconds), its headers and its body."""

    at: float
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """Records every POST to ``url``; ``failures`` first answers are 500, the rest 200."""

    def __init__(self, *, failures: int = 0, hold: bool = False) -> None:
        self.received: list[Received] = []
        self.answered = 0  # answers sent, 2xx or not
        self._failures = failures
        self._released = threading.Event()
        if not hold:
            self._released.set()
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/aurora?token=t0p"

    def release(self) -> None:
        """Answer the held POSTs, and every later one at once."""
        self._released.set()

    def wait_for(self, count: int, *, timeout: float = 120.0) -> list[Received]:
        """The POSTs received, once there are at least ``count`` (AssertionError after
        ``timeout`` seconds)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} POSTs received, expected {count}")
            return list(self.received)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._changed:
                    receiver.received.append(Received(time.time(), dict(self.headers), body))
                    refuse = len(receiver.received) <= receiver._failures
                    receiver._changed.notify_all()
                receiver._released.wait(HOLD_AT_MOST_SECONDS)
                self.send_response(500 if refuse else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver._changed:
                    receiver.answered += 1

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the test reads ``received``."""

        return Handler

    @contextmanager
    def running(self) -> Iterator[WebhookReceiver]:
        """Serve for the block, then stop (answering anything still held)."""
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.release()
            self._server.shutdown()
            self._server.server_close()
