"""Writing: every message a resident sends in a talk becomes a note (the busiest path).

Kept lean on purpose: one theme lookup, one note write, one reply per message; a flood of
messages is kept whole but answered less (bot.services.flood).
"""

from __future__ import annotations

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import say, say_with_buttons
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import t
from bot.services.flood import Pace
from bot.village.notes import has_visible_text
from conversations.village_talk.actions import FLOW, PREFIX, WRITE, Action
from conversations.village_talk.alike import alike_note, ask
from conversations.village_talk.keyboards import quadrant_pairs
from conversations.village_talk.opening import current_theme
from conversations.village_talk.placing import confirm_placed, initial_status
from storage.models import NoteKind, NoteStatus, Quadrant, Theme


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
    pace = services.flood.hit(cid)
    preselected = context.state.data.get("quadrant")
    quadrant: Quadrant | None = None
    if kind == NoteKind.PHOTO:
        quadrant = Quadrant.EXAMPLE
    elif isinstance(preselected, str) and preselected in Quadrant.__members__.values():
        quadrant = Quadrant(preselected)
    if pace != Pace.OK and kind != NoteKind.PHOTO:
        # A flood keeps every word but stops asking per note; the resident sorts them later.
        quadrant = None
    alike = None
    if pace == Pace.OK and kind == NoteKind.TEXT:
        # Before the note goes up: does the board already show it, in someone else's words?
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
    if pace == Pace.NOTICE:
        await say(update, context, t(lang, "talk.slow_down"))
        return
    if pace == Pace.QUIET:
        return
    if alike is not None and note.status == NoteStatus.DRAFT and note.quadrant is None:
        await ask(update, context, note, alike, meant)
        return
    if note.quadrant is None:
        key = "talk.voice_where" if kind == NoteKind.VOICE else "talk.where"
        # Every note gets this reply: the quick way to send it (see say_with_buttons).
        await say_with_buttons(
            update, context, t(lang, key), quadrant_pairs(lang, PREFIX, Action.QUADRANT, note.id)
        )
        return
    await confirm_placed(update, context, theme, note.quadrant, note.status, edit=False)


async def on_edited(update: Update, context: BuurtContext) -> None:
    """Explain that a sent message can't change a note; /mijn can."""
    await say(update, context, t(context.lang, "talk.edited"))
