"""Invitation cards: for someone at the stand who is not in the chat, a printable card whose
QR code opens the chat once, welcomes them to the theme and asks about the table invitation.

Only the SHA-256 of each card's random token is stored (as with role invites); opening a
card marks it used in one conditional update, so it works for one person only. Opening it
is not consent: the usual question about invitations follows.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import answer, say
from bot.chat.updates import chat_id
from bot.core.i18n import plain, t
from bot.render.invitation_card import (
    CARDS_PER_SHEET,
    CardContent,
    render_card_pdf,
    render_sheet_pdf,
)
from bot.village.local_time import format_when
from conversations.square.actions import LINK_PREFIX
from conversations.theme_list import managed_theme
from conversations.village_talk.keyboards import invite_keyboard
from conversations.village_talk.opening import open_theme
from storage.models import Theme

_TOKEN_BYTES = 16


def token_hash(token: str) -> str:
    """What storage keeps of a card's token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def card_link(username: str | None, token: str) -> str:
    """The t.me link a card's QR code holds."""
    return f"https://t.me/{username or 'buurtbot'}?start={LINK_PREFIX}{token}"


async def _next_date(context: BuurtContext, theme: Theme) -> str:
    """When the theme's next table meeting or moment is, if one is planned."""
    services = context.services
    now = services.clock.now()
    upcoming = await services.repo.upcoming_moments(
        now, theme_ids=[theme.id], with_tables=True, limit=1
    )
    if not upcoming:
        return ""
    when = format_when(upcoming[0].starts_at, context.lang, services.config.municipality.tz)
    return plain(context.lang, "square.card.next", when=when)


async def on_card(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Make a card on A6 and a sheet of four on A4, each card with its own one-time link."""
    theme = await managed_theme(update, context, args[0] if len(args) == 1 else None)
    if theme is None:
        return
    await answer(update)
    services = context.services
    lang = context.lang
    when = await _next_date(context, theme)
    contents: list[CardContent] = []
    web = services.config.web
    for _ in range(1 + CARDS_PER_SHEET):
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        await services.repo.create_invitation_card(
            theme.id, token_hash(token), services.clock.now()
        )
        contents.append(
            CardContent(
                heading=plain(lang, "square.card.title"),
                theme=plain(lang, "square.card.theme", title=theme.title),
                when=when,
                scan=plain(lang, "square.card.scan"),
                once=plain(lang, "square.card.once"),
                link=card_link(context.bot.username, token),
                web=web.theme_page(theme.code) if web else "",
            )
        )
    card = await asyncio.to_thread(render_card_pdf, contents[0], language=lang)
    sheet = await asyncio.to_thread(render_sheet_pdf, contents[1:], language=lang)
    target = chat_id(update)
    await context.bot.send_document(
        target, card, filename=f"{plain(lang, 'square.card.filename')}-{theme.code}.pdf"
    )
    await context.bot.send_document(
        target, sheet, filename=f"{plain(lang, 'square.card.sheet_filename')}-{theme.code}.pdf"
    )
    counts = await services.repo.card_counts(theme.id)
    await say(
        update,
        context,
        t(lang, "square.card.made", title=theme.title, printed=counts.printed, used=counts.used),
    )


async def on_card_link(update: Update, context: BuurtContext) -> None:
    """/start k_<token>: someone opens a card from the stand; it works once."""
    services = context.services
    token = (context.args[0] if context.args else "").removeprefix(LINK_PREFIX)
    theme_id = (
        await services.repo.use_invitation_card(token_hash(token), services.clock.now())
        if token
        else None
    )
    theme = await services.repo.get_theme(theme_id) if theme_id is not None else None
    lang = context.lang
    if theme is None:
        await say(update, context, t(lang, "square.card.used"))
        return
    await say(update, context, t(lang, "square.card.welcome", title=theme.title))
    await open_theme(update, context, theme)
    state = await services.repo.get_state(chat_id(update))
    if state.flow is not None:
        # The talk's own question about a table comes now, not again after the first note.
        await services.repo.set_state(
            chat_id(update), state.flow, state.step, dict(state.data, invited_for=theme.id)
        )
    await say(update, context, t(lang, "invite.ask"), invite_keyboard(lang, theme.id))
