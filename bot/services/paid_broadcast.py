"""Paid broadcast: which broadcasts may use it, and what it costs in Telegram Stars."""

from __future__ import annotations

import math

from bot.core.config import DeliveryConfig
from bot.core.i18n import Html, t
from storage.models import BroadcastKind

PAID_KINDS = frozenset({BroadcastKind.THEME, BroadcastKind.MESSAGE})
"""Theme news and /bericht; replies, reminders, invitations and thanks never go paid."""

STARS_PER_MESSAGE = 0.1
"""Telegram's fee for each message sent with allow_paid_broadcast."""


def stars_for(recipients: int) -> int:
    """The Stars a paid broadcast to this many residents costs, rounded up to a whole Star."""
    return math.ceil(recipients * STARS_PER_MESSAGE - 1e-9) if recipients > 0 else 0


def cost_line(lang: str, delivery: DeliveryConfig, recipients: int) -> Html | None:
    """The line that tells the ambassador the cost before confirming; None when not paid."""
    if not delivery.paid_broadcast or recipients <= 0:
        return None
    stars = stars_for(recipients)
    return t(lang, "paid.cost", count=stars)
