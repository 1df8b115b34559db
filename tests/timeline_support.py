"""Helpers for the end-to-end tests of tables and the timeline: a bot on a ManualClock that
can be restarted on the same database, and waiting until the outbox has sent everything."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.core.clock import ManualClock
from bot.runner import BotRunner
from bot.services.scheduler import WakeScheduler, scheduler_of
from playground.client import Person, PlaygroundClient
from storage.models import PlaceKind, PlaceRef, Theme, ThemeStatus
from tests.conftest import AMBASSADOR_ID, HANDLED_TIMEOUT, BotFactory, repo_of


@dataclass
class Harness:
    """One bot at a time on one database and one ManualClock; restart() swaps the bot."""

    make_bot: BotFactory
    database: Path
    clock: ManualClock
    runner: BotRunner | None = None

    async def start(self) -> BotRunner:
        self.runner = await self.make_bot(clock=self.clock, database=self.database)
        return self.runner

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.stop()

    async def restart(self) -> BotRunner:
        await self.stop()
        return await self.start()

    @property
    def bot(self) -> BotRunner:
        assert self.runner is not None
        return self.runner

    @property
    def scheduler(self) -> WakeScheduler:
        scheduler = scheduler_of(self.bot.app.bot_data)
        assert scheduler is not None
        return scheduler

    async def waiter(self, update_id: int) -> None:
        await asyncio.wait_for(self.bot.handled.wait(update_id), HANDLED_TIMEOUT)

    async def at(self, moment: datetime) -> None:
        """Move the clock, let the scheduler release what is due, wait until it is sent."""
        self.clock.set(moment)
        await self.scheduler.run_due()
        await settled(self.bot)


async def settled(runner: BotRunner) -> None:
    """Wait until the outbox holds nothing pending or being sent."""
    repo = repo_of(runner)
    for _ in range(400):
        rows = await repo.dump_table("outbox")
        if not any(row["status"] in ("pending", "sending") for row in rows):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not empty")


async def village_theme(runner: BotRunner, title: str = "Samen wonen, jong en oud") -> Theme:
    """An active theme for Doorwerth without an end date, whatever the clock says."""
    return await runner.repo.create_theme(
        title=title,
        invitation="Hoe willen we hier wonen, nu en later?",
        question="Wat zou jij graag zien?",
        place=PlaceRef(PlaceKind.VILLAGE, "doorwerth"),
        status=ThemeStatus.ACTIVE,
        starts_on=None,
        ends_on=None,
    )


async def ambassador(pg: PlaygroundClient) -> Person:
    person = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID)
    await person.send("/start")
    return person


async def texts(person: Person, containing: str) -> list[str]:
    """The bot's messages to the person that contain the text."""
    return [m.content for m in await person.bot_messages() if containing in m.content]


async def plan_moment(
    ahmed: Person,
    theme: str,
    *,
    title: str,
    day: str,
    clock_time: str,
    place: str | None = None,
    table: str | None = None,
    kind: str = "Ontmoeting",
    end: str | None = None,
) -> None:
    """The ambassador puts a moment on the timeline, through /moment."""
    await ahmed.send("/moment")
    await ahmed.press(theme)
    if table is not None:
        await ahmed.press(table)
    await ahmed.press(kind)
    await ahmed.send(title)
    await ahmed.send(day)
    await ahmed.send(clock_time)
    if end is None:
        await ahmed.press("Ongeveer 2 uur")
    else:
        await ahmed.send(end)
    if place is None:
        await ahmed.press("Sla over")
    else:
        await ahmed.send(place)
    await ahmed.press("Zet op de tijdlijn")
