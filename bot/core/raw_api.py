"""Every raw Bot API call of the bot: the two hot paths that skip python-telegram-bot's objects.

Why raw at all (measured with bench/throughput.py, where one note costs the bot about 1.1 ms
of CPU; README, Performance):

* getUpdates: Bot.get_updates parses every update and the inbox then needs its JSON back;
  Update.to_dict() rebuilding it was a tenth of the bot's CPU per update. The raw call keeps
  the JSON exactly as Telegram sent it, and the poller parses each update once.
* sendMessage with inline buttons (the reply to every note): building the InlineKeyboard
  objects and parsing Telegram's answer into a Message cost as much as the rest of handling
  the note. The raw call sends the buttons as plain JSON and reads only message_id.

Both go through Bot.do_api_request, PTB's public call for raw requests (since v20.8): the same
Bot, so the same transport, rate limiter (ExtBot's ChatPacer, bot/services/pacing.py),
timeouts and errors as the typed methods, and no reliance on the private Bot._post it wraps.
Two of its habits are undone here: it warns "Please use 'Bot.getUpdates'" for an endpoint
that has a typed method (we skip that method on purpose), and after initialize() it turns
InvalidToken into EndPointNotFound (it cannot tell a refused token from an unknown method;
both of ours exist, so it is the token). Cost against Bot._post, on this machine: about 10
microseconds more per call, about 1% of a note's CPU.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from telegram import Bot
from telegram.error import EndPointNotFound, InvalidToken
from telegram.warnings import PTBUserWarning

InlineKeyboard = Sequence[Sequence[dict[str, str]]]
"""Inline buttons as rows of Bot API InlineKeyboardButton objects: {"text", "callback_data"}."""

_TYPED_METHOD_HINT = r"Please use 'Bot\.(getUpdates|sendMessage)'"


class _Hint:
    """Which warnings filter list has our filter: pytest and catch_warnings() swap the list."""

    filters: object = None


def _silence_typed_method_hint() -> None:
    # An identity check per call; the filter itself is added once per filter list.
    if warnings.filters is _Hint.filters:
        return
    warnings.filterwarnings("ignore", message=_TYPED_METHOD_HINT, category=PTBUserWarning)
    _Hint.filters = warnings.filters


async def _call(
    bot: Bot, endpoint: str, api_kwargs: dict[str, Any], *, read_timeout: float | None = None
) -> Any:
    _silence_typed_method_hint()
    try:
        if read_timeout is None:  # the request's own default, as the typed methods have it
            return await bot.do_api_request(endpoint, api_kwargs=api_kwargs)
        return await bot.do_api_request(endpoint, api_kwargs=api_kwargs, read_timeout=read_timeout)
    except EndPointNotFound as exc:
        raise InvalidToken(f"Telegram refused the bot token ({exc.message})") from exc


async def get_updates(
    bot: Bot, *, offset: int | None, poll_seconds: int, allowed_updates: Sequence[str]
) -> list[dict[str, Any]]:
    """getUpdates, each update's JSON as Telegram sent it (for the inbox)."""
    raw: list[dict[str, Any]] = await _call(
        bot,
        # Exactly "getUpdates": PTB sends only that name through the long-poll connection
        # pool (get_updates_request) and past the rate limiter.
        "getUpdates",
        {"offset": offset, "timeout": poll_seconds, "allowed_updates": list(allowed_updates)},
        read_timeout=poll_seconds + 10,
    )
    return raw


async def send_message(
    bot: Bot, chat_id: int, text: str, *, parse_mode: str, inline_keyboard: InlineKeyboard
) -> int:
    """sendMessage without link previews; return the new message's id, nothing else parsed."""
    result: dict[str, Any] = await _call(
        bot,
        "sendMessage",
        {
            "chat_id": chat_id,
            "text": text,
            "parse_mode": parse_mode,
            "reply_markup": {"inline_keyboard": inline_keyboard},
            "link_preview_options": {"is_disabled": True},
        },
    )
    return int(result["message_id"])
