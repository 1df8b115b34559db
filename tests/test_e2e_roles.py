"""End to end: admins hand out roles with one-time invite links, list and revoke them; an
expired or reused link grants nothing; a revoked role is refused; /audit shows it all."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import ManualClock
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from storage.models import AuditAction, GrantRole, PlaceKind, PlaceRef, ThemeStatus
from tests.conftest import BotFactory, add_theme, repo_of
from tests.staff import admin, start_bot, write_note

BEA, CAS, DIRK, EVA = 910001, 910002, 910003, 910004


@pytest.fixture
async def pg(playground: Playground) -> AsyncIterator[PlaygroundClient]:
    """A client without the default bot: each test here starts its own."""
    async with PlaygroundClient(playground.url) as client:
        yield client


async def _invite(ada: Person, *labels: str) -> str:
    await ada.send("/rol")
    for label in labels:
        await ada.press(label)
    text = (await ada.last_bot_message()).text or ""
    match = re.search(r"https://t\.me/\w+\?start=(r_[A-Za-z0-9_-]+)", text)
    assert match is not None, text
    return match.group(1)


async def _open(pg: PlaygroundClient, name: str, user_id: int, payload: str) -> Person:
    person = await pg.new_person(first_name=name, user_id=user_id)
    await person.send(f"/start {payload}")
    return person


async def test_invite_links_work_once_and_roles_can_be_revoked(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    clock = ManualClock(datetime.now(UTC))
    runner = await start_bot(pg, make_bot, clock=clock, moderation={"mode": "pre"})
    await add_theme(runner)
    ada = await admin(pg)

    payload = await _invite(ada, "Nieuwe moderator")
    invite_text = (await ada.last_bot_message()).text or ""
    assert invite_text.startswith("Stuur deze link naar de nieuwe moderator.")
    # Only a hash of the token is stored.
    stored = await repo_of(runner).dump_table("role_invites")
    token = payload.removeprefix("r_")
    assert all(token not in str(value) for row in stored for value in row.values())

    bea = await _open(pg, "Bea", BEA, payload)
    assert (await bea.last_bot_message()).text.startswith("Welkom Bea! Je bent nu moderator.")
    menu = await pg.commands()
    assert any(c.get("scope", {}).get("chat_id") == BEA and "moderatie" in str(c) for c in menu), (
        menu
    )
    await bea.send("/moderatie")
    assert (await bea.last_bot_message()).text.startswith("Er wacht niets.")

    # The same link a second time grants nothing.
    cas = await _open(pg, "Cas", CAS, payload)
    assert (await cas.last_bot_message()).text.startswith("Deze uitnodiging werkt niet (meer).")
    await cas.send("/moderatie")
    assert (await cas.last_bot_message()).text.startswith("Dit is alleen voor moderatoren.")

    # A link opened after it expired grants nothing either.
    late = await _invite(ada, "Nieuwe moderator")
    clock.advance(timedelta(hours=73))
    dirk = await _open(pg, "Dirk", DIRK, late)
    assert (await dirk.last_bot_message()).text.startswith("Deze uitnodiging werkt niet (meer).")
    await dirk.send("/moderatie")
    assert (await dirk.last_bot_message()).text.startswith("Dit is alleen voor moderatoren.")
    # A made-up token neither.
    await dirk.send("/start r_AAAAAAAAAAAAAAAAAAAAAAAA")
    assert (await dirk.last_bot_message()).text.startswith("Deze uitnodiging werkt niet (meer).")

    # Bea moderates; then the admin revokes her role.
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Een bloemenweide", "Wens")
    await bea.send("/moderatie")
    card = (await bea.bot_messages())[-2]
    assert "Een bloemenweide" in card.text
    await ada.send("/rol")
    overview = await ada.last_bot_message()
    assert "1. Bea: moderator, sinds" in overview.text
    assert "Uit het configuratiebestand: 1 beheerder, 1 moderator," in overview.text
    await ada.press("Trek rol 1 in (Bea)")
    assert (await ada.last_bot_message()).text == "Wil je Bea de rol moderator afnemen?"
    await ada.press("Ja, trek in")
    assert (await ada.last_bot_message()).text == "Bea is geen moderator meer."
    assert await runner.repo.active_grants(BEA) == ()

    await bea.send("/moderatie")
    assert (await bea.last_bot_message()).text.startswith("Dit is alleen voor moderatoren.")
    await bea.press("✅ Goedkeuren", message_id=card.message_id)
    answer = await bea.callback_answer()
    assert answer is not None and answer.text is not None
    assert answer.text.startswith("Dit is alleen voor moderatoren.")
    assert await repo_of(runner).dump_table("moderation_decisions") == []
    # Every other privileged command and button is refused to her too.
    await bea.send("/export")
    assert (await bea.last_bot_message()).text.startswith("Dit is alleen voor moderatoren, ")
    (note,) = await runner.repo.list_notes_by_author(anna.id)
    own = (await bea.last_bot_message()).message_id
    for data, expected in (
        (f"md:h:{note.id}:0:p", "Dit is alleen voor moderatoren."),
        (f"md:all:{note.id:x}.0", "Dit is alleen voor moderatoren."),
        ("md:q", "Dit is alleen voor moderatoren."),
        (f"ex:t:{note.theme_id}", "Dit is alleen voor moderatoren, "),
        (f"ex:f:{note.theme_id}:json", "Dit is alleen voor moderatoren, "),
        ("ro:new:m", "Dit is alleen voor beheerders."),
        ("au:p:0", "Dit is alleen voor beheerders."),
    ):
        await bea.press_data(data, own)
        refused = await bea.callback_answer()
        assert refused is not None and refused.text is not None
        assert refused.text.startswith(expected), data
    assert await repo_of(runner).dump_table("moderation_decisions") == []
    assert not [m for m in await bea.bot_messages() if m.document is not None]
    # Pressing revoke again on the old confirmation answers clearly.
    await ada.press_data("ro:rvy:1", (await ada.last_bot_message()).message_id)
    again = await ada.callback_answer()
    assert again is not None and again.text == "Deze rol is al ingetrokken."

    await ada.send("/audit")
    audit = (await ada.last_bot_message()).text or ""
    assert audit.startswith("Logboek, regels 1–")
    assert "Ada: Bea is geen moderator meer" in audit
    assert "Ada: Bea werd moderator" in audit
    assert "Ada: uitnodiging gemaakt: moderator" in audit
    assert "Anna" not in audit and str(anna.id) not in audit
    actions = [e.action for e in await runner.repo.list_audit(limit=50)]
    assert actions.count(AuditAction.INVITE) == 2
    assert actions.count(AuditAction.ROLE_GRANT) == 1
    assert actions.count(AuditAction.ROLE_REVOKE) == 1
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_an_invited_ambassador_acts_in_their_area_only(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot)
    await add_theme(runner, place=PlaceRef(PlaceKind.VILLAGE, "doorwerth"), title="Groen Doorwerth")
    await add_theme(
        runner,
        place=PlaceRef(PlaceKind.VILLAGE, "renkum"),
        title="Renkum bloeit",
        status=ThemeStatus.DRAFT,
    )
    ada = await admin(pg)
    payload = await _invite(ada, "Nieuwe ambassadeur", "Renkum en Heelsum")
    assert "nieuwe gebiedsambassadeur Renkum en Heelsum" in (await ada.last_bot_message()).text
    eva = await _open(pg, "Eva", EVA, payload)
    assert (await eva.last_bot_message()).text.startswith(
        "Welkom Eva! Je bent nu gebiedsambassadeur Renkum en Heelsum."
    )
    (grant,) = await runner.repo.active_grants(EVA)
    assert grant.role == GrantRole.AMBASSADOR and grant.area == "renkum-heelsum"

    # The role given in the chat counts in the ambassadors' own flows too (/themas).
    await eva.send("/themas")
    assert (await eva.last_bot_message()).button_labels == ["Renkum bloeit (concept)"]
    await eva.send("/export")
    assert (await eva.last_bot_message()).button_labels == ["Renkum bloeit"]
    await eva.send("/moderatie")
    assert (await eva.last_bot_message()).text.startswith("Dit is alleen voor moderatoren.")
    await eva.send("/rol")
    assert (await eva.last_bot_message()).text.startswith("Dit is alleen voor beheerders.")

    # The open invite list: a new one shows until it is stopped.
    await _invite(ada, "Nieuwe moderator")
    await ada.send("/rol")
    assert "Uitnodigingen die nog werken:\n• moderator, tot" in (await ada.last_bot_message()).text
    await ada.press("Stop uitnodiging: moderator")
    assert "Uitnodigingen die nog werken" not in (await ada.last_bot_message()).text
    assert await runner.repo.open_invites(datetime.now(UTC)) == []
