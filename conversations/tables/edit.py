"""Changing one field of a table's card: the initiator and the table's ambassador may."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.chat.callbacks import unpack_int
from bot.chat.context import BuurtContext
from bot.chat.guards import still_manages
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import Html, plain, t
from bot.services.follow_through import queue_follow_up
from bot.services.scheduler import planning_changed
from conversations.tables import origins
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

Data = dict[str, Any]

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
    if manages(update, context, theme):  # which notes it grew from, too
        buttons.append(button(lang, "follow.edit_button", Action.NOTES, table.id))
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


# -- which notes the table grew from --------------------------------------------------------


@with_table
async def on_notes(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Open the picker of the notes the table grew from, with what is linked now picked."""
    if not manages(update, context, theme):
        await say(update, context, t(context.lang, "tables.not_yours"))
        return
    data = {
        "table": table.id,
        "theme": theme.id,
        origins.PICKED: await context.services.repo.table_note_ids(table.id),
    }
    await context.services.repo.set_state(chat_id(update), FLOW, Step.LINK, data)
    await origins.draw(update, context, theme, data, edit=False)


async def on_links_done(
    update: Update, context: BuurtContext, data: Data, picked: list[int]
) -> None:
    """Done picking on the card: read back what will be linked, and ask before saving."""
    lang = context.lang
    found = await find_table(update, context, unpack_int(str(data.get("table", ""))))
    if found is None:
        return
    table, theme = found
    await drop_buttons(update)
    linked = await context.services.repo.table_note_ids(table.id)
    offered = await origins.offer(context, theme)
    shown_linked = offered.visible(linked)
    new = [note_id for note_id in picked if note_id not in linked]
    gone = [note_id for note_id in shown_linked if note_id not in picked]
    lines = [
        t(lang, "follow.linked_title", title=table.title)
        + "\n"
        + origins.note_lines(lang, offered, picked, new)
        if picked
        else t(lang, "follow.linked_nothing", title=table.title)
    ]
    if gone:
        lines.append(t(lang, "follow.linked_gone", count=len(gone)))
    lines.append(t(lang, "follow.linked_ask"))
    await context.services.repo.set_state(
        chat_id(update), FLOW, Step.LINKED, dict(data, **{origins.PICKED: picked})
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(lang, "tables.save", Action.NOTES_SAVE, table.id),
                button(lang, "follow.change", Action.NOTES_BACK, table.id),
            ]
        ]
    )
    await say(update, context, Html("\n\n".join(lines)), keyboard)


@with_table
async def on_notes_back(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Back from the read-back to the picker, with the same notes picked."""
    if not at_step(context, table, Step.LINKED):
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    data = dict(context.state.data)
    await context.services.repo.set_state(chat_id(update), FLOW, Step.LINK, data)
    await origins.draw(update, context, theme, data, edit=True)


@with_table
async def on_notes_save(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Save the notes as read back; each newly linked writer who asked hears once."""
    if not at_step(context, table, Step.LINKED):
        await answer(update)  # a second tap on a save already done: quietly nothing
        return
    await answer(update)
    await drop_buttons(update)
    repo = context.services.repo
    await repo.set_state(chat_id(update), None, None, {})
    if not await still_manages(update, context, theme.place):
        return
    picked = origins.picked_of(dict(context.state.data))
    shown = await origins.shown_ids(context, theme)
    # Only what the picker could show is changed: a linked note hidden since stays linked.
    kept = [note_id for note_id in await repo.table_note_ids(table.id) if note_id not in shown]
    added = await repo.set_table_notes(table.id, kept + [i for i in picked if i in shown])
    services = context.services
    now, tz = services.clock.now(), services.config.municipality.tz
    if await queue_follow_up(repo, table, now, tz, note_ids=added):
        services.outbox_changed()
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(context.lang, "tables.edit_more", Action.EDIT, table.id),
                button(context.lang, "tables.open_card", Action.OPEN, table.id),
            ]
        ]
    )
    await say(update, context, t(context.lang, "follow.linked_saved", title=table.title), keyboard)
