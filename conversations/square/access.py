"""Who may work on the square, and for which theme: the theme's ambassador, and moderators
for notes typed off a photo of the paper board."""

from __future__ import annotations

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import say
from bot.chat.updates import chat_id, user_id
from bot.chat.visible import notes_today
from bot.core.i18n import t
from bot.village.access import Role, may_manage
from bot.village.square import SpeakerPlace, speaker_places
from bot.village.visibility import NoteWindow
from conversations.square.actions import Step
from storage.models import NoteStatus, Theme


def in_person_status(context: BuurtContext) -> NoteStatus:
    """A placed note waits for a moderator in pre-moderation, else it shows at once."""
    if context.services.config.moderation.mode == "pre":
        return NoteStatus.PENDING
    return NoteStatus.VISIBLE


def places_of(context: BuurtContext, theme: Theme) -> tuple[SpeakerPlace, ...]:
    """The villages and neighbourhoods a speaker at this theme's stand may come from."""
    return speaker_places(context.services.config.municipality, theme.place)


def may_type(context: BuurtContext, update: Update, theme: Theme) -> bool:
    """The theme's ambassador (or an admin) always; a moderator for notes typed off a photo."""
    if may_manage(user_id(update), context.services.config, theme.place):
        return True
    return bool(context.roles & {Role.MODERATOR, Role.ADMIN})


async def mode_theme(update: Update, context: BuurtContext) -> Theme | None:
    """The theme the chat's square mode is for, when it still takes notes from this person."""
    data = context.state.data
    theme_id = data.get("theme")
    repo = context.services.repo
    theme = await repo.get_theme(theme_id) if isinstance(theme_id, int) else None
    lang = context.lang
    if theme is None or notes_today(context, theme) != NoteWindow.OPEN:
        await repo.set_state(chat_id(update), None, None, {})
        await say(update, context, t(lang, "square.theme_closed"))
        return None
    if not may_type(context, update, theme) or (
        context.state.step != Step.TYPE
        and not may_manage(user_id(update), context.services.config, theme.place)
    ):
        await repo.set_state(chat_id(update), None, None, {})
        await say(update, context, t(lang, "access.no_longer"))
        return None
    return theme
