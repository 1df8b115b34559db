"""Throughput and latency: residents adding notes, against a stock python-telegram-bot echo bot.

    .venv/bin/python -m bench.throughput [--residents 200] [--notes 20] [--rounds 3]

Every resident first opens the theme (/thema; not measured), then writes ``--notes`` notes,
each as soon as the bot answered the previous one: ``--residents`` residents at once, their
notes interleaved. For buurtbot every note is a database write (the note, in the inbox
before and after) and a reply with five buttons ("Waar hoort dit bij?"). The baseline is
python-telegram-bot's stock echo bot with its default transport (httpx) and the same
``concurrent_updates(256)``, on the same playground, driven the same way in the same run.
Also measured: the echo bot with buurtbot's aiohttp transport, and buurtbot with PTB's httpx
transport, to show what the transport is worth on its own. With the bench extra installed
(``pip install -e '.[bench]'``) an aiogram 3 echo bot is a second baseline in every round.

Figures are the median of rounds with the lowest and highest round beside them, and every
round prints the load average: never a best round.

Handling latency is the time from the resident's message entering the playground to the
bot's answer arriving there; a second pass with one resident gives the latency without load.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sqlite3
import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.harness import (
    TOKEN,
    BotProcess,
    Recorder,
    add_residents,
    cpu_seconds,
    machine,
    percentile,
    playground,
    send_text,
    spread,
    start_buurtbot,
    start_process,
    summary,
    workdir,
    write_config,
)
from playground.server import Playground
from storage.models import MUNICIPALITY, ThemeStatus
from storage.sqlite import SqliteRepository

WAIT = 120.0
NOTE = "Idee {i} van bewoner {uid}: meer bankjes & schaduw bij de speeltuin <3"


@dataclass
class Result:
    label: str
    updates: int
    burst_seconds: float
    seconds: float
    latencies: list[float]
    idle_latencies: list[float]
    bot_cpu: float
    playground_cpu: float
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def cpu_ms(self) -> float:
        return self.bot_cpu / self.updates * 1000

    @property
    def burst_rate(self) -> float:
        return self.updates / self.burst_seconds

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def line(self) -> str:
        return (
            f"{self.label:<30} all at once {self.burst_rate:5.0f}/s, "
            f"waiting for answers {self.rate:5.0f}/s: {summary(self.latencies)}; "
            f"alone p50 {percentile(self.idle_latencies, 0.5) * 1000:.1f} ms; "
            f"CPU/update bot {self.cpu_ms:.2f} ms, "
            f"playground {self.playground_cpu / self.updates * 1000:.2f} ms; "
            f"load average {self.load[0]:.2f} {self.load[1]:.2f} {self.load[2]:.2f}"
        )


async def _round_trip(pg: Playground, recorder: Recorder, uid: int, text: str) -> float:
    future = recorder.expect(uid)
    sent = time.perf_counter()
    send_text(pg, uid, text)
    arrived = await asyncio.wait_for(future, WAIT)
    return arrived - sent


async def _all_answered(recorder: Recorder, expected: int) -> None:
    deadline = time.monotonic() + WAIT * 5
    while recorder.count() < expected:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {recorder.count()} of {expected} answers arrived")
        await asyncio.sleep(0.005)


async def drive(
    pg: Playground,
    recorder: Recorder,
    bot: BotProcess,
    label: str,
    residents: list[int],
    notes: int,
    first: str,
) -> Result:
    """Warm up; all notes at once; notes as answers come; then one resident alone."""
    # Warm-up: every resident opens the talk; also waits until the bot is up.
    try:
        await asyncio.gather(*(_round_trip(pg, recorder, uid, first) for uid in residents))
    except TimeoutError:
        raise SystemExit(f"{label}: no answer to the warm-up\n{bot.tail()}") from None

    # All at once: every note waiting at Telegram, interleaved, before the bot fetches any.
    expected = recorder.count() + len(residents) * notes
    started = time.perf_counter()
    for i in range(notes):
        for uid in residents:
            send_text(pg, uid, NOTE.format(i=i, uid=uid))
    await _all_answered(recorder, expected)
    burst = time.perf_counter() - started

    # Waiting for answers: each resident writes the next note when the last was answered.
    latencies: list[float] = []

    async def resident(uid: int) -> None:
        for i in range(notes, 2 * notes):
            latencies.append(await _round_trip(pg, recorder, uid, NOTE.format(i=i, uid=uid)))

    cpu_before = cpu_seconds(bot.pid)
    own_before = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(resident(uid) for uid in residents))
    seconds = time.perf_counter() - started
    cpu = cpu_seconds(bot.pid) - cpu_before
    own = time.process_time() - own_before
    idle = [
        await _round_trip(
            pg, recorder, residents[0], NOTE.format(i=2 * notes + i, uid=residents[0])
        )
        for i in range(30)
    ]
    errors = pg.state.stats.errors_4xx
    if errors:
        raise SystemExit(f"{label}: the playground refused {errors} call(s)")
    return Result(
        label, len(residents) * notes, burst, seconds, latencies, idle, cpu, own, os.getloadavg()
    )


async def echo_run(transport: str, residents: int, notes: int, folder: Path) -> Result:
    """The stock echo bot on a fresh playground."""
    async with playground() as pg:
        recorder = Recorder(pg)
        ids = add_residents(pg, residents)
        bot = await start_process(
            ["-m", "bench.echo_bot", "--base-url", pg.url, "--transport", transport],
            folder / f"echo-{transport}.log",
            {"BUURTBOT_TOKEN": TOKEN},
        )
        try:
            label = f"stock PTB echo bot ({transport})"
            return await drive(pg, recorder, bot, label, ids, notes, "hallo")
        finally:
            await bot.stop()


async def aiogram_run(residents: int, notes: int, folder: Path) -> Result:
    """The aiogram 3 echo bot on a fresh playground."""
    async with playground() as pg:
        recorder = Recorder(pg)
        ids = add_residents(pg, residents)
        bot = await start_process(
            ["-m", "bench.aiogram_echo", "--base-url", pg.url],
            folder / "echo-aiogram.log",
            {"BUURTBOT_TOKEN": TOKEN},
        )
        try:
            return await drive(pg, recorder, bot, "aiogram 3 echo bot", ids, notes, "hallo")
        finally:
            await bot.stop()


async def _prepare(folder: Path) -> None:
    repo = SqliteRepository(folder / "buurtbot.sqlite3")
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


async def buurtbot_run(
    transport: str, residents: int, notes: int, folder: Path, turn: int
) -> Result:
    """buurtbot (`python -m bot run`) on a fresh playground and a fresh database."""
    run_dir = folder / f"buurtbot-{transport}-{turn}"
    run_dir.mkdir()
    await _prepare(run_dir)
    async with playground() as pg:
        recorder = Recorder(pg)
        ids = add_residents(pg, residents)
        # Residents here write fast on purpose; the slow-down notice would skip replies.
        config = write_config(
            run_dir,
            pg.url,
            # The playground here has no limits, so neither does the bot's own pace.
            extra="[residents]\nflood_messages = 1000\nflood_seconds = 1\n" + UNPACED,
        )
        bot = await start_buurtbot(config, run_dir / "bot.log", transport=transport)
        try:
            label = f"buurtbot ({transport})"
            result = await drive(pg, recorder, bot, label, ids, notes, "/thema")
        finally:
            await bot.stop()
    with sqlite3.connect(run_dir / "buurtbot.sqlite3") as db:
        stored = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT source_update_id) FROM notes"
        ).fetchone()
    expected = residents * notes * 2 + 30
    if tuple(stored) != (expected, expected):
        raise SystemExit(
            f"{label}: {stored[0]} notes stored ({stored[1]} distinct), not {expected}"
        )
    return result


async def main_async(args: argparse.Namespace) -> None:
    print(f"throughput and latency: {machine()}")
    print(
        f"{args.residents} residents x {args.notes} notes, twice: all at once (every note "
        "waiting, interleaved) and waiting for answers (each resident writes the next note when "
        f"the last was answered); both bots at concurrent_updates 256; {args.rounds} round(s), "
        "the two bots taking turns"
    )
    stock: list[Result] = []
    ours: list[Result] = []
    fast: list[Result] = []
    with_aiogram = importlib.util.find_spec("aiogram") is not None
    if not with_aiogram:
        print("aiogram is not installed (pip install -e '.[bench]'): its baseline is left out")
    with workdir(args.keep) as folder:
        for turn in range(args.rounds):
            stock.append(await echo_run("httpx", args.residents, args.notes, folder))
            print(stock[-1].line(), flush=True)
            if with_aiogram:
                fast.append(await aiogram_run(args.residents, args.notes, folder))
                print(fast[-1].line(), flush=True)
            ours.append(await buurtbot_run("aiohttp", args.residents, args.notes, folder, turn))
            print(ours[-1].line(), flush=True)
        # What the transport alone is worth, once: each bot with the other transport.
        stock_aiohttp = await echo_run("aiohttp", args.residents, args.notes, folder)
        print(stock_aiohttp.line(), flush=True)
        ours_httpx = await buurtbot_run("httpx", args.residents, args.notes, folder, 0)
        print(ours_httpx.line(), flush=True)
    report(ours, stock, fast)
    stock_burst = statistics.median(r.burst_rate for r in stock)
    ours_burst = statistics.median(r.burst_rate for r in ours)
    print(
        "what the transport is worth (all at once): "
        f"echo bot {stock_aiohttp.burst_rate / stock_burst:.1f}x, "
        f"buurtbot {ours_burst / ours_httpx.burst_rate:.1f}x (aiohttp vs httpx)"
    )


UNPACED = (
    "[flood]\nupdates = 1000000\nchat_rate = 1000000\nchat_burst = 1000000\n"
    "bot_rate = 1000000\nbot_burst = 1000000\n"
)


def report(ours: list[Result], stock: list[Result], fast: list[Result]) -> None:
    """Print the medians of rounds (never a best round), CPU per update first."""
    # Other work on the machine slows a round down; the median of rounds with its spread and
    # each round's load average (printed above) says how much the figures can be trusted.
    baselines = [("stock PTB echo bot", stock)] + ([("aiogram 3 echo bot", fast)] if fast else [])
    print(f"median of {len(ours)} round(s), CPU per update of the bot process:")
    print(f"  buurtbot note flow   {spread([r.cpu_ms for r in ours], ' ms')}")
    for name, rounds in baselines:
        ratios = [s.cpu_ms / o.cpu_ms for o, s in zip(ours, rounds, strict=True)]
        print(
            f"  {name:<20} {spread([r.cpu_ms for r in rounds], ' ms')}: "
            f"{spread(ratios, 'x')} buurtbot's CPU per update"
        )
    for mode, rate in (("all at once", "burst_rate"), ("waiting for answers", "rate")):
        print(f"{mode}, updates/s: buurtbot {spread([getattr(r, rate) for r in ours], '', 0)}")
        for name, rounds in baselines:
            pairs = zip(ours, rounds, strict=True)
            ratios = [getattr(o, rate) / getattr(s, rate) for o, s in pairs]
            print(
                f"  {name:<20} {spread([getattr(r, rate) for r in rounds], '', 0)}: "
                f"buurtbot {spread(ratios, 'x', 1)}"
            )
    middle = len(ours) // 2
    print(
        "handling latency under load (waiting for answers), median round: "
        f"buurtbot {summary(sorted(ours, key=lambda r: r.rate)[middle].latencies)}; "
        f"stock echo bot {summary(sorted(stock, key=lambda r: r.rate)[middle].latencies)}"
    )


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep databases and logs in this folder")
    args = parser.parse_args(argv)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
