"""A failure in a handler is logged without the token and explained to the person."""

from __future__ import annotations

import logging

import pytest

from bot.core.logs import REDACTED, RedactToken
from bot.runner import BotRunner
from playground.client import PlaygroundClient
from tests.conftest import TOKEN, add_theme


async def test_a_failing_handler_tells_the_person_and_logs_no_token(
    pg: PlaygroundClient,
    bot: BotRunner,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await add_theme(bot)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"disk trouble while talking to /bot{TOKEN}/sendMessage")

    monkeypatch.setattr(bot.repo, "list_active_themes", broken)
    caplog.handler.addFilter(RedactToken(TOKEN))
    anna = await pg.new_person(first_name="Anna", language_code="en")
    with caplog.at_level(logging.ERROR):
        await anna.send("/thema")
    reply = await anna.last_bot_message()
    assert reply.text.startswith("Sorry, something went wrong on my side. Your messages are saved.")
    assert "handling update" in caplog.text
    assert TOKEN not in caplog.text
    assert REDACTED in caplog.text
    monkeypatch.undo()
    await anna.send("/thema")  # the bot keeps running
    assert (await anna.last_bot_message()).text.startswith("Samen wonen")


def test_redaction_covers_messages_args_and_tracebacks() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", (f"/bot{TOKEN}/x",), None)
    RedactToken(TOKEN).filter(record)
    assert TOKEN not in record.getMessage()
    try:
        raise ValueError(TOKEN)
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    RedactToken(TOKEN).filter(record)
    assert record.exc_text is not None and TOKEN not in record.exc_text
