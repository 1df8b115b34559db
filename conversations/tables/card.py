"""The table card (tafelkaart) as text, and the buttons to join a table."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.chat.text_limits import shorten
from bot.core.i18n import Html, plain, t
from conversations.tables.actions import KIND_CODES, Action, button
from storage.models import Commitment, MemberStatus, TableMember, TalkTable

NAMES_SHOWN = 12
ButtonRows = tuple[tuple[tuple[str, str], ...], ...]


def commitment_name(lang: str, commitment: Commitment) -> str:
    """meedenken, meedoen, verbinden."""
    return plain(lang, f"tables.kind_{commitment.value}")


def join_buttons(lang: str, table_id: int) -> list[list[InlineKeyboardButton]]:
    """The three ways to join a table."""
    return [
        [
            button(lang, f"tables.join_{kind.value}", Action.JOIN, table_id, code)
            for kind, code in KIND_CODES.items()
        ]
    ]


def join_rows(lang: str, table_id: int) -> ButtonRows:
    """The join buttons as outbox rows of (label, data)."""
    return tuple(
        tuple((b.text, str(b.callback_data)) for b in row) for row in join_buttons(lang, table_id)
    )


def field_text(lang: str, value: str) -> str:
    """A field of the card, or a word saying it is still empty."""
    return value if value.strip() else plain(lang, "tables.empty_field")


def card_text(
    lang: str, table: TalkTable, theme_title: str, members: list[TableMember], *, names: bool
) -> Html:
    """The table card; names of members who agreed to be shown only when names is True."""
    return t(
        lang,
        "tables.card",
        title=table.title,
        theme=theme_title,
        initiator=field_text(lang, table.initiator_name),
        what=field_text(lang, table.what),
        ambitions=field_text(lang, table.ambitions),
        who=_who(lang, members, names=names),
        agreements=field_text(lang, table.agreements),
        working=field_text(lang, table.working),
        places=_places(lang, table, members),
    )


def _who(lang: str, members: list[TableMember], *, names: bool) -> Html:
    seated = [m for m in members if m.status == MemberStatus.MEMBER]
    lines: list[str] = []
    if names:
        shown = [m for m in seated if m.first_name][:NAMES_SHOWN]
        for member in shown:
            key = "tables.who_line_how" if member.how else "tables.who_line"
            lines.append(
                t(
                    lang,
                    key,
                    name=member.first_name or "",
                    kind=commitment_name(lang, member.commitment),
                    how=shorten(member.how, 80),
                )
            )
        others = len(seated) - len(shown)
        if shown and others:
            lines.append(t(lang, "tables.who_others", count=others))
    counts = {kind: sum(1 for m in seated if m.commitment == kind) for kind in Commitment}
    if seated:
        lines.append(
            t(
                lang,
                "tables.who_counts",
                think=counts[Commitment.THINK],
                take_part=counts[Commitment.TAKE_PART],
                connect=counts[Commitment.CONNECT],
            )
        )
    else:
        lines.append(t(lang, "tables.who_nobody"))
    return Html("\n".join(lines))


def _places(lang: str, table: TalkTable, members: list[TableMember]) -> Html:
    seated = sum(1 for m in members if m.status == MemberStatus.MEMBER)
    waiting = sum(1 for m in members if m.status == MemberStatus.WAITING)
    if table.capacity is None:
        return t(lang, "tables.places_open", count=seated)
    if waiting:
        return t(
            lang, "tables.places_waiting", taken=seated, capacity=table.capacity, waiting=waiting
        )
    return t(lang, "tables.places", taken=seated, capacity=table.capacity)
