"""Writing: every message a resident sends in a talk becomes a note (the busiest path).

Kept lean on purpose: one theme lookup, one note write, one reply per message; a flood of
messages is kept whole but answered less (bot.services.flood).
"""

from __future__ import annotations

from datetime import datetime

from telegram import Message, Update

from bot.chat.context import BuurtContext
from bot.chat.replies import say, say_with_buttons
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import t
from bot.services.flood import Pace
from bot.village.notes import has_visible_text
from bot.village.redaction import contact_details_in
from conversations.village_talk.actions import FLOW, PREFIX, WRITE, Action
from conversations.village_talk.alike import alike_note, ask
from conversations.village_talk.burst import ask_once
from conversations.village_talk.keyboards import quadrant_pairs
from conversations.village_talk.opening import current_theme
from conversations.village_talk.placing import ask_about_contact, confirm_placed, initial_status
from storage.models import NoteKind, NoteStatus, Quadrant, Theme

JOIN_SECONDS = 5
"""A text this close after a cut one, before that is placed, is its rest: one note together."""
JOINABLE = "joinable"
"""Chat state: the unplaced text note the next text may join, when it came, and by which update."""
CLIENT_SPLIT = 4000
"""A text this long was most likely cut by the Telegram app (at 4096): the next part runs on."""


async def on_message(update: Update, context: BuurtContext) -> None:
    """Turn what the resident sent into a note, or explain kindly what can't be one."""
    message = update.message
    assert message is not None
    lang = context.lang
    if message.sticker is not None:
        await say(update, context, t(lang, "talk.sticker"))
        return
    if message.location is not None or message.venue is not None:
        await say(update, context, t(lang, "talk.location"))
        return
    if message.document is not None:
        await say(update, context, t(lang, "talk.document"))
        return
    seconds: int | None = None
    if message.photo:
        # A caption of only blank characters would draw an empty line under the photo.
        caption = message.caption if has_visible_text(message.caption or "") else ""
        kind, text, file_id = NoteKind.PHOTO, caption or "", message.photo[-1].file_id
    elif message.voice is not None:
        kind, text, file_id = NoteKind.VOICE, "", message.voice.file_id
        # to_dict gives whole seconds without PTB's deprecation of the int attribute.
        seconds = int(message.voice.to_dict().get("duration", 0))
    elif message.text:
        if not has_visible_text(message.text):
            await say(update, context, t(lang, "talk.invisible"))
            return
        kind, text, file_id = NoteKind.TEXT, message.text, None
        if await _joined(update, context, message):
            return
    else:
        await say(update, context, t(lang, "talk.unsupported"))
        return
    theme = await current_theme(update, context)
    if theme is None:
        return
    await _store_note(update, context, theme, kind, text, file_id, seconds=seconds)


async def _store_note(
    update: Update,
    context: BuurtContext,
    theme: Theme,
    kind: NoteKind,
    text: str,
    file_id: str | None,
    *,
    seconds: int | None = None,
) -> None:
    services = context.services
    lang = context.lang
    cid = chat_id(update)
    # Past [flood]'s limit the guard lets only notes through, to be stored without a word.
    pace = Pace.QUIET if context.quiet else services.flood.hit(cid)
    preselected = context.state.data.get("quadrant")
    quadrant: Quadrant | None = None
    if kind == NoteKind.PHOTO:
        quadrant = Quadrant.EXAMPLE
    elif isinstance(preselected, str) and preselected in Quadrant.__members__.values():
        quadrant = Quadrant(preselected)
    if pace != Pace.OK and kind != NoteKind.PHOTO:
        # A flood keeps every word but stops asking per note; the resident sorts them later.
        quadrant = None
    held: Quadrant | None = None
    if quadrant is not None and kind == NoteKind.TEXT and contact_details_in(text):
        held, quadrant = quadrant, None  # placed once its writer has said what to do
    alike = None
    if held is None and pace == Pace.OK and kind == NoteKind.TEXT:
        # Before the note goes up: does the board already show it, in someone else's words?
        # (A note that seems to hold contact details is asked about those first, alone.)
        alike = await alike_note(update, context, theme, text)
    meant = quadrant
    if alike is not None:
        quadrant = None  # placed only after the answer
    status = initial_status(context) if quadrant is not None else NoteStatus.DRAFT
    note = await services.repo.add_note(
        theme_id=theme.id,
        author_id=user_id(update),
        kind=kind,
        text=text,
        file_id=file_id,
        quadrant=quadrant,
        status=status,
        source_update_id=update.update_id,
        seconds=seconds,
    )
    if preselected is not None:
        data = {k: v for k, v in context.state.data.items() if k != "quadrant"}
        await services.repo.set_state(cid, FLOW, WRITE, data)
    elif kind == NoteKind.TEXT and note.quadrant is None and len(text) >= CLIENT_SPLIT:
        await _remember_joinable(update, context, note_id=note.id, more=True)
    if pace == Pace.NOTICE:
        await say(update, context, t(lang, "talk.slow_down"))
        return
    if pace == Pace.QUIET:
        return
    if held is not None and await ask_about_contact(update, context, note, held):
        return
    if alike is not None and note.status == NoteStatus.DRAFT and note.quadrant is None:
        await ask(update, context, note, alike, meant)
        return
    if note.quadrant is None and kind == NoteKind.TEXT and await ask_once(update, context, note):
        return  # asked where it goes, with the quick unplaced ones before it
    if note.quadrant is None:
        key = "talk.voice_where" if kind == NoteKind.VOICE else "talk.where"
        # Every note gets this reply: the quick way to send it (see say_with_buttons).
        await say_with_buttons(
            update, context, t(lang, key), quadrant_pairs(lang, PREFIX, Action.QUADRANT, note.id)
        )
        return
    await confirm_placed(update, context, theme, note.quadrant, note.status, edit=False)


def _seam(first: str, second: str) -> str:
    """What goes between two parts of one cut text: a space only where the cut took it."""
    return "" if first[-1:].isspace() or second[:1].isspace() else " "


async def _joined(update: Update, context: BuurtContext, message: Message) -> bool:
    """Add a text to the unplaced note just before it, when it came within a few seconds."""
    joinable = context.state.data.get(JOINABLE)
    if not isinstance(joinable, dict) or "quadrant" in context.state.data:
        return False
    note_id, at, last = joinable.get("note"), joinable.get("at"), joinable.get("update")
    if not (isinstance(note_id, int) and isinstance(at, str) and isinstance(last, int)):
        return False
    repo = context.services.repo
    lang = context.lang
    if update.update_id <= last:
        # The same update again after a restart: it was joined already; only answer.
        await _ask_where(update, context, note_id)
        return True
    if joinable.get("more") is not True:
        return False
    if (message.date - datetime.fromisoformat(at)).total_seconds() > JOIN_SECONDS:
        return False
    note = await repo.get_note(note_id)
    if (
        note is None
        or note.author_id != user_id(update)
        or note.quadrant is not None
        or note.kind != NoteKind.TEXT
        or not note.text
        or not message.text
    ):
        return False
    joined = note.text + _seam(note.text, message.text) + message.text
    mode = context.services.config.moderation.mode
    if await repo.edit_note_text(mode, note.id, joined) is None:
        return False
    # A third part may follow a second that was cut too; the update stays, against a replay.
    await _remember_joinable(
        update, context, note_id=note.id, more=len(message.text) >= CLIENT_SPLIT
    )
    await say(update, context, t(lang, "understanding.joined"))
    await _ask_where(update, context, note.id)
    return True


async def _remember_joinable(
    update: Update, context: BuurtContext, *, note_id: int, more: bool
) -> None:
    """Keep which note the next text may join, in storage so a restart keeps it too."""
    message = update.message
    if message is None:
        return
    repo = context.services.repo
    state = await repo.get_state(chat_id(update))
    joinable = {
        "note": note_id,
        "at": message.date.isoformat(),
        "update": update.update_id,
        "more": more,
    }
    await repo.set_state(
        chat_id(update), state.flow, state.step, {**state.data, JOINABLE: joinable}
    )


async def _ask_where(update: Update, context: BuurtContext, note_id: int) -> None:
    lang = context.lang
    await say_with_buttons(
        update,
        context,
        t(lang, "talk.where"),
        quadrant_pairs(lang, PREFIX, Action.QUADRANT, note_id),
    )


async def on_edited(update: Update, context: BuurtContext) -> None:
    """Explain that a sent message can't change a note; /mijn can."""
    await say(update, context, t(context.lang, "talk.edited"))
