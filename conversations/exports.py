"""/export: a theme's board as files for moderators, ambassadors (their own area) and admins;
the contact list of residents who agreed to be invited only for ambassadors and admins."""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes, first_id, pack, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.guards import exporters_only
from bot.chat.photos import photo_bytes
from bot.chat.replies import answer, answer_key, say
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.updates import chat_id, person_name, user_id
from bot.core.i18n import plain, t
from bot.services.exports import (
    BOARD_FORMATS,
    CARDS,
    CONTACTS,
    REPORT,
    THEME_FORMATS,
    TIMELINE,
    ExportFile,
    available_formats,
    board_files,
    contacts_file,
    in_person_contacts_file,
)
from bot.village.access import Role, manageable_places, may_manage
from storage.models import Theme, ThemeStatus

ALL = "all"
PREFIX = "ex"


class Action(StrEnum):
    """What an ex: button asks for."""

    THEME = "t"
    FORMAT = "f"


def _sees_everything(context: BuurtContext) -> bool:
    return bool(context.roles & {Role.MODERATOR, Role.ADMIN})


def _may_export(update: Update, context: BuurtContext, theme: Theme) -> bool:
    """Moderators and admins export any theme; an ambassador the themes of their area."""
    if _sees_everything(context):
        return True
    return may_manage(user_id(update), context.services.config, theme.place)


def _may_export_contacts(update: Update, context: BuurtContext, theme: Theme) -> bool:
    """Contact details only for admins and the ambassador of the theme's area."""
    if Role.ADMIN in context.roles:
        return True
    return Role.AMBASSADOR in context.roles and may_manage(
        user_id(update), context.services.config, theme.place
    )


@exporters_only
async def export_command(update: Update, context: BuurtContext) -> None:
    """Choose the theme to export."""
    places = (
        None
        if _sees_everything(context)
        else manageable_places(user_id(update), context.services.config)
    )
    themes = await context.services.repo.list_themes(
        places, (ThemeStatus.ACTIVE, ThemeStatus.CLOSED, ThemeStatus.DRAFT)
    )
    if not themes:
        await say(update, context, t(context.lang, "export.no_themes"))
        return
    rows = [
        [
            InlineKeyboardButton(
                shorten(theme.title, BUTTON_LABEL_LIMIT),
                callback_data=pack(PREFIX, Action.THEME, theme.id),
            )
        ]
        for theme in themes[:30]
    ]
    await say(update, context, t(context.lang, "export.pick_theme"), InlineKeyboardMarkup(rows))


async def _theme(update: Update, context: BuurtContext, theme_id: int | None) -> Theme | None:
    theme = await context.services.repo.get_theme(theme_id) if theme_id is not None else None
    if theme is None:
        await answer_key(update, context, "talk.theme_gone")
        return None
    if not _may_export(update, context, theme):
        await answer_key(update, context, "access.other_area", alert=True)
        return None
    return theme


async def on_theme(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Offer the formats for the chosen theme."""
    theme = await _theme(update, context, first_id(args))
    if theme is None:
        return
    await answer(update)
    lang = context.lang

    def button(fmt: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            plain(lang, f"export.format_{fmt}"),
            callback_data=pack(PREFIX, Action.FORMAT, theme.id, fmt),
        )

    # One per row: each label says what the file is for, which takes more than a word.
    available = await available_formats(context.services.repo, theme)
    extra = (f for f in (CARDS, TIMELINE, REPORT) if f in available)
    formats = [*BOARD_FORMATS, *extra]
    rows = [[button(fmt)] for fmt in formats]
    rows.append([button(ALL)])
    if _may_export_contacts(update, context, theme):
        rows.append([button(CONTACTS)])
    await say(
        update,
        context,
        t(lang, "export.pick_format", title=theme.title),
        InlineKeyboardMarkup(rows),
    )


async def on_format(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Make the files and send them, each export written in the audit trail."""
    fmt = args[1] if len(args) == 2 else None
    if fmt not in (*THEME_FORMATS, ALL, CONTACTS):
        await answer_key(update, context, "common.stale_button")
        return
    theme = await _theme(update, context, unpack_int(args[0]))
    if theme is None:
        return
    services = context.services
    if fmt == CONTACTS:
        if not _may_export_contacts(update, context, theme):
            await answer_key(update, context, "export.contacts_denied", alert=True)
            return
        await answer(update)
        file = await contacts_file(
            services.repo,
            services.config,
            theme,
            now=services.clock.now(),
            actor_id=user_id(update),
            actor_name=person_name(update),
            via="chat",
        )
        await _send(context, chat_id(update), file, t(context.lang, "export.contacts_caption"))
        # Contacts noted in person at the stand (conversations/square) come as their own file.
        in_person = await in_person_contacts_file(
            services.repo,
            theme,
            now=services.clock.now(),
            actor_id=user_id(update),
            actor_name=person_name(update),
            via="chat",
        )
        if in_person is not None:
            await _send(context, chat_id(update), in_person, "")
        return
    await answer(update, plain(context.lang, "export.making"))
    formats = await available_formats(services.repo, theme) if fmt == ALL else [fmt]
    files = await board_files(
        services.repo,
        services.config,
        theme,
        formats,
        language=context.lang,
        now=services.clock.now(),
        actor_id=user_id(update),
        actor_name=person_name(update),
        via="chat",
        photos=lambda file_id: photo_bytes(context.bot, file_id),
    )
    for file in files:
        await _send(context, chat_id(update), file, t(context.lang, f"export.caption_{file.fmt}"))


async def _send(context: BuurtContext, target: int, file: ExportFile, caption: str) -> None:
    await context.bot.send_document(
        target, file.data, filename=file.name, caption=caption, parse_mode="HTML"
    )


ROUTES: dict[str, ButtonHandler] = {Action.THEME: on_theme, Action.FORMAT: on_format}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of /export; its buttons, like the command, only for exporters."""
    return [
        CommandHandler("export", export_command, filters=filters.ChatType.PRIVATE),
        *button_routes(PREFIX, ROUTES, guard=exporters_only),
    ]
