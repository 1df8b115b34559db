"""End to end: an ambassador names a theme, publishes it, and only the right residents hear."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

from PIL import Image

from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from storage.models import Consent, MomentKind, OutboxStatus, PlaceKind, PlaceRef, ThemeStatus
from tests.conftest import AMBASSADOR_ID, BotFactory, add_theme
from tests.process import wait_for_text
from tests.residents import onboard

OTHER_AMBASSADOR = 900004


async def _delivered(bot: BotRunner) -> None:
    """Wait until the outbox has nothing left to send."""
    for _ in range(400):
        if await bot.repo.next_due_at() is None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not empty")


async def _ambassador(pg: PlaygroundClient, user_id: int = AMBASSADOR_ID) -> Person:
    person = await pg.new_person(first_name="Ahmed", user_id=user_id)
    await person.send("/start")
    return person


async def test_create_preview_edit_publish(pg: PlaygroundClient, bot: BotRunner) -> None:
    anna = await onboard(pg, "Anna", village="Doorwerth", news=True)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    carla = await onboard(pg, "Carla", village="Renkum", news=True)
    dirk = await onboard(pg, "Dirk", village=None, news=True)
    ahmed = await _ambassador(pg)

    await ahmed.send("/nieuwthema")
    assert (await ahmed.last_bot_message()).text.startswith("Hoe heet het nieuwe thema?")
    for empty in (ahmed.send_sticker(), ahmed.send("x" * 81)):
        await empty
        assert (await ahmed.bot_messages())[-2].text.startswith("Een titel van 1 tot 80 tekens")
        assert (await ahmed.last_bot_message()).text.startswith("Hoe heet het nieuwe thema?")
    await ahmed.send("Groen Doorwerth")
    await ahmed.send("Waar wil jij meer bomen, bloemen en bankjes zien? Praat mee & deel je idee.")
    await ahmed.press("Gebruik de gewone vraag")
    place = await ahmed.last_bot_message()
    assert "Renkum" not in place.button_labels  # another area
    await ahmed.press("Doorwerth")
    await ahmed.send("31-2-2027")
    assert (await ahmed.bot_messages())[-2].text.startswith("Die datum begreep ik niet.")
    assert (await ahmed.last_bot_message()).text.startswith("Wanneer begint het?")
    await ahmed.press("Vandaag")
    await ahmed.send("1-1-2020")
    assert (await ahmed.bot_messages())[-2].text.startswith("Het einde ligt voor het begin")
    await ahmed.press("Over 6 weken")
    await ahmed.press("Ja")
    await ahmed.send("Welke boom mis je het meest?")
    for _ in range(3):
        await ahmed.press("Sla over")
    messages = await ahmed.bot_messages()
    assert messages[-3].text == "Zo zien bewoners het:"
    opening = messages[-2]
    assert opening.text.startswith("Groen Doorwerth\nWaar wil jij meer bomen")
    assert opening.button_labels == ["Wens", "Voorbeeld", "Mogelijkheid", "Vraag"]
    assert "Status: concept" in messages[-1].text

    await ahmed.press("Pas aan")
    await ahmed.press("Titel")
    await ahmed.send("Groen en gezond Doorwerth")
    assert (await ahmed.bot_messages())[-2].text.startswith("Groen en gezond Doorwerth")
    await ahmed.press("Publiceer")
    confirm = await ahmed.last_bot_message()
    assert "gaat naar 1 bewoner die themanieuws wil." in confirm.text
    await ahmed.press("Ja, publiceer")
    await _delivered(bot)

    news = await wait_for_text(anna, "Nieuw thema in Doorwerth: Groen en gezond Doorwerth")
    for other in (bas, carla, dirk):
        texts = [m.content for m in await other.bot_messages()]
        assert not any("Nieuw thema" in text for text in texts), other
    await wait_for_text(ahmed, "Je bericht is verstuurd.")
    report = [
        m
        for m in await ahmed.bot_messages()
        if m.text and m.text.startswith("Klaar met versturen.")
    ]
    assert report and "Aangekomen: 1 van 1" in report[0].text

    await anna.press("Praat mee", message_id=news[-1].message_id)
    assert (await anna.last_bot_message()).text.startswith("Groen en gezond Doorwerth")
    await anna.press("Wens")
    assert (await anna.last_bot_message()).text == "Welke boom mis je het meest?"
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_residents_and_other_areas_are_refused(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    roles = {
        "ambassadors": [
            {"user_id": AMBASSADOR_ID, "area": "doorwerth-heveadorp"},
            {"user_id": OTHER_AMBASSADOR, "area": "renkum-heelsum"},
        ]
    }
    runner = await make_bot(roles=roles)
    pg.waiter = lambda update_id: asyncio.wait_for(runner.handled.wait(update_id), 20)
    theme = await add_theme(
        runner, place=PlaceRef(PlaceKind.VILLAGE, "doorwerth"), status=ThemeStatus.DRAFT
    )
    anna = await pg.new_person(first_name="Anna")
    for command in ("/nieuwthema", "/themas", "/bericht", "/poster", "/voortgang", "/afsluiten"):
        await anna.send(command)
        assert (await anna.last_bot_message()).text.startswith(
            "Dit is alleen voor gebiedsambassadeurs."
        ), command
    own = await anna.last_bot_message()
    forged = [
        f"th:pub:yes:{theme.id}",
        f"th:edit:{theme.id}",
        f"tt:close:{theme.id}",
        "th:pl:m:-",
        f"bc:theme:{theme.id}",
    ]
    for data in forged:
        await anna.press_data(data, own.message_id)
        reply = await anna.callback_answer()
        assert reply is not None and reply.text is not None
        assert reply.text.startswith("Dit is alleen voor gebiedsambassadeurs."), data

    renkum = await _ambassador(pg, OTHER_AMBASSADOR)
    await renkum.send("/themas")
    assert (await renkum.last_bot_message()).text.startswith(
        "Er zijn nog geen thema's in jouw gebied."
    )
    own = await renkum.last_bot_message()
    for data in [*forged[:3], f"bc:theme:{theme.id}", "th:pl:v:doorwerth"]:
        await renkum.press_data(data, own.message_id)
        reply = await renkum.callback_answer()
        assert reply is not None and reply.text is not None, data
        assert not reply.text.startswith("Dit is alleen"), data
    # A place button of another area, even inside the flow, is refused.
    await renkum.send("/nieuwthema")
    await renkum.send("Renkum bloeit")
    await renkum.send("Samen de dorpskern mooier maken.")
    await renkum.press("Gebruik de gewone vraag")
    await renkum.press_data("th:pl:v:doorwerth", (await renkum.last_bot_message()).message_id)
    reply = await renkum.callback_answer()
    assert (
        reply is not None
        and reply.text
        == "Dit thema hoort bij een ander gebied. Daar gaat de ambassadeur van dat gebied over."
    )
    unchanged = await runner.repo.get_theme(theme.id)
    assert unchanged is not None and unchanged.status == ThemeStatus.DRAFT


async def test_broadcast_waits_out_429_and_marks_the_deactivated(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    residents = [await pg.new_person(first_name=f"Buur {i}") for i in range(40)]
    for person in residents:
        await bot.repo.ensure_resident(person.id, "nl")
        await bot.repo.set_place(person.id, "doorwerth", None)
        await bot.repo.set_consent(person.id, Consent.THEME_NEWS, True)
    gone = residents[:3]
    for person in gone:
        await person.deactivate()
    ahmed = await _ambassador(pg)
    await pg.set_limits(global_rate=10, global_burst=5, retry_after=1)
    await pg.reset_stats()
    await ahmed.send("/bericht")
    await ahmed.press("Bewoners van een plek")
    await ahmed.press("Doorwerth")
    await ahmed.send("Zaterdag is de buurtschoonmaak. Doe je mee? <3 & koffie")
    confirm = await ahmed.last_bot_message()
    assert confirm.text == (
        "Dit bericht gaat naar 40 bewoners die berichten van de buurtbot willen. Versturen?"
    )
    await ahmed.press("Verstuur")
    await _delivered(bot)
    await wait_for_text(ahmed, "Je bericht is verstuurd.")

    stats = await pg.stats()
    assert stats.too_many_requests >= 1, "the test should have run into the rate limit"
    assert stats.violations == 0
    for person in residents[3:]:
        received = [m for m in await person.bot_messages() if "buurtschoonmaak" in m.content]
        assert len(received) == 1, person
        assert received[0].text.endswith("Doe je mee? <3 & koffie")
    for person in gone:
        resident = await bot.repo.get_resident(person.id)
        assert resident is not None and not resident.active
    report = [
        m
        for m in await ahmed.bot_messages()
        if m.text and m.text.startswith("Klaar met versturen.")
    ]
    assert "Aangekomen: 37 van 40" in report[0].text
    assert "Geblokkeerd: 3" in report[0].text
    assert bot.app.bot_data["services"].delivery.stats.sent == 37


async def test_closing_thanks_participants_and_stops_notes(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    theme = await add_theme(bot, place=PlaceRef(PlaceKind.VILLAGE, "doorwerth"))
    anna = await pg.new_person(first_name="Anna")
    await anna.send("/thema")
    await anna.send("Een bloemenweide")
    await anna.press("Wens")
    await bot.repo.create_table(
        theme_id=theme.id, title="Moestuin achter de school", initiator_name="Ria", capacity=None
    )
    await bot.repo.create_moment(
        theme_id=theme.id,
        table_id=None,
        kind=MomentKind.CLOSING,
        title="Slotavond in het dorpshuis",
        starts_at=datetime.now(UTC) + timedelta(days=14),
        place="Dorpshuis",
        remind_theme=False,
        created_by=None,
        reminders=[],
    )
    ahmed = await _ambassador(pg)
    await ahmed.send("/afsluiten")
    await ahmed.press(theme.title)
    await ahmed.press("Ja, sluit af")
    await _delivered(bot)
    thanks = await wait_for_text(
        anna, "Dank je wel voor het meepraten over Samen wonen, jong en oud!"
    )
    assert "Dit kwam eruit: 1 wens, 0 voorbeelden," in thanks[-1].text
    assert "Er is 1 gesprekstafel om mee verder te gaan" in thanks[-1].text
    assert "• Slotavond in het dorpshuis," in thanks[-1].text
    await anna.send("Nog een idee")
    assert (await anna.last_bot_message()).text.startswith("Dit thema is afgesloten.")
    closed = await bot.repo.get_theme(theme.id)
    assert closed is not None and closed.status == ThemeStatus.CLOSED
    bas = await pg.new_person(first_name="Bas")  # the theme stays readable for everyone
    await bas.send("/bord")
    board = await bas.last_bot_message()
    assert board.caption is not None and "Samen wonen, jong en oud" in board.caption
    assert "Wensen 1" in board.caption
    counts = await bot.repo.broadcast_counts(1)
    assert counts[OutboxStatus.SENT] == 1


async def test_themas_and_voortgang_count_the_same_briefjes_and_zero_tables_reads_well(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    theme = await add_theme(bot, place=PlaceRef(PlaceKind.VILLAGE, "doorwerth"))
    anna = await pg.new_person(first_name="Anna")
    await anna.send("/thema")
    for text, place in (
        ("Een bloemenweide", "Wens"),
        ("Een bankje", "Wens"),
        ("Hoi", "Iets anders"),
    ):
        await anna.send(text)
        await anna.press(place)
    ahmed = await _ambassador(pg)
    await ahmed.send("/themas")
    await ahmed.press(f"{theme.title} (loopt)")
    assert "Briefjes op het bord: 2" in (await ahmed.last_bot_message()).text
    await ahmed.send("/voortgang")
    await ahmed.press(theme.title)
    caption = (await ahmed.last_bot_message()).caption
    assert caption is not None and "Bewust: 2 wensen, 0 voorbeelden," in caption
    await ahmed.send("/afsluiten")
    await ahmed.press(theme.title)
    await ahmed.press("Ja, sluit af")
    await _delivered(bot)
    assert "Samen wonen, jong en oud is afgesloten. 1 deelnemer krijgt een bedankje." in [
        m.text for m in await ahmed.bot_messages()
    ]
    thanks = await wait_for_text(anna, "Dank je wel voor het meepraten")
    assert (
        "Dit kwam eruit: 2 wensen, 0 voorbeelden, 0 mogelijkheden en 0 vragen." in thanks[-1].text
    )
    assert "Er zijn nog geen gesprekstafels. Komt er een, dan zie je die bij /tafels." in (
        thanks[-1].text
    )


async def test_poster_and_progress(pg: PlaygroundClient, bot: BotRunner) -> None:
    theme = await add_theme(bot, place=PlaceRef(PlaceKind.VILLAGE, "doorwerth"))
    ahmed = await _ambassador(pg)
    await ahmed.send("/poster")
    await ahmed.press(theme.title)
    messages = await ahmed.bot_messages()
    preview, pdf = messages[-2], messages[-1]
    assert preview.photo is not None and pdf.document is not None
    assert pdf.document.file_name == f"poster-{theme.code}.pdf"
    data = await pg.file_bytes(pdf.document.file_id)
    assert data.startswith(b"%PDF")
    image = Image.open(io.BytesIO(await pg.file_bytes(preview.photo.file_id)))
    assert image.width < image.height
    await ahmed.send("/voortgang")
    await ahmed.press(theme.title)
    chart = await ahmed.last_bot_message()
    assert chart.photo is not None and chart.caption is not None
    assert chart.caption.startswith("Voortgang: Samen wonen, jong en oud")
    assert "Betrokken: 0 bewoners" in chart.caption


async def test_editing_an_active_theme_and_a_municipality_wide_theme(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    from tests.conftest import ADMIN_ID

    dirk = await onboard(pg, "Dirk", village=None, news=True)
    anna = await onboard(pg, "Anna", village="Renkum", news=True)
    admin = await pg.new_person(first_name="Joost", user_id=ADMIN_ID)
    await admin.send("/start")
    await admin.send("/nieuwthema")
    await admin.send("Hart voor elkaar")
    await admin.send("Wie helpt wie in het dorp? Vertel het ons.")
    await admin.press("Gebruik de gewone vraag")
    await admin.press("Heel Renkum")
    await admin.press("Vandaag")
    await admin.press("Over 4 weken")
    await admin.press("Nee")
    await admin.press("Publiceer")
    assert "gaat naar 2 bewoners die themanieuws willen." in (await admin.last_bot_message()).text
    await admin.press("Ja, publiceer")
    await _delivered(bot)
    for person in (dirk, anna):
        await wait_for_text(person, "Nieuw thema in Renkum: Hart voor elkaar")

    await admin.send("/themas")
    await admin.press("Hart voor elkaar (loopt)")
    card = await admin.last_bot_message()
    assert "Deeplink: https://t.me/buurtbot_demo_bot?start=t_" in card.text
    await admin.press("Pas aan", message_id=card.message_id)
    assert "Status: loopt" in (await admin.last_bot_message()).text
    await admin.press("Pas aan")
    await admin.press("Uitnodiging")
    await admin.send("Wie helpt wie? En wie zou graag geholpen worden?")
    await admin.press("Publiceer")
    assert (
        await admin.last_bot_message()
    ).text == "Opgeslagen. Bewoners zien de nieuwe tekst meteen."
    (theme,) = await bot.repo.list_themes(None, (ThemeStatus.ACTIVE,))
    assert theme.invitation == "Wie helpt wie? En wie zou graag geholpen worden?"
    # No second announcement for an edit.
    await _delivered(bot)
    assert sum("Nieuw thema" in m.content for m in await dirk.bot_messages()) == 1


async def test_a_draft_is_kept_and_listed(pg: PlaygroundClient, bot: BotRunner) -> None:
    ahmed = await _ambassador(pg)
    await ahmed.send("/nieuwthema")
    await ahmed.send("Samen sporten")
    await ahmed.send("Wie sport er mee in Heveadorp?")
    await ahmed.press("Gebruik de gewone vraag")
    await ahmed.press("Heveadorp")
    await ahmed.send("morgen")
    await ahmed.press("Over 3 maanden")
    await ahmed.press("Nee")
    await ahmed.press("Bewaar als concept")
    assert (await ahmed.last_bot_message()).text.startswith("Bewaard als concept.")
    (theme,) = await bot.repo.list_themes(None, (ThemeStatus.DRAFT,))
    assert theme.place == PlaceRef(PlaceKind.VILLAGE, "heveadorp")
    assert theme.ends_on is not None and theme.starts_on is not None
    assert (theme.ends_on - theme.starts_on).days == 91
    await ahmed.send("/themas")
    assert "Samen sporten (concept)" in (await ahmed.last_bot_message()).button_labels
    anna = await pg.new_person(first_name="Anna")
    await anna.send("/thema")  # a draft is not shown to residents
    assert (await anna.last_bot_message()).text.startswith("Er is nu geen thema")
