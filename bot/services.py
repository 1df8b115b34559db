"""What the handlers share: config, storage and the clock, opened and closed with the app."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.flood import FloodGate
from storage.repository import Repository


@dataclass
class Services:
    config: Config
    repo: Repository
    clock: Clock = field(default_factory=SystemClock)
    flood: FloodGate = field(init=False)

    def __post_init__(self) -> None:
        residents = self.config.residents
        self.flood = FloodGate(residents.flood_messages, residents.flood_seconds, self.clock)
