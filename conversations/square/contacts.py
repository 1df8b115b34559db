"""Contact details noted in person, only when the person agrees: a first name and a phone
number or e-mail, with the consent recorded as given in person, to this ambassador, today,
for one purpose (being invited to this theme's tables).

They show only in this list and its CSV (also sent with /export's contacts), for the area's
ambassador and admins; never on a board or in a report. The ambassador erases one on
request; the scheduler deletes them all [privacy] in_person_contacts_days after the theme
closed (bot/services/square.py).
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardMarkup, Update

from bot.chat.callbacks import first_id, pack
from bot.chat.context import BuurtContext
from bot.chat.guards import still_manages
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.updates import chat_id, person_name, user_id
from bot.core.clock import local_today
from bot.core.i18n import Html, plain, t
from bot.services.exports import in_person_contacts_file
from bot.village.notes import has_visible_text
from conversations.square.actions import FLOW, PREFIX, Action, Step
from conversations.square.keyboards import markup, mode_rows
from conversations.theme_list import managed_theme
from storage.models import Theme

MAX_NAME = 40
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9]{6,15}")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")


def parse_reach(text: str) -> tuple[str | None, str | None] | None:
    """A phone number or an e-mail address as typed; None when it is neither."""
    text = text.strip()
    if _EMAIL.fullmatch(text):
        return None, text
    phone = _PHONE_PUNCTUATION.sub("", text)
    if _PHONE.fullmatch(phone):
        return phone, None
    return None


async def on_contact(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Start noting a contact: first the name."""
    theme = await managed_theme(update, context, args[0] if len(args) == 1 else None)
    if theme is None:
        return
    await answer(update)
    await context.services.repo.set_state(chat_id(update), FLOW, Step.NAME, {"theme": theme.id})
    await say(update, context, t(context.lang, "square.contact.ask_name"))


async def on_name(update: Update, context: BuurtContext) -> None:
    """The first name, then the phone number or e-mail."""
    text = (update.message.text if update.message else None) or ""
    lang = context.lang
    if not has_visible_text(text) or len(text.strip()) > MAX_NAME:
        await say(update, context, t(lang, "square.contact.bad_name", max=MAX_NAME))
        return
    data = dict(context.state.data, name=text.strip())
    await context.services.repo.set_state(chat_id(update), FLOW, Step.REACH, data)
    await say(update, context, t(lang, "square.contact.ask_reach"))


async def on_reach(update: Update, context: BuurtContext) -> None:
    """The phone number or e-mail, then whether the person agreed."""
    text = (update.message.text if update.message else None) or ""
    lang = context.lang
    reach = parse_reach(text)
    repo = context.services.repo
    theme_id = context.state.data.get("theme")
    theme = await repo.get_theme(theme_id) if isinstance(theme_id, int) else None
    if theme is None:
        await repo.set_state(chat_id(update), None, None, {})
        await say(update, context, t(lang, "square.theme_closed"))
        return
    if reach is None:
        await say(update, context, t(lang, "square.contact.bad_reach"))
        return
    phone, email = reach
    data = dict(context.state.data, phone=phone, email=email)
    await repo.set_state(chat_id(update), FLOW, Step.CONSENT, data)
    name = str(data.get("name", ""))
    rows = [
        [(plain(lang, "square.contact.consent_yes"), pack(PREFIX, Action.CONSENT, 1))],
        [(plain(lang, "square.contact.consent_no"), pack(PREFIX, Action.CONSENT, 0))],
    ]
    text = t(lang, "square.contact.ask_consent", name=name, title=theme.title)
    await say(update, context, text, markup(rows))


async def on_consent(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Keep the contact only when the person agreed; back to the square either way."""
    agreed = {"1": True, "0": False}.get(args[0]) if len(args) == 1 else None
    state = context.state
    repo = context.services.repo
    theme_id = state.data.get("theme")
    theme = await repo.get_theme(theme_id) if isinstance(theme_id, int) else None
    if agreed is None or state.flow != FLOW or state.step != Step.CONSENT or theme is None:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    lang = context.lang
    await repo.set_state(chat_id(update), FLOW, Step.NOTE, {"theme": theme.id})
    if not agreed:
        await say(update, context, t(lang, "square.contact.not_saved"), _back(lang, theme))
        return
    if not await still_manages(update, context, theme.place):
        return
    name = str(state.data.get("name", ""))
    phone, email = state.data.get("phone"), state.data.get("email")
    services = context.services
    await repo.add_in_person_contact(
        theme.id,
        first_name=name,
        phone=phone if isinstance(phone, str) else None,
        email=email if isinstance(email, str) else None,
        noted_by=user_id(update),
        noted_on=local_today(services.clock, services.config.municipality.tz),
    )
    await say(update, context, t(lang, "square.contact.saved", name=name), _back(lang, theme))


def _back(lang: str, theme: Theme) -> InlineKeyboardMarkup:
    return markup(mode_rows(lang, theme.id))


async def on_contacts(update: Update, context: BuurtContext, args: list[str]) -> None:
    """The theme's contacts from the square, each with its erase button, and as a CSV."""
    theme = await managed_theme(update, context, args[0] if len(args) == 1 else None)
    if theme is None:
        return
    await answer(update)
    await send_contacts(update, context, theme)


async def send_contacts(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Send the list and its file to the ambassador."""
    lang = context.lang
    contacts = await context.services.repo.list_in_person_contacts(theme.id)
    if not contacts:
        await say(update, context, t(lang, "square.contact.none"))
        return
    unknown = plain(lang, "square.contact.ambassador_unknown")
    lines = [t(lang, "square.contact.list_title", title=theme.title, count=len(contacts))]
    lines += [
        t(
            lang,
            "square.contact.list_line",
            number=number,
            name=c.first_name,
            reach=c.phone or c.email or "",
            ambassador=str(c.noted_by) if c.noted_by is not None else unknown,
            date=c.noted_on.isoformat(),
        )
        for number, c in enumerate(contacts, start=1)
    ]
    buttons = [
        (
            plain(lang, "square.contact.erase", number=number),
            pack(PREFIX, Action.ERASE, c.id, theme.id),
        )
        for number, c in enumerate(contacts, start=1)
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    await say(update, context, Html("\n".join(lines)), markup(rows))
    services = context.services
    file = await in_person_contacts_file(
        services.repo,
        theme,
        now=services.clock.now(),
        actor_id=user_id(update),
        actor_name=person_name(update),
        via="chat",
    )
    if file is not None:
        await context.bot.send_document(chat_id(update), file.data, filename=file.name)


async def on_erase(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Erase one contact on the person's request."""
    contact_id = first_id(args, 2)
    theme = await managed_theme(update, context, args[1] if len(args) == 2 else None)
    if theme is None:
        return
    if contact_id is None or not await context.services.repo.delete_in_person_contact(
        contact_id, theme.id
    ):
        await answer_key(update, context, "square.contact.gone")
        return
    await answer_key(update, context, "square.contact.erased", alert=True)
    await send_contacts(update, context, theme)
