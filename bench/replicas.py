"""Throughput with 1, 2 and 3 replicas in webhook mode on one PostgreSQL database, in one run.

    .venv/bin/python -m bench.replicas [--residents 100] [--notes 20] [--database URL]

Each round starts a fresh database and a fresh playground, then N replicas
(``python -m bot run --webhook``, each in its own process) behind the playground, which
delivers by webhook to the replicas in turn (tests/cluster.py). Every resident first opens
the theme (/thema; not measured), then writes ``--notes`` notes, each as soon as the bot
answered the previous one; all residents at once. Figures: updates per second, latency from
the resident's message entering the playground to the bot's answer arriving there, and the
bots' CPU per update (all replicas together; PostgreSQL's own CPU not included), and the
round trips to PostgreSQL per update (all replicas together, from each one's /metrics:
everything the bots sent meanwhile, background work included), with the load average.

The database server is the one at ``--database`` (or $BUURTBOT_TEST_DATABASE): a URL of a
role that may create databases. Without either, a throw-away server is started with
``.ci/postgres`` (fsync off: test data only) and stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bench.harness import (
    TOKEN,
    Recorder,
    add_residents,
    cpu_seconds,
    machine,
    percentile,
    playground,
    send_text,
    spread,
    summary,
    workdir,
)
from playground.server import Playground
from storage.models import MUNICIPALITY, ThemeStatus
from storage.postgres import PostgresRepository
from tests.cluster import round_trips, start_cluster, stop_cluster

ROOT = Path(__file__).resolve().parent.parent
WAIT = 120.0
NOTE = "Idee {i} van bewoner {uid}: meer bankjes & schaduw bij de speeltuin"


@dataclass
class Round:
    replicas: int
    updates: int
    seconds: float
    latencies: list[float]
    bot_cpu: float
    trips: int
    load: tuple[float, float, float]

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def line(self) -> str:
        return (
            f"{self.replicas} replica{'s' if self.replicas > 1 else ' '}  "
            f"{self.rate:7.0f} updates/s   latency {summary(self.latencies)}   "
            f"bot CPU per update {self.bot_cpu / self.updates * 1000:.2f} ms   "
            f"round trips per update {self.trips / self.updates:.2f}   "
            f"load average {self.load[0]:.2f} {self.load[1]:.2f} {self.load[2]:.2f}"
        )


@contextlib.contextmanager
def database_server(given: str | None) -> Iterator[tuple[str, str]]:
    """(admin URL, description) of the server to use; a throw-away one when none is given."""
    if given:
        yield given, "given server"
        return
    folder = tempfile.mkdtemp(prefix="buurtbot-bench-pg-")
    url = subprocess.run(
        ["bash", str(ROOT / ".ci" / "postgres"), "start", folder],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    try:
        yield url, "throw-away server from .ci/postgres, fsync off"
    finally:
        subprocess.run(["bash", str(ROOT / ".ci" / "postgres"), "stop", folder], check=False)


async def fresh_database(admin: str) -> str:
    name = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    parts = urlsplit(admin)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def drop_database(admin: str, url: str) -> None:
    conn = await asyncpg.connect(admin)
    try:
        name = urlsplit(url).path.lstrip("/")
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def prepare(url: str) -> tuple[int, int]:
    """Create the theme; return the database's note count and inbox size (both 0)."""
    repo = PostgresRepository(url)
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
        return await stored(repo)
    finally:
        await repo.close()


async def stored(repo: PostgresRepository) -> tuple[int, int]:
    row = await repo._select_one(
        "SELECT (SELECT COUNT(*) FROM notes) AS notes, (SELECT COUNT(*) FROM inbox) AS inbox"
    )
    assert row is not None
    return int(row["notes"]), int(row["inbox"])


def refused(pg: Playground) -> int:
    """Calls the playground refused, but for setWebhook's 429s: replicas starting together
    take turns at it (one a second), and one may still be waiting when the load begins."""
    stats = pg.state.stats
    starting = sum(
        1 for e in stats.errors if e["method"] == "setWebhook" and e["error_code"] == 429
    )
    return stats.errors_4xx - starting


async def one_round(
    count: int, residents: int, notes: int, admin: str, folder: Path, turn: int
) -> Round:
    url = await fresh_database(admin)
    run_dir = folder / f"replicas-{count}-{turn}"
    run_dir.mkdir()
    try:
        await prepare(url)
        async with playground() as pg:
            recorder = Recorder(pg)
            ids = add_residents(pg, residents)
            replicas = await start_cluster(pg, count, run_dir, url, TOKEN)
            try:

                async def round_trip(uid: int, text: str) -> float:
                    future = recorder.expect(uid)
                    sent = time.perf_counter()
                    send_text(pg, uid, text)
                    return await asyncio.wait_for(future, WAIT) - sent

                await asyncio.gather(*(round_trip(uid, "/thema") for uid in ids))
                latencies: list[float] = []

                async def resident(uid: int) -> None:
                    for i in range(notes):
                        latencies.append(await round_trip(uid, NOTE.format(i=i, uid=uid)))

                pids = [r.process.pid for r in replicas]
                trips_before = await round_trips(replicas)
                cpu_before = sum(cpu_seconds(pid) for pid in pids)
                started = time.perf_counter()
                await asyncio.gather(*(resident(uid) for uid in ids))
                seconds = time.perf_counter() - started
                cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
                trips = await round_trips(replicas) - trips_before
                load = os.getloadavg()
            except TimeoutError:
                tails = "\n".join(f"replica {r.index}:\n{r.tail()}" for r in replicas)
                raise SystemExit(f"{count} replicas: no answer in {WAIT} s\n{tails}") from None
            finally:
                await stop_cluster(replicas)
            if refused(pg):
                raise SystemExit(f"{count} replicas: the playground refused calls")
        repo = PostgresRepository(url)
        await repo.open()
        try:
            notes_stored, _ = await stored(repo)
        finally:
            await repo.close()
        if notes_stored != residents * notes:
            raise SystemExit(f"{count} replicas: {notes_stored} notes, not {residents * notes}")
        return Round(count, residents * notes, seconds, latencies, cpu, trips, load)
    finally:
        await drop_database(admin, url)


async def main_async(args: argparse.Namespace) -> None:
    given = args.database or os.environ.get("BUURTBOT_TEST_DATABASE")
    with database_server(given) as (admin, described), workdir(args.keep) as folder:
        print(f"replicas: {machine()}; PostgreSQL: {described}")
        print(
            f"{args.residents} residents x {args.notes} notes over webhook, each resident "
            "writing the next note when the answer to the last one arrived"
        )
        rounds: dict[int, list[Round]] = {count: [] for count in args.replicas}
        for turn in range(args.rounds):
            for count in args.replicas:
                result = await one_round(count, args.residents, args.notes, admin, folder, turn)
                print(result.line(), flush=True)
                rounds[count].append(result)
        report(rounds)


def report(rounds: dict[int, list[Round]]) -> None:
    """Per replica count the median of rounds with its spread, CPU per update first."""
    some = next(iter(rounds.values()))
    print(f"median of {len(some)} round(s) (lowest-highest):")
    for count, mine in rounds.items():
        print(
            f"  {count} replica{'s' if count > 1 else ' '}: bot CPU per update "
            f"{spread([r.bot_cpu / r.updates * 1000 for r in mine], ' ms')}, "
            f"round trips per update {spread([r.trips / r.updates for r in mine])}, "
            f"updates/s {spread([r.rate for r in mine], '', 0)}, "
            f"p99 {spread([percentile(r.latencies, 0.99) * 1000 for r in mine], ' ms', 0)}, "
            f"load average (1 min) {spread([r.load[0] for r in mine])}"
        )
    base = statistics.median(r.rate for r in some)
    print(
        "relative to the first, median updates/s: "
        + ", ".join(
            f"{count}: {statistics.median(r.rate for r in mine) / base:.2f}x"
            for count, mine in rounds.items()
        )
        + f" (on {os.cpu_count()} cores shared by the replicas, PostgreSQL and the"
        " playground)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__)
    parser.add_argument("--residents", type=int, default=100)
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--rounds", type=int, default=3, help="rounds, the counts taking turns")
    parser.add_argument("--database", help="postgresql:// URL of a role that may create databases")
    parser.add_argument("--keep", type=Path, help="keep logs in this folder")
    asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
