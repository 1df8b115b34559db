"""What the benchmarks share: the playground with a recorder, bots in their own process, figures.

Layout of every benchmark: this process runs the playground (the fake Telegram, over HTTP on
127.0.0.1) and plays the residents by acting on its state directly, the way Telegram's users
act on Telegram's servers; the bot under test runs in its own process and talks to the
playground over HTTP only. On a 2-core machine each side gets a core.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import telegram

from playground.formatting import fix_formatted_text
from playground.models import StoredMessage
from playground.server import Playground

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:bench-token-abcdefghijklmnopqrstuvwxyz0123"
# Flood limits far above anything a benchmark sends, unless a benchmark sets its own.
UNLIMITED = {
    "global_rate": 1e9,
    "global_burst": 10**9,
    "chat_rate": 1e9,
    "chat_burst": 10**9,
}


def machine() -> str:
    """One line naming the machine, for the figures."""
    model = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores ({model}), "
        f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__}"
    )


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of the values lie (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Recorder:
    """Watches the playground: every message the bot sends, with the time it arrived."""

    def __init__(self, playground: Playground) -> None:
        self.state = playground.state
        self.sent: dict[int, list[float]] = {}
        self._waiting: dict[int, asyncio.Future[float]] = {}
        original = self.state.new_message

        def new_message(chat_id: int, *, from_bot: bool, **fields: Any) -> StoredMessage:
            message = original(chat_id, from_bot=from_bot, **fields)
            if from_bot:
                now = time.perf_counter()
                self.sent.setdefault(chat_id, []).append(now)
                waiter = self._waiting.pop(chat_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(now)
            return message

        self.state.new_message = new_message  # type: ignore[method-assign]

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        """A future that gets the time of the bot's next message to this chat."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = future
        return future

    def count(self) -> int:
        """How many messages the bot has sent in all."""
        return sum(len(times) for times in self.sent.values())


def add_residents(playground: Playground, count: int, *, first_id: int = 2_000_001) -> list[int]:
    """Create residents straight in the playground's state (no HTTP: this is setup)."""
    ids = []
    for i in range(count):
        resident = playground.state.add_resident(
            f"Bewoner {i}", user_id=first_id + i, language_code="nl"
        )
        ids.append(resident.id)
    return ids


def send_text(playground: Playground, user_id: int, text: str) -> int:
    """A resident sends a text, as POST /control/messages does; returns the update id."""
    state = playground.state
    message = state.new_message(
        user_id, from_bot=False, text=fix_formatted_text(text, [], allow_empty=False)
    )
    return state.queue_update("message", state.message_json(message))


@contextlib.asynccontextmanager
async def playground(**limits: float) -> AsyncIterator[Playground]:
    """A playground on a free port with the given flood limits (unlimited by default)."""
    settings: dict[str, Any] = {**UNLIMITED, **limits}
    server = Playground(
        token=TOKEN,
        global_rate=settings["global_rate"],
        global_burst=int(settings["global_burst"]),
        chat_rate=settings["chat_rate"],
        chat_burst=int(settings["chat_burst"]),
        retry_after=int(settings.get("retry_after", 1)),
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@dataclass
class BotProcess:
    """A bot in its own process, with its log in a file."""

    process: asyncio.subprocess.Process
    log: Path
    started: float = field(default_factory=time.perf_counter)

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    async def stop(self) -> None:
        """SIGTERM, then wait; SIGKILL when it does not stop within 15 s."""
        if self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def tail(self, lines: int = 20) -> str:
        """The end of the bot's log, for a failure message."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


async def start_process(args: Sequence[str], log: Path, env: dict[str, str]) -> BotProcess:
    """Start ``python args...`` from the project folder with its output in ``log``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            cwd=ROOT,
            env={**clean, **env},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    return BotProcess(process, log)


def write_config(folder: Path, url: str, *, extra: str = "") -> Path:
    """A buurtbot config pointed at the playground, with a small municipality."""
    path = folder / "buurtbot.toml"
    path.write_text(
        f"""
[telegram]
base_url = "{url}/bot"
base_file_url = "{url}/file/bot"
poll_timeout = 10

[storage]
path = "{folder / "buurtbot.sqlite3"}"

[municipality]
name = "Renkum"

[[municipality.areas]]
key = "doorwerth-heveadorp"
name = "Doorwerth en Heveadorp"
villages = [
  {{ name = "Doorwerth", neighbourhoods = ["Kasteelweg", "Dorp"] }},
  {{ name = "Heveadorp" }},
]

[[municipality.areas]]
key = "renkum-heelsum"
name = "Renkum en Heelsum"
villages = [{{ name = "Renkum" }}, {{ name = "Heelsum" }}]
{extra}
""",
        encoding="utf-8",
    )
    return path


async def start_buurtbot(config: Path, log: Path, *, transport: str | None = None) -> BotProcess:
    """``python -m bot run --config config``, the way an operator starts it."""
    env = {"BUURTBOT_TOKEN": TOKEN}
    if transport is not None:
        env["BUURTBOT_TRANSPORT"] = transport
    args = ["-m", "bot", "run", "--config", str(config)]
    profile = os.environ.get("BENCH_PROFILE")
    if profile:
        # BENCH_PROFILE=FILE: run the bot under cProfile, stats written to FILE at exit.
        args = ["-m", "cProfile", "-o", profile, *args]
    return await start_process(args, log, env)


@contextlib.contextmanager
def workdir(keep: Path | None = None) -> Any:
    """A folder for databases and logs: ``keep`` if given, else a temporary one."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="buurtbot-bench-") as folder:
        yield Path(folder)


def summary(latencies: Sequence[float]) -> str:
    """p50 / p99 / max of latencies in seconds, printed in milliseconds."""
    return (
        f"p50 {percentile(latencies, 0.50) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
        if latencies
        else "no latencies"
    )


def spread(values: Sequence[float], unit: str = "", digits: int = 2) -> str:
    """The median of rounds with the lowest and highest round beside it."""
    return (
        f"{statistics.median(values):.{digits}f}{unit} "
        f"(rounds {min(values):.{digits}f}-{max(values):.{digits}f})"
    )


def mean(values: Sequence[float]) -> float:
    """The mean, NaN for nothing."""
    return statistics.fmean(values) if values else float("nan")
