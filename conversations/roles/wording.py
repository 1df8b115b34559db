"""How /rol and /audit name a role, a holder and a moment, in the reader's language."""

from __future__ import annotations

from datetime import datetime

from bot.chat.context import BuurtContext
from bot.core.i18n import plain
from bot.village.dates import format_date
from storage.models import GrantRole


def when(context: BuurtContext, moment: datetime) -> str:
    """A moment as the municipality's clock shows it: date and time."""
    local = moment.astimezone(context.services.config.municipality.tz)
    return f"{format_date(local.date(), context.lang)} {local:%H:%M}"


def role_name(context: BuurtContext, role: GrantRole | str, area: str | None) -> str:
    """The role's name; an ambassador's names the area they look after."""
    lang = context.lang
    if str(role) == GrantRole.AMBASSADOR.value and area:
        found = context.services.config.municipality.area(area)
        return plain(lang, "role_admin.ambassador_of", area=found.name if found else area)
    return plain(lang, f"roles.{role}")


def holder(context: BuurtContext, name: str | None) -> str:
    """The holder's name, or a word for someone whose name Telegram did not give."""
    return name or plain(context.lang, "role_admin.no_name")
