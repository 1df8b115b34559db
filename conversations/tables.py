"""Conversation tables (gesprekstafels): an ambassador sets one up around an initiative,
residents join it with a commitment, the table card (tafelkaart) lives.

/nieuwetafel walks the ambassador through the card; /tafels shows everyone the tables of
their themes. Joining asks how (meedenken, meedoen, verbinden), an optional line, and
whether the others at the table may see one's first name.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat.callbacks import pack, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say
from bot.chat.steps import StepHandler
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import Html, plain, t
from bot.services.scheduler import planning_changed
from bot.village.access import Role, may_manage
from conversations.theme_list import active_themes, managed_themes, offer_themes
from storage.models import (
    CardField,
    Commitment,
    Consent,
    MemberStatus,
    NewMessage,
    TableMember,
    TalkTable,
    Theme,
    ThemeStatus,
)
from storage.repository import Repository

FLOW = "table"
TITLE, INITIATOR, CAPACITY = "title", "initiator", "capacity"
WHAT, AMBITIONS, AGREEMENTS, WORKING, PREVIEW = (
    "what",
    "ambitions",
    "agreements",
    "working",
    "preview",
)
HOW, NAME, EDIT = "how", "name", "edit"
_NEW_ORDER = (TITLE, INITIATOR, CAPACITY, WHAT, AMBITIONS, AGREEMENTS, WORKING, PREVIEW)
_CARD_STEPS = (INITIATOR, WHAT, AMBITIONS, AGREEMENTS, WORKING)

MAX_TITLE, MAX_NAME, MAX_FIELD, MAX_HOW, MAX_CAPACITY = 80, 80, 400, 150, 500
NAMES_SHOWN = 12
# The initiator's link: t.me/<bot>?start=tf_<table code>.
LINK_PREFIX = "tf_"
# Members hear of card changes once: this long after the last edit, and no later than
# DIGEST_WITHIN after the first edit they have not heard of.
DIGEST_AFTER = timedelta(minutes=10)
DIGEST_WITHIN = timedelta(hours=1)

_KIND_LETTER = {Commitment.THINK: "t", Commitment.TAKE_PART: "p", Commitment.CONNECT: "c"}
_LETTER_KIND = {letter: kind for kind, letter in _KIND_LETTER.items()}
_FIELD_LETTER = {
    CardField.TITLE: "ti",
    CardField.INITIATOR: "in",
    CardField.WHAT: "wh",
    CardField.AMBITIONS: "am",
    CardField.AGREEMENTS: "ag",
    CardField.WORKING: "wo",
    CardField.CAPACITY: "ca",
}
_LETTER_FIELD = {letter: field for field, letter in _FIELD_LETTER.items()}
_FIELD_LIMIT = {
    CardField.TITLE: MAX_TITLE,
    CardField.INITIATOR: MAX_NAME,
    CardField.WHAT: MAX_FIELD,
    CardField.AMBITIONS: MAX_FIELD,
    CardField.AGREEMENTS: MAX_FIELD,
    CardField.WORKING: MAX_FIELD,
}


def _button(lang: str, key: str, *data: str | int, **values: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        shorten(plain(lang, key, **values), BUTTON_LABEL_LIMIT), callback_data=pack(*data)
    )


def commitment_name(lang: str, commitment: Commitment) -> str:
    """meedenken, meedoen, verbinden."""
    return plain(lang, f"tables.kind_{commitment.value}")


def join_buttons(lang: str, table_id: int) -> list[list[InlineKeyboardButton]]:
    """The three ways to join a table."""
    return [
        [
            _button(lang, f"tables.join_{kind.value}", "tf", "j", table_id, letter)
            for kind, letter in _KIND_LETTER.items()
        ]
    ]


def join_rows(lang: str, table_id: int) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The join buttons as outbox rows of (label, data)."""
    return tuple(
        tuple((b.text, str(b.callback_data)) for b in row) for row in join_buttons(lang, table_id)
    )


# -- the card ------------------------------------------------------------------------------


def _field(lang: str, value: str) -> str:
    return value if value.strip() else plain(lang, "tables.empty_field")


def _who(lang: str, members: list[TableMember], *, names: bool) -> Html:
    seated = [m for m in members if m.status == MemberStatus.MEMBER]
    lines: list[str] = []
    if names:
        shown = [m for m in seated if m.first_name][:NAMES_SHOWN]
        for member in shown:
            key = "tables.who_line_how" if member.how else "tables.who_line"
            lines.append(
                t(
                    lang,
                    key,
                    name=member.first_name or "",
                    kind=commitment_name(lang, member.commitment),
                    how=shorten(member.how, 80),
                )
            )
        others = len(seated) - len(shown)
        if shown and others:
            lines.append(t(lang, "tables.who_others", count=others))
    counts = {kind: sum(1 for m in seated if m.commitment == kind) for kind in Commitment}
    if seated:
        lines.append(
            t(
                lang,
                "tables.who_counts",
                think=counts[Commitment.THINK],
                take_part=counts[Commitment.TAKE_PART],
                connect=counts[Commitment.CONNECT],
            )
        )
    else:
        lines.append(t(lang, "tables.who_nobody"))
    return Html("\n".join(lines))


def _places(lang: str, table: TalkTable, members: list[TableMember]) -> Html:
    seated = sum(1 for m in members if m.status == MemberStatus.MEMBER)
    waiting = sum(1 for m in members if m.status == MemberStatus.WAITING)
    if table.capacity is None:
        return t(lang, "tables.places_open", count=seated)
    if waiting:
        return t(
            lang, "tables.places_waiting", taken=seated, capacity=table.capacity, waiting=waiting
        )
    return t(lang, "tables.places", taken=seated, capacity=table.capacity)


def card_text(
    lang: str, table: TalkTable, theme_title: str, members: list[TableMember], *, names: bool
) -> Html:
    """The table card; names of members who agreed to be shown only when names is True."""
    return t(
        lang,
        "tables.card",
        title=table.title,
        theme=theme_title,
        initiator=_field(lang, table.initiator_name),
        what=_field(lang, table.what),
        ambitions=_field(lang, table.ambitions),
        who=_who(lang, members, names=names),
        agreements=_field(lang, table.agreements),
        working=_field(lang, table.working),
        places=_places(lang, table, members),
    )


async def _theme_title(context: BuurtContext, theme_id: int) -> str:
    theme = await context.services.repo.get_theme(theme_id)
    return theme.title if theme else "?"


def _may_edit(update: Update, context: BuurtContext, table: TalkTable, theme: Theme) -> bool:
    uid = user_id(update)
    return table.initiator_id == uid or _manages(update, context, theme)


def _manages(update: Update, context: BuurtContext, theme: Theme) -> bool:
    if not context.roles & {Role.AMBASSADOR, Role.ADMIN}:
        return False
    return may_manage(user_id(update), context.services.config, theme.place)


# -- /nieuwtafel: the ambassador sets up a table ----------------------------------------------


@ambassadors_only
async def new_table(update: Update, context: BuurtContext) -> None:
    """Ask which theme the new table belongs to."""
    themes = await managed_themes(update, context, (ThemeStatus.ACTIVE, ThemeStatus.CLOSED))
    await offer_themes(update, context, themes, "tables.ask_theme", "tf", "th")


async def _go(update: Update, context: BuurtContext, step: str, data: dict[str, Any]) -> None:
    """Store the step of /nieuwtafel and ask its question."""
    await context.services.repo.set_state(chat_id(update), FLOW, step, data)
    lang = context.lang
    if step == PREVIEW:
        await _preview(update, context, data)
        return
    buttons: list[list[InlineKeyboardButton]] = []
    if step == CAPACITY:
        buttons = [[_button(lang, "tables.no_maximum", "tf", "cap", 0)]]
    elif step in _CARD_STEPS:
        buttons = [[_button(lang, "common.skip", "tf", "skip")]]
    text = t(lang, f"tables.ask_{step}")
    await say(update, context, text, InlineKeyboardMarkup(buttons) if buttons else None)


def _next(step: str) -> str:
    return _NEW_ORDER[_NEW_ORDER.index(step) + 1]


def _draft(data: dict[str, Any]) -> TalkTable:
    """The card as it will be, from the flow's data, for the preview."""
    now = datetime.now(UTC)
    return TalkTable(
        id=0,
        theme_id=int(data["theme"]),
        code="",
        title=str(data.get("title", "")),
        initiator_name=str(data.get(INITIATOR, "")),
        initiator_id=None,
        what=str(data.get(WHAT, "")),
        ambitions=str(data.get(AMBITIONS, "")),
        agreements=str(data.get(AGREEMENTS, "")),
        working=str(data.get(WORKING, "")),
        capacity=int(data["capacity"]) if data.get("capacity") else None,
        created_by=None,
        created_at=now,
        updated_at=now,
    )


async def _preview(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    lang = context.lang
    theme_title = await _theme_title(context, int(data["theme"]))
    await say(update, context, t(lang, "tables.preview_intro"))
    await say(update, context, card_text(lang, _draft(data), theme_title, [], names=True))
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(lang, "tables.save", "tf", "save"),
                _button(lang, "newtheme.stop", "tf", "stop"),
            ]
        ]
    )
    await say(update, context, t(lang, "tables.preview_ask"), keyboard)


async def _in_new_flow(update: Update, context: BuurtContext, *steps: str) -> bool:
    state = context.state
    if state.flow == FLOW and state.step in steps and "theme" in state.data:
        return True
    await answer_key(update, context, "common.stale_button")
    return False


@ambassadors_only
async def on_new_text(update: Update, context: BuurtContext) -> None:
    """Take the typed answer of a /nieuwtafel step."""
    message = update.message
    assert message is not None
    lang = context.lang
    step = context.state.step or TITLE
    data = dict(context.state.data)
    value = (message.text or "").strip()
    if step == CAPACITY:
        capacity = int(value) if value.isdigit() else 0
        if not 1 <= capacity <= MAX_CAPACITY:
            await say(update, context, t(lang, "tables.bad_capacity", max=MAX_CAPACITY))
            await _go(update, context, step, data)
            return
        data["capacity"] = capacity
        await _go(update, context, _next(step), data)
        return
    limit = {TITLE: MAX_TITLE, INITIATOR: MAX_NAME}.get(step, MAX_FIELD)
    if not value or len(value) > limit:
        await say(update, context, t(lang, "tables.too_long", max=limit))
        await _go(update, context, step, data)
        return
    data[step] = value
    await _go(update, context, _next(step), data)


async def _on_new_button(
    update: Update, context: BuurtContext, action: str, args: list[str]
) -> None:
    data = dict(context.state.data)
    if action == "th" and args:
        theme_id = unpack_int(args[0])
        theme = await context.services.repo.get_theme(theme_id) if theme_id is not None else None
        if theme is None or not _manages(update, context, theme):
            await answer_key(update, context, "access.other_area", alert=True)
            return
        await answer(update)
        await drop_buttons(update)
        await _go(update, context, TITLE, {"theme": theme.id})
    elif action == "cap" and await _in_new_flow(update, context, CAPACITY):
        await answer(update)
        await drop_buttons(update)
        data["capacity"] = 0
        await _go(update, context, _next(CAPACITY), data)
    elif action == "skip" and await _in_new_flow(update, context, *_CARD_STEPS):
        await answer(update)
        await drop_buttons(update)
        step = context.state.step or WHAT
        data[step] = ""
        await _go(update, context, _next(step), data)
    elif action in ("save", "stop") and await _in_new_flow(update, context, PREVIEW):
        await answer(update)
        await drop_buttons(update)
        await context.services.repo.set_state(chat_id(update), None, None, {})
        if action == "stop":
            await say(update, context, t(context.lang, "tables.stopped"))
            return
        await _save_new(update, context, data)


async def _save_new(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    repo = context.services.repo
    theme = await repo.get_theme(int(data["theme"]))
    if theme is None or not _manages(update, context, theme):
        await say(update, context, t(context.lang, "access.other_area"))
        return
    draft = _draft(data)
    table = await repo.create_table(
        theme_id=theme.id,
        title=draft.title,
        initiator_name=draft.initiator_name,
        capacity=draft.capacity,
        what=draft.what,
        ambitions=draft.ambitions,
        agreements=draft.agreements,
        working=draft.working,
        created_by=user_id(update),
    )
    await say(update, context, t(context.lang, "tables.saved", title=table.title))
    await _show(update, context, table, edit=False)


# -- /tafels: the tables of my themes -----------------------------------------------------------


async def _my_theme_ids(update: Update, context: BuurtContext) -> set[int]:
    repo = context.services.repo
    ids = {theme.id for theme in await active_themes(context)}
    for member in await repo.memberships_of(user_id(update)):
        table = await repo.get_table(member.table_id)
        if table is not None:
            ids.add(table.theme_id)
    if context.roles & {Role.AMBASSADOR, Role.ADMIN}:
        ids |= {
            theme.id
            for theme in await managed_themes(
                update, context, (ThemeStatus.ACTIVE, ThemeStatus.CLOSED)
            )
        }
    return ids


async def tables_command(update: Update, context: BuurtContext) -> None:
    """List the tables of the person's themes."""
    lang = context.lang
    repo = context.services.repo
    tables = await repo.list_tables(await _my_theme_ids(update, context))
    if not tables:
        await say(update, context, t(lang, "tables.none"))
        return
    own = {m.table_id: m for m in await repo.memberships_of(user_id(update))}
    rows = []
    for table in tables[:40]:
        label = table.title
        if table.id in own:
            label = plain(lang, "tables.list_mine", title=table.title)
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(label, BUTTON_LABEL_LIMIT), callback_data=pack("tf", "o", table.id)
                )
            ]
        )
    await say(update, context, t(lang, "tables.pick"), InlineKeyboardMarkup(rows))


async def _show(update: Update, context: BuurtContext, table: TalkTable, *, edit: bool) -> None:
    """Show a table's card with what this person can do with it."""
    lang = context.lang
    repo = context.services.repo
    theme = await repo.get_theme(table.theme_id)
    if theme is None:
        await say(update, context, t(lang, "tables.gone"))
        return
    members = await repo.list_members(table.id)
    me = next((m for m in members if m.user_id == user_id(update)), None)
    manages = _manages(update, context, theme)
    names = me is not None or manages or table.initiator_id == user_id(update)
    text = card_text(lang, table, theme.title, members, names=names)
    rows: list[list[InlineKeyboardButton]] = []
    if me is None:
        if not manages:  # an ambassador manages the table rather than joins it
            text = Html(text + "\n\n" + t(lang, "tables.how_to_join"))
            rows += join_buttons(lang, table.id)
    elif me.status == MemberStatus.WAITING:
        position = await repo.waiting_position(table.id, me.user_id)
        text = Html(text + "\n\n" + t(lang, "tables.you_wait", position=position))
        rows.append([_button(lang, "tables.leave_waiting", "tf", "lv", table.id)])
    else:
        you = t(lang, "tables.you_member", kind=commitment_name(lang, me.commitment))
        text = Html(text + "\n\n" + you)
        name_button = (
            _button(lang, "tables.hide_name", "tf", "nm", table.id, 0)
            if me.first_name
            else _button(lang, "tables.show_name", "tf", "nm", table.id, 1)
        )
        rows.append([_button(lang, "tables.leave", "tf", "lv", table.id), name_button])
    if _may_edit(update, context, table, theme):
        rows.append([_button(lang, "tables.edit", "tf", "ed", table.id)])
    if manages:
        rows.append(
            [
                _button(lang, "tables.invite", "tf", "inv", table.id),
                _button(lang, "tables.initiator_link", "tf", "lnk", table.id),
            ]
        )
    markup = InlineKeyboardMarkup(rows) if rows else None
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)


# -- joining and leaving ------------------------------------------------------------------------


async def _start_join(
    update: Update, context: BuurtContext, table: TalkTable, kind: Commitment
) -> None:
    lang = context.lang
    await context.services.repo.set_state(
        chat_id(update), FLOW, HOW, {"table": table.id, "kind": kind.value}
    )
    keyboard = InlineKeyboardMarkup([[_button(lang, "common.skip", "tf", "hs", table.id)]])
    await say(
        update,
        context,
        t(lang, f"tables.ask_how_{kind.value}", title=table.title),
        keyboard,
    )


async def on_how(update: Update, context: BuurtContext) -> None:
    """Take the line on how someone commits, then ask about showing their name."""
    message = update.message
    assert message is not None
    value = (message.text or "").strip()
    if not value or len(value) > MAX_HOW:
        await say(update, context, t(context.lang, "tables.bad_how", max=MAX_HOW))
        return
    await _ask_name(update, context, dict(context.state.data, how=value))


async def _ask_name(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    lang = context.lang
    table_id = int(data["table"])
    await context.services.repo.set_state(chat_id(update), FLOW, NAME, data)
    user = update.effective_user
    name = user.first_name if user and user.first_name else plain(lang, "start.someone")
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(lang, "tables.name_yes", "tf", "sn", table_id, 1, name=name),
                _button(lang, "tables.name_no", "tf", "sn", table_id, 0),
            ]
        ]
    )
    await say(update, context, t(lang, "tables.ask_name", name=name), keyboard)


async def _finish_join(
    update: Update, context: BuurtContext, table: TalkTable, show_name: bool
) -> None:
    lang = context.lang
    repo = context.services.repo
    data = dict(context.state.data)
    await repo.set_state(chat_id(update), None, None, {})
    kind = Commitment(str(data.get("kind", Commitment.THINK.value)))
    user = update.effective_user
    first_name = user.first_name if show_name and user is not None else None
    await repo.set_consent(user_id(update), Consent.SHOW_NAME, show_name)
    result = await repo.join_table(
        table.id, user_id(update), kind, str(data.get("how", "")), first_name
    )
    await _tell_moved_up(context, await repo.fill_free_places(table.id))
    member = await repo.get_member(table.id, user_id(update)) or result.member
    if member.status == MemberStatus.WAITING:
        position = await repo.waiting_position(table.id, member.user_id)
        await say(update, context, t(lang, "tables.joined_waiting", position=position))
        return
    await say(
        update,
        context,
        t(lang, "tables.joined", title=table.title, kind=commitment_name(lang, kind)),
    )


async def _tell_moved_up(context: BuurtContext, promoted: list[TableMember]) -> None:
    """Tell everyone who moved up from a waiting list (through the outbox)."""
    await tell_moved_up(context.services.repo, promoted, context.services.clock.now())
    if promoted:
        context.services.outbox_changed()


async def tell_moved_up(repo: Repository, promoted: list[TableMember], now: datetime) -> None:
    """Queue the "a place is free, you're in" message for each who moved up."""
    for member in promoted:
        table = await repo.get_table(member.table_id)
        resident = await repo.get_resident(member.user_id)
        if table is None or resident is None:
            continue
        lang = resident.language
        text = t(
            lang,
            "tables.moved_up",
            title=table.title,
            kind=commitment_name(lang, member.commitment),
        )
        buttons = (((plain(lang, "tables.open_card"), pack("tf", "o", table.id)),),)
        await repo.enqueue(
            [
                NewMessage(
                    member.user_id,
                    text,
                    buttons,
                    due_at=now,
                    dedupe_key=f"table-up:{table.id}:{member.user_id}:{member.seq}",
                )
            ]
        )


async def _leave(update: Update, context: BuurtContext, table: TalkTable) -> None:
    repo = context.services.repo
    lang = context.lang
    if not await repo.leave_table(table.id, user_id(update)):
        await say(update, context, t(lang, "tables.not_member"))
        return
    await say(update, context, t(lang, "tables.left", title=table.title))
    await _tell_moved_up(context, await repo.fill_free_places(table.id))


# -- editing the card ---------------------------------------------------------------------------


async def _edit_menu(
    update: Update, context: BuurtContext, table: TalkTable, *, manages: bool
) -> None:
    lang = context.lang
    fields = [
        CardField.TITLE,
        CardField.WHAT,
        CardField.AMBITIONS,
        CardField.AGREEMENTS,
        CardField.WORKING,
        CardField.CAPACITY,
    ]
    if manages:  # who the initiator is, is the ambassador's to say
        fields.append(CardField.INITIATOR)
    buttons = [
        _button(lang, f"tables.field_{f.value}", "tf", "f", table.id, _FIELD_LETTER[f])
        for f in fields
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    await say(
        update,
        context,
        t(lang, "tables.which_field", title=table.title),
        InlineKeyboardMarkup(rows),
    )


async def _ask_field(
    update: Update, context: BuurtContext, table: TalkTable, field: CardField
) -> None:
    lang = context.lang
    await context.services.repo.set_state(
        chat_id(update), FLOW, EDIT, {"table": table.id, "field": field.value}
    )
    if field == CardField.CAPACITY:
        now = str(table.capacity) if table.capacity else plain(lang, "tables.no_maximum")
        keyboard = InlineKeyboardMarkup(
            [[_button(lang, "tables.no_maximum", "tf", "nocap", table.id)]]
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
    await say(
        update,
        context,
        t(
            lang,
            "tables.ask_new_text",
            field=plain(lang, f"tables.field_{field.value}"),
            now=_field(lang, current),
        ),
    )


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
        capacity = int(value) if value.isdigit() else 0
        if not 1 <= capacity <= MAX_CAPACITY:
            await say(update, context, t(lang, "tables.bad_capacity", max=MAX_CAPACITY))
            return
        await _store(update, context, table, field, capacity)
        return
    limit = _FIELD_LIMIT[field]
    if not value or len(value) > limit:
        await say(update, context, t(lang, "tables.too_long", max=limit))
        return
    await _store(update, context, table, field, value)


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
        await _tell_moved_up(context, await repo.fill_free_places(table.id))
    planning_changed(context.application)
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(context.lang, "tables.edit_more", "tf", "ed", table.id),
                _button(context.lang, "tables.open_card", "tf", "o", table.id),
            ]
        ]
    )
    await say(update, context, t(context.lang, "tables.edited"), keyboard)


async def _editable(
    update: Update, context: BuurtContext, table_id: int | None
) -> TalkTable | None:
    """Return the table when it exists and the person may change its card; say so otherwise."""
    repo = context.services.repo
    table = await repo.get_table(table_id) if table_id is not None else None
    theme = await repo.get_theme(table.theme_id) if table is not None else None
    if table is None or theme is None:
        await say(update, context, t(context.lang, "tables.gone"))
        return None
    if not _may_edit(update, context, table, theme):
        await say(update, context, t(context.lang, "tables.not_yours"))
        return None
    return table


# -- invitations and the initiator's link ------------------------------------------------------


async def _confirm_invite(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme
) -> None:
    lang = context.lang
    recipients = await context.services.repo.invitation_recipients(theme.id, table.id)
    if not recipients:
        await say(update, context, t(lang, "tables.invite_nobody"))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(lang, "broadcast.send", "tf", "invy", table.id),
                _button(lang, "broadcast.cancel", "tf", "invn", table.id),
            ]
        ]
    )
    await say(
        update,
        context,
        t(lang, "tables.invite_confirm", count=len(recipients), title=table.title),
        keyboard,
    )


async def _send_invitations(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme
) -> None:
    repo = context.services.repo
    recipients = await repo.invitation_recipients(theme.id, table.id)
    members = await repo.list_members(table.id)
    rendered: dict[str, tuple[Html, tuple[tuple[tuple[str, str], ...], ...]]] = {}
    messages: list[NewMessage] = []
    for recipient in recipients:
        lang = recipient.language
        if lang not in rendered:
            card = card_text(lang, table, theme.title, members, names=False)
            text = t(lang, "tables.invitation", theme=theme.title, card=card)
            rendered[lang] = (text, join_rows(lang, table.id))
        text, buttons = rendered[lang]
        messages.append(
            NewMessage(
                recipient.user_id,
                text,
                buttons,
                due_at=context.services.clock.now(),
                dedupe_key=f"table-invite:{table.id}:{recipient.user_id}",
            )
        )
    queued = await repo.enqueue(messages)
    context.services.outbox_changed()
    await say(update, context, t(context.lang, "tables.invited", count=queued))


def initiator_link(username: str | None, table: TalkTable) -> str:
    """The t.me link whose opener becomes the table's initiator."""
    return f"https://t.me/{username or 'buurtbot'}?start={LINK_PREFIX}{table.code}"


async def on_initiator_link(update: Update, context: BuurtContext) -> None:
    """/start tf_<code>: the initiator opens the link the ambassador sent them."""
    lang = context.lang
    repo = context.services.repo
    code = (context.args[0] if context.args else "").removeprefix(LINK_PREFIX)
    table = await repo.get_table_by_code(code) if code else None
    if table is None:
        await say(update, context, t(lang, "tables.link_unknown"))
        return
    if not await repo.claim_initiator(table.id, user_id(update)):
        await say(update, context, t(lang, "tables.link_taken"))
        return
    # The initiator sits at the table, full or not; someone already there keeps their line.
    member = await repo.get_member(table.id, user_id(update))
    if member is None or member.status == MemberStatus.WAITING:
        await repo.join_table(
            table.id,
            user_id(update),
            member.commitment if member else Commitment.TAKE_PART,
            member.how if member else "",
            member.first_name if member else None,
            ignore_capacity=True,
        )
    await say(update, context, t(lang, "tables.initiator_welcome", title=table.title))
    claimed = await repo.get_table(table.id)
    await _show(update, context, claimed or table, edit=False)


# -- every button -----------------------------------------------------------------------------


async def _table_and_theme(
    update: Update, context: BuurtContext, raw: str | None
) -> tuple[TalkTable, Theme] | None:
    repo = context.services.repo
    table_id = unpack_int(raw) if raw is not None else None
    table = await repo.get_table(table_id) if table_id is not None else None
    theme = await repo.get_theme(table.theme_id) if table is not None else None
    if table is None or theme is None:
        await answer_key(update, context, "tables.gone")
        return None
    return table, theme


async def on_button(update: Update, context: BuurtContext) -> None:
    """Handle every button of the tables: set up, open, join, leave, edit, invite."""
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    action, args = (parts[1], parts[2:]) if len(parts) > 1 else ("", [])
    if action in ("th", "cap", "skip", "save", "stop"):
        await _ambassador_new_button(update, context, action, args)
        return
    found = await _table_and_theme(update, context, args[0] if args else None)
    if found is None:
        return
    table, theme = found
    repo = context.services.repo
    lang = context.lang
    if action == "o":
        await answer(update)
        await _show(update, context, table, edit=False)
    elif action == "j" and len(args) == 2 and args[1] in _LETTER_KIND:
        await answer(update)
        await _start_join(update, context, table, _LETTER_KIND[args[1]])
    elif action == "hs" and _joining(context, table, HOW):
        await answer(update)
        await drop_buttons(update)
        await _ask_name(update, context, dict(context.state.data, how=""))
    elif action == "sn" and len(args) == 2 and _joining(context, table, NAME):
        await answer(update)
        await drop_buttons(update)
        await _finish_join(update, context, table, args[1] == "1")
    elif action == "lv":
        await answer(update)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    _button(lang, "tables.leave_yes", "tf", "lvy", table.id),
                    _button(lang, "tables.leave_no", "tf", "lvn", table.id),
                ]
            ]
        )
        await say(update, context, t(lang, "tables.leave_confirm", title=table.title), keyboard)
    elif action == "lvy":
        await answer(update)
        await drop_buttons(update)
        await _leave(update, context, table)
    elif action == "lvn":
        await answer(update)
        await drop_buttons(update)
        await say(update, context, t(lang, "tables.stayed"))
    elif action == "nm" and len(args) == 2:
        member = await repo.get_member(table.id, user_id(update))
        if member is None:
            await answer_key(update, context, "tables.not_member")
            return
        user = update.effective_user
        show = args[1] == "1" and user is not None
        await repo.set_member_name(
            table.id, member.user_id, user.first_name if show and user else None
        )
        await repo.set_consent(member.user_id, Consent.SHOW_NAME, show)
        await answer_key(update, context, "mine.saved")
        await _show(update, context, table, edit=True)
    elif action in ("ed", "f", "nocap"):
        await _edit_button(update, context, action, args, table, theme)
    elif action in ("inv", "invy", "invn", "lnk"):
        await _manage_button(update, context, action, table, theme)
    else:
        await answer_key(update, context, "common.stale_button")


def _joining(context: BuurtContext, table: TalkTable, step: str) -> bool:
    """True when the chat is at this step of joining this very table."""
    state = context.state
    return state.flow == FLOW and state.step == step and state.data.get("table") == table.id


async def _ambassador_new_button(
    update: Update, context: BuurtContext, action: str, args: list[str]
) -> None:
    if not context.roles & {Role.AMBASSADOR, Role.ADMIN}:
        await answer_key(update, context, "access.denied", alert=True)
        return
    await _on_new_button(update, context, action, args)


async def _edit_button(
    update: Update,
    context: BuurtContext,
    action: str,
    args: list[str],
    table: TalkTable,
    theme: Theme,
) -> None:
    if not _may_edit(update, context, table, theme):
        await answer_key(update, context, "tables.not_yours", alert=True)
        return
    await answer(update)
    if action == "ed":
        await _edit_menu(update, context, table, manages=_manages(update, context, theme))
    elif action == "f" and len(args) == 2 and args[1] in _LETTER_FIELD:
        field = _LETTER_FIELD[args[1]]
        if field == CardField.INITIATOR and not _manages(update, context, theme):
            await say(update, context, t(context.lang, "tables.not_yours"))
            return
        await _ask_field(update, context, table, field)
    elif action == "nocap":
        state = context.state
        if state.flow == FLOW and state.step == EDIT and state.data.get("table") == table.id:
            await drop_buttons(update)
            await _store(update, context, table, CardField.CAPACITY, None)


async def _manage_button(
    update: Update, context: BuurtContext, action: str, table: TalkTable, theme: Theme
) -> None:
    if not _manages(update, context, theme):
        if not context.roles & {Role.AMBASSADOR, Role.ADMIN}:
            await answer_key(update, context, "access.denied", alert=True)
        else:
            await answer_key(update, context, "access.other_area", alert=True)
        return
    await answer(update)
    lang = context.lang
    if action == "inv":
        await _confirm_invite(update, context, table, theme)
    elif action == "invy":
        await drop_buttons(update)
        await _send_invitations(update, context, table, theme)
    elif action == "invn":
        await drop_buttons(update)
        await say(update, context, t(lang, "broadcast.cancelled"))
    else:
        link = initiator_link(context.bot.username, table)
        await say(update, context, t(lang, "tables.link", title=table.title, link=link))


STEPS: dict[str, StepHandler] = {
    TITLE: on_new_text,
    INITIATOR: on_new_text,
    CAPACITY: on_new_text,
    WHAT: on_new_text,
    AMBITIONS: on_new_text,
    AGREEMENTS: on_new_text,
    WORKING: on_new_text,
    HOW: on_how,
    EDIT: on_edit_text,
}


async def _use_buttons(update: Update, context: BuurtContext) -> None:
    await say(update, context, t(context.lang, "tables.use_buttons"))


STEPS |= {PREVIEW: _use_buttons, NAME: _use_buttons}


def deep_link_handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """/start tf_<code>; registered before onboarding's /start, which it must win from."""
    return [
        CommandHandler(
            "start",
            on_initiator_link,
            filters=filters.ChatType.PRIVATE & filters.Regex(rf"^/start {LINK_PREFIX}"),
        )
    ]


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the tables."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("nieuwetafel", new_table, filters=private),
        CommandHandler("tafels", tables_command, filters=private),
        CallbackQueryHandler(on_button, pattern=r"^tf:"),
    ]
