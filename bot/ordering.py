"""Handle updates of different chats concurrently and the updates of one chat strictly in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

_log = logging.getLogger(__name__)

AfterHook = Callable[[object], Awaitable[None]]
ArrivalHook = Callable[[object], None]
Handle = Callable[[object, Awaitable[Any], AfterHook], Awaitable[None]]
"""handle(update, coroutine, after): run the coroutine (PTB's handling), then after(update)."""

# PTB's own semaphore is acquired before we can see the chat, and its waiters are not
# guaranteed to wake in arrival order; so it is set wide open and the real limit applies
# after each update has taken its place in its chat's line.
_UNBOUNDED = 1 << 20


def chat_key(update: object) -> int | None:
    """Return the chat whose order an update belongs to, None when it has none."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Run at most `limit` updates at once, one at a time per chat, in arrival order."""

    def __init__(self, limit: int = 256) -> None:
        super().__init__(_UNBOUNDED)
        self._limit = asyncio.Semaphore(limit)
        self._tails: dict[int, asyncio.Future[None]] = {}
        self._after: list[AfterHook] = []
        self._arrival: list[ArrivalHook] = []
        self._handle: Handle = _plain
        self.observe: Callable[[object, float], None] | None = None
        """Told each update and the seconds it took once handled (bot/services/metrics.py)."""
        self.scope: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext
        """Opened around each update's handling (the repository's state_scope)."""

    def handle_with(self, handle: Handle) -> None:
        """Let handle(update, coroutine, after) run each update in its turn (bot/replicas.py
        takes the chat's turn across processes around it)."""
        self._handle = handle

    def add_arrival_hook(self, hook: ArrivalHook) -> None:
        """Call hook(update) as each update arrives, before it waits for its chat's turn."""
        self._arrival.append(hook)

    def add_after_hook(self, hook: AfterHook) -> None:
        """Call hook(update) once each update has been handled, whatever the outcome."""
        self._after.append(hook)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update, then handle this one within the limit."""
        for arrived in self._arrival:
            arrived(update)
        key = chat_key(update)
        previous: asyncio.Future[None] | None = None
        mine: asyncio.Future[None] | None = None
        if key is not None:
            # Taking the place in line happens before the first await, so the order in
            # which PTB starts the tasks (arrival order) is the order of handling.
            previous = self._tails.get(key)
            mine = asyncio.get_running_loop().create_future()
            self._tails[key] = mine
        try:
            if previous is not None:
                await asyncio.shield(previous)
            async with self._limit:
                started = time.perf_counter()
                with self.scope():
                    await self._handle(update, coroutine, self._after_update)
                if self.observe is not None:
                    self.observe(update, time.perf_counter() - started)
        finally:
            if mine is not None and key is not None:
                mine.set_result(None)
                if self._tails.get(key) is mine:
                    del self._tails[key]

    async def _after_update(self, update: object) -> None:
        for hook in self._after:
            try:
                await hook(update)
            except Exception:
                _log.exception("after-update hook failed")

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


async def _plain(update: object, coroutine: Awaitable[Any], after: AfterHook) -> None:
    await coroutine
    await after(update)
