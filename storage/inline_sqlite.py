"""aiosqlite's connection interface, run on the event loop's own thread.

aiosqlite sends every statement to a worker thread and back: about 50-100 µs of hand-over
per statement on a small server, five to ten times what SQLite itself needs for the point
lookups and short transactions buurtbot runs (a note is about a dozen statements). Measured
in bench/throughput.py, the hand-overs were a third of the bot's CPU time per update.

``InlineConnection`` keeps aiosqlite's API (so the storage code is unchanged) but runs each
statement directly. What made the thread worth having is handled here instead:

* Waiting for another process's lock (SQLITE_BUSY) never blocks the loop: SQLite's own busy
  wait is switched off, and a busy statement is tried again after an ``asyncio.sleep``, up
  to ``busy_timeout`` seconds, then the error goes up as before ("database is locked").
* The statements are short: every query the bot runs is indexed (bench/scale.py checks the
  plans and times them on 1,000,000 notes).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite

_FIRST_PAUSE = 0.002
_LONGEST_PAUSE = 0.05


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == sqlite3.SQLITE_BUSY)
    return "database is locked" in str(exc)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite.Connection whose statements run on the calling (event loop) thread."""

    def __init__(
        self, connector: Callable[[], sqlite3.Connection], *, busy_timeout: float = 5.0
    ) -> None:
        # aiosqlite creates its worker thread object here; it is never started.
        super().__init__(connector, 64)
        self._busy_timeout = busy_timeout

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()

    async def _connect(self) -> aiosqlite.Connection:
        if self._connection is None:
            connection = await self._execute_unchecked(self._connector)
            # Waiting happens in _execute, with the loop free meanwhile.
            connection.execute("PRAGMA busy_timeout = 0")
            self._connection = connection
        return self

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        return await self._execute_unchecked(fn, *args, **kwargs)

    async def _execute_unchecked(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        deadline: float | None = None
        pause = _FIRST_PAUSE
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self._busy_timeout
                if now >= deadline:
                    raise
                # A statement that met SQLITE_BUSY did nothing; it can simply run again.
                await asyncio.sleep(min(pause, deadline - now))
                pause = min(pause * 2, _LONGEST_PAUSE)

    def stop(self) -> asyncio.Future[Any] | None:
        """Close at once (there is no thread to stop)."""
        self._running = False
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
        return None

    async def close(self) -> None:
        """Close the connection."""
        self.stop()

    def __del__(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
