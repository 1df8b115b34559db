"""The retention of contact details noted at the stand: a due-job for the scheduler."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.services import Services

_log = logging.getLogger(__name__)


async def forget_in_person_contacts(services: Services) -> datetime | None:
    """Delete the contacts of themes closed longer ago than [privacy] in_person_contacts_days;
    return when the next theme's contacts fall due."""
    keep = timedelta(days=services.config.privacy.in_person_contacts_days)
    now = services.clock.now()
    gone = await services.repo.forget_in_person_contacts(now - keep)
    if gone:
        _log.info("deleted %d contact(s) noted in person after their retention", gone)
    first = await services.repo.next_contacts_closing()
    return None if first is None else first + keep
