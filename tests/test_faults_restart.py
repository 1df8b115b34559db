"""SIGKILL while reminders go out: after the restart the rest follows, nobody is skipped.

(SIGKILL in the middle of a broadcast and of a conversation: tests/test_e2e_restart.py.)
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playground.client import PlaygroundClient
from playground.server import Playground
from storage.models import MUNICIPALITY, MomentKind, ThemeStatus
from tests.backends import new_repository
from tests.conftest import TOKEN
from tests.process import kill, start_bot, write_config

RESIDENTS = 60
TITLE = "Buurtborrel in het dorpshuis"


def _reminded(playground: Playground, people: list[int]) -> list[int]:
    """How many reminders each resident has received so far."""
    state = playground.state
    return [
        sum(
            m.from_bot and m.text is not None and TITLE in m.text.text
            for m in state.history(user_id)
        )
        for user_id in people
    ]


async def test_sigkill_during_reminder_delivery_resumes_without_losses(
    playground: Playground, tmp_path: Path
) -> None:
    database = tmp_path / "buurtbot.sqlite3"
    config = write_config(
        tmp_path / "buurtbot.toml",
        playground.url,
        database,
        extra="[delivery]\nrate_per_second = 20\n",
    )
    async with PlaygroundClient(playground.url) as pg:
        people = [(await pg.new_person(first_name=f"Buur {i}")).id for i in range(RESIDENTS)]
        repo = new_repository(database)
        await repo.open()
        try:
            now = datetime.now(UTC)
            theme = await repo.create_theme(
                title="Samen wonen",
                invitation="Hoe willen we hier wonen?",
                question="Wat zou jij graag zien?",
                place=MUNICIPALITY,
                status=ThemeStatus.ACTIVE,
                starts_on=None,
                ends_on=None,
            )
            # The two-hour reminder of a meeting two hours from now: due as the bot starts.
            starts_at = now + timedelta(minutes=119)
            moment = await repo.create_moment(
                theme_id=theme.id,
                table_id=None,
                kind=MomentKind.MEETING,
                title=TITLE,
                starts_at=starts_at,
                place="Dorpshuis",
                remind_theme=False,
                created_by=None,
                reminders=[(120, starts_at - timedelta(minutes=120))],
            )
            for user_id in people:
                await repo.ensure_resident(user_id, "nl")
                await repo.set_rsvp(moment.id, user_id, True)
        finally:
            await repo.close()

        process = await start_bot(config, TOKEN)
        try:
            for _ in range(600):
                counts = _reminded(playground, people)
                if sum(counts) >= 20:
                    break
                await asyncio.sleep(0.05)
        finally:
            await kill(process)
        before = sum(_reminded(playground, people))
        assert 0 < before < RESIDENTS, "the kill did not come while reminders went out"

        process = await start_bot(config, TOKEN)
        try:
            for _ in range(400):
                counts = _reminded(playground, people)
                if all(counts):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # anything sent twice would arrive by now
            counts = _reminded(playground, people)
        finally:
            process.terminate()
            await process.wait()
    duplicates = sum(c - 1 for c in counts if c > 1)
    print(
        f"\nreminders killed after {before} of {RESIDENTS}; duplicates after restart: {duplicates}"
    )
    assert all(c >= 1 for c in counts), "somebody missed the reminder"
    assert duplicates <= 1, "only the message in flight at the kill may arrive twice"
