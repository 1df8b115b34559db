"""Scale: a database with 100,000 residents and 1,000,000 notes, and the bot running on it.

    .venv/bin/python -m bench.scale [--residents 100000] [--notes 1000000] [--keep DIR]

Builds the database (schema from the migrations, rows with plain sqlite3 executemany: 100
themes of 10,000 notes, 100,000 handled inbox rows), checks the query plans of the queries
the bot runs on big tables, then starts ``python -m bot run`` on it and measures:

* start-up: from starting the process to the first answered update;
* memory: the running bot's resident set size (RSS) after start-up and after the boards;
* the board of a theme with 10,000 notes: /bord answered (queries, drawing and upload of
  the picture, over HTTP), and separately the queries and the drawing alone; the last page
  of its notes ("Lees de briefjes" pressed through to the oldest);
* a baseline in the same run: the same measurements on an empty database.

With --keep the database is kept and reused by the next run (building it takes a while).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import (
    BotProcess,
    Recorder,
    add_residents,
    machine,
    playground,
    rss_mb,
    send_text,
    start_buurtbot,
    workdir,
    write_config,
)
from bot.render.board_image import BoardPicture, StickyNote, render_board
from playground.server import Playground
from storage.models import BOARD_QUADRANTS, MUNICIPALITY, NoteStatus, Quadrant, ThemeStatus
from storage.sqlite import SqliteRepository

THEMES = 100
FIRST_RESIDENT = 5_000_001
WORDS = tuple(
    [
        "bankje",
        "speeltuin",
        "groen",
        "bomen",
        "fietspad",
        "dorpshuis",
        "ouderen",
        "jongeren",
        "markt",
        "bus",
        "parkeren",
        "schaduw",
        "water",
        "bloemen",
        "buurtfeest",
        "veilig",
        "licht",
        "stoep",
        "hond",
        "moestuin",
        "school",
        "zwembad",
    ]
)
# Queries the bot runs on tables that grow with use, with example parameters.
PLANS = {
    "count_notes (board)": (
        "SELECT quadrant, COUNT(*) AS n FROM notes WHERE theme_id = ? AND status IN (?)"
        " AND quadrant IS NOT NULL GROUP BY quadrant",
        (1, "visible"),
    ),
    "list_notes per quadrant (board picture)": (
        "SELECT * FROM notes WHERE theme_id = ? AND status IN (?) AND quadrant = ?"
        " ORDER BY id DESC LIMIT ? OFFSET ?",
        (1, "visible", "wish", 6, 0),
    ),
    "list_notes page (Lees de briefjes)": (
        "SELECT * FROM notes WHERE theme_id = ? AND status IN (?)"
        " ORDER BY id DESC LIMIT ? OFFSET ?",
        (1, "visible", 5, 9995),
    ),
    "list_notes_by_author (/mijn)": (
        "SELECT * FROM notes WHERE author_id = ? ORDER BY id DESC",
        (FIRST_RESIDENT,),
    ),
    "get_resident (every update)": (
        "SELECT * FROM residents WHERE user_id = ?",
        (FIRST_RESIDENT,),
    ),
    "inbox_done (every update)": (
        "UPDATE inbox SET status = 'done' WHERE update_id = ? AND status = 'pending'",
        (1,),
    ),
    "inbox_pending (start-up)": (
        "SELECT update_id, payload FROM inbox WHERE status = 'pending'"
        " ORDER BY received_at, update_id",
        (),
    ),
    "recipients of a village (news)": (
        "SELECT r.user_id, r.language FROM residents r JOIN consents c ON c.user_id = r.user_id"
        " AND c.purpose = ? AND c.granted = 1 WHERE r.active = 1 AND (r.village_key IN (?))"
        " ORDER BY r.user_id",
        ("theme_news", "doorwerth"),
    ),
    "theme_participants (/bericht)": (
        "SELECT r.user_id, r.language FROM residents r WHERE r.active = 1 AND r.user_id IN"
        " (SELECT n.author_id FROM notes n WHERE n.theme_id = ?)"
        " ORDER BY r.user_id",
        (1,),
    ),
    "new_participants_since (/voortgang)": (
        "SELECT COUNT(*) AS n FROM (SELECT MIN(created_at) AS first FROM notes"
        " WHERE theme_id = ? AND author_id IS NOT NULL GROUP BY author_id) WHERE first >= ?",
        (1, "2026-01-01"),
    ),
}


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 25))).capitalize() + "."


async def build(path: Path, residents: int, notes: int) -> None:
    """The schema from the migrations, then rows in bulk."""
    repo = SqliteRepository(path)
    await repo.open()
    today = date.today()
    for i in range(THEMES):
        await repo.create_theme(
            title=f"Thema {i + 1}: {' '.join(WORDS[i % len(WORDS) : i % len(WORDS) + 3])}",
            invitation="Hoe willen we hier wonen, nu en later?",
            question="Wat zou jij graag zien?",
            place=MUNICIPALITY,
            status=ThemeStatus.ACTIVE if i == 0 else ThemeStatus.CLOSED,
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=42),
        )
    await repo.close()
    rng = random.Random(1)
    now = datetime.now(UTC)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.executemany(
            "INSERT INTO residents (user_id, language, village_key, onboarded, active,"
            " created_at, last_seen_at) VALUES (?, ?, ?, 1, 1, ?, ?)",
            (
                (
                    FIRST_RESIDENT + i,
                    "nl" if i % 5 else "en",
                    rng.choice(["doorwerth", "heveadorp", "renkum", "heelsum"]),
                    now.isoformat(),
                    now.isoformat(),
                )
                for i in range(residents)
            ),
        )
        db.executemany(
            "INSERT INTO consents (user_id, purpose, granted, updated_at) VALUES (?, ?, 1, ?)",
            ((FIRST_RESIDENT + i, "theme_news", now.isoformat()) for i in range(0, residents, 3)),
        )
        quadrants = [q.value for q in Quadrant]
        per_theme = notes // THEMES

        def note_rows() -> Any:
            for n in range(notes):
                moment = (now - timedelta(seconds=notes - n)).isoformat()
                yield (
                    1 + n // per_theme if n // per_theme < THEMES else THEMES,
                    FIRST_RESIDENT + rng.randrange(residents),
                    rng.choice(quadrants),
                    _sentence(rng),
                    moment,
                    moment,
                )

        db.executemany(
            "INSERT INTO notes (theme_id, author_id, quadrant, kind, text, status, created_at,"
            " updated_at) VALUES (?, ?, ?, 'text', ?, 'visible', ?, ?)",
            note_rows(),
        )
        db.executemany(
            "INSERT INTO inbox (update_id, status, received_at, handled_at)"
            " VALUES (?, 'done', ?, ?)",
            ((10**6 + i, now.isoformat(), now.isoformat()) for i in range(100_000)),
        )
        db.execute("ANALYZE")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def plans(path: Path) -> list[str]:
    """EXPLAIN QUERY PLAN of each query; a full scan of a big table is marked."""
    lines = []
    with sqlite3.connect(path) as db:
        for label, (sql, params) in PLANS.items():
            steps = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params)]
            started = time.perf_counter()
            db.execute(sql, params).fetchall()
            ms = (time.perf_counter() - started) * 1000
            # A scan of a table (not of an index, nor of a subquery's own rows).
            scans = [s for s in steps if s.startswith("SCAN") and "INDEX" not in s and "(" not in s]
            mark = f"scans a table ({', '.join(scans)})" if scans else "indexed"
            lines.append(f"  {label:<42} {ms:8.2f} ms  {mark}: {'; '.join(steps)}")
        db.rollback()
    return lines


async def board_parts(path: Path, theme_id: int) -> tuple[float, float]:
    """The board's queries and its drawing, timed apart (ms), as conversations/board.py does."""
    repo = SqliteRepository(path)
    await repo.open()
    try:
        started = time.perf_counter()
        counts = await repo.count_notes(theme_id)
        newest = {
            q.value: [
                StickyNote(text=n.text, kind=n.kind.value)
                for n in await repo.list_notes(theme_id, quadrant=q, limit=6)
            ]
            for q in BOARD_QUADRANTS
        }
        queries = time.perf_counter() - started
        theme = await repo.get_theme(theme_id)
        assert theme is not None
    finally:
        await repo.close()
    picture = BoardPicture(
        title=theme.title,
        place="Renkum",
        notes=newest,
        counts={q.value: counts[q] for q in BOARD_QUADRANTS},
    )
    started = time.perf_counter()
    render_board(picture, language="nl")
    drawing = time.perf_counter() - started
    return queries * 1000, drawing * 1000


@dataclass
class Run:
    label: str
    startup: float
    rss_started: float
    board: float
    last_page: float
    rss_after: float
    rss_peak: float


async def _round_trip(pg: Playground, recorder: Recorder, uid: int, text: str) -> float:
    future = recorder.expect(uid)
    started = time.perf_counter()
    send_text(pg, uid, text)
    await asyncio.wait_for(future, 120)
    return time.perf_counter() - started


async def _press(pg: Playground, recorder: Recorder, uid: int, data: str) -> float:
    """Press a button with this data under the board picture; the page comes as a message."""
    state = pg.state
    message = [m for m in state.history(uid) if m.from_bot and "photo" in m.media][-1]
    query = state.new_callback(uid, message.message_id, data)
    future = recorder.expect(uid)
    started = time.perf_counter()
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
    await asyncio.wait_for(future, 120)
    return time.perf_counter() - started


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def measure(label: str, folder: Path, theme_notes: int) -> Run:
    """Start the bot on the database in folder and take the measurements."""
    async with playground() as pg:
        recorder = Recorder(pg)
        (uid,) = add_residents(pg, 1, first_id=FIRST_RESIDENT)
        config = write_config(folder, pg.url)
        started = time.perf_counter()
        bot: BotProcess = await start_buurtbot(config, folder / "bot.log")
        try:
            # The resident writes at once; the answer comes when the bot is up.
            future = recorder.expect(uid)
            send_text(pg, uid, "/thema")
            await asyncio.wait_for(future, 120)
            startup = time.perf_counter() - started
            await asyncio.sleep(0.5)
            rss_started = rss_mb(bot.pid)
            board = min([await _round_trip(pg, recorder, uid, "/bord") for _ in range(3)])
            offset = max(0, theme_notes - 5)
            last_page = min([await _press(pg, recorder, uid, f"bd:p:1:{offset}") for _ in range(3)])
            errors = pg.state.stats.errors_4xx
            if errors:
                raise SystemExit(f"{label}: the playground refused {errors} call(s)")
            return Run(
                label,
                startup,
                rss_started,
                board * 1000,
                last_page * 1000,
                rss_mb(bot.pid),
                _peak_mb(bot.pid),
            )
        finally:
            await bot.stop()


async def main_async(args: argparse.Namespace) -> None:
    print(f"scale: {machine()}")
    with workdir(args.keep) as folder:
        big = folder / "big"
        big.mkdir(exist_ok=True)
        path = big / "buurtbot.sqlite3"
        if not path.exists():
            started = time.perf_counter()
            await build(path, args.residents, args.notes)
            seconds = time.perf_counter() - started
            print(f"built {path.stat().st_size / 2**20:.0f} MB in {seconds:.0f} s")
        with sqlite3.connect(path) as db:
            counts = {
                t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("residents", "notes", "inbox")
            }
            [[theme_notes]] = db.execute(
                "SELECT COUNT(*) FROM notes WHERE theme_id = 1 AND status = ?",
                (NoteStatus.VISIBLE.value,),
            ).fetchall()
        print(
            f"database: {counts['residents']:,} residents, {counts['notes']:,} notes "
            f"({theme_notes:,} on the board measured), {counts['inbox']:,} handled inbox rows, "
            f"{path.stat().st_size / 2**20:.0f} MB"
        )
        print("query plans and times on this database:")
        for line in plans(path):
            print(line)
        queries, drawing = await board_parts(path, 1)
        print(
            f"board of {theme_notes:,} notes, in this process: queries {queries:.1f} ms,"
            f" drawing {drawing:.0f} ms"
        )

        empty = folder / "empty"
        empty.mkdir(exist_ok=True)
        (empty / "buurtbot.sqlite3").unlink(missing_ok=True)
        await build(empty / "buurtbot.sqlite3", 1, THEMES)
        runs = [
            await measure("small database (baseline)", empty, 1),
            await measure("100k residents, 1M notes", big, theme_notes),
        ]
    print(
        f"{'':<28} {'start-up':>9} {'RSS up':>8} {'/bord':>8} {'last page':>10}"
        f" {'RSS after':>10} {'RSS peak':>9}"
    )
    for run in runs:
        print(
            f"{run.label:<28} {run.startup:8.2f}s {run.rss_started:6.0f}MB {run.board:6.0f}ms "
            f"{run.last_page:8.0f}ms {run.rss_after:8.0f}MB {run.rss_peak:7.0f}MB"
        )
    base, full = runs
    print(
        f"against the small database: start-up {full.startup / base.startup:.2f}x, "
        f"RSS {full.rss_after / base.rss_after:.2f}x, /bord {full.board / base.board:.2f}x"
    )
    print(
        f"aims: RSS under 200 MB: {full.rss_peak:.0f} MB; board shown in under a second: "
        f"{full.board:.0f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--notes", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the database in this folder")
    args = parser.parse_args(argv)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
