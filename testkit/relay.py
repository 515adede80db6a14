"""A backend that can be switched off: a TCP relay in front of it that can stop listening."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

from testkit.app_process import free_port


class Relay:
    """A loopback TCP port that forwards to ``target_port`` while up and refuses while down.

    A backend that is down is one nobody listens for: ``down()`` closes the listening socket
    and every relayed connection, ``up()`` listens again on the same port.
    """

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._target = target_port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread.start()

    def up(self) -> None:
        """Listen and forward."""
        self._call(self._up())

    def down(self) -> None:
        """Stop listening and cut every relayed connection."""
        self._call(self._down())

    def close(self) -> None:
        """Go down for good and stop the relay's thread."""
        self.down()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _call(self, coroutine: Any) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=5)

    async def _up(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def _down(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.close()
        if server is not None:
            await server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self._target)
        except OSError:
            writer.close()
            return
        pairs = ((reader, upstream_writer), (upstream_reader, writer))
        self._writers.update((writer, upstream_writer))
        try:
            await asyncio.gather(*(self._pipe(source, sink) for source, sink in pairs))
        finally:
            self._writers.difference_update((writer, upstream_writer))

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.close()
