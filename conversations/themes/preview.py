"""The last step of /nieuwthema: the theme as residents will see it, and what to do with it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import pack
from bot.chat.context import BuurtContext
from bot.chat.guards import still_manages
from bot.chat.replies import answer_key, say
from bot.chat.updates import chat_id
from bot.chat.wizard import Data
from bot.core.i18n import Html, plain, t
from bot.village.dates import format_period
from conversations import village_talk
from conversations.themes.actions import PREFIX, Action, Decision, Field
from conversations.themes.places import place_of
from conversations.themes.publish import confirm_publish, save
from storage.models import BOARD_QUADRANTS, ThemeStatus


def button(lang: str, key: str, action: Action, *args: str | int) -> InlineKeyboardButton:
    """A th: button with its label from the catalog."""
    return InlineKeyboardButton(plain(lang, key), callback_data=pack(PREFIX, action, *args))


def quadrant_questions(lang: str, own: Mapping[str, str]) -> Html:
    """What residents are asked after each quadrant button: the theme's own or the usual."""
    lines = [t(lang, "theme_preview.questions")]
    for quadrant in BOARD_QUADRANTS:
        question = own.get(quadrant.value)
        key = "theme_preview.own_question" if question else "theme_preview.usual_question"
        lines.append(
            t(
                lang,
                key,
                quadrant=plain(lang, f"quadrants.{quadrant.value}"),
                question=question or plain(lang, f"quadrant_prompt.{quadrant.value}"),
            )
        )
    return Html("\n".join(lines))


async def show_preview(update: Update, context: BuurtContext, data: Data) -> None:
    """Show the theme exactly as residents will see it, then what can be done with it."""
    lang = context.lang
    await say(update, context, t(lang, "newtheme.preview_intro"))
    opening = village_talk.opening_text(
        lang, data["title"], data["invitation"], data.get("question") or ""
    )
    # The residents' buttons, shown but inert: pressing one only says it is a preview.
    rows = [
        [InlineKeyboardButton(b.text, callback_data=pack(PREFIX, Action.NOOP)) for b in row]
        for row in village_talk.preselect_keyboard(lang, 0).inline_keyboard
    ]
    await say(update, context, opening, InlineKeyboardMarkup(rows))
    status = ThemeStatus.DRAFT
    if data.get("id"):
        theme = await context.services.repo.get_theme(int(data["id"]))
        status = theme.status if theme else ThemeStatus.DRAFT
    starts = date.fromisoformat(data["starts"]) if data.get("starts") else None
    ends = date.fromisoformat(data["ends"]) if data.get("ends") else None
    summary = t(
        lang,
        "newtheme.summary",
        title=data["title"],
        place=context.services.config.municipality.place_name(place_of(data)),
        period=format_period(starts, ends, lang),
        status=plain(lang, f"newtheme.status_{status.value}"),
    )
    questions = quadrant_questions(lang, data.get("questions") or {})
    summary = Html(f"{summary}\n\n{questions}")
    rows = [[button(lang, "newtheme.publish", Action.DECIDE, Decision.PUBLISH)]]
    if status == ThemeStatus.DRAFT:
        rows.append([button(lang, "newtheme.save_draft", Action.DECIDE, Decision.DRAFT)])
    rows.append(
        [
            button(lang, "newtheme.edit", Action.DECIDE, Decision.EDIT),
            button(lang, "newtheme.stop", Action.DECIDE, Decision.STOP),
        ]
    )
    await say(update, context, summary, InlineKeyboardMarkup(rows))


async def on_noop(update: Update, context: BuurtContext, _: list[str]) -> None:
    """Say that the residents' buttons in a preview do nothing yet."""
    await answer_key(update, context, "newtheme.preview_only")


async def _stop(update: Update, context: BuurtContext, _: Data, __: Decision) -> None:
    """Forget the theme being named."""
    await context.services.repo.set_state(chat_id(update), None, None, {})
    await say(update, context, t(context.lang, "newtheme.cancelled"))


async def _ask_field(update: Update, context: BuurtContext, _: Data, __: Decision) -> None:
    """Ask which part to change; the chat stays at the preview until one is chosen."""
    lang = context.lang
    fields = list(Field)
    rows = [
        [
            button(lang, f"newtheme.field_{a}", Action.FIELD, a),
            button(lang, f"newtheme.field_{b}", Action.FIELD, b),
        ]
        for a, b in zip(fields[::2], fields[1::2], strict=True)
    ]
    await say(update, context, t(lang, "newtheme.which_field"), InlineKeyboardMarkup(rows))


async def _save(update: Update, context: BuurtContext, data: Data, decision: Decision) -> None:
    """Keep the theme; a draft is offered for publishing unless the ambassador chose draft."""
    lang = context.lang
    if not await _still_manages_theme(update, context, data):
        await context.services.repo.set_state(chat_id(update), None, None, {})
        return
    theme = await save(update, context, data)
    await context.services.repo.set_state(chat_id(update), None, None, {})
    if theme.status != ThemeStatus.DRAFT:
        # A running or closed theme is changed in place; residents see the new text at once.
        await say(update, context, t(lang, "newtheme.saved_active"))
    elif decision == Decision.DRAFT:
        await say(update, context, t(lang, "newtheme.saved_draft"))
    else:
        await confirm_publish(update, context, theme)


async def _still_manages_theme(update: Update, context: BuurtContext, data: Data) -> bool:
    """The theme's place as stored now and the place it is given must both still be theirs."""
    places = [place_of(data)]
    if data.get("id"):
        stored = await context.services.repo.get_theme(int(data["id"]))
        if stored is not None:
            places.insert(0, stored.place)
    for place in dict.fromkeys(places):
        if not await still_manages(update, context, place):
            return False
    return True


_DECISIONS: dict[str, Callable[[Update, BuurtContext, Data, Decision], Awaitable[None]]] = {
    Decision.STOP: _stop,
    Decision.EDIT: _ask_field,
    Decision.DRAFT: _save,
    Decision.PUBLISH: _save,
}


async def decide(update: Update, context: BuurtContext, data: Data, code: str) -> None:
    """Do what the ambassador pressed under the preview."""
    handler = _DECISIONS.get(code)
    if handler is not None:
        await handler(update, context, data, Decision(code))
