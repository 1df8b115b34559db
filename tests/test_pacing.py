"""ChatPacer against a scripted Bot API: the pace per chat and overall, where a 429 holds."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from telegram.error import NetworkError, RetryAfter

from bot.core.config import FloodConfig
from bot.services.pacing import ChatPacer, ChatRetryAfter, Pace, Scope, makes_a_message

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)


class Api:
    """Records when each call reached it; raises the outcomes scripted per chat (None: no chat)."""

    def __init__(self, script: dict[int | None, list[Exception | None]] | None = None) -> None:
        self.script = script or {}
        self.calls: list[tuple[int | None, float]] = []

    def call(self, chat_id: int | None) -> Any:
        async def callback() -> bool:
            self.calls.append((chat_id, asyncio.get_running_loop().time()))
            outcomes = self.script.get(chat_id, [])
            outcome = outcomes.pop(0) if outcomes else None
            if outcome is not None:
                raise outcome
            return True

        return callback

    def times(self, chat_id: int | None) -> list[float]:
        return [moment for chat, moment in self.calls if chat == chat_id]


async def send(
    pacer: ChatPacer, api: Api, chat_id: int | None, pace: Pace | None = None, **data: Any
) -> Any:
    endpoint = data.pop("endpoint", "sendMessage")
    payload = {"chat_id": chat_id, **data} if chat_id is not None else data
    return await pacer.process_request(api.call(chat_id), (), {}, endpoint, payload, pace)


def pacer(**limits: Any) -> ChatPacer:
    return ChatPacer(FloodConfig(**{"chat_rate": 10.0, "chat_burst": 3, **limits}))


async def test_a_chat_gets_its_burst_at_once_then_its_rate() -> None:
    pace, api = pacer(), Api()
    await asyncio.gather(*(send(pace, api, 1) for _ in range(6)), send(pace, api, 2))
    one = api.times(1)
    assert len(one) == 6
    gaps = [later - earlier for earlier, later in itertools.pairwise(one)]
    assert all(gap < 0.05 for gap in gaps[:2])  # the burst of three
    assert all(gap >= 0.09 for gap in gaps[2:])  # then ten a second
    # The other chat did not wait for the first one's pace.
    assert api.times(2)[0] - one[0] < 0.05


async def test_the_bot_bucket_spans_chats() -> None:
    pace, api = pacer(bot_rate=10.0, bot_burst=2), Api()
    await asyncio.gather(*(send(pace, api, chat) for chat in range(1, 5)))
    moments = sorted(moment for _, moment in api.calls)
    assert moments[3] - moments[0] >= 0.19  # two at once, then ten a second overall


async def test_a_429_for_one_chat_holds_that_chat_only() -> None:
    pace, api = pacer(), Api({1: [None, RetryAfter(1)]})
    await send(pace, api, 1)  # the chat was written to: its own pace may be what was exceeded
    first = asyncio.ensure_future(send(pace, api, 1))
    await asyncio.sleep(0.05)
    assert not first.done()  # waiting out its own ban
    await send(pace, api, 2)  # another chat goes straight through
    assert await first is True
    _, refused, retried = api.times(1)
    assert retried - refused >= 1.0
    assert api.times(2)[0] - refused < 0.5
    assert (pace.chat_bans, pace.bot_bans) == (1, 0)


async def test_a_429_naming_no_chat_holds_every_call() -> None:
    pace, api = pacer(), Api({None: [RetryAfter(1)]})
    held = asyncio.ensure_future(send(pace, api, None, endpoint="setMyCommands"))
    await asyncio.sleep(0.05)
    await send(pace, api, 2)
    assert await held is True
    refused = api.times(None)[0]
    assert api.times(2)[0] - refused >= 1.0
    assert pace.bot_bans == 1


async def test_a_429_for_a_chat_not_written_to_lately_holds_the_whole_bot() -> None:
    """Its own pace cannot have been exceeded: the ban is the bot's."""
    pace, api = pacer(), Api({1: [RetryAfter(1)]})
    first = asyncio.ensure_future(send(pace, api, 1))
    await asyncio.sleep(0.05)
    await send(pace, api, 2)
    await first
    assert api.times(2)[0] - api.times(1)[0] >= 1.0
    assert (pace.chat_bans, pace.bot_bans) == (0, 1)


async def test_two_chats_refused_within_one_ban_hold_the_whole_bot() -> None:
    pace, api = pacer(), Api({1: [None, RetryAfter(1)], 2: [None, RetryAfter(1)]})
    await send(pace, api, 1)
    await send(pace, api, 2)
    first = asyncio.ensure_future(send(pace, api, 1))
    await asyncio.sleep(0.05)
    second = asyncio.ensure_future(send(pace, api, 2))
    await asyncio.sleep(0.05)
    third = asyncio.ensure_future(send(pace, api, 3))
    await asyncio.gather(first, second, third)
    assert api.times(3)[0] - api.times(2)[0] >= 1.0  # chat 3 waited for the bot-wide ban
    assert (pace.chat_bans, pace.bot_bans) == (1, 1)


async def test_without_waiting_a_held_chat_is_refused_at_once() -> None:
    pace, api = pacer(chat_burst=2), Api({1: [None, RetryAfter(5)]})
    no_wait = Pace(wait=False)
    await send(pace, api, 1, no_wait)
    with pytest.raises(ChatRetryAfter) as refused:
        await send(pace, api, 1, no_wait)
    assert refused.value.chat_id == 1 and refused.value.seconds == 5
    with pytest.raises(ChatRetryAfter):
        await send(pace, api, 1, no_wait)  # still held: not even called
    assert len(api.times(1)) == 2
    # Out of tokens is refused the same way, with the wait for the next token.
    await send(pace, api, 2, no_wait)
    await send(pace, api, 2, no_wait)
    with pytest.raises(ChatRetryAfter) as paced:
        await send(pace, api, 2, no_wait)
    assert 0 < paced.value.seconds <= 0.1


async def test_shutdown_wakes_every_waiting_call() -> None:
    pace, api = pacer(chat_rate=0.01, chat_burst=1), Api()
    await send(pace, api, 1)
    waiting = asyncio.ensure_future(send(pace, api, 1))  # would wait 100 s
    await asyncio.sleep(0.05)
    await pace.shutdown()
    with pytest.raises(NetworkError, match="shutting down"):
        await asyncio.wait_for(waiting, timeout=2)


async def test_calls_that_make_no_message_take_no_token() -> None:
    pace, api = pacer(chat_rate=0.01, chat_burst=1), Api()
    await send(pace, api, 1)
    for _ in range(5):
        await asyncio.wait_for(send(pace, api, 1, endpoint="sendChatAction"), timeout=1)
        await asyncio.wait_for(send(pace, api, None, endpoint="answerCallbackQuery"), timeout=1)
    assert makes_a_message("editMessageText") and not makes_a_message("deleteMessage")


async def test_each_429_is_told_with_what_it_held() -> None:
    """The metrics hear the pacer's own judgement: one chat held, or the whole bot."""
    scopes: list[Scope] = []
    pace = ChatPacer(FloodConfig(chat_rate=10.0, chat_burst=3), on_refused=scopes.append)
    api = Api({1: [None, RetryAfter(1)], 2: [RetryAfter(1)], None: [RetryAfter(1)]})
    await send(pace, api, 1)
    with pytest.raises(ChatRetryAfter):
        await send(pace, api, 1, Pace(wait=False))  # written to just now: its own pace
    assert scopes == ["chat"]
    assert await send(pace, api, 2) is True  # not written to lately: the bot's, waited out
    assert await send(pace, api, None, endpoint="setMyCommands") is True  # names no chat
    assert scopes == ["chat", "bot", "bot"]
    assert (pace.chat_bans, pace.bot_bans) == (1, 2)
