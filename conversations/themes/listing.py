"""/themas: the themes of the ambassador's area, each with a card of what can be done."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import pack
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only
from bot.chat.replies import answer, say
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.core.i18n import plain, t
from bot.village.dates import format_period
from conversations.square.actions import PREFIX as SQUARE_PREFIX
from conversations.square.actions import Action as SquareAction
from conversations.theme_list import managed_theme, managed_themes
from conversations.themes.actions import (
    MESSAGE_PREFIX,
    PREFIX,
    TOOLS_PREFIX,
    Action,
    MessageAction,
    ToolAction,
)
from conversations.themes.places import stored
from conversations.themes.publish import confirm_publish
from conversations.themes.setup import PREVIEW, SETUP
from storage.models import BOARD_QUADRANTS, Theme, ThemeStatus

# More themes than this in one list helps nobody on a phone; the newest come first.
MAX_LISTED = 30


def deep_link(username: str | None, theme: Theme) -> str:
    """The t.me link that opens a theme's talk; the poster's QR code holds it."""
    return f"https://t.me/{username or 'buurtbot'}?start=t_{theme.code}"


@ambassadors_only
async def list_themes(update: Update, context: BuurtContext) -> None:
    """List the themes of the ambassador's area, each with its card."""
    statuses = (ThemeStatus.DRAFT, ThemeStatus.ACTIVE, ThemeStatus.CLOSED)
    themes = await managed_themes(update, context, statuses)
    lang = context.lang
    if not themes:
        await say(update, context, t(lang, "themes.none"))
        return
    rows = [
        [
            InlineKeyboardButton(
                shorten(f"{theme.title} ({_status(lang, theme)})", BUTTON_LABEL_LIMIT),
                callback_data=pack(PREFIX, Action.CARD, theme.id),
            )
        ]
        for theme in themes[:MAX_LISTED]
    ]
    await say(update, context, t(lang, "themes.pick"), InlineKeyboardMarkup(rows))


def _status(lang: str, theme: Theme) -> str:
    return plain(lang, f"newtheme.status_{theme.status.value}")


async def on_card(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Show a theme's card: where, when, how many notes, its link, and what can be done."""
    theme = await managed_theme(update, context, args[0] if args else None)
    if theme is None:
        return
    await answer(update)
    lang = context.lang
    counts = await context.services.repo.count_notes(theme.id)
    text = t(
        lang,
        "themes.card",
        title=theme.title,
        place=context.services.config.municipality.place_name(theme.place),
        period=format_period(theme.starts_on, theme.ends_on, lang),
        status=_status(lang, theme),
        notes=sum(counts[q] for q in BOARD_QUADRANTS),  # as /voortgang counts: not the remarks
        link=deep_link(context.bot.username, theme),
    )
    await say(update, context, text, _card_keyboard(lang, theme))


async def on_edit(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Open the preview of a theme with its own values, to change any part of it."""
    theme = await managed_theme(update, context, args[0] if args else None)
    if theme is None:
        return
    await answer(update)
    data = {
        "id": theme.id,
        "title": theme.title,
        "invitation": theme.invitation,
        "question": theme.question,
        "place": stored(theme.place),
        "starts": theme.starts_on.isoformat() if theme.starts_on else None,
        "ends": theme.ends_on.isoformat() if theme.ends_on else None,
        "questions": theme.quadrant_questions,
    }
    await SETUP.ask(update, context, PREVIEW, data)


async def on_publish(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Ask to publish a draft from its card."""
    theme = await managed_theme(update, context, args[0] if args else None)
    if theme is None:
        return
    await answer(update)
    await confirm_publish(update, context, theme)


def _card_keyboard(lang: str, theme: Theme) -> InlineKeyboardMarkup:
    def button(key: str, *data: str | int) -> InlineKeyboardButton:
        return InlineKeyboardButton(plain(lang, key), callback_data=pack(*data, theme.id))

    rows = [[button("themes.edit", PREFIX, Action.EDIT)]]
    if theme.status == ThemeStatus.DRAFT:
        rows[0].append(button("themes.publish", PREFIX, Action.PUBLISH))
    rows.append(
        [
            button("themes.poster", TOOLS_PREFIX, ToolAction.POSTER),
            button("themes.progress", TOOLS_PREFIX, ToolAction.PROGRESS),
        ]
    )
    if theme.status == ThemeStatus.ACTIVE:
        rows.append(
            [
                button("themes.message", MESSAGE_PREFIX, MessageAction.THEME),
                button("themes.close", TOOLS_PREFIX, ToolAction.CLOSE),
            ]
        )
        # The quick entry of notes heard at the stand (conversations/square).
        rows.append([button("square.button", SQUARE_PREFIX, SquareAction.GO)])
    return InlineKeyboardMarkup(rows)
