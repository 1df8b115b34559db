"""Housekeeping forgets what was kept only for a while, and nothing a resident would miss."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.services.housekeeping import SENT_WORDS_KEPT, HousekeepingWorker
from storage.models import NewMessage
from storage.sql_repository import SqlRepository
from tests.backends import new_repository

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[tuple[SqlRepository, ManualClock]]:
    clock = ManualClock(START)
    repo = new_repository(tmp_path / "keep.sqlite3", clock=clock.now)
    await repo.open()
    await repo.ensure_resident(7, "nl")
    yield repo, clock
    await repo.close()


async def _send_one(repo: SqlRepository, text: str, key: str) -> None:
    await repo.enqueue([NewMessage(7, text, ((("Ja", "x:1"),),), dedupe_key=key)])
    (claimed,) = await repo.claim_due(START + timedelta(days=400), 10)
    await repo.mark_sent(claimed.id)


async def test_sent_words_go_after_a_month_and_the_message_is_never_sent_again(
    setup: tuple[SqlRepository, ManualClock],
) -> None:
    repo, clock = setup
    await _send_one(repo, "Herinnering: Ruilmarkt morgen bij Anna thuis", "remind:1:7")
    await repo.enqueue([NewMessage(7, "Nog niet verstuurd", due_at=START + timedelta(days=60))])
    worker = HousekeepingWorker(repo, clock)

    clock.advance(SENT_WORDS_KEPT - timedelta(hours=1))
    await worker.step()
    assert "Bij Anna" in json.dumps(await repo.export_resident(7)).title()

    clock.advance(timedelta(hours=2))
    await worker.step()
    data = await repo.export_resident(7)
    assert "Anna" not in json.dumps(data, ensure_ascii=False)
    # What waits to be sent keeps its words; the blanked one no longer shows in /mijngegevens.
    assert [m["text"] for m in data["messages"]] == ["Nog niet verstuurd"]
    # The row itself stays, so the same reminder is not queued (and sent) a second time.
    assert await repo.enqueue([NewMessage(7, "Herinnering", dedupe_key="remind:1:7")]) == 0


async def test_handled_updates_go_after_two_days(setup: tuple[SqlRepository, ManualClock]) -> None:
    repo, clock = setup
    await repo.inbox_add([(501, 7, '{"update_id": 501}')])
    await repo.inbox_done(501)
    worker = HousekeepingWorker(repo, clock)
    clock.advance(timedelta(days=3))
    await worker.step()
    # A pruned id is not recognised any more: Telegram never offers it again after 24 hours.
    assert await repo.inbox_add([(501, 7, '{"update_id": 501}')]) == {501}
