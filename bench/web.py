"""The public pages under load, in one process on loopback: a theme page of a theme with
10,000 notes (paged), and 500 screen viewers told of a new approved note.

``python -m bench.web [--notes 10000] [--viewers 500] [--rounds 5]``. Prints medians with
spread and the load average. The page time is a loopback round trip (an upper bound of the
server's time); the chat side's CPU is the process's CPU per approval, with and without the
viewers connected.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.harness import summary
from bot.core.config import parse_config
from bot.services import Services
from bot.web.server import web_application
from storage.models import MUNICIPALITY, NoteStatus, Quadrant, ThemeStatus
from storage.sqlite import SqliteRepository
from tests.conftest import municipality

QUADRANTS = [Quadrant.WISH, Quadrant.EXAMPLE, Quadrant.POSSIBILITY, Quadrant.QUESTION]


async def _serve(services: Services) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(web_application(services, lambda: "buurtbot"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, int(runner.addresses[0][1])


async def _viewer(
    session: aiohttp.ClientSession, address: str, ready: asyncio.Event, got: list[float]
) -> None:
    async with session.get(address, timeout=aiohttp.ClientTimeout(total=None)) as stream:
        await stream.content.readline()
        await stream.content.readline()
        ready.set()
        while True:
            line = await stream.content.readline()
            if line == b"event: board\n":
                got.append(time.monotonic())
                return


async def run(notes: int, viewers: int, rounds: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    data = {
        "telegram": {},
        "storage": {"path": str(folder / "web.sqlite3")},
        "municipality": municipality(),
        "web": {"port": 0},
    }
    config = parse_config(data, base_dir=folder)
    repo = SqliteRepository(folder / "web.sqlite3")
    await repo.open()
    theme = await repo.create_theme(
        title="Bench",
        invitation="i",
        question="q",
        place=MUNICIPALITY,
        status=ThemeStatus.ACTIVE,
        starts_on=None,
        ends_on=None,
    )
    for n in range(notes):
        await repo.add_web_note(
            theme_id=theme.id, quadrant=QUADRANTS[n % 4], text=f"Briefje {n}", writer="b"
        )
    with sqlite3.connect(folder / "web.sqlite3") as db:
        db.execute("UPDATE notes SET status = 'visible'")
    services = Services(config=config, repo=repo)
    runner, port = await _serve(services)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            page_times = []
            for _ in range(max(rounds, 5) * 4):
                started = time.perf_counter()
                async with session.get(f"{base}/thema/{theme.code}?pagina=3") as response:
                    await response.read()
                    assert response.status == 200
                page_times.append(time.perf_counter() - started)
            print(
                f"theme page, {notes} notes, page 3: {summary(page_times)}"
                f" (median {statistics.median(page_times) * 1000:.0f} ms)"
            )

        extra = await repo.add_web_note(
            theme_id=theme.id, quadrant=Quadrant.WISH, text="Nieuw", writer="b"
        )

        async def cpu_per_update(count: int) -> float:
            started = time.process_time()
            for i in range(count):
                status = NoteStatus.VISIBLE if i % 2 == 0 else NoteStatus.HIDDEN
                await repo.set_note_quadrant(extra.id, Quadrant.WISH, status)
            return (time.process_time() - started) / count

        alone = [await cpu_per_update(50) for _ in range(rounds)]
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            reach = []
            for _ in range(rounds):
                await repo.set_note_quadrant(extra.id, Quadrant.WISH, NoteStatus.HIDDEN)
                await asyncio.sleep(1.0)
                got: list[float] = []
                readies = [asyncio.Event() for _ in range(viewers)]
                tasks = [
                    asyncio.create_task(_viewer(session, f"{base}/thema/{theme.code}/live", r, got))
                    for r in readies
                ]
                await asyncio.gather(*(r.wait() for r in readies))
                started = time.monotonic()
                await repo.set_note_quadrant(extra.id, Quadrant.WISH, NoteStatus.VISIBLE)
                await asyncio.wait_for(asyncio.gather(*tasks), 10)
                reach.append(max(got) - started)
            print(f"{viewers} screen viewers, approval reaches all: {summary(reach)}")
            # The same updates while viewers watch (they stay connected this time).
            got = []
            readies = [asyncio.Event() for _ in range(viewers)]
            watching = [
                asyncio.create_task(_viewer(session, f"{base}/thema/{theme.code}/live", r, got))
                for r in readies
            ]
            await asyncio.gather(*(r.wait() for r in readies))
            watched = [await cpu_per_update(50) for _ in range(rounds)]
            for task in watching:
                task.cancel()
        print(
            "chat side CPU per update: "
            f"alone median {statistics.median(alone) * 1e6:.0f} µs "
            f"(spread {min(alone) * 1e6:.0f}-{max(alone) * 1e6:.0f}), "
            f"with {viewers} viewers median {statistics.median(watched) * 1e6:.0f} µs "
            f"(spread {min(watched) * 1e6:.0f}-{max(watched) * 1e6:.0f}); "
            "the viewers' fan-out runs on the poll, not on the update"
        )
    finally:
        await runner.cleanup()
        await repo.close()
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    asyncio.run(run(args.notes, args.viewers, args.rounds))


if __name__ == "__main__":
    main()
