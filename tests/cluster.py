"""Replicas of buurtbot in webhook mode on one PostgreSQL database, behind the playground.

Each replica is ``python -m bot run --webhook`` in its own process (so it can be killed with
SIGKILL), listening on its own port on 127.0.0.1, with its log in a file. The playground
plays Telegram and the load balancer: setWebhook names the public URL, and the playground's
webhook targets (one per replica) are where it really posts, in turn. Used by
tests/test_replicas.py and bench/replicas.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from playground.server import Playground

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_URL = "https://buurtbot.test/telegram"
SECRET = "replica-test-secret_0123456789"
START_TIMEOUT = 60.0


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def replica_config(
    path: Path,
    playground_url: str,
    database_url: str,
    port: int,
    metrics_port: int,
    *,
    extra: str = "",
) -> Path:
    """The config of one replica: webhook and /metrics on its own ports, the shared database."""
    path.write_text(
        f"""
[telegram]
base_url = "{playground_url}/bot"
base_file_url = "{playground_url}/file/bot"

[telegram.webhook]
url = "{PUBLIC_URL}"
listen = "127.0.0.1"
port = {port}
secret_token = "{SECRET}"
max_connections = 100

[storage]
url = "{database_url}"

[metrics]
listen = "127.0.0.1"
port = {metrics_port}

[municipality]
name = "Renkum"

[[municipality.areas]]
key = "doorwerth-heveadorp"
name = "Doorwerth en Heveadorp"
villages = [
  {{ name = "Doorwerth", neighbourhoods = ["Kasteelweg", "Dorp"] }},
  {{ name = "Heveadorp" }},
]

# Residents here write fast on purpose; the slow-down notice would skip replies.
[residents]
flood_messages = 1000
flood_seconds = 1

[flood]
updates = 1000000
chat_rate = 10000.0
chat_burst = 10000
bot_rate = 100000.0
bot_burst = 100000
{extra}
""",
        encoding="utf-8",
    )
    return path


@dataclass
class Replica:
    """One bot process."""

    index: int
    port: int
    metrics_port: int
    process: asyncio.subprocess.Process
    log: Path

    @property
    def url(self) -> str:
        """Where the playground posts updates for this replica."""
        return f"http://127.0.0.1:{self.port}/telegram"

    @property
    def metrics_url(self) -> str:
        """This replica's /metrics, in Prometheus' format."""
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def kill(self) -> None:
        """SIGKILL: no goodbye, no cleanup, connections cut."""
        self.process.kill()
        await self.process.wait()

    async def stop(self) -> None:
        """SIGTERM (a graceful stop), SIGKILL after 20 s."""
        if not self.alive:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            await self.kill()

    def tail(self, lines: int = 25) -> str:
        with contextlib.suppress(OSError):
            text = self.log.read_text(errors="replace").splitlines()[-lines:]
            return "\n".join(text)
        return ""


async def start_replica(
    index: int,
    folder: Path,
    playground_url: str,
    database_url: str,
    token: str,
    *,
    extra: str = "",
) -> Replica:
    """Start one replica (it may not be listening yet)."""
    port, metrics_port = free_port(), free_port()
    config = replica_config(
        folder / f"replica-{index}.toml",
        playground_url,
        database_url,
        port,
        metrics_port,
        extra=extra,
    )
    log = folder / f"replica-{index}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    env["BUURTBOT_TOKEN"] = token
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--webhook",
            "--config",
            str(config),
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    return Replica(index, port, metrics_port, process, log)


ROUND_TRIPS = "buurtbot_storage_round_trips_total"


async def round_trips(replicas: list[Replica]) -> int:
    """The round trips to PostgreSQL these replicas made so far, together (their /metrics)."""
    total = 0.0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        for replica in replicas:
            async with session.get(replica.metrics_url) as response:
                response.raise_for_status()
                text = await response.text()
            values = [
                float(line.split()[1]) for line in text.splitlines() if line.startswith(ROUND_TRIPS)
            ]
            if len(values) != 1:
                raise RuntimeError(f"replica {replica.index}: no {ROUND_TRIPS} in /metrics")
            total += values[0]
    return int(total)


async def wait_healthy(replicas: list[Replica], timeout: float = START_TIMEOUT) -> None:  # noqa: ASYNC109
    """Return once every replica answers its health check with 200."""
    deadline = time.monotonic() + timeout
    waiting = list(replicas)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while waiting:
            for replica in list(waiting):
                if not replica.alive:
                    raise RuntimeError(f"replica {replica.index} exited:\n{replica.tail()}")
                with contextlib.suppress(aiohttp.ClientError, TimeoutError, OSError):
                    health = f"http://127.0.0.1:{replica.port}/health"
                    async with session.get(health) as response:
                        if response.status == 200:
                            waiting.remove(replica)
            if waiting and time.monotonic() > deadline:
                tails = "\n".join(f"replica {r.index}:\n{r.tail()}" for r in waiting)
                raise RuntimeError(f"replicas not healthy after {timeout} s\n{tails}")
            if waiting:
                await asyncio.sleep(0.1)


async def start_cluster(
    playground: Playground,
    count: int,
    folder: Path,
    database_url: str,
    token: str,
    *,
    extra: str = "",
) -> list[Replica]:
    """Start count replicas, wait until all are healthy, point the playground at them."""
    replicas = [
        await start_replica(i, folder, playground.url, database_url, token, extra=extra)
        for i in range(count)
    ]
    try:
        await wait_healthy(replicas)
    except BaseException:
        await stop_cluster(replicas)
        raise
    playground.set_webhook_targets([r.url for r in replicas])
    return replicas


async def stop_cluster(replicas: list[Replica]) -> None:
    """Stop every replica still running."""
    await asyncio.gather(*(r.stop() for r in replicas))
