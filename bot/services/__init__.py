"""What the handlers share: config, storage and the clock, opened and closed with the app."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.clock import Clock, SystemClock
from bot.core.config import Config
from bot.services.delivery import DeliveryWorker
from bot.services.flood import FloodGate
from storage.repository import Repository


@dataclass
class Services:
    config: Config
    repo: Repository
    clock: Clock = field(default_factory=SystemClock)
    flood: FloodGate = field(init=False)
    # Started in post_init, once the bot can send.
    delivery: DeliveryWorker | None = None

    def __post_init__(self) -> None:
        residents = self.config.residents
        self.flood = FloodGate(residents.flood_messages, residents.flood_seconds, self.clock)

    def outbox_changed(self) -> None:
        """Tell the delivery worker that something new is due."""
        if self.delivery is not None:
            self.delivery.wake()
