"""What a table's ambassador does: invite the theme's residents, send the initiator a link."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.chat.broadcasts import audit_sent
from bot.chat.context import BuurtContext
from bot.chat.guards import still_manages
from bot.chat.replies import drop_buttons, say
from bot.chat.updates import user_id
from bot.core.i18n import Html, t
from conversations.tables.access import in_area, with_table
from conversations.tables.actions import Action, button
from conversations.tables.card import ButtonRows, card_text, join_rows
from conversations.tables.show import show_card
from storage.models import (
    BroadcastKind,
    Commitment,
    MemberStatus,
    NewMessage,
    TalkTable,
    Theme,
)

# The initiator's link: t.me/<bot>?start=tf_<table code>.
LINK_PREFIX = "tf_"


@with_table
@in_area
async def on_invite(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Ask before inviting everyone of the theme who wants invitations."""
    lang = context.lang
    recipients = await context.services.repo.invitation_recipients(theme.id, table.id)
    if not recipients:
        await say(update, context, t(lang, "tables.invite_nobody"))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(lang, "broadcast.send", Action.INVITE_YES, table.id),
                button(lang, "broadcast.cancel", Action.INVITE_NO, table.id),
            ]
        ]
    )
    text = t(lang, "tables.invite_confirm", count=len(recipients), title=table.title)
    await say(update, context, text, keyboard)


@with_table
@in_area
async def on_invite_yes(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Queue the card with its join buttons for each recipient, in their language."""
    await drop_buttons(update)
    if not await still_manages(update, context, theme.place):
        return
    repo = context.services.repo
    recipients = await repo.invitation_recipients(theme.id, table.id)
    members = await repo.list_members(table.id)
    rendered: dict[str, tuple[Html, ButtonRows]] = {}
    messages: list[NewMessage] = []
    for recipient in recipients:
        lang = recipient.language
        if lang not in rendered:
            card = card_text(lang, table, theme.title, members, names=False)
            text = t(lang, "tables.invitation", theme=theme.title, card=card)
            rendered[lang] = (text, join_rows(lang, table.id))
        text, buttons = rendered[lang]
        messages.append(
            NewMessage(
                recipient.user_id,
                text,
                buttons,
                due_at=context.services.clock.now(),
                dedupe_key=f"table-invite:{table.id}:{recipient.user_id}",
            )
        )
    queued = await repo.enqueue(messages)
    context.services.outbox_changed()
    await audit_sent(
        update, context, BroadcastKind.INVITATION, queued, theme_id=theme.id, table=table.id
    )
    await say(update, context, t(context.lang, "tables.invited", count=queued))


@with_table
@in_area
async def on_invite_no(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Invite nobody after all."""
    await drop_buttons(update)
    await say(update, context, t(context.lang, "broadcast.cancelled"))


@with_table
@in_area
async def on_link(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Give the ambassador the link to send to the table's initiator."""
    link = initiator_link(context.bot.username, table)
    await say(update, context, t(context.lang, "tables.link", title=table.title, link=link))


def initiator_link(username: str | None, table: TalkTable) -> str:
    """The t.me link whose opener becomes the table's initiator."""
    return f"https://t.me/{username or 'buurtbot'}?start={LINK_PREFIX}{table.code}"


async def on_initiator_link(update: Update, context: BuurtContext) -> None:
    """/start tf_<code>: the initiator opens the link the ambassador sent them."""
    lang = context.lang
    repo = context.services.repo
    code = (context.args[0] if context.args else "").removeprefix(LINK_PREFIX)
    table = await repo.get_table_by_code(code) if code else None
    if table is None:
        await say(update, context, t(lang, "tables.link_unknown"))
        return
    if not await repo.claim_initiator(table.id, user_id(update)):
        await say(update, context, t(lang, "tables.link_taken"))
        return
    # The initiator joins like anyone: a full table puts them on its waiting list.
    member = await repo.get_member(table.id, user_id(update))
    if member is None:
        await repo.join_table(table.id, user_id(update), Commitment.TAKE_PART, "", None)
        member = await repo.get_member(table.id, user_id(update))
    await say(update, context, t(lang, "tables.initiator_welcome", title=table.title))
    if member is not None and member.status == MemberStatus.WAITING:
        position = await repo.waiting_position(table.id, member.user_id)
        await say(update, context, t(lang, "tables.joined_waiting", position=position))
    claimed = await repo.get_table(table.id)
    await show_card(update, context, claimed or table, edit=False)
