"""``python -m bench.pacing``: many residents chatting at once, under Telegram's pace per chat.

The playground refuses a chat more than ``--chat-rate`` messages a second after a burst of
``--chat-burst`` (429 with retry_after, counting every call made for a chat during its ban),
as Telegram does. buurtbot runs as ``buurtbot run`` with its production pace ([flood] as in
config.example.toml). Every resident opens the talk, then in each round all of them at once
write three short notes in a row, as someone typing three lines does: the reply is three
messages, and its latency is from the first note to the third answer. Rounds are a few
seconds apart, as people read what they got. Aim (issue 17): 0 429s and a p99 latency of the
three-message reply under 1.5 s. Each round also runs once with neither limit nor pace (the
same bot, [flood] wide open, a playground without limits): what the machine itself costs,
so a slow figure on a loaded machine can be told from a slow pace; and first, in this process,
the CPU the ChatPacer itself costs a message call when it need not wait. The bulk side (>= 0.95 of
the limit, 0 violations) is ``python -m bench.broadcast``, which runs through the same pacer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.harness import (
    Recorder,
    add_residents,
    machine,
    percentile,
    playground,
    send_text,
    spread,
    start_buurtbot,
    workdir,
    write_config,
)
from bench.throughput import UNPACED
from bot.core.config import FloodConfig
from bot.services.pacing import ChatPacer
from playground.server import Playground
from storage.models import MUNICIPALITY, ThemeStatus
from storage.sqlite import SqliteRepository

WAIT = 60.0
# Residents write fast here; the notes' own slow-down (stop asking where each goes) stays off.
CONFIG = "[residents]\nflood_messages = 1000\nflood_seconds = 1\n"


@dataclass
class Round:
    """One run: the replies' latencies and what the playground refused."""

    p50: float
    p99: float
    worst: float
    too_many: int
    violations: int
    load: tuple[float, float, float]


async def _prepare(database: Path) -> None:
    repo = SqliteRepository(database)
    await repo.open()
    try:
        await repo.create_theme(
            title="Samen wonen, jong en oud",
            invitation="Hoe willen we hier wonen, nu en later?",
            question="Wat zou jij graag zien?",
            place=MUNICIPALITY,
            status=ThemeStatus.ACTIVE,
            starts_on=date.today() - timedelta(days=1),
            ends_on=date.today() + timedelta(days=42),
        )
    finally:
        await repo.close()


async def _replies(recorder: Recorder, uid: int, count: int) -> float:
    """The time the bot's message number ``count`` (counted from now) reaches the chat."""
    before = len(recorder.sent.get(uid, []))
    deadline = time.monotonic() + WAIT
    while len(recorder.sent.get(uid, [])) < before + count:
        if time.monotonic() > deadline:
            raise SystemExit(f"resident {uid}: {count} replies did not arrive in {WAIT:.0f} s")
        await recorder.expect(uid)
    return recorder.sent[uid][before + count - 1]


async def _three_notes(pg: Playground, recorder: Recorder, uid: int, n: int) -> float:
    waiting = asyncio.ensure_future(_replies(recorder, uid, 3))
    await asyncio.sleep(0)  # counting starts before the first note goes
    started = time.perf_counter()
    for line in range(3):
        send_text(pg, uid, f"Idee {n}.{line}: een bankje bij de bushalte")
    return await waiting - started


async def one_run(args: argparse.Namespace, folder: Path, *, paced: bool) -> Round:
    """A fresh playground, database and bot; the residents' rounds; the bot stopped."""
    database = folder / "buurtbot.sqlite3"
    await _prepare(database)
    limits = (
        {
            "chat_rate": args.chat_rate,
            "chat_burst": args.chat_burst,
            "retry_after": args.retry_after,
        }
        if paced
        else {}
    )
    async with playground(**limits) as pg:
        recorder = Recorder(pg)
        ids = add_residents(pg, args.residents)
        config = write_config(folder, pg.url, extra=CONFIG + ("" if paced else UNPACED))
        bot = await start_buurtbot(config, folder / "bot.log")
        try:
            # Everyone opens the talk (this also waits until the bot is up).
            for uid in ids:
                send_text(pg, uid, "/thema")
            await asyncio.gather(*(_replies(recorder, uid, 1) for uid in ids))
            await asyncio.sleep(args.pause)
            pg.state.stats.too_many_requests = pg.state.stats.violations = 0
            latencies: list[float] = []
            for n in range(args.exchanges):
                latencies += await asyncio.gather(
                    *(_three_notes(pg, recorder, uid, n) for uid in ids)
                )
                await asyncio.sleep(args.pause)
            stats = pg.state.stats
            too_many, violations = stats.too_many_requests, stats.violations
        finally:
            await bot.stop()
    return Round(
        p50=statistics.median(latencies),
        p99=percentile(latencies, 0.99),
        worst=max(latencies),
        too_many=too_many,
        violations=violations,
        load=os.getloadavg(),
    )


async def pacer_cost(residents: int, repeats: int = 20) -> tuple[float, float]:
    """CPU microseconds per call, straight and through the ChatPacer (one exchange at a time).

    In this process, with a callback that only yields once: what the pacer itself costs a
    call when its buckets have tokens (every chat fresh, as after the bench's pause; the
    bot's bucket out of the way), apart from any wait its pace or a 429 asks for.
    """

    async def call() -> bool:
        await asyncio.sleep(0)
        return True

    pacer = ChatPacer(FloodConfig(bot_rate=1e6, bot_burst=10**6))
    calls = residents * 3 * repeats
    started = time.process_time()
    for _ in range(repeats):
        await asyncio.gather(*(call() for _ in range(residents * 3)))
    straight = time.process_time() - started
    started = time.process_time()
    for turn in range(repeats):
        chats = [1_000_000 + turn * residents + i for i in range(residents)]
        await asyncio.gather(
            *(
                pacer.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, None)
                for chat in chats
                for _ in range(3)
            )
        )
    paced = time.process_time() - started
    return straight / calls * 1e6, paced / calls * 1e6


async def main_async(args: argparse.Namespace) -> None:
    print(f"pacing: {machine()}")
    straight, paced = await pacer_cost(args.residents)
    print(
        f"the pacer's own CPU per message call: {paced - straight:.1f} µs "
        f"({paced:.1f} µs through it, {straight:.1f} µs straight; in this process)"
    )
    print(
        f"{args.residents} residents at once, {args.exchanges} exchange(s) of three notes each "
        f"per run; playground {args.chat_rate:g} msg/s per chat, burst {args.chat_burst}, "
        f"retry_after {args.retry_after}; bot: buurtbot run, [flood] defaults; "
        f"{args.rounds} round(s)"
    )
    rounds: list[Round] = []
    baseline: list[Round] = []
    with workdir(args.keep) as folder:
        for turn in range(args.rounds):
            for paced in (False, True):
                run_dir = folder / f"run-{turn}-{'paced' if paced else 'open'}"
                run_dir.mkdir()
                result = await one_run(args, run_dir, paced=paced)
                (rounds if paced else baseline).append(result)
                print(
                    f"round {turn + 1} {'paced' if paced else 'open '}: 3-message reply "
                    f"p50 {result.p50:.3f} s, p99 {result.p99:.3f} s,"
                    f" worst {result.worst:.3f} s; 429s {result.too_many}, calls during a ban "
                    f"{result.violations}; load average {result.load[0]:.2f} {result.load[1]:.2f} "
                    f"{result.load[2]:.2f}",
                    flush=True,
                )
    p99 = spread([r.p99 for r in rounds], " s", 3)
    print(f"p99 of a 3-message reply: {p99}   (aim: under 1.5 s)")
    print(f"p50 of a 3-message reply: {spread([r.p50 for r in rounds], ' s', 3)}")
    print(f"the same without limit or pace: p99 {spread([r.p99 for r in baseline], ' s', 3)}")
    print(f"429 answers: {spread([float(r.too_many) for r in rounds], '', 0)}   (aim: 0)")
    print(
        f"calls during a ban: {spread([float(r.violations) for r in rounds], '', 0)}   (must be 0)"
    )
    print(f"load average (1 min): {spread([r.load[0] for r in rounds])}")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.pacing", description=__doc__)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--exchanges", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chat-rate", type=float, default=1.0)
    parser.add_argument("--chat-burst", type=int, default=3)
    parser.add_argument("--retry-after", type=int, default=5)
    parser.add_argument("--pause", type=float, default=4.0, help="seconds between exchanges")
    parser.add_argument("--keep", type=Path, help="keep the databases and logs in this folder")
    asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
