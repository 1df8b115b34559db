"""What an ambassador does with a running theme: a poster, its progress, closing it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.broadcasts import queue_broadcast
from bot.chat.callbacks import ButtonHandler, button_routes, pack
from bot.chat.confirm import settle
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only, still_manages
from bot.chat.replies import answer, answer_key, say
from bot.chat.text_limits import CAPTION_LIMIT, split_html
from bot.core.i18n import Html, plain, t
from bot.render.poster import PosterContent, render_poster_pdf, render_poster_png
from bot.render.progress_chart import render_progress_chart
from bot.services.progress import theme_progress
from bot.village.dates import format_period
from bot.village.local_time import format_when
from conversations.note_groups import groups_button, send_groups
from conversations.theme_list import managed_theme, managed_themes, offer_themes
from conversations.themes.actions import TOOLS_PREFIX, ToolAction
from conversations.themes.listing import deep_link
from storage.models import BOARD_QUADRANTS, BroadcastKind, NewMessage, Theme, ThemeStatus

ThemeTool = Callable[[Update, BuurtContext, Theme], Awaitable[None]]

# Closing asks first; the other tools work on closed themes too.
_STATUSES = {
    ToolAction.POSTER: (ThemeStatus.ACTIVE, ThemeStatus.CLOSED),
    ToolAction.PROGRESS: (ThemeStatus.ACTIVE, ThemeStatus.CLOSED),
    ToolAction.CLOSE: (ThemeStatus.ACTIVE,),
}


async def _pick(update: Update, context: BuurtContext, action: ToolAction) -> None:
    """Let the ambassador choose which of their themes the action is for."""
    themes = await managed_themes(update, context, _STATUSES[action])
    await offer_themes(update, context, themes, "themes.pick", TOOLS_PREFIX, action)


@ambassadors_only
async def poster_command(update: Update, context: BuurtContext) -> None:
    """Choose a theme to make a poster for."""
    await _pick(update, context, ToolAction.POSTER)


@ambassadors_only
async def progress_command(update: Update, context: BuurtContext) -> None:
    """Choose a theme to see its progress."""
    await _pick(update, context, ToolAction.PROGRESS)


@ambassadors_only
async def close_command(update: Update, context: BuurtContext) -> None:
    """Choose a theme to close."""
    await _pick(update, context, ToolAction.CLOSE)


def _for_theme(act: ThemeTool, *, answers: bool = False) -> ButtonHandler:
    """A button handler that finds the named theme, in the presser's own area, and acts on it;
    one that answers the press itself (a confirm button) is given answers=True."""

    async def on_press(update: Update, context: BuurtContext, args: list[str]) -> None:
        if len(args) not in (1, 2):
            await answer_key(update, context, "common.stale_button")
            return
        theme = await managed_theme(update, context, args[0])
        if theme is None:
            return
        if not answers:
            await answer(update)
        await act(update, context, theme)

    on_press.__doc__ = act.__doc__
    return on_press


async def _closing_confirmed(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Close the theme the ambassador confirmed; a second tap finds it closed and is quiet."""
    if not await settle(update, still_open=theme.status == ThemeStatus.ACTIVE):
        return
    if not await still_manages(update, context, theme.place):
        return
    await _close(update, context, theme)


async def _closing_declined(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Keep the theme open, as the ambassador chose."""
    if not await settle(update, still_open=theme.status == ThemeStatus.ACTIVE):
        return
    await say(update, context, t(context.lang, "forget.kept"))


async def _send_poster(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Send the poster of the theme, a PNG to look at and a PDF to print."""
    lang = context.lang
    config = context.services.config
    content = PosterContent(
        title=theme.title,
        invitation=theme.invitation,
        place=config.municipality.place_name(theme.place),
        period=format_period(theme.starts_on, theme.ends_on, lang),
        deep_link=deep_link(context.bot.username, theme),
        municipality=config.municipality.name,
        web_page=config.web.theme_page(theme.code) if config.web else "",
    )
    pdf, png = await asyncio.gather(
        asyncio.to_thread(render_poster_pdf, content, language=lang),
        asyncio.to_thread(render_poster_png, content, language=lang),
    )
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    caption = split_html(t(lang, "poster.caption", title=theme.title), CAPTION_LIMIT)[0]
    await context.bot.send_photo(chat_id, png, caption=plain(lang, "poster.preview"))
    await context.bot.send_document(
        chat_id, pdf, filename=f"poster-{theme.code}.pdf", caption=caption, parse_mode="HTML"
    )


def _quadrant_counts(lang: str, counts: dict[str, int]) -> dict[str, Html]:
    """Each quadrant's count with its noun in the right number: "1 wens", "3 vragen"."""
    return {quadrant: t(lang, f"counted.{quadrant}", count=n) for quadrant, n in counts.items()}


async def _send_progress(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Send the theme's progress chart with its numbers."""
    lang = context.lang
    repo = context.services.repo
    progress = await theme_progress(repo, theme, context.services.clock.now())
    counts = progress.notes_per_quadrant
    png = await asyncio.to_thread(render_progress_chart, progress, language=lang)
    text = t(
        lang,
        "progress.text",
        title=theme.title,
        involved=t(lang, "counted.residents", count=progress.involved),
        new=progress.involved_new_this_week,
        tables=t(lang, "counted.tables", count=progress.tables),
        commitments=t(lang, "counted.commitments", count=progress.commitments),
        examples=t(lang, "counted.example", count=progress.examples),
        moments=t(lang, "counted.moments_held", count=progress.moments_held),
        **_quadrant_counts(lang, {q.value: counts[q.value] for q in BOARD_QUADRANTS}),
    )
    # What came in at the stand counts apart (conversations/square).
    in_person = t(lang, "counted.in_person_notes", count=progress.in_person)
    text = Html(f"{text}\n{t(lang, 'square.progress.in_person', count=in_person)}")
    if progress.cards_printed:
        cards = t(
            lang,
            "square.progress.cards",
            printed=progress.cards_printed,
            used=progress.cards_used,
        )
        text = Html(f"{text}\n{cards}")
    if progress.from_web:
        # Counted apart: notes from the web pages have no resident behind them.
        text = Html(f"{text}\n{t(lang, 'web.progress_from_web', count=progress.from_web)}")
    assert update.effective_chat is not None
    await context.bot.send_photo(
        update.effective_chat.id,
        png,
        caption=split_html(text, CAPTION_LIMIT)[0],
        parse_mode="HTML",
        reply_markup=groups_button(lang, theme.id),
    )


async def _confirm_close(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Ask before closing: closing thanks everyone who took part."""
    lang = context.lang
    if theme.status != ThemeStatus.ACTIVE:
        await say(update, context, t(lang, "close.already"))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "close.yes"),
                    callback_data=pack(TOOLS_PREFIX, ToolAction.CLOSE_YES, theme.id),
                ),
                InlineKeyboardButton(
                    plain(lang, "close.no"),
                    callback_data=pack(TOOLS_PREFIX, ToolAction.CLOSE_NO, theme.id),
                ),
            ]
        ]
    )
    await say(update, context, t(lang, "close.confirm", title=theme.title), keyboard)


async def _close(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Close the theme and thank everyone who took part, with what came out."""
    repo = context.services.repo
    if theme.status != ThemeStatus.ACTIVE:
        await say(update, context, t(context.lang, "close.already"))
        return
    await repo.set_theme_status(theme.id, ThemeStatus.CLOSED, now=context.services.clock.now())
    counts = await repo.count_notes(theme.id)
    participants = await repo.theme_participants(theme.id)
    tables = await repo.count_tables(theme.id)
    now = context.services.clock.now()
    moments = await repo.upcoming_moments(now, theme_ids=[theme.id], with_tables=True, limit=5)
    tz = context.services.config.municipality.tz

    own_tables = await repo.tables_from_notes(theme.id)

    def render(lang: str) -> tuple[Html, tuple[tuple[tuple[str, str], ...], ...]]:
        quadrants = _quadrant_counts(lang, {q.value: counts[q] for q in BOARD_QUADRANTS})
        lines = [
            t(lang, "close.thanks", title=theme.title, **quadrants),
            t(lang, "close.tables", count=tables),
        ]
        if moments:
            lines.append(t(lang, "close.next_moments"))
            lines.extend(
                t(lang, "close.moment_line", title=m.title, when=format_when(m.starts_at, lang, tz))
                for m in moments
            )
        return Html("\n".join(lines)), ()

    await say(
        update, context, t(context.lang, "close.done", title=theme.title, count=len(participants))
    )
    # A writer whose notes a table grew from hears it in their own thank-you, one message
    # each (deduped per theme and person); everyone else gets the theme's totals.
    personal = [p for p in participants if p.user_id in own_tables]
    if personal:
        await repo.enqueue(
            [
                NewMessage(
                    p.user_id,
                    _own_thanks(render(p.language)[0], p.language, own_tables[p.user_id]),
                    due_at=now,
                    dedupe_key=f"close-thanks:{theme.id}:{p.user_id}",
                )
                for p in personal
            ]
        )
        context.services.outbox_changed()
    others = [p for p in participants if p.user_id not in own_tables]
    if others:
        await queue_broadcast(
            update, context, BroadcastKind.THANKS, others, render, theme_id=theme.id
        )


def _own_thanks(thanks: Html, lang: str, tables: list[str]) -> Html:
    """The theme's thank-you with what came of the person's own notes."""
    lines = [t(lang, "follow.close_own")]
    lines.extend(t(lang, "follow.close_table", title=title) for title in tables)
    return Html(thanks + "\n\n" + "\n".join(lines))


ROUTES: dict[str, ButtonHandler] = {
    ToolAction.POSTER: _for_theme(_send_poster),
    ToolAction.PROGRESS: _for_theme(_send_progress),
    ToolAction.CLOSE: _for_theme(_confirm_close),
    ToolAction.CLOSE_YES: _for_theme(_closing_confirmed, answers=True),
    ToolAction.CLOSE_NO: _for_theme(_closing_declined, answers=True),
    ToolAction.GROUPS: _for_theme(send_groups),
}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the theme tools."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("poster", poster_command, filters=private),
        CommandHandler("voortgang", progress_command, filters=private),
        CommandHandler("afsluiten", close_command, filters=private),
        *button_routes(TOOLS_PREFIX, ROUTES, guard=ambassadors_only),
    ]
