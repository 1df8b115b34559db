"""Broadcast efficiency: one /bericht to 10,000 residents, through the playground's flood control.

    .venv/bin/python -m bench.broadcast                      # Telegram's pace: about 6 minutes
    .venv/bin/python -m bench.broadcast --server-limit 300   # ten times faster: about 35 s

The playground refuses more than ``--server-limit`` messages per second in total (a token
bucket with a burst of one second's worth) with 429 and retry_after, and counts every call
made during such a ban as a flood violation. The ambassador sends the message through the
real conversation (/bericht, place, text, Verstuur); the bot's delivery worker then sends
it at its rate: ``buurtbot run`` with ``[delivery] rate_per_second = 29`` for the default
limit of 30, or, for a raised limit, the same bot started by bench/run_bot.py with its rate
at 29/30 of the limit (the config refuses rates that Telegram would not allow).

Printed: the achieved rate (first to last delivery) divided by the worker's rate and by the
server's limit (aim: at least 0.95 of the limit), the 429s, the flood violations (must be
0), and per recipient the duplicates and losses (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import (
    TOKEN,
    BotProcess,
    Recorder,
    add_residents,
    machine,
    playground,
    send_text,
    start_buurtbot,
    start_process,
    workdir,
    write_config,
)
from playground.server import Playground
from storage.sqlite import SqliteRepository

AMBASSADOR = 900_001
FIRST_RESIDENT = 3_000_001
TEXT = "De dorpsavond is verplaatst naar donderdag 20:00 in het dorpshuis."


async def _prepare(database: Path, residents: int) -> None:
    """The schema, then the residents of Doorwerth in bulk."""
    repo = SqliteRepository(database)
    await repo.open()
    await repo.close()
    now = datetime.now(UTC).isoformat()
    with sqlite3.connect(database) as db:
        db.executemany(
            "INSERT INTO residents (user_id, language, village_key, onboarded, active,"
            " created_at, last_seen_at) VALUES (?, 'nl', 'doorwerth', 1, 1, ?, ?)",
            ((FIRST_RESIDENT + i, now, now) for i in range(residents)),
        )
        # A message to a place reaches only who asked for news (bot/village/audience.py).
        db.executemany(
            "INSERT INTO consents (user_id, purpose, granted, updated_at)"
            " VALUES (?, 'theme_news', 1, ?)",
            ((FIRST_RESIDENT + i, now) for i in range(residents)),
        )


async def _last_says(pg: Playground, uid: int, start: str, timeout: float = 60) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        mine = [m for m in pg.state.history(uid) if m.from_bot and m.text is not None]
        if mine and mine[-1].text is not None and mine[-1].text.text.startswith(start):
            return
        if time.monotonic() > deadline:
            seen = mine[-1].text.text[:80] if mine and mine[-1].text else None
            raise SystemExit(f"waited for {start!r}; the bot last said {seen!r}")
        await asyncio.sleep(0.02)


def _press(pg: Playground, uid: int, label: str) -> None:
    state = pg.state
    message = [m for m in state.history(uid) if m.from_bot and m.inline is not None][-1]
    assert message.inline is not None
    data = next(
        b["callback_data"] for row in message.inline.rows for b in row if b["text"] == label
    )
    query = state.new_callback(uid, message.message_id, data)
    state.queue_update(
        "callback_query",
        {
            "id": query.id,
            "from": state.residents[uid].user_json(),
            "message": state.message_json(message),
            "chat_instance": state.chat_instance(uid),
            "data": data,
        },
    )


async def run(args: argparse.Namespace, folder: Path) -> None:
    limit = float(args.server_limit)
    rate = 29.0 if limit == 30 else round(limit * 29 / 30, 1)
    database = folder / "buurtbot.sqlite3"
    await _prepare(database, args.residents)
    async with playground(
        global_rate=limit, global_burst=int(limit), chat_rate=1.0, chat_burst=20
    ) as pg:
        recorder = Recorder(pg)
        people = add_residents(pg, args.residents, first_id=FIRST_RESIDENT)
        (ahmed,) = add_residents(pg, 1, first_id=AMBASSADOR)
        config = write_config(
            folder,
            pg.url,
            extra=(
                f"[delivery]\nrate_per_second = {min(rate, 29.0)}\n"
                '[roles]\nambassadors = [{ user_id = 900001, area = "doorwerth-heveadorp" }]\n'
            ),
        )
        bot: BotProcess
        if limit == 30:
            bot = await start_buurtbot(config, folder / "bot.log")
            how = "buurtbot run, [delivery] rate_per_second = 29"
        else:
            bot = await start_process(
                ["-m", "bench.run_bot", "--config", str(config), "--delivery-rate", str(rate)],
                folder / "bot.log",
                {"BUURTBOT_TOKEN": TOKEN},
            )
            how = f"bench/run_bot.py, delivery worker at {rate:g}/s"
        print(
            f"{args.residents:,} recipients; playground limit {limit:g} messages/s "
            f"(burst {int(limit)}); bot: {how}",
            flush=True,
        )
        try:
            send_text(pg, ahmed, "/bericht")
            await _last_says(pg, ahmed, "Naar wie gaat je bericht?")
            _press(pg, ahmed, "Bewoners van een plek")
            await _last_says(pg, ahmed, "Welke plek?")
            _press(pg, ahmed, "Doorwerth")
            await _last_says(pg, ahmed, "Schrijf je bericht.")
            send_text(pg, ahmed, TEXT)
            await _last_says(pg, ahmed, f"Dit bericht gaat naar {args.residents} ")
            pg.state.stats.too_many_requests = pg.state.stats.violations = 0
            _press(pg, ahmed, "Verstuur")
            pressed = time.perf_counter()
            budget = args.residents / rate * 2 + 60
            await _last_says(pg, ahmed, "Je bericht is verstuurd.", timeout=budget)
            finished = time.perf_counter()
            await asyncio.sleep(1)
        finally:
            await bot.stop()
        times = sorted(t for uid in people for t in recorder.sent.get(uid, []))
        copies = [
            sum(
                m.from_bot and m.text is not None and TEXT in m.text.text
                for m in pg.state.history(uid)
            )
            for uid in people
        ]
        stats = pg.state.stats
    achieved = (len(times) - 1) / (times[-1] - times[0])
    span = times[-1] - times[0]
    print(f"delivered in {span:.1f} s ({finished - pressed:.1f} s from Verstuur to the report)")
    print(f"achieved {achieved:.2f} messages/s")
    print(f"achieved / worker rate:  {achieved / rate:.3f}")
    print(f"achieved / server limit: {achieved / limit:.3f}   (aim: at least 0.95)")
    print(f"429 answers: {stats.too_many_requests}")
    print(f"flood violations: {stats.violations}   (must be 0)")
    print(f"duplicates: {sum(c - 1 for c in copies if c > 1)}   (must be 0)")
    print(f"losses: {sum(1 for c in copies if c == 0)}   (must be 0)")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__)
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--server-limit", type=float, default=30.0)
    parser.add_argument("--keep", type=Path, help="keep the database and log in this folder")
    args = parser.parse_args(argv)
    print(f"broadcast: {machine()}")
    with workdir(args.keep) as folder:
        asyncio.run(run(args, folder))


if __name__ == "__main__":
    main()
