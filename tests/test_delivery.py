"""The delivery worker against a stub Bot API: what each kind of failure does to a message."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.core.clock import ManualClock
from bot.services.delivery import DeliveryWorker, progress_bar
from bot.services.pacing import ChatRetryAfter
from storage.models import BroadcastKind, NewMessage, OutboxStatus
from storage.sqlite import SqliteRepository
from tests.backends import new_repository

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


class StubBot:
    """Answers send_message from a script of outcomes per chat; records every call."""

    def __init__(self, script: dict[int, list[Exception | None]]) -> None:
        self.script = script
        self.calls: list[tuple[str, int, float]] = []

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        self.calls.append(("send", chat_id, asyncio.get_running_loop().time()))
        outcomes = self.script.get(chat_id, [])
        outcome = outcomes.pop(0) if outcomes else None
        if outcome is not None:
            raise outcome

    async def edit_message_text(self, *_: Any, **__: Any) -> None:
        self.calls.append(("edit", 0, asyncio.get_running_loop().time()))


@pytest.fixture
async def repo(tmp_path: Path) -> Any:
    repository = new_repository(tmp_path / "outbox.sqlite3")
    await repository.open()
    for user_id in range(1, 8):
        await repository.ensure_resident(user_id, "nl")
    yield repository
    await repository.close()


async def _run_until_settled(
    worker: DeliveryWorker, repo: SqliteRepository, broadcast: int, clock: ManualClock
) -> None:
    """Run the worker until nothing of the broadcast is in flight or due now."""
    await worker.start()
    for _ in range(400):
        # What is due first, then what is in flight: a row goes from due to in flight to
        # settled, so read the other way round a claim between the two reads looked settled.
        due = await repo.next_due_at()
        counts = await repo.broadcast_counts(broadcast)
        if counts[OutboxStatus.SENDING] == 0 and (due is None or due > clock.now()):
            break
        await asyncio.sleep(0.01)
    await worker.stop()


async def test_each_failure_is_settled_its_own_way(repo: SqliteRepository) -> None:
    clock = ManualClock(START)
    bot = StubBot(
        {
            2: [Forbidden("Forbidden: bot was blocked by the user")],
            3: [BadRequest("Chat not found")],
            4: [NetworkError("Bad Gateway")],
            5: [TimedOut()] * 3,
        }
    )
    worker = DeliveryWorker(bot, repo, clock, rate_per_second=200, max_attempts=3)  # type: ignore[arg-type]
    broadcast = await repo.create_broadcast(
        BroadcastKind.MESSAGE, [NewMessage(chat_id, "Hallo & welkom") for chat_id in range(1, 6)]
    )
    await repo.enqueue([NewMessage(2, "nog een voor 2", due_at=START + timedelta(hours=1))])
    await _run_until_settled(worker, repo, broadcast.id, clock)
    counts = await repo.broadcast_counts(broadcast.id)
    assert counts[OutboxStatus.SENT] == 1  # chat 1
    assert counts[OutboxStatus.BLOCKED] == 1  # chat 2: marked inactive, its queue cancelled
    assert counts[OutboxStatus.FAILED] == 1  # chat 3: nothing to gain from trying again
    resident = await repo.get_resident(2)
    assert resident is not None and not resident.active
    assert await repo.next_due_at() is not None  # 4 and 5 wait for their retry

    # Network trouble is retried later, with growing pauses, up to max_attempts.
    for _ in range(3):
        clock.advance(timedelta(minutes=10))
        await _run_until_settled(worker, repo, broadcast.id, clock)
    counts = await repo.broadcast_counts(broadcast.id)
    assert counts[OutboxStatus.SENT] == 2  # chat 4 on its second try
    assert counts[OutboxStatus.FAILED] == 2  # chat 5 after three timeouts
    assert worker.stats.retried == 3
    assert [c for c in bot.calls if c[0] == "send" and c[1] == 5].__len__() == 3
    cancelled = await repo.dump_table("outbox")
    assert [r["status"] for r in cancelled if r["chat_id"] == 2] == ["blocked", "cancelled"]


async def test_a_bot_wide_retry_after_pauses_every_send(repo: SqliteRepository) -> None:
    clock = ManualClock(START)
    bot = StubBot({3: [RetryAfter(1)]})
    worker = DeliveryWorker(bot, repo, clock, rate_per_second=200, max_attempts=3)  # type: ignore[arg-type]
    broadcast = await repo.create_broadcast(
        BroadcastKind.MESSAGE, [NewMessage(chat_id, "Hallo") for chat_id in range(1, 7)]
    )
    await _run_until_settled(worker, repo, broadcast.id, clock)
    counts = await repo.broadcast_counts(broadcast.id)
    assert counts[OutboxStatus.SENT] == 6
    sends = [c for c in bot.calls if c[0] == "send"]
    refused_at = sends[2][2]
    after = [moment for _, _, moment in sends[3:]]
    assert all(moment - refused_at >= 0.99 for moment in after), "a send went out during the ban"
    assert worker.stats.rate_limited == 1


async def test_a_held_chat_waits_while_the_others_go_on(repo: SqliteRepository) -> None:
    """A 429 for one chat (ChatPacer's ChatRetryAfter) delays that chat's rows only."""
    clock = ManualClock(START)
    bot = StubBot({3: [ChatRetryAfter(3, 5.0)]})
    worker = DeliveryWorker(bot, repo, clock, rate_per_second=200, max_attempts=3)  # type: ignore[arg-type]
    first = await repo.create_broadcast(
        BroadcastKind.MESSAGE, [NewMessage(chat_id, "Hallo") for chat_id in range(1, 7)]
    )
    # A second message for the held chat in the same batch waits with it.
    await repo.enqueue([NewMessage(3, "nog een voor 3")])
    await _run_until_settled(worker, repo, first.id, clock)
    sends = [c for c in bot.calls if c[0] == "send"]
    assert [chat for _, chat, _ in sends] == [1, 2, 3, 4, 5, 6]
    refused_at, last_at = sends[2][2], sends[-1][2]
    assert last_at - refused_at < 4.0, "the other chats waited out the 5 s hold"
    assert worker.stats.chat_held == 2 and worker.stats.rate_limited == 0
    waiting = [r for r in await repo.dump_table("outbox") if r["status"] == "pending"]
    assert [(r["chat_id"], r["attempts"]) for r in waiting] == [(3, 0), (3, 0)]
    due = await repo.next_due_at()
    assert due is not None and START < due <= START + timedelta(seconds=5)

    # Once the hold is over both go out, no attempt counted for the wait.
    await asyncio.sleep(0.01)
    worker._held.clear()  # the hold is measured in real seconds; the due time in clock time
    clock.advance(timedelta(seconds=5))
    await worker.start()
    for _ in range(500):
        sent_to_3 = [r for r in await repo.dump_table("outbox") if r["chat_id"] == 3]
        if all(r["status"] == "sent" for r in sent_to_3):
            break
        await asyncio.sleep(0.01)
    await worker.stop()
    assert [r["status"] for r in sent_to_3] == ["sent", "sent"]


async def test_in_flight_messages_go_back_after_a_crash(repo: SqliteRepository) -> None:
    broadcast = await repo.create_broadcast(
        BroadcastKind.MESSAGE, [NewMessage(chat_id, "Hallo") for chat_id in range(1, 4)]
    )
    claimed = await repo.claim_due(datetime.now(UTC), 2)
    assert len(claimed) == 2  # the process dies here, two rows left as 'sending'
    assert await repo.requeue_in_flight() == 2
    counts = await repo.broadcast_counts(broadcast.id)
    assert counts[OutboxStatus.PENDING] == 3


def test_progress_bar() -> None:
    assert progress_bar(0, 10) == "░" * 10
    assert progress_bar(5, 10) == "▓" * 5 + "░" * 5
    assert progress_bar(1234, 5000) == "▓▓" + "░" * 8


class PaidRecordingBot(StubBot):
    """Remembers, per chat, whether the message went with allow_paid_broadcast."""

    def __init__(self) -> None:
        super().__init__({})
        self.paid: dict[int, bool] = {}

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        self.paid[chat_id] = kwargs.get("allow_paid_broadcast") is True
        await super().send_message(chat_id, text, **kwargs)


@pytest.mark.parametrize("paid_rate", [1000.0, None])
async def test_only_news_and_bericht_go_as_paid_broadcast(
    repo: SqliteRepository, paid_rate: float | None
) -> None:
    """With paid broadcast on, theme news and /bericht go paid; reminders and replies never."""
    clock = ManualClock(START)
    bot = PaidRecordingBot()
    worker = DeliveryWorker(
        bot,  # type: ignore[arg-type]
        repo,
        clock,
        rate_per_second=200,
        max_attempts=3,
        paid_rate_per_second=paid_rate,
    )
    news = await repo.create_broadcast(BroadcastKind.THEME, [NewMessage(1, "Nieuw thema")])
    message = await repo.create_broadcast(BroadcastKind.MESSAGE, [NewMessage(2, "Bericht")])
    reminder = await repo.create_broadcast(BroadcastKind.REMINDER, [NewMessage(3, "Morgen")])
    await repo.enqueue([NewMessage(4, "los bericht")])
    await worker.start()
    for _ in range(400):
        if len(bot.paid) == 4:
            break
        await asyncio.sleep(0.01)
    await worker.stop()
    on = paid_rate is not None
    assert bot.paid == {1: on, 2: on, 3: False, 4: False}
    for broadcast in (news, message, reminder):
        assert (await repo.broadcast_counts(broadcast.id))[OutboxStatus.SENT] == 1


class GatedBot(StubBot):
    """Holds every send until the gate opens: shows how many are in flight at once."""

    def __init__(self) -> None:
        super().__init__({})
        self.gate = asyncio.Event()
        self.flying: list[int] = []
        self.most = 0
        self.texts: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        self.flying.append(chat_id)
        self.most = max(self.most, len(self.flying))
        try:
            await self.gate.wait()
            self.texts.append((chat_id, text))
        finally:
            self.flying.remove(chat_id)


@pytest.mark.parametrize("paid_rate", [1000.0, None])
async def test_a_paid_broadcast_has_a_few_sends_in_flight_and_anything_else_one(
    repo: SqliteRepository, paid_rate: float | None
) -> None:
    """Paid: up to four calls at once, never two for one chat; unpaid: one call at a time."""
    clock = ManualClock(START)
    bot = GatedBot()
    worker = DeliveryWorker(
        bot,  # type: ignore[arg-type]
        repo,
        clock,
        rate_per_second=200,
        max_attempts=3,
        paid_rate_per_second=paid_rate,
    )
    first = await repo.create_broadcast(
        BroadcastKind.MESSAGE, [NewMessage(chat_id, "Hallo") for chat_id in range(1, 7)]
    )
    await repo.create_broadcast(BroadcastKind.MESSAGE, [NewMessage(1, "Nog een")])
    await worker.start()
    expected = 4 if paid_rate is not None else 1
    for _ in range(400):
        if len(bot.flying) == expected:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # room for a fifth (or second) call, which must not come
    assert bot.flying == [1, 2, 3, 4][:expected]
    bot.gate.set()
    await _run_until_settled(worker, repo, first.id, clock)
    assert bot.most == expected
    assert [text for chat, text in bot.texts if chat == 1] == ["Hallo", "Nog een"]
    assert len(bot.texts) == 7
