"""What the scheduler releases when it is due: moment reminders and table card digests.

Reminders are planned rows (moment_reminders), one per offset, for the moment's current
start. When one is due it is rendered for whoever is then in the moment's audience, in
their language, and queued in the outbox in the same transaction that marks it sent, each
message with a dedupe key naming the moment, its start, the offset and the chat: nobody
gets the same reminder twice, across restarts too. A reminder found due after the moment
began (the bot was down) is dropped and logged; of several overdue for one moment only
the nearest goes out.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from bot.chat.callbacks import pack
from bot.core.i18n import plain, t
from bot.services import Services
from conversations.tables import tell_moved_up
from conversations.timeline.moments import moment_button, moment_lines
from storage.models import (
    MemberStatus,
    Moment,
    MomentStatus,
    NewMessage,
    PlannedReminder,
    ReminderStatus,
    TableDigest,
)

_log = logging.getLogger(__name__)


def reminder_key(moment: Moment, offset_minutes: int, chat_id: int) -> str:
    """The dedupe key of one reminder: a moved moment's reminders get new keys."""
    return f"reminder:{moment.id}:{moment.starts_at:%Y%m%dT%H%MZ}:{offset_minutes}:{chat_id}"


async def release_due(services: Services) -> datetime | None:
    """Release due reminders and digests, move waiting lists up; return the next due time."""
    repo = services.repo
    now = services.clock.now()
    stale = await repo.cancel_reminders_of_begun(now)
    if stale:
        _log.warning("%d reminder message(s) were still waiting when their moment began", stale)
    due: dict[int, list[PlannedReminder]] = defaultdict(list)
    for reminder in await repo.due_reminders(now):
        due[reminder.moment_id].append(reminder)
    for moment_id, reminders in due.items():
        await _release_moment(services, moment_id, reminders, now)
    promoted = await repo.fill_free_places(None)
    await tell_moved_up(repo, promoted, now)
    for digest in await repo.due_digests(now):
        await _release_digest(services, digest)
    return await repo.next_planned_due()


async def _release_moment(
    services: Services, moment_id: int, reminders: list[PlannedReminder], now: datetime
) -> None:
    repo = services.repo
    moment = await repo.get_moment(moment_id)
    # Nearest last: only it is sent when several are due at once.
    reminders.sort(key=lambda r: r.offset_minutes, reverse=True)
    for index, reminder in enumerate(reminders):
        if (
            moment is None
            or moment.status != MomentStatus.PLANNED
            or moment.starts_at != reminder.starts_at
        ):
            await repo.settle_reminder(reminder.id, ReminderStatus.CANCELLED)
        elif now >= moment.starts_at:
            await repo.settle_reminder(reminder.id, ReminderStatus.DROPPED)
            _log.warning(
                "reminder %d (%d min) of moment %d dropped: it was due at %s, but the moment"
                " began at %s before it could be sent",
                reminder.id,
                reminder.offset_minutes,
                moment.id,
                reminder.due_at.isoformat(),
                moment.starts_at.isoformat(),
            )
        elif index < len(reminders) - 1:
            await repo.settle_reminder(reminder.id, ReminderStatus.DROPPED)
            _log.info(
                "reminder %d (%d min) of moment %d dropped: a nearer one is due as well",
                reminder.id,
                reminder.offset_minutes,
                moment.id,
            )
        else:
            await _send_reminder(services, moment, reminder, now)


async def _send_reminder(
    services: Services, moment: Moment, reminder: PlannedReminder, now: datetime
) -> None:
    repo = services.repo
    audience = await repo.moment_audience(moment)
    messages = []
    for recipient in audience:
        lang = recipient.language
        text = t(lang, "timeline.reminder", **moment_lines(services, lang, moment))
        messages.append(
            NewMessage(
                recipient.user_id,
                text,
                moment_button(lang, moment),
                due_at=now,
                dedupe_key=reminder_key(moment, reminder.offset_minutes, recipient.user_id),
            )
        )
    if not await repo.release_reminder(reminder.id, messages):
        return
    late = now - reminder.due_at
    if late > timedelta(minutes=services.config.reminders.grace_minutes):
        _log.warning(
            "reminder %d of moment %d sent %d min late (the bot was not running when it was due)",
            reminder.id,
            moment.id,
            int(late.total_seconds() // 60),
        )
    else:
        _log.info("reminder %d of moment %d to %d people", reminder.id, moment.id, len(audience))


async def _release_digest(services: Services, digest: TableDigest) -> None:
    repo = services.repo
    table = await repo.get_table(digest.table_id)
    if table is None:
        await repo.finish_digest(digest, [])
        return
    messages = []
    for member in await repo.list_members(table.id):
        if member.status != MemberStatus.MEMBER:
            continue
        if digest.editors and digest.editors <= {member.user_id}:
            continue  # every change was their own
        resident = await repo.get_resident(member.user_id)
        if resident is None or not resident.active:
            continue
        lang = resident.language
        names = [plain(lang, f"tables.field_{field.value}").lower() for field in digest.fields]
        text = t(lang, "tables.digest", title=table.title, fields=_join(lang, names))
        buttons = (((plain(lang, "tables.open_card"), pack("tf", "o", table.id)),),)
        messages.append(
            NewMessage(
                member.user_id,
                text,
                buttons,
                due_at=services.clock.now(),
                dedupe_key=f"table-digest:{table.id}:{digest.last_change_id}:{member.user_id}",
            )
        )
    await repo.finish_digest(digest, messages)


def _join(lang: str, names: list[str]) -> str:
    """a, b en c / a, b and c."""
    unique = list(dict.fromkeys(names))
    if len(unique) <= 1:
        return "".join(unique)
    return ", ".join(unique[:-1]) + plain(lang, "tables.and") + unique[-1]
