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
from bot.chat.guards import require, still_manages
from bot.chat.replies import answer, answer_key, say
from bot.chat.updates import chat_id, person_name, user_id
from bot.chat.wizard import ConfirmStep, Data, Refusal, TextStep, Wizard
from bot.core.clock import local_today
from bot.core.i18n import Html, plain, t
from bot.services.exports import in_person_contacts_file
from bot.village.access import Role
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


def _reach(text: str, context: BuurtContext, data: Data) -> object:
    reach = parse_reach(text)
    if reach is None:
        return Refusal("square.contact.bad_reach")
    phone, email = reach
    return {"phone": phone, "email": email}


def _visible(value: object, context: BuurtContext, data: Data) -> Refusal | None:
    if isinstance(value, str) and has_visible_text(value):
        return None
    return Refusal("square.contact.bad_name", {"max": MAX_NAME})


async def _ask_consent(update: Update, context: BuurtContext, data: Data) -> None:
    """Ask whether the person agreed, for this purpose, before anything is kept."""
    lang = context.lang
    theme_id = data.get("theme")
    theme = await context.services.repo.get_theme(theme_id) if isinstance(theme_id, int) else None
    if theme is None:
        await context.services.repo.set_state(chat_id(update), None, None, {})
        await say(update, context, t(lang, "square.theme_closed"))
        return
    rows = [
        [CONTACT_FORM.button(lang, "square.contact.consent_yes", CONSENT, _YES)],
        [CONTACT_FORM.button(lang, "square.contact.consent_no", CONSENT, _NO)],
    ]
    name = str(data.get("name", ""))
    text = t(lang, "square.contact.ask_consent", name=name, title=theme.title)
    await say(update, context, text, InlineKeyboardMarkup(rows))


async def _decide(update: Update, context: BuurtContext, data: Data, code: str) -> None:
    """Keep the contact only when the person agreed; back to the square either way."""
    repo = context.services.repo
    theme_id = data.get("theme")
    theme = await repo.get_theme(theme_id) if isinstance(theme_id, int) else None
    lang = context.lang
    if theme is None or code not in (_YES, _NO):
        await say(update, context, t(lang, "common.stale_button"))
        return
    await repo.set_state(chat_id(update), FLOW, Step.NOTE, {"theme": theme.id})
    if code == _NO:
        await say(update, context, t(lang, "square.contact.not_saved"), _back(lang, theme))
        return
    if not await still_manages(update, context, theme.place):
        return
    name = str(data.get("name", ""))
    reach = data.get("reach")
    phone = reach.get("phone") if isinstance(reach, dict) else None
    email = reach.get("email") if isinstance(reach, dict) else None
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


CONSENT = "consent"
_YES, _NO = "1", "0"

CONTACT_FORM = Wizard(
    flow=FLOW,
    prefix=PREFIX,
    guard=require(Role.AMBASSADOR, Role.ADMIN, denied="square.denied"),
    steps=[
        TextStep(
            "name",
            "square.contact.ask_name",
            limit=MAX_NAME,
            error="square.contact.bad_name",
            check=_visible,
        ),
        TextStep("reach", "square.contact.ask_reach", parse=_reach),
        ConfirmStep(CONSENT, show=_ask_consent, decide=_decide),
    ],
)
"""A contact noted in person: first name, phone or e-mail, then the consent."""


async def on_contact(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Start noting a contact: first the name."""
    theme = await managed_theme(update, context, args[0] if len(args) == 1 else None)
    if theme is None:
        return
    await answer(update)
    await CONTACT_FORM.start(update, context, {"theme": theme.id})


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
