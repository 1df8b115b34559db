"""Fixtures that run the real bot against the playground Bot API server over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import services_of
from bot.core.clock import Clock, local_today
from bot.core.config import parse_config
from bot.runner import BotRunner
from playground.client import PlaygroundClient
from playground.server import Playground
from storage.models import PlaceRef, Theme, ThemeStatus
from storage.sql_repository import SqlRepository
from tests.backends import ON_POSTGRES, drop_databases, storage_section

TOKEN = "123456789:playground-test-token-abcdefghijklmnop"
AMBASSADOR_ID = 900001
MODERATOR_ID = 900002
ADMIN_ID = 900003
HANDLED_TIMEOUT = 20.0


def municipality() -> dict[str, Any]:
    """A small municipality: two areas, one village with neighbourhoods."""
    return {
        "name": "Renkum",
        "areas": [
            {
                "key": "doorwerth-heveadorp",
                "name": "Doorwerth en Heveadorp",
                "villages": [
                    {"name": "Doorwerth", "neighbourhoods": ["Kasteelweg", "Dorp"]},
                    {"name": "Heveadorp"},
                ],
            },
            {
                "key": "renkum-heelsum",
                "name": "Renkum en Heelsum",
                "villages": [{"name": "Renkum"}, {"name": "Heelsum"}],
            },
        ],
    }


GENEROUS_FLOOD: dict[str, Any] = {
    "updates": 1_000_000,
    "chat_rate": 10_000.0,
    "chat_burst": 10_000,
    "bot_rate": 100_000.0,
    "bot_burst": 100_000,
}


def config_data(url: str, database: Path, **sections: dict[str, Any]) -> dict[str, Any]:
    """The config of a test bot pointed at the playground."""
    data: dict[str, Any] = {
        "telegram": {
            "base_url": f"{url}/bot",
            "base_file_url": f"{url}/file/bot",
            "poll_timeout": 1,
        },
        "storage": storage_section(database),
        "municipality": municipality(),
        # Tests act faster than any person (44 forged buttons in a row): the flood guard and
        # the bot's own pace stay out of the way unless a test narrows them (test_e2e_flood).
        "flood": GENEROUS_FLOOD,
        "roles": {
            "admins": [ADMIN_ID],
            "moderators": [MODERATOR_ID],
            "ambassadors": [{"user_id": AMBASSADOR_ID, "area": "doorwerth-heveadorp"}],
        },
    }
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}
    return data


@pytest.fixture(autouse=True)
def _test_databases() -> Iterator[None]:
    """On PostgreSQL, drop the databases a test made once it is over (tests/backends.py)."""
    yield
    if ON_POSTGRES:
        drop_databases()


@pytest.fixture
async def playground() -> AsyncIterator[Playground]:
    """A fresh playground on a free port; generous per-chat limits unless a test narrows them."""
    # Flood limits far above what tests send; the flood tests narrow them on purpose.
    server = Playground(
        token=TOKEN, chat_burst=200, chat_rate=50.0, global_rate=1000.0, global_burst=1000
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


BotFactory = Callable[..., Awaitable[BotRunner]]


@pytest.fixture
async def make_bot(playground: Playground, tmp_path: Path) -> AsyncIterator[BotFactory]:
    """Start bots on the playground; every bot started is stopped at the end."""
    runners: list[BotRunner] = []

    async def start(
        *, clock: Clock | None = None, database: Path | None = None, **sections: dict[str, Any]
    ) -> BotRunner:
        data = config_data(playground.url, database or tmp_path / "buurtbot.sqlite3", **sections)
        config = parse_config(data, base_dir=tmp_path, token=TOKEN)
        # Two bots polling one playground take each other's updates (Telegram's Conflict),
        # which under load times a test out: a test asking for its own bot (while the `pg`
        # fixture already started the default one) gets the playground to itself.
        for running in runners:
            await running.stop()
        runner = BotRunner(config, clock=clock)
        await runner.start()
        runners.append(runner)
        return runner

    try:
        yield start
    finally:
        for runner in reversed(runners):
            await runner.stop()


@pytest.fixture
async def bot(make_bot: BotFactory) -> BotRunner:
    """One running bot with the default test config."""
    return await make_bot()


@pytest.fixture
async def pg(playground: Playground, bot: BotRunner) -> AsyncIterator[PlaygroundClient]:
    """A control-API client whose sends and presses return once the bot has handled them."""

    async def handled(update_id: int) -> None:
        await asyncio.wait_for(bot.handled.wait(update_id), HANDLED_TIMEOUT)

    async with PlaygroundClient(playground.url, waiter=handled) as client:
        yield client


def municipal_today(runner: BotRunner) -> date:
    """Return today in the municipality's zone, as the bot counts it; the machine's may differ."""
    return local_today(services_of(runner.app).clock, runner.config.municipality.tz)


async def add_theme(
    runner: BotRunner,
    *,
    title: str = "Samen wonen, jong en oud",
    place: PlaceRef | None = None,
    status: ThemeStatus = ThemeStatus.ACTIVE,
    invitation: str = "Hoe willen we hier wonen, nu en later?",
    question: str = "Wat zou jij graag zien?",
) -> Theme:
    """Create a theme straight in storage, active from yesterday for six weeks."""
    from storage.models import MUNICIPALITY

    today = municipal_today(runner)
    return await runner.repo.create_theme(
        title=title,
        invitation=invitation,
        question=question,
        place=place or MUNICIPALITY,
        status=status,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=42),
    )


def repo_of(runner: BotRunner) -> SqlRepository:
    """The runner's repository as the shared SQL class (both backends'), for table scans."""
    assert isinstance(runner.repo, SqlRepository)
    return runner.repo
