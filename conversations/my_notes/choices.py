"""The resident's choices in /mijn: theme news, invites, the phone number, the name, the place."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import pack
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say
from bot.chat.updates import user_id
from bot.core.i18n import Html, plain, t
from conversations import onboarding
from conversations.my_notes.actions import CONSENT_CODES, PREFIX, Action
from storage.models import Consent, PlaceKind, PlaceRef, Resident

_SWITCH = {"0": False, "1": True}


async def send_choices(update: Update, context: BuurtContext, *, edit: bool) -> None:
    """Send (or redraw) what the resident chose, with a button to change each."""
    lang = context.lang
    repo = context.services.repo
    uid = user_id(update)
    consents = await repo.get_consents(uid)
    phone = await repo.get_phone(uid)
    resident = await repo.get_resident(uid)
    municipality = context.services.config.municipality
    place = _place_lines(context, resident)
    news, contact = consents[Consent.THEME_NEWS], consents[Consent.CONTACT]
    show_name = consents[Consent.SHOW_NAME]
    text = t(
        lang,
        "mine.consents",
        place=place,
        news=plain(lang, "mine.on" if news else "mine.off"),
        contact=plain(lang, "mine.on" if contact else "mine.off"),
        phone=plain(lang, "mine.phone_kept" if phone else "mine.phone_none"),
        name=plain(lang, "mine.on" if show_name else "mine.off"),
    )
    follow = consents[Consent.FOLLOW_UP]
    text = Html(
        f"{text}\n"
        + t(lang, "follow.mine_line", follow=plain(lang, "mine.on" if follow else "mine.off"))
    )

    def button(key: str, *data: str | int) -> list[InlineKeyboardButton]:
        return [InlineKeyboardButton(plain(lang, key), callback_data=pack(PREFIX, *data))]

    news_code, contact_code = (
        CONSENT_CODES.code(Consent.THEME_NEWS),
        CONSENT_CODES.code(Consent.CONTACT),
    )
    rows = [
        button(
            "mine.toggle_news_off" if news else "mine.toggle_news_on",
            Action.CONSENT,
            news_code,
            0 if news else 1,
        ),
        button(
            "mine.toggle_contact_off" if contact else "mine.toggle_contact_on",
            Action.CONSENT,
            contact_code,
            0 if contact else 1,
        ),
        button(
            "follow.toggle_off" if follow else "follow.toggle_on",
            Action.CONSENT,
            CONSENT_CODES.code(Consent.FOLLOW_UP),
            0 if follow else 1,
        ),
    ]
    if phone:
        rows.append(button("mine.forget_phone", Action.FORGET_PHONE))
    if show_name:
        # The way back from "Ja, toon Anna" at a table: consent withdrawn where it was given.
        rows.append(button("mine.hide_name", Action.HIDE_NAME))
    if municipality.areas:
        rows.append(button("mine.change_place", Action.PLACE))
    markup = InlineKeyboardMarkup(rows)
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)


def _place_lines(context: BuurtContext, resident: Resident | None) -> Html:
    """The village, and the neighbourhood in it when one was chosen, each on its own line."""
    lang = context.lang
    municipality = context.services.config.municipality
    hood_key = resident.neighbourhood_key if resident is not None else None
    village_key = resident.village_key if resident is not None else None
    if village_key is None and hood_key is not None:
        found = municipality.village_of_neighbourhood(hood_key)
        village_key = found.key if found is not None else None
    if village_key is None:
        return t(lang, "mine_place.none")
    village = municipality.place_name(PlaceRef(PlaceKind.VILLAGE, village_key))
    if hood_key is None:
        return t(lang, "mine_place.village", village=village)
    hood = municipality.place_name(PlaceRef(PlaceKind.NEIGHBOURHOOD, hood_key))
    return t(lang, "mine_place.neighbourhood", village=village, neighbourhood=hood)


async def on_consent(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Turn theme news or invites on or off."""
    purpose = CONSENT_CODES.value(args[0]) if len(args) == 2 else None
    value = _SWITCH.get(args[1]) if len(args) == 2 else None
    if purpose is None or value is None:
        await answer_key(update, context, "common.stale_button")
        return
    await context.services.repo.set_consent(user_id(update), purpose, value)
    await _saved(update, context)


async def on_forget_phone(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Forget the phone number the resident shared."""
    await context.services.repo.set_phone(user_id(update), None)
    await _saved(update, context)


async def on_hide_name(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Stop showing the resident's first name at every table they joined."""
    repo = context.services.repo
    for member in await repo.memberships_of(user_id(update)):
        await repo.set_member_name(member.table_id, member.user_id, None)
    await repo.set_consent(user_id(update), Consent.SHOW_NAME, False)
    await _saved(update, context)


async def on_place(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Choose another village, the way onboarding asks it."""
    await answer(update)
    await drop_buttons(update)
    await onboarding.ask_village(update, context)


async def _saved(update: Update, context: BuurtContext) -> None:
    await answer_key(update, context, "mine.saved")
    await send_choices(update, context, edit=True)
