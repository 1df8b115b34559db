"""The wake-up scheduler: it really wakes at the next due time, in real time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import ManualClock, SystemClock
from bot.core.config import parse_config
from bot.services import Services
from bot.services.scheduler import WakeScheduler
from storage.sqlite import SqliteRepository
from tests.backends import new_repository
from tests.conftest import TOKEN, config_data


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteRepository]:
    repository = new_repository(tmp_path / "bot.sqlite3")
    await repository.open()
    yield repository
    await repository.close()


def _services(repo: SqliteRepository, tmp_path: Path, clock: SystemClock | ManualClock) -> Services:
    data = config_data("http://127.0.0.1:1", tmp_path / "bot.sqlite3")
    config = parse_config(data, base_dir=tmp_path, token=TOKEN)
    return Services(config=config, repo=repo, clock=clock)


async def _until(condition: object, seconds: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError("the scheduler did not run in time")
        await asyncio.sleep(0.02)


async def test_wakes_at_the_next_due_time(repo: SqliteRepository, tmp_path: Path) -> None:
    services = _services(repo, tmp_path, SystemClock())
    calls: list[datetime] = []

    async def job(s: Services) -> datetime | None:
        calls.append(s.clock.now())
        return s.clock.now() + timedelta(seconds=0.6) if len(calls) == 1 else None

    scheduler = WakeScheduler(services, [job])
    await scheduler.start()
    try:
        assert len(calls) == 1  # at start: whatever was missed
        await asyncio.sleep(0.3)
        assert len(calls) == 1  # not before it is due
        await _until(lambda: len(calls) == 2)
        assert calls[1] - calls[0] >= timedelta(seconds=0.55)
        # Something planned changed: it looks again at once.
        scheduler.changed()
        await _until(lambda: len(calls) == 3, 1.0)
    finally:
        await scheduler.stop()
    scheduler.changed()  # stopped: nothing runs any more
    await scheduler.run_due()
    assert len(calls) == 3


async def test_a_failing_job_is_retried_not_fatal(repo: SqliteRepository, tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    services = _services(repo, tmp_path, clock)

    async def job(s: Services) -> datetime | None:
        raise RuntimeError("storage hiccup")

    scheduler = WakeScheduler(services, [job])
    await scheduler.start()
    try:
        assert scheduler.next_due == clock.now() + timedelta(seconds=30)
    finally:
        await scheduler.stop()
