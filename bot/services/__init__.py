"""What the handlers share: config, storage, clock and workers, opened and closed with the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.clock import Clock, SystemClock
from bot.core.config import Config
from bot.services.flood import FloodGate, UpdateGate
from bot.services.metrics import Metrics
from bot.services.workers import Workers
from storage.repository import Repository

if TYPE_CHECKING:
    # Only for the annotations: these modules import Services themselves.
    from bot.services.delivery import DeliveryWorker
    from bot.services.digests import DigestWorker
    from bot.services.scheduler import WakeScheduler


@dataclass
class Services:
    config: Config
    repo: Repository
    clock: Clock = field(default_factory=SystemClock)
    flood: FloodGate = field(init=False)
    """Many notes in a row: stop asking where each goes (conversations/village_talk)."""
    metrics: Metrics = field(default_factory=Metrics)
    updates: UpdateGate = field(init=False)
    """Any update past [flood]'s limit: one notice, then silence (the guard, bot/app.py)."""
    workers: Workers = field(default_factory=Workers)
    """Started in post_init, once the bot can send; stopped in post_stop, before it closes."""
    intake: Workers = field(default_factory=Workers)
    """What brings updates in (sweeper, poller or webhook): started after the application,
    stopped before it, so that what was taken in is handled (bot/runner.py)."""
    # The workers that handlers wake, also members of `workers` once post_init ran.
    delivery: DeliveryWorker | None = None
    scheduler: WakeScheduler | None = None
    digests: DigestWorker | None = None

    def __post_init__(self) -> None:
        residents = self.config.residents
        self.flood = FloodGate(residents.flood_messages, residents.flood_seconds, self.clock)
        self.updates = UpdateGate(self.config.flood.updates, self.config.flood.seconds)

    def outbox_changed(self) -> None:
        """Tell the delivery worker that something new is due."""
        if self.delivery is not None:
            self.delivery.wake()

    def planning_changed(self) -> None:
        """Tell the scheduler that something planned changed (a moment made or moved)."""
        if self.scheduler is not None:
            self.scheduler.changed()

    def queue_changed(self) -> None:
        """Tell the digest worker that the moderation queue may have grown."""
        if self.digests is not None:
            self.digests.wake()
