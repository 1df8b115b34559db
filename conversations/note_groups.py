"""The groups of alike notes for ambassadors: under /voortgang, largest group first."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import pack
from bot.chat.context import BuurtContext
from bot.chat.replies import say
from bot.chat.text_limits import shorten
from bot.core.i18n import Html, plain, t
from bot.render.exports import group_label, note_words
from bot.services.exports import board_export
from bot.village.board import NoteGroup
from conversations.themes.actions import TOOLS_PREFIX, ToolAction
from storage.models import Theme

NOTE_PREVIEW = 200


def groups_button(lang: str, theme_id: int) -> InlineKeyboardMarkup:
    """Under the progress chart: see the notes grouped by what they say."""
    data = pack(TOOLS_PREFIX, ToolAction.GROUPS, theme_id)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(plain(lang, "groups.button"), callback_data=data)]]
    )


def groups_text(lang: str, groups: tuple[NoteGroup, ...]) -> Html:
    """Each group of two or more with its shared words and every note in it; then the rest."""
    together = [group for group in groups if len(group.notes) > 1]
    if not groups:
        return t(lang, "groups.none")
    lines = [t(lang, "groups.title")]
    for group in together:
        lines.append(Html(""))
        lines.append(
            t(lang, "groups.group", label=group_label(group, lang), count=len(group.notes))
        )
        lines += [
            t(lang, "groups.note", text=shorten(note_words(note, lang), NOTE_PREVIEW))
            for note in group.notes
        ]
    alone = len(groups) - len(together)
    if alone:
        lines += [Html(""), t(lang, "groups.alone", count=alone)]
    return Html("\n".join(lines))


async def send_groups(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Send the theme's notes grouped by what they say (read as the exports read them)."""
    services = context.services
    board = await board_export(
        services.repo, services.config, theme, language=context.lang, now=services.clock.now()
    )
    # Grouping a big board takes a while; other chats go on meanwhile.
    groups = await asyncio.to_thread(lambda: board.groups)
    await say(update, context, groups_text(context.lang, groups))
