"""The busiest path stays lean: what one note costs in statements, counted, not timed."""

from __future__ import annotations

from bot.runner import BotRunner
from playground.client import PlaygroundClient
from storage.sqlite import SqliteRepository
from tests.backends import sqlite_only
from tests.conftest import add_theme

# The guard's one read (person and state), the theme, the similar notes' catch-up, the note,
# the quick notes still waiting, and the state with the buttons shown. (The two writes share
# their commit with the other writes of the moment: storage/group_commit.py.)
HANDLER_STATEMENTS = 6
HANDLER_TABLES = ("residents", "chat_state", "themes", "notes", "note_support")


@sqlite_only
async def test_a_note_costs_six_statements_of_the_handler(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    await add_theme(bot)
    repo = bot.repo
    assert isinstance(repo, SqliteRepository)
    anna = await pg.new_person(first_name="Anna")
    await anna.send("/thema")
    await anna.send("Een bankje bij de bushalte")
    with repo.watch_statements() as seen:
        await anna.send("En meer groen op het plein")
        assert "Waar horen deze 2 briefjes bij?" in (await anna.last_bot_message()).text
    handler = [s for s in seen if any(f" {table}" in s for table in HANDLER_TABLES)]
    assert len(handler) <= HANDLER_STATEMENTS, "\n".join(handler)
    assert len([s for s in handler if s.startswith("INSERT INTO notes")]) == 1
