"""Which notes a table grew from: notes, or whole groups of alike notes, picked over pages.

The same picker serves /nieuwetafel's origin step (a DrawnStep of the set-up wizard) and the
card's "Uit welke briefjes" (edit.py). Its place lives in chat_state beside the other
answers: the theme, the note ids picked so far and the page; what it offers is read afresh
at every press: the groups /voortgang shows (largest first), then the notes that stand alone,
most shared first. Typed words search them (on_typed; tf:og:all shows all again). Buttons
read tf:og:t:<item> (pick or unpick; g<id> a group by its oldest note, n<id> one note),
tf:og:p:<page>, tf:og:ok (done); the step decides what done means.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import ButtonHandler, pack, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, edit_or_send, say
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, first_words, shorten
from bot.chat.updates import chat_id
from bot.core.i18n import Html, plain, t
from bot.render.exports import group_label, note_words
from bot.services.exports import board_export
from bot.village.board import ExportNote
from bot.village.similarity import ThemeIndex, index_of
from conversations.tables.actions import FLOW, PREFIX, Action
from storage.models import Theme

Data = dict[str, Any]
OnDone = Callable[[Update, BuurtContext, Data, list[int]], Awaitable[None]]

PICKED, PAGE, SEARCH = "picked", "page", "search"
MAX_SEARCH = 100  # characters of a typed search kept
PER_PAGE = 6  # items a page: fits a phone screen with the page and done buttons below
SHOWN_LINES = 10  # picked notes named in a read-back before "and N more"
TOGGLE, TURN, DONE, ALL = "t", "p", "ok", "all"
GROUP, NOTE = "g", "n"
TICK = "✓ "


@dataclass(frozen=True)
class Item:
    """One button of the picker: a group of alike notes or a note alone."""

    code: str  # g<oldest note id> or n<note id>
    label: str
    note_ids: tuple[int, ...]


@dataclass(frozen=True)
class Offer:
    """What the picker offers now: its items, and every note it can name by id."""

    items: tuple[Item, ...]
    notes: Mapping[int, ExportNote]
    language: str

    @cached_property
    def index(self) -> ThemeIndex:
        """The offered notes' words, for a typed search (built once per offer)."""
        return index_of((n, note_words(note, self.language)) for n, note in self.notes.items())

    def visible(self, ids: Sequence[object]) -> list[int]:
        """The ids that name a note the board shows, in the order given, each once."""
        kept: dict[int, None] = {}
        for value in ids:
            if isinstance(value, int) and value in self.notes:
                kept[value] = None
        return list(kept)

    def item(self, code: str) -> Item | None:
        """The item a button names, if it is still offered."""
        return next((item for item in self.items if item.code == code), None)


async def offer(context: BuurtContext, theme: Theme) -> Offer:
    """The theme's visible notes as the picker offers them, grouped as /voortgang groups.

    Kept per application while the board's mark (count, newest, last change of its visible
    notes) stays the same: grouping a board of 1,000 notes takes about half a second, and
    the order must not shift under the ambassador's finger between two pages.
    """
    key = (theme.id, context.lang, await context.services.repo.board_mark(theme.id))
    kept: OrderedDict[tuple[int, str, str], Offer] = context.bot_data.setdefault(
        _CACHE, OrderedDict()
    )
    if (found := kept.get(key)) is not None:
        kept.move_to_end(key)
        return found
    made = await _offer(context, theme)
    # An older offer of this theme is out of date: gone, with any words erased since.
    for old in [k for k in kept if k[:2] == key[:2]]:
        del kept[old]
    kept[key] = made
    while len(kept) > _CACHED:
        kept.popitem(last=False)
    return made


_CACHE = "tables.origin_offers"
_CACHED = 8  # offers kept: a few ambassadors picking at once, in a language or two


async def _offer(context: BuurtContext, theme: Theme) -> Offer:
    services = context.services
    lang = context.lang
    board = await board_export(
        services.repo, services.config, theme, language=lang, now=services.clock.now()
    )
    # Grouping a big board takes a while; other chats go on meanwhile.
    groups = await asyncio.to_thread(lambda: board.groups)
    items = [
        Item(
            f"{GROUP}{group.notes[0].number}",
            plain(
                lang, "follow.pick_group", label=group_label(group, lang), count=len(group.notes)
            ),
            tuple(note.number for note in group.notes),
        )
        for group in groups
        if len(group.notes) > 1
    ]
    alone = sorted(
        (group.notes[0] for group in groups if len(group.notes) == 1),
        key=lambda note: (-note.shared_by, -note.number),
    )
    items += [Item(f"{NOTE}{note.number}", _words(note, lang), (note.number,)) for note in alone]
    return Offer(tuple(items), {note.number: note for note in board.notes}, lang)


def _words(note: ExportNote, lang: str) -> str:
    return first_words(note_words(note, lang))


def picked_of(data: Data) -> list[int]:
    """The note ids picked so far, as stored in the chat's answers."""
    value = data.get(PICKED)
    return [v for v in value if isinstance(v, int)] if isinstance(value, list) else []


def note_lines(lang: str, offered: Offer, ids: Sequence[int], new: Sequence[int] = ()) -> Html:
    """One line per picked note (the new ones marked), at most SHOWN_LINES, then a count."""
    lines = [
        t(
            lang,
            "follow.linked_new" if note_id in new else "follow.pick_line",
            note=first_words(note_words(offered.notes[note_id], lang)),
        )
        for note_id in ids[:SHOWN_LINES]
    ]
    if len(ids) > SHOWN_LINES:
        lines.append(t(lang, "follow.pick_more", count=len(ids) - SHOWN_LINES))
    return Html("\n".join(lines))


async def draw(
    update: Update,
    context: BuurtContext,
    theme: Theme,
    data: Data,
    *,
    edit: bool,
    offered: Offer | None = None,
) -> None:
    """Show the picker at its page, with a read-back of what is picked so far."""
    lang = context.lang
    offered = offered or await offer(context, theme)
    picked = offered.visible(picked_of(data))
    lines = [t(lang, "follow.ask_origin")]
    query = str(data.get(SEARCH) or "")
    items = found(offered, query) if query else offered.items
    pages = max(1, -(-len(items) // PER_PAGE))
    page = min(max(int(data.get(PAGE) or 0), 0), pages - 1)
    if query:
        key = "follow.search_found" if items else "follow.search_nothing"
        lines.append(t(lang, key, query=shorten(query, 40), count=len(items)))
    if picked:
        count = t(lang, "follow.pick_count", count=len(picked))
        lines.append(Html(count + "\n" + note_lines(lang, offered, picked)))
    else:
        lines.append(t(lang, "follow.pick_none"))
    if pages > 1:
        lines.append(t(lang, "follow.pick_page", page=page + 1, pages=pages))
        if not query:
            lines.append(t(lang, "follow.search_hint"))
    chosen = set(picked)
    rows = [
        [
            InlineKeyboardButton(
                shorten(
                    (TICK if chosen.issuperset(item.note_ids) else "") + item.label,
                    BUTTON_LABEL_LIMIT,
                ),
                callback_data=pack(PREFIX, Action.ORIGIN, TOGGLE, item.code),
            )
        ]
        for item in items[page * PER_PAGE : (page + 1) * PER_PAGE]
    ]
    turns = []
    if page > 0:
        turns.append(_button(lang, "follow.pick_previous", TURN, page - 1))
    if page + 1 < pages:
        turns.append(_button(lang, "follow.pick_next", TURN, page + 1))
    if turns:
        rows.append(turns)
    if query:
        rows.append([_button(lang, "follow.search_all", ALL)])
    # While setting up, done with nothing picked skips the question; on a card it is done.
    skips = not picked and "table" not in data
    rows.append([_button(lang, "common.skip" if skips else "common.done", DONE)])
    text = Html("\n\n".join(lines))
    markup = InlineKeyboardMarkup(rows)
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)


def _button(lang: str, key: str, *args: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(plain(lang, key), callback_data=pack(PREFIX, Action.ORIGIN, *args))


async def theme_of(context: BuurtContext, data: Data) -> Theme | None:
    """The theme whose notes the picker offers, as the chat's answers name it."""
    theme_id = data.get("theme")
    return await context.services.repo.get_theme(theme_id) if isinstance(theme_id, int) else None


async def shown_ids(context: BuurtContext, theme: Theme) -> set[int]:
    """The notes the theme's board shows now (a pick is checked against them as it is saved)."""
    services = context.services
    board = await board_export(
        services.repo, services.config, theme, language=context.lang, now=services.clock.now()
    )
    return {note.number for note in board.notes}


def picker(steps: Mapping[str, OnDone]) -> ButtonHandler:
    """The handler of every tf:og button: pick, unpick, turn a page; done goes to the step's
    own handler (steps: the chat's step -> what done means there)."""

    async def on_pick(update: Update, context: BuurtContext, args: list[str]) -> None:
        """Pick or unpick a note or group, turn a page, or finish picking."""
        state = context.state
        data = dict(state.data)
        done = steps.get(state.step or "") if state.flow == FLOW else None
        theme = await theme_of(context, data) if done is not None else None
        if done is None or theme is None:
            await answer_key(update, context, "common.stale_button")
            return
        what = args[0] if args else ""
        if what == DONE:
            await answer(update)
            offered = await offer(context, theme)
            await done(update, context, data, offered.visible(picked_of(data)))
            return
        offered = await offer(context, theme)
        if what == TURN and len(args) == 2 and (page := unpack_int(args[1])) is not None:
            data[PAGE] = page
        elif what == ALL:
            data.pop(SEARCH, None)
            data[PAGE] = 0
        elif what == TOGGLE and len(args) == 2:
            item = offered.item(args[1])
            if item is None:
                await answer_key(update, context, "follow.pick_gone", alert=True)
                await draw(update, context, theme, data, edit=True, offered=offered)
                return
            data[PICKED] = toggled(picked_of(data), item.note_ids)
        else:
            await answer_key(update, context, "common.stale_button")
            return
        await answer(update)
        await context.services.repo.set_state(chat_id(update), FLOW, state.step, data)
        await draw(update, context, theme, data, edit=True, offered=offered)

    return on_pick


async def on_typed(update: Update, context: BuurtContext) -> None:
    """Typed words at the picker search the notes (alike words count: bankje finds banken)."""
    message = update.message
    state = context.state
    data = dict(state.data)
    theme = await theme_of(context, data)
    query = " ".join((message.text or "").split())[:MAX_SEARCH] if message else ""
    if theme is None or not query:
        await say(update, context, t(context.lang, "common.use_buttons"))
        return
    data.update({SEARCH: query, PAGE: 0})
    await context.services.repo.set_state(chat_id(update), FLOW, state.step, data)
    await draw(update, context, theme, data, edit=False)


def found(offered: Offer, query: str) -> tuple[Item, ...]:
    """The items with a note like the words searched, the best match first."""
    rank = {match.note_id: place for place, match in enumerate(offered.index.ranked(query))}
    hits = [item for item in offered.items if any(n in rank for n in item.note_ids)]
    return tuple(sorted(hits, key=lambda item: min(rank.get(n, len(rank)) for n in item.note_ids)))


def toggled(picked: list[int], note_ids: Sequence[int]) -> list[int]:
    """Pick every note of an item, or unpick them all when all were picked already."""
    if set(picked).issuperset(note_ids):
        return [note_id for note_id in picked if note_id not in note_ids]
    return picked + [note_id for note_id in note_ids if note_id not in picked]
