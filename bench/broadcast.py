"""Broadcast efficiency: one /bericht to many residents, through the playground's flood control.

    .venv/bin/python -m bench.broadcast                          # 1,000 and 3,000, 3 rounds
    .venv/bin/python -m bench.broadcast --residents 10000 --rounds 1
    .venv/bin/python -m bench.broadcast --kinds bulk paid        # also [delivery] paid_broadcast
    .venv/bin/python -m bench.broadcast --server-limit 300       # a raised bulk limit, faster

The playground refuses more than ``--server-limit`` messages per second in total (a token
bucket with a burst of one second's worth) with 429 and retry_after, and counts every call
made during such a ban as a flood violation; a paid broadcast counts against its own bucket
of 1,000 a second instead (``allow_paid_broadcast``). The ambassador sends the message
through the real conversation (/bericht, place, text, Verstuur); the bot's delivery worker
then sends it through the same ChatPacer that paces replies: ``buurtbot run`` with
``[delivery] rate_per_second = 29`` for the default limit of 30, or, for a raised limit, the
same bot started by bench/run_bot.py with its rate at 29/30 of the limit (the config refuses
rates that Telegram would not allow). With ``--kinds paid``, the rounds run with
``[delivery] paid_broadcast = true`` and ``paid_rate_per_second = --paid-rate``.

The bench reads what the bot does, not what it writes: it presses buttons once they are
shown, and knows the broadcast is done when every resident has the message and the database
says the broadcast is finished (so a count written as "3.000" in Dutch is nobody's concern).

Printed per round: the achieved rate (first to last delivery) as a fraction of the rate the
worker was given (aim: at least 0.95) and of the server's limit, the 429s and the flood
violations (must be 0), duplicates and losses per recipient (must be 0), the load average.
Then per size and kind the median of rounds with the lowest and highest round beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import (
    TOKEN,
    BotProcess,
    Recorder,
    add_residents,
    cpu_seconds,
    machine,
    playground,
    send_text,
    spread,
    start_buurtbot,
    start_process,
    workdir,
    write_config,
)
from bot.core.i18n import t
from playground.server import Playground
from storage.sqlite import SqliteRepository

AMBASSADOR = 900_001
FIRST_RESIDENT = 3_000_001
TEXT = "De dorpsavond is verplaatst naar donderdag 20:00 in het dorpshuis."
STEP_WAIT = 60.0


@dataclass
class Round:
    """One broadcast: how fast it went against what the bot and the server allowed."""

    recipients: int
    paid: bool
    rate: float
    """Messages a second, first to last delivery."""
    target: float
    """The rate the delivery worker was given: rate_per_second or paid_rate_per_second."""
    limit: float
    """The playground's limit for this kind of message."""
    seconds: float
    too_many: int
    violations: int
    duplicates: int
    losses: int
    paid_messages: int
    cpu_ms: float
    """The bot's CPU time per message, Verstuur to the report."""
    playground_cpu_ms: float
    """This process's (the playground's) CPU time per message, meanwhile."""
    load: tuple[float, float, float]

    @property
    def of_target(self) -> float:
        return self.rate / self.target

    @property
    def of_limit(self) -> float:
        return self.rate / self.limit

    def line(self, turn: int) -> str:
        kind = "paid" if self.paid else "bulk"
        return (
            f"round {turn + 1} {self.recipients:>6,} {kind}: {self.rate:7.2f} msg/s in "
            f"{self.seconds:6.1f} s (CPU per message: bot {self.cpu_ms:.2f} ms, playground "
            f"{self.playground_cpu_ms:.2f} ms) = "
            f"{self.of_target:.3f} of the worker's {self.target:g}/s, "
            f"{self.of_limit:.3f} of the server's {self.limit:g}/s; 429s {self.too_many}, "
            f"violations {self.violations}, duplicates {self.duplicates}, losses {self.losses}"
            + (f", paid {self.paid_messages}" if self.paid else "")
            + f"; load average {self.load[0]:.2f} {self.load[1]:.2f} {self.load[2]:.2f}"
        )


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


def _bot_messages(pg: Playground, uid: int) -> int:
    return sum(1 for m in pg.state.history(uid) if m.from_bot)


async def _until(what: str, done: object, bot: BotProcess, timeout: float = STEP_WAIT) -> None:  # noqa: ASYNC109
    """Wait until ``done()`` is true; stop the bench with the bot's log when it never is."""
    assert callable(done)
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"waited {timeout:.0f} s for {what}\n{bot.tail()}")
        await asyncio.sleep(0.02)


def _button(pg: Playground, uid: int, label: str) -> str | None:
    """The data of the button with this label on the bot's latest buttons, if shown."""
    shown = [m for m in pg.state.history(uid) if m.from_bot and m.inline is not None]
    if not shown:
        return None
    inline = shown[-1].inline
    assert inline is not None
    return next(
        (b["callback_data"] for row in inline.rows for b in row if b["text"] == label), None
    )


async def _press(pg: Playground, bot: BotProcess, uid: int, label: str) -> None:
    """Press a button once the bot shows it, as a person would."""
    await _until(f"the button {label!r}", lambda: _button(pg, uid, label) is not None, bot)
    state = pg.state
    message = [m for m in state.history(uid) if m.from_bot and m.inline is not None][-1]
    data = _button(pg, uid, label)
    assert data is not None
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


def _broadcast(database: Path) -> tuple[int, bool] | None:
    """The latest broadcast's total and whether the worker has finished it (its report)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        row = db.execute(
            "SELECT total, finished FROM broadcasts ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return None if row is None else (int(row[0]), bool(row[1]))


async def _start_bot(
    folder: Path, pg: Playground, limit: float, rate: float, paid: bool, paid_rate: float
) -> BotProcess:
    delivery = f"[delivery]\nrate_per_second = {min(rate, 29.0)}\n"
    if paid:
        delivery += f"paid_broadcast = true\npaid_rate_per_second = {paid_rate}\n"
    config = write_config(
        folder,
        pg.url,
        extra=delivery
        + '[roles]\nambassadors = [{ user_id = 900001, area = "doorwerth-heveadorp" }]\n',
    )
    if limit == 30:
        return await start_buurtbot(config, folder / "bot.log")
    return await start_process(
        ["-m", "bench.run_bot", "--config", str(config), "--delivery-rate", str(rate)],
        folder / "bot.log",
        {"BUURTBOT_TOKEN": TOKEN},
    )


async def one_run(args: argparse.Namespace, folder: Path, residents: int, *, paid: bool) -> Round:
    """A fresh playground, database and bot; one /bericht to ``residents``; the bot stopped."""
    limit = float(args.server_limit)
    rate = 29.0 if limit == 30 else round(limit * 29 / 30, 1)
    database = folder / "buurtbot.sqlite3"
    await _prepare(database, residents)
    async with playground(
        global_rate=limit, global_burst=int(limit), chat_rate=1.0, chat_burst=20
    ) as pg:
        recorder = Recorder(pg)
        people = add_residents(pg, residents, first_id=FIRST_RESIDENT)
        (ahmed,) = add_residents(pg, 1, first_id=AMBASSADOR)
        bot = await _start_bot(folder, pg, limit, rate, paid, args.paid_rate)
        try:
            send_text(pg, ahmed, "/bericht")
            await _press(pg, bot, ahmed, t("nl", "broadcast.to_place"))
            await _press(pg, bot, ahmed, "Doorwerth")
            # The question for the text has no buttons: wait for the bot's next message.
            asked = _bot_messages(pg, ahmed)
            await _until("the question for the text", lambda: _bot_messages(pg, ahmed) > asked, bot)
            send_text(pg, ahmed, TEXT)
            await _until(
                "the confirm button",
                lambda: (
                    _button(pg, ahmed, t("nl", "broadcast.send")) is not None
                    and _bot_messages(pg, ahmed) > asked + 1
                ),
                bot,
            )
            pg.state.stats.too_many_requests = pg.state.stats.violations = 0
            pg.state.flood.paid_messages = 0
            cpu_before, own_before = cpu_seconds(bot.pid), time.process_time()
            await _press(pg, bot, ahmed, t("nl", "broadcast.send"))
            target = args.paid_rate if paid else rate
            budget = residents / target * 2 + 60
            await _until(
                "every resident's message",
                lambda: sum(1 for uid in people if uid in recorder.sent) >= residents,
                bot,
                budget,
            )
            await _until("the broadcast's report", lambda: _finished(database), bot)
            cpu = cpu_seconds(bot.pid) - cpu_before
            own = time.process_time() - own_before
            stored = _broadcast(database)
            await asyncio.sleep(1)  # anything sent twice would arrive meanwhile
        finally:
            await bot.stop()
        if stored is None or stored[0] != residents:
            raise SystemExit(f"the broadcast went to {stored and stored[0]}, not {residents}")
        times = sorted(when for uid in people for when in recorder.sent.get(uid, []))
        copies = [
            sum(
                m.from_bot and m.text is not None and TEXT in m.text.text
                for m in pg.state.history(uid)
            )
            for uid in people
        ]
        stats = pg.state.stats
        paid_messages = pg.state.flood.paid_messages
    span = times[-1] - times[0]
    return Round(
        recipients=residents,
        paid=paid,
        rate=(len(times) - 1) / span,
        target=target,
        limit=pg.state.flood.limits.paid_rate if paid else limit,
        seconds=span,
        too_many=stats.too_many_requests,
        violations=stats.violations,
        duplicates=sum(c - 1 for c in copies if c > 1),
        losses=sum(1 for c in copies if c == 0),
        paid_messages=paid_messages,
        cpu_ms=cpu / residents * 1000,
        playground_cpu_ms=own / residents * 1000,
        load=os.getloadavg(),
    )


def _finished(database: Path) -> bool:
    stored = _broadcast(database)
    return stored is not None and stored[1]


def report(rounds: list[Round]) -> None:
    """Per size and kind: the median of rounds with its spread (never a best round)."""
    kinds = sorted({(r.recipients, r.paid) for r in rounds})
    for recipients, paid in kinds:
        mine = [r for r in rounds if (r.recipients, r.paid) == (recipients, paid)]
        first = mine[0]
        which = "paid_rate_per_second" if paid else "rate_per_second"
        print(
            f"{recipients:,} recipients, {'paid broadcast' if paid else 'bulk'}, median of "
            f"{len(mine)} round(s): {spread([r.rate for r in mine], ' msg/s')}"
        )
        print(
            f"  CPU per message: bot {spread([r.cpu_ms for r in mine], ' ms')}, "
            f"playground {spread([r.playground_cpu_ms for r in mine], ' ms')}"
        )
        print(
            f"  of [delivery] {which} ({first.target:g}): "
            f"{spread([r.of_target for r in mine], '', 3)}   (aim: at least 0.95)"
        )
        print(
            f"  of the playground's limit ({first.limit:g}): "
            f"{spread([r.of_limit for r in mine], '', 3)}"
        )
        print(f"  429s: {spread([float(r.too_many) for r in mine], '', 0)}")
        print(f"  violations: {spread([float(r.violations) for r in mine], '', 0)}   (must be 0)")
        print(
            f"  duplicates {sum(r.duplicates for r in mine)}, losses {sum(r.losses for r in mine)}"
            "   (must be 0)"
        )
        if paid:
            sent = [float(r.paid_messages) for r in mine]
            print(f"  sent as paid broadcast: {spread(sent, '', 0)} (0.1 Star each)")
        print(f"  load average (1 min): {spread([r.load[0] for r in mine])}")


async def main_async(args: argparse.Namespace) -> None:
    print(f"broadcast: {machine()}")
    kinds = [kind == "paid" for kind in dict.fromkeys(args.kinds)]
    paid_too = True in kinds
    limit = float(args.server_limit)
    rate = 29.0 if limit == 30 else round(limit * 29 / 30, 1)
    how = "buurtbot run" if limit == 30 else "bench/run_bot.py"
    print(
        f"recipients {', '.join(f'{n:,}' for n in args.residents)}; playground bulk limit "
        f"{limit:g} messages/s (burst {int(limit)}), paid limit 1000/s; bot: {how}, "
        f"[delivery] rate_per_second = {rate:g}"
        + (f", paid_rate_per_second = {args.paid_rate:g} when paid" if paid_too else "")
        + f"; {args.rounds} round(s)",
        flush=True,
    )
    rounds: list[Round] = []
    with workdir(args.keep) as folder:
        for turn in range(args.rounds):
            for residents in args.residents:
                for paid in kinds:
                    run_dir = folder / f"run-{turn}-{residents}-{'paid' if paid else 'bulk'}"
                    run_dir.mkdir()
                    result = await one_run(args, run_dir, residents, paid=paid)
                    rounds.append(result)
                    print(result.line(turn), flush=True)
    report(rounds)


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__)
    parser.add_argument("--residents", type=int, nargs="+", default=[1_000, 3_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server-limit", type=float, default=30.0)
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=("bulk", "paid"),
        default=["bulk"],
        help="bulk: [delivery] rate_per_second; paid: paid_broadcast = true",
    )
    parser.add_argument("--paid-rate", type=float, default=500.0, help="paid_rate_per_second")
    parser.add_argument("--keep", type=Path, help="keep the databases and logs in this folder")
    asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
