"""The screen view's live updates: one cheap poll of the board's change mark per theme and
replica, fanned out to every viewer over Server-Sent Events (plain SSE on aiohttp's
StreamResponse: one text/event-stream response needs no extra library). Polling storage
reaches viewers of every replica, on SQLite and PostgreSQL alike, without a new process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from functools import partial

from aiohttp import web

from storage.repository import Repository

_log = logging.getLogger(__name__)
POLL_SECONDS = 0.5
"""How often a watched theme's board is looked at: well inside the 2 s a screen may lag."""
HEARTBEAT_SECONDS = 15.0
"""A comment line now and then keeps proxies from closing a quiet stream."""
RETRY_MS = 2000
"""The browser's EventSource comes back this soon after a drop or a bot restart."""


class BoardWatch:
    """Per theme: the board's change mark, and the viewers waiting for it to change."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._marks: dict[int, str] = {}
        self._changed: dict[int, asyncio.Condition] = {}
        self._viewers: dict[int, int] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def mark(self, theme_id: int) -> str:
        """The board's current change mark as last seen (empty before the first look)."""
        return self._marks.get(theme_id, "")

    async def _poll(self, theme_id: int) -> None:
        condition = self._changed[theme_id]
        while True:
            try:
                mark = await self._repo.board_mark(theme_id)
            except Exception as exc:
                _log.warning("screen: could not read the board (%s)", type(exc).__name__)
                mark = self._marks.get(theme_id, "")
            if mark != self._marks.get(theme_id):
                self._marks[theme_id] = mark
                async with condition:
                    condition.notify_all()
            await asyncio.sleep(POLL_SECONDS)

    def _moved(self, theme_id: int, seen: str) -> bool:
        return self._marks.get(theme_id, "") != seen

    async def stream(self, request: web.Request, theme_id: int) -> web.StreamResponse:
        """Send "board" whenever the board changes, until the viewer goes away."""
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        await response.write(f"retry: {RETRY_MS}\n\n".encode())
        self._viewers[theme_id] = self._viewers.get(theme_id, 0) + 1
        condition = self._changed.setdefault(theme_id, asyncio.Condition())
        if theme_id not in self._tasks:
            self._marks[theme_id] = await self._repo.board_mark(theme_id)
            self._tasks[theme_id] = asyncio.create_task(self._poll(theme_id))
        seen = self._marks.get(theme_id, "")
        try:
            while True:
                async with condition:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(
                            condition.wait_for(partial(self._moved, theme_id, seen)),
                            HEARTBEAT_SECONDS,
                        )
                mark = self._marks.get(theme_id, "")
                if mark != seen:
                    seen = mark
                    await response.write(f"event: board\ndata: {mark}\n\n".encode())
                else:
                    await response.write(b": still here\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._viewers[theme_id] -= 1
            if self._viewers[theme_id] <= 0:
                task = self._tasks.pop(theme_id, None)
                if task is not None:
                    task.cancel()
        return response

    async def close(self) -> None:
        """Stop every poll (the server is stopping)."""
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()
