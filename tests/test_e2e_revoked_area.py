"""End to end: an ambassador who loses an area mid-way cannot finish what they began there."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from storage.models import Consent, PlaceKind, PlaceRef, ThemeStatus
from tests.conftest import AMBASSADOR_ID, add_theme, repo_of
from tests.staff import admin, staff

REFUSED = "Je bent niet meer de ambassadeur van deze plek"


async def _second_area(pg: PlaygroundClient, ada: Person, ahmed: Person | None = None) -> Person:
    """The admin gives the configured ambassador Renkum en Heelsum too, through the chat."""
    await ada.send("/rol")
    await ada.press("Nieuwe ambassadeur")
    await ada.press("Renkum en Heelsum")
    text = (await ada.last_bot_message()).text or ""
    match = re.search(r"https://t\.me/\w+\?start=(r_[A-Za-z0-9_-]+)", text)
    assert match is not None, text
    ahmed = ahmed or await staff(pg, "Ahmed", AMBASSADOR_ID)
    await ahmed.send(f"/start {match.group(1)}")
    return ahmed


async def test_a_revoked_area_stops_a_prepared_message_and_a_theme_edit(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    theme = await add_theme(bot, place=PlaceRef(PlaceKind.VILLAGE, "renkum"), title="Renkum bloeit")
    for user in range(3):
        person = await pg.new_person(first_name=f"Buur {user}")
        await bot.repo.ensure_resident(person.id, "nl")
        await bot.repo.set_place(person.id, "renkum", None)
        await bot.repo.set_consent(person.id, Consent.THEME_NEWS, True)
    ada = await admin(pg)
    ahmed = await _second_area(pg, ada)
    (first,) = await bot.repo.active_grants(AMBASSADOR_ID)
    assert first.area == "renkum-heelsum"

    # A message to Renkum, prepared up to its last button.
    await ahmed.send("/bericht")
    await ahmed.press("Bewoners van een plek")
    await ahmed.press("Renkum")
    await ahmed.send("Zaterdag is de buurtschoonmaak.")
    confirm = await ahmed.last_bot_message()
    assert confirm.text == (
        "Dit bericht gaat naar 3 bewoners die berichten van de buurtbot willen. Versturen?"
    )

    # The admin takes the second area back.
    await ada.send("/rol")
    await ada.press("Trek rol 1 in (Ahmed)")
    await ada.press("Ja, trek in")
    assert await bot.repo.active_grants(AMBASSADOR_ID) == ()

    await ahmed.press("Verstuur", message_id=confirm.message_id)
    refused = (await ahmed.last_bot_message()).text or ""
    assert refused.startswith(REFUSED), refused
    assert await repo_of(bot).dump_table("broadcasts") == []
    assert await repo_of(bot).dump_table("outbox") == []

    # Given the area again, Ahmed gets to closing Renkum's running theme and to saving its
    # new name; the admin takes the area back once more, now straight in storage.
    await _second_area(pg, ada, ahmed)
    await ahmed.send("/afsluiten")
    await ahmed.press("Renkum bloeit")
    closing = await ahmed.last_bot_message()
    assert "Ja, sluit af" in closing.button_labels
    await ahmed.send("/themas")
    await ahmed.press("Renkum bloeit (loopt)")
    await ahmed.press("Pas aan")
    await ahmed.press("Pas aan")
    await ahmed.press("Titel")
    await ahmed.send("Renkum van iedereen")
    preview = await ahmed.last_bot_message()
    assert "Publiceer" in preview.button_labels

    (grant,) = await bot.repo.active_grants(AMBASSADOR_ID)
    await bot.repo.revoke_grant(grant.id, by=ada.id, by_name="Ada", now=datetime.now(UTC))

    await ahmed.press("Publiceer", message_id=preview.message_id)
    refused = (await ahmed.last_bot_message()).text or ""
    assert refused.startswith(REFUSED), refused
    (kept,) = await bot.repo.list_themes(None, (ThemeStatus.ACTIVE,))
    assert kept.id == theme.id and kept.title == "Renkum bloeit"
    assert not [m for m in await ahmed.bot_messages() if (m.text or "").startswith("Opgeslagen")]

    await ahmed.press("Ja, sluit af", message_id=closing.message_id)
    other_area = await ahmed.callback_answer()
    assert other_area is not None and other_area.text is not None
    assert other_area.text.startswith("Dit thema hoort bij een ander gebied."), other_area.text
    assert (await bot.repo.get_theme(theme.id)).status == ThemeStatus.ACTIVE  # type: ignore[union-attr]

    # Their own area still works as before.
    await ahmed.send("/bericht")
    await ahmed.press("Bewoners van een plek")
    assert "Renkum" not in (await ahmed.last_bot_message()).button_labels
