"""What one update read and wrote of its chat's state, so it reads the database only once.

A note passes the guard, the burst check and the reply's buttons (bot/chat/typed_buttons.py),
and each looked the chat's state up again: three reads of a row only this update changes,
since a chat's updates are handled strictly one after the other (bot/ordering.py, and
``chat_turn`` across replicas). Within ``StateMemo.scope()`` the repository serves those
reads from what this update already read or wrote. Every write still goes to the database at
once; the memo only saves reads, and only in the task that opened it, so a worker started
meanwhile (which copies the task's context) never sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from storage.models import ChatState


@dataclass
class _Scope:
    owner: object
    task: asyncio.Task[object] | None
    states: dict[int, ChatState] = field(default_factory=dict)


_scope: ContextVar[_Scope | None] = ContextVar("buurtbot_state_memo", default=None)


class StateMemo:
    """The chat states one update has seen, for the repository that owns this memo."""

    def _current(self) -> _Scope | None:
        scope = _scope.get()
        if scope is None or scope.owner is not self:
            return None
        try:
            task = asyncio.current_task()
        except RuntimeError:
            return None
        return scope if scope.task is task else None

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Remember chat states from here to the end of the block, in this task only."""
        try:
            task = asyncio.current_task()
        except RuntimeError:
            task = None
        token = _scope.set(_Scope(self, task))
        try:
            yield
        finally:
            _scope.reset(token)

    def get(self, chat_id: int) -> ChatState | None:
        """The state this update already read or wrote, None when it must be read."""
        scope = self._current()
        return None if scope is None else scope.states.get(chat_id)

    def put(self, state: ChatState) -> None:
        """Remember a state just read from, or written to, the database."""
        scope = self._current()
        if scope is not None:
            scope.states[state.chat_id] = state

    def forget(self, chat_id: int | None = None) -> None:
        """Read again next time: the row changed by other means (an erase)."""
        scope = self._current()
        if scope is None:
            return
        if chat_id is None:
            scope.states.clear()
        else:
            scope.states.pop(chat_id, None)
