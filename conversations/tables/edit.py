"""Changing one field of a table's card: the initiator and the table's ambassador may."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update

from bot.chat.callbacks import unpack_int
from bot.chat.context import BuurtContext
from bot.chat.replies import drop_buttons, say
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import plain, t
from bot.services.scheduler import planning_changed
from conversations.tables.access import (
    at_step,
    editors_only,
    find_table,
    manages,
    may_edit,
    with_table,
)
from conversations.tables.actions import (
    FIELD_CODES,
    FLOW,
    MAX_CAPACITY,
    MAX_FIELD,
    MAX_NAME,
    MAX_TITLE,
    Action,
    Step,
    button,
    read_capacity,
)
from conversations.tables.card import field_text
from conversations.tables.waiting import fill_free_places
from storage.models import CardField, MemberStatus, TalkTable, Theme

# Members hear of card changes once: this long after the last edit, and no later than
# DIGEST_WITHIN after the first edit they have not heard of.
DIGEST_AFTER = timedelta(minutes=10)
DIGEST_WITHIN = timedelta(hours=1)

_MENU = (
    CardField.TITLE,
    CardField.WHAT,
    CardField.AMBITIONS,
    CardField.AGREEMENTS,
    CardField.WORKING,
    CardField.CAPACITY,
)
_LIMIT = {
    CardField.TITLE: MAX_TITLE,
    CardField.INITIATOR: MAX_NAME,
    CardField.WHAT: MAX_FIELD,
    CardField.AMBITIONS: MAX_FIELD,
    CardField.AGREEMENTS: MAX_FIELD,
    CardField.WORKING: MAX_FIELD,
}


@with_table
@editors_only
async def on_edit(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Ask which field of the card to change."""
    lang = context.lang
    fields = list(_MENU)
    if manages(update, context, theme):  # who the initiator is, is the ambassador's to say
        fields.append(CardField.INITIATOR)
    buttons = [
        button(lang, f"tables.field_{f.value}", Action.FIELD, table.id, FIELD_CODES.code(f))
        for f in fields
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    await say(
        update,
        context,
        t(lang, "tables.which_field", title=table.title),
        InlineKeyboardMarkup(rows),
    )


@with_table
@editors_only
async def on_field(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Ask for the new value of the field pressed."""
    field = FIELD_CODES.value(args[0]) if len(args) == 1 else None
    if field is None:
        return
    if field == CardField.INITIATOR and not manages(update, context, theme):
        await say(update, context, t(context.lang, "tables.not_yours"))
        return
    await _ask_field(update, context, table, field)


@with_table
@editors_only
async def on_no_capacity(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Take away the table's maximum number of places."""
    if at_step(context, table, Step.EDIT):
        await drop_buttons(update)
        await _store(update, context, table, CardField.CAPACITY, None)


async def _ask_field(
    update: Update, context: BuurtContext, table: TalkTable, field: CardField
) -> None:
    lang = context.lang
    await context.services.repo.set_state(
        chat_id(update), FLOW, Step.EDIT, {"table": table.id, "field": field.value}
    )
    if field == CardField.CAPACITY:
        now = str(table.capacity) if table.capacity else plain(lang, "tables.no_maximum")
        keyboard = InlineKeyboardMarkup(
            [[button(lang, "tables.no_maximum", Action.NO_CAPACITY, table.id)]]
        )
        await say(update, context, t(lang, "tables.ask_new_capacity", now=now), keyboard)
        return
    current = {
        CardField.TITLE: table.title,
        CardField.INITIATOR: table.initiator_name,
        CardField.WHAT: table.what,
        CardField.AMBITIONS: table.ambitions,
        CardField.AGREEMENTS: table.agreements,
        CardField.WORKING: table.working,
    }[field]
    name = plain(lang, f"tables.field_{field.value}")
    now_text = field_text(lang, current)
    await say(update, context, t(lang, "tables.ask_new_text", field=name, now=now_text))


async def on_edit_text(update: Update, context: BuurtContext) -> None:
    """Take the new text (or capacity) of one field of the card."""
    message = update.message
    assert message is not None
    lang = context.lang
    data = context.state.data
    table = await _editable(update, context, unpack_int(str(data.get("table", ""))))
    if table is None:
        await context.services.repo.set_state(chat_id(update), None, None, {})
        return
    field = CardField(str(data.get("field", CardField.WHAT.value)))
    value = (message.text or "").strip()
    if field == CardField.CAPACITY:
        capacity = read_capacity(value)
        if capacity is None:
            await say(update, context, t(lang, "tables.bad_capacity", max=MAX_CAPACITY))
            return
        members = await context.services.repo.list_members(table.id)
        seated = sum(1 for m in members if m.status == MemberStatus.MEMBER)
        if capacity and capacity < seated:
            # Nobody is sent away: a maximum below who already sits there is refused.
            await say(update, context, t(lang, "table_places.below_members", count=seated))
            return
        await _store(update, context, table, field, capacity)
        return
    limit = _LIMIT[field]
    if not value or len(value) > limit:
        await say(update, context, t(lang, "tables.too_long", max=limit))
        return
    await _store(update, context, table, field, value)


async def _editable(
    update: Update, context: BuurtContext, table_id: int | None
) -> TalkTable | None:
    """Return the table when it exists and the person may change its card; say so otherwise."""
    found = await find_table(update, context, table_id)
    if found is None:
        return None
    table, theme = found
    if not may_edit(update, context, table, theme):
        await say(update, context, t(context.lang, "tables.not_yours"))
        return None
    return table


async def _store(
    update: Update,
    context: BuurtContext,
    table: TalkTable,
    field: CardField,
    value: str | int | None,
) -> None:
    repo = context.services.repo
    await repo.set_state(chat_id(update), None, None, {})
    updated = await repo.update_table(
        table.id,
        field,
        value,
        edited_by=user_id(update),
        now=context.services.clock.now(),
        digest_after=DIGEST_AFTER,
        digest_within=DIGEST_WITHIN,
    )
    if updated is None:
        await say(update, context, t(context.lang, "tables.gone"))
        return
    if field == CardField.CAPACITY:
        await fill_free_places(context, table.id)
    planning_changed(context.application)
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(context.lang, "tables.edit_more", Action.EDIT, table.id),
                button(context.lang, "tables.open_card", Action.OPEN, table.id),
            ]
        ]
    )
    await say(update, context, t(context.lang, "tables.edited"), keyboard)
