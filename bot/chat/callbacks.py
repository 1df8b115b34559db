"""Callback data: short, prefixed by flow, and never trusted on its own.

A button only says what the person claims to want; every handler checks again that the
thing exists, belongs to them and that they hold the role.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Generic, TypeVar

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.chat.context import BuurtContext

MAX_BYTES = 64
SEPARATOR = ":"


def pack(*parts: str | int) -> str:
    """Join parts into callback data, refusing anything Telegram would refuse."""
    data = SEPARATOR.join(str(p) for p in parts)
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data must be 1-{MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None, prefix: str, count: int) -> list[str] | None:
    """Split callback data that starts with prefix into exactly count parts after it."""
    if not data:
        return None
    parts = data.split(SEPARATOR)
    if parts[0] != prefix or len(parts) != count + 1:
        return None
    return parts[1:]


def unpack_int(value: str) -> int | None:
    """Parse an id from callback data; forged data may hold anything."""
    # isdigit() alone lets "²" through to int(), which refuses it.
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None
    return int(value)


V = TypeVar("V")


class Codes(Generic[V]):
    """A two-way map between values and the short codes that stand for them in callback data."""

    def __init__(self, codes: Mapping[V, str]) -> None:
        if len(set(codes.values())) != len(codes):
            raise ValueError(f"codes must differ: {dict(codes)!r}")
        self._code = dict(codes)
        self._value = {code: value for value, code in codes.items()}

    def code(self, value: V) -> str:
        """The code a button carries for value."""
        return self._code[value]

    def value(self, code: str) -> V | None:
        """The value a pressed button names, or None when the code is forged or stale."""
        return self._value.get(code)

    def items(self) -> list[tuple[V, str]]:
        """Every value with its code, in declared order (to draw one button each)."""
        return list(self._code.items())


ButtonHandler = Callable[[Update, BuurtContext, list[str]], Coroutine[Any, Any, None]]
"""Handles one named button action; gets the parts of the callback data after the action."""


def button_routes(
    prefix: str,
    routes: Mapping[str, ButtonHandler],
    *,
    guard: Callable[[ButtonHandler], ButtonHandler] | None = None,
) -> list[CallbackQueryHandler[BuurtContext, None]]:
    """One CallbackQueryHandler per declared action of a flow; unknown actions fall through.

    Callback data reads prefix:action:arg...; a press that matches no action reaches the
    stale-button fallback like any other unknown button. guard (a role check such as
    ambassadors_only) wraps every route, for buttons only the command's role may press.
    """

    def bind(handler: ButtonHandler) -> Callable[[Update, BuurtContext], Coroutine[Any, Any, None]]:
        async def on_press(update: Update, context: BuurtContext) -> None:
            query = update.callback_query
            parts = (query.data or "").split(SEPARATOR) if query else []
            await handler(update, context, parts[2:])

        on_press.__doc__ = handler.__doc__
        on_press.__name__ = getattr(handler, "__name__", "on_press")
        return on_press

    return [
        CallbackQueryHandler(
            bind(guard(handler) if guard else handler),
            pattern=rf"^{re.escape(prefix)}:{re.escape(str(action))}(?::|$)",
        )
        for action, handler in routes.items()
    ]


def first_id(args: list[str], count: int = 1) -> int | None:
    """The id a button names first, when it carries exactly count parts; None when forged."""
    return unpack_int(args[0]) if len(args) == count else None
