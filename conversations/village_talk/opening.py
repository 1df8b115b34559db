"""Opening and ending a talk: /thema, a theme's button or poster, the quadrant chosen first,
and "Klaar" with thanks."""

from __future__ import annotations

from telegram import Update

from bot.chat.callbacks import first_id
from bot.chat.codes import QUADRANT_CODES
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.updates import chat_id, user_id
from bot.chat.visible import notes_today, refuse, viewer_of, visible_theme
from bot.core.i18n import Html, escape, plain, t
from bot.village.dates import format_date
from bot.village.visibility import NoteWindow, may_see_theme
from conversations.theme_list import active_themes, theme_keyboard
from conversations.village_talk.actions import FLOW, PREFIX, WRITE, Action
from conversations.village_talk.keyboards import board_keyboard, news_keyboard, preselect_keyboard
from storage.models import Consent, NoteStatus, Theme, ThemeStatus


async def themes_command(update: Update, context: BuurtContext) -> None:
    """Show the active themes of the resident's place and open one."""
    themes = await active_themes(context)
    if not themes:
        text = t(context.lang, "talk.no_themes")
        if not (await context.services.repo.get_consents(user_id(update)))[Consent.THEME_NEWS]:
            text = Html(text + "\n" + t(context.lang, "talk.no_themes_news"))
        await say(update, context, text)
        return
    if len(themes) == 1:
        await open_theme(update, context, themes[0])
        return
    await say(
        update,
        context,
        t(context.lang, "talk.pick_theme"),
        theme_keyboard(themes, PREFIX, Action.OPEN),
    )


def opening_text(lang: str, title: str, invitation: str, question: str) -> Html:
    """The theme's invitation and open question, as residents see it."""
    return t(
        lang,
        "talk.opening",
        title=title,
        invitation=invitation,
        question=question or plain(lang, "talk.default_question"),
    )


async def open_theme(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Show a theme's invitation and open question, and wait for the resident's notes."""
    if notes_today(context, theme) != NoteWindow.OPEN:
        await say_not_open(update, context, theme)
        return
    await context.services.repo.set_state(chat_id(update), FLOW, WRITE, {"theme": theme.id})
    lang = context.lang
    text = opening_text(lang, theme.title, theme.invitation, theme.question)
    await say(update, context, text, preselect_keyboard(lang, theme.id))


async def open_by_code(update: Update, context: BuurtContext, code: str) -> bool:
    """Open the talk of the theme a deep link names; False when no theme has that code."""
    theme = await context.services.repo.get_theme_by_code(code)
    if theme is None:
        return False
    if not may_see_theme(theme, await viewer_of(update, context)):
        await refuse(update, context, "visible.theme")
        return True
    await open_theme(update, context, theme)
    return True


async def _pressed_theme(update: Update, context: BuurtContext, args: list[str]) -> Theme | None:
    """Return the theme a button names, its press answered and its buttons gone; None if gone."""
    theme = await visible_theme(update, context, first_id(args))
    if theme is None:
        return None
    await answer(update)
    await drop_buttons(update)
    return theme


async def on_open(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Open the theme whose button was pressed."""
    if (theme := await _pressed_theme(update, context, args)) is not None:
        await open_theme(update, context, theme)


async def on_preselect(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Remember the quadrant the resident chose before writing."""
    theme_id = first_id(args, 2)
    quadrant = QUADRANT_CODES.value(args[1]) if len(args) == 2 else None
    state = context.state
    if quadrant is None or state.flow != FLOW or state.data.get("theme") != theme_id:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    data = dict(state.data, quadrant=quadrant.value)
    await context.services.repo.set_state(chat_id(update), FLOW, WRITE, data)
    theme = await context.services.repo.get_theme(theme_id) if theme_id is not None else None
    own = theme.quadrant_questions.get(quadrant.value) if theme else None
    await say(
        update,
        context,
        Html(escape(own)) if own else t(context.lang, f"quadrant_prompt.{quadrant.value}"),
    )


async def current_theme(update: Update, context: BuurtContext) -> Theme | None:
    """Return the theme the chat is talking about, ending the talk when it takes no notes."""
    theme_id = context.state.data.get("theme")
    theme = await context.services.repo.get_theme(theme_id) if isinstance(theme_id, int) else None
    if theme is None or notes_today(context, theme) != NoteWindow.OPEN:
        await context.services.repo.set_state(chat_id(update), None, None, {})
        if theme is None:
            await say(update, context, t(context.lang, "talk.theme_gone"))
        else:
            await say_not_open(update, context, theme)
        return None
    return theme


async def say_not_open(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Tell why a theme takes no notes today: when it begins, or that its board stays open."""
    lang = context.lang
    if notes_today(context, theme) == NoteWindow.ENDED:
        text = Html(t(lang, "talk.closed") + "\n" + t(lang, "talk.ended_board"))
        await say(update, context, text, board_keyboard(lang, theme.id))
        return
    if theme.status == ThemeStatus.DRAFT or theme.starts_on is None:  # only its ambassador
        await say(update, context, t(lang, "talk.not_published"))
        return
    await say(update, context, t(lang, "talk.not_started", date=format_date(theme.starts_on, lang)))
    if not (await context.services.repo.get_consents(user_id(update)))[Consent.THEME_NEWS]:
        has_village = context.resident is not None and context.resident.village_key
        key = "talk.not_started_news" if has_village else "understanding.not_started_news_anywhere"
        await say(update, context, t(lang, key), news_keyboard(lang))


async def on_news(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Turn theme news on for a resident who came before the theme began."""
    await answer(update)
    await drop_buttons(update)
    await context.services.repo.set_consent(user_id(update), Consent.THEME_NEWS, True)
    await say(update, context, t(context.lang, "talk.news_saved"))


async def on_done(update: Update, context: BuurtContext, args: list[str]) -> None:
    """End the talk with thanks and what happens next."""
    if (theme := await _pressed_theme(update, context, args)) is None:
        return
    repo = context.services.repo
    if context.state.flow == FLOW:
        await repo.set_state(chat_id(update), None, None, {})
    text = t(context.lang, "talk.thanks", title=theme.title)
    drafts = [
        n
        for n in await repo.list_notes_by_author(user_id(update))
        if n.theme_id == theme.id and n.status == NoteStatus.DRAFT
    ]
    if drafts:
        text = Html(text + "\n" + t(context.lang, "talk.unsorted", count=len(drafts)))
    await say(update, context, text)
