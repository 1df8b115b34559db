"""Updates the bot cannot read are set aside, so that one of them never stops the rest.

An update stored in an older shape of the Bot API (or one PTB cannot parse when it arrives)
would otherwise raise at every start, or be dropped with its words in the log. Here it goes to
the ``inbox_set_aside`` table for a person to inspect, is logged once with its update id and
the kind of error only (never its content), and the bot handles everything else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from telegram import Update

from bot.chat.context import BuurtApp
from storage.failures import unavailable
from storage.models import InboxItem

_log = logging.getLogger(__name__)


class SetsAside(Protocol):
    """The one storage call this needs (a Repository, or replicas' shared storage)."""

    async def inbox_set_aside(
        self, update_id: int, chat_id: int | None, payload: str, reason: str
    ) -> bool: ...


def parse_update(app: BuurtApp, data: Any) -> Update:
    """Read one update's JSON as PTB does; raises whatever PTB raises for a shape it lacks."""
    if not isinstance(data, dict):
        raise TypeError("an update is a JSON object")
    return Update.de_json(data, app.bot)


def raw_chat_id(data: Any) -> int | None:
    """The private chat an unreadable update came from, read loosely, so erasure finds it."""
    if not isinstance(data, dict):
        return None
    for key, body in data.items():
        if key == "update_id" or not isinstance(body, dict):
            continue
        for holder in (body.get("chat"), (body.get("message") or {}).get("chat")):
            if isinstance(holder, dict) and type(holder.get("id")) is int:
                return int(holder["id"])
        for person in (body.get("from"), body.get("user")):
            if isinstance(person, dict) and type(person.get("id")) is int:
                return int(person["id"])
    return None


async def set_aside(
    repo: SetsAside, update_id: int, chat_id: int | None, payload: str, error: BaseException
) -> None:
    """Keep the update aside and log it once; raises when storage cannot take it."""
    reason = type(error).__name__
    if await repo.inbox_set_aside(update_id, chat_id, payload, reason):
        _log.warning("update %s could not be read (%s); set aside", update_id, reason)


async def read_stored(app: BuurtApp, repo: SetsAside, items: Sequence[InboxItem]) -> list[Update]:
    """Read pending inbox rows; the ones that cannot be read are set aside, not raised."""
    updates = []
    for item in items:
        data = _stored_json(item)
        try:
            updates.append(parse_update(app, data))
        except Exception as exc:
            try:
                await set_aside(repo, item.update_id, raw_chat_id(data), item.payload, exc)
            except Exception as failure:
                # It stays pending and is tried again next time; the others go on.
                _log.error(
                    "update %s could not be read nor set aside (%s)",
                    item.update_id,
                    unavailable(failure) or type(failure).__name__,
                )
    return updates


def _stored_json(item: InboxItem) -> Any:
    """The stored JSON, or None when even that is unreadable (then it is set aside too)."""
    try:
        return json.loads(item.payload)
    except (ValueError, TypeError, RecursionError):
        return None
