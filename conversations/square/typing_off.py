"""Photos of the paper board: kept apart from residents' notes, then typed off one sticky
note per message by the ambassador or a moderator, each note linked to the photo.

A photo is never shown on the board: faces and names on paper are personal data. The queue
is the photos still waiting, oldest first; the task shows the photo beside it.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.chat.callbacks import first_id, pack
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.text_limits import CAPTION_LIMIT, split_html
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import plain, t
from bot.village.access import Role, may_manage
from conversations.square.access import may_type
from conversations.square.actions import FLOW, PREFIX, Action, Step
from conversations.square.keyboards import markup, stop_row
from conversations.theme_list import managed_themes
from storage.models import BoardPhoto, Theme, ThemeStatus


async def keep_photo(update: Update, context: BuurtContext, theme: Theme, file_id: str) -> None:
    """Keep a photo sent on the square as a photo of the paper board, and offer to type it."""
    repo = context.services.repo
    photo = await repo.add_board_photo(theme.id, file_id, source_update_id=update.update_id)
    waiting = len(await repo.waiting_board_photos([theme.id]))
    lang = context.lang
    rows = [
        [(plain(lang, "square.photo.type_now"), pack(PREFIX, Action.TYPE, photo.id))],
        stop_row(lang),
    ]
    waiting_text = t(lang, "counted.photos_waiting", count=waiting)
    await say(update, context, t(lang, "square.photo.kept", waiting=waiting_text), markup(rows))


async def _queue(update: Update, context: BuurtContext) -> list[BoardPhoto]:
    """The photos this person may type off: of their area's themes; a moderator's: all."""
    repo = context.services.repo
    running = (ThemeStatus.ACTIVE,)
    if context.roles & {Role.MODERATOR, Role.ADMIN}:
        themes = await repo.list_themes(None, running)
    else:
        themes = await managed_themes(update, context, running)
    return await repo.waiting_board_photos([theme.id for theme in themes])


async def typing_command(update: Update, context: BuurtContext) -> None:
    """/overtypen: the oldest photo still to be typed off, with how many wait."""
    queue = await _queue(update, context)
    if not queue:
        await say(update, context, t(context.lang, "square.photo.none"))
        return
    await _show_task(update, context, queue[0], len(queue))


async def _show_task(
    update: Update, context: BuurtContext, photo: BoardPhoto, waiting: int
) -> None:
    """Show the photo with the task beside it; from now on every message is one of its notes."""
    lang = context.lang
    data = context.state.data if context.state.flow == FLOW else {}
    heard = data.get("heard")
    await context.services.repo.set_state(
        chat_id(update),
        FLOW,
        Step.TYPE,
        {"theme": photo.theme_id, "photo": photo.id, "heard": heard},
    )
    caption = t(
        lang,
        "square.photo.task",
        waiting=t(lang, "counted.photos_waiting", count=waiting - 1),
    )
    rows = [
        [(plain(lang, "square.photo.done"), pack(PREFIX, Action.PHOTO_DONE, photo.id))],
        stop_row(lang),
    ]
    if context.roles & {Role.MODERATOR, Role.ADMIN} and not photo.approved:
        # Faces and names on paper: only a moderator may let the photo itself be public.
        rows.insert(
            1, [(plain(lang, "square.photo.publish"), pack(PREFIX, Action.PUBLISH_PHOTO, photo.id))]
        )
    await context.bot.send_photo(
        chat_id(update),
        photo.file_id,
        caption=split_html(caption, CAPTION_LIMIT)[0],
        parse_mode=ParseMode.HTML,
        reply_markup=markup(rows),
    )


async def _typable(
    update: Update, context: BuurtContext, photo_id: int | None
) -> BoardPhoto | None:
    """The photo a button names when it still waits and this person may type it off."""
    repo = context.services.repo
    photo = await repo.get_board_photo(photo_id) if photo_id is not None else None
    theme = await repo.get_theme(photo.theme_id) if photo is not None else None
    if photo is None or theme is None or photo.done:
        await answer_key(update, context, "square.photo.gone")
        return None
    if not may_type(context, update, theme):
        await answer_key(update, context, "access.other_area", alert=True)
        return None
    return photo


async def on_type(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Start typing off the photo a button names."""
    if (photo := await _typable(update, context, first_id(args))) is None:
        return
    await answer(update)
    await drop_buttons(update)
    waiting = len(await _queue(update, context))
    await _show_task(update, context, photo, max(waiting, 1))


async def on_photo_done(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Close a photo's task, and show the next one that waits."""
    if (photo := await _typable(update, context, first_id(args))) is None:
        return
    await answer(update)
    await drop_buttons(update)
    repo = context.services.repo
    services = context.services
    lang = context.lang
    await repo.finish_board_photo(photo.id, services.clock.now())
    typed = await repo.count_photo_notes(photo.id)
    count = t(lang, "counted.in_person_notes", count=typed)
    await say(update, context, t(lang, "square.photo.finished", count=count))
    queue = await _queue(update, context)
    if queue:
        await _show_task(update, context, queue[0], len(queue))
        return
    theme = await repo.get_theme(photo.theme_id)
    # The ambassador goes back to the square they came from; a moderator is done.
    if theme is not None and may_manage(user_id(update), services.config, theme.place):
        heard = context.state.data.get("heard")
        await repo.set_state(chat_id(update), FLOW, Step.NOTE, {"theme": theme.id, "heard": heard})
    else:
        await repo.set_state(chat_id(update), None, None, {})
    await say(update, context, t(lang, "square.photo.all_done"), markup([stop_row(lang)]))


async def on_publish_photo(update: Update, context: BuurtContext, args: list[str]) -> None:
    """A moderator lets a photo of the paper board be shown on the public pages."""
    photo_id = first_id(args)
    repo = context.services.repo
    if photo_id is None or not await repo.approve_board_photo(photo_id):
        await answer_key(update, context, "square.photo.gone")
        return
    await answer_key(update, context, "square.photo.published", alert=True)
