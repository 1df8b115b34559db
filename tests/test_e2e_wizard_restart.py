"""A killed bot continues an ambassador's set-up wizard at the step they were at."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from playground.client import PlaygroundClient
from playground.server import Playground
from storage.models import PlaceKind, PlaceRef
from tests.conftest import AMBASSADOR_ID, TOKEN
from tests.process import kill, seed_theme, start_bot, wait_for_text, write_config

AMBASSADOR = f"""
[roles]
ambassadors = [{{ user_id = {AMBASSADOR_ID}, area = "doorwerth-heveadorp" }}]
"""


async def test_a_theme_a_table_and_a_moment_being_set_up_survive_a_kill(
    playground: Playground, tmp_path: Path
) -> None:
    database = tmp_path / "buurtbot.sqlite3"
    doorwerth = PlaceRef(PlaceKind.VILLAGE, "doorwerth")
    await seed_theme(database, "Samen in Doorwerth", place=doorwerth)
    config = write_config(tmp_path / "buurtbot.toml", playground.url, database, extra=AMBASSADOR)
    async with PlaygroundClient(playground.url) as pg:
        ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID)
        process = await start_bot(config, TOKEN)
        try:
            await ahmed.send("/nieuwthema")
            await wait_for_text(ahmed, "Hoe heet het nieuwe thema?", timeout=30)
            await ahmed.send("Bankjes in het dorp")
            await wait_for_text(ahmed, "Schrijf de uitnodiging")
            await ahmed.send("Waar zou jij graag even zitten? Vertel het ons.")
            await wait_for_text(ahmed, "Welke open vraag stel je")
            await ahmed.press("Gebruik de gewone vraag")
            await wait_for_text(ahmed, "Voor welke plek is dit thema?")
            await ahmed.press("Doorwerth")
            await wait_for_text(ahmed, "Wanneer begint het?")
        finally:
            await kill(process)

        process = await start_bot(config, TOKEN)
        try:
            # The start-date button shown before the crash still answers its step.
            mark = await ahmed.mark()
            await ahmed.press("Vandaag")
            await wait_for_text(ahmed, "Tot wanneer loopt het?", after=mark, timeout=30)
            await ahmed.press("Over 6 weken")
            await wait_for_text(ahmed, "Wil je per kwadrant een eigen vraag stellen?")

            # A table set-up, cut off after its title, goes on with the initiator.
            await ahmed.send("/nieuwetafel")
            await wait_for_text(ahmed, "Bij welk thema hoort de nieuwe gesprekstafel?")
            await ahmed.press("Samen in Doorwerth")
            await wait_for_text(ahmed, "Hoe heet de gesprekstafel?")
            await ahmed.send("Repair Café Doorwerth")
            await wait_for_text(ahmed, "Wie is de initiatiefnemer?")
        finally:
            await kill(process)

        process = await start_bot(config, TOKEN)
        try:
            mark = await ahmed.mark()
            await ahmed.send("Mieke de Vries")
            await wait_for_text(
                ahmed, "Hoeveel mensen passen er aan de tafel?", after=mark, timeout=30
            )
            await ahmed.press("Geen maximum")
            await wait_for_text(ahmed, "Wat is het initiatief?")

            # A moment, cut off after its title, goes on with its date.
            await ahmed.send("/moment")
            await wait_for_text(ahmed, "Bij welk thema hoort het moment?")
            await ahmed.press("Samen in Doorwerth")
            await wait_for_text(ahmed, "Wat voor moment is het?")
            await ahmed.press("Ontmoeting")
            await wait_for_text(ahmed, "Hoe heet het moment?")
            await ahmed.send("Koffie op het plein")
            await wait_for_text(ahmed, "Op welke dag is het?")
        finally:
            await kill(process)

        process = await start_bot(config, TOKEN)
        try:
            mark = await ahmed.mark()
            day = (date.today() + timedelta(days=10)).strftime("%d-%m-%Y")
            await ahmed.send(day)
            await wait_for_text(ahmed, "Hoe laat begint het?", after=mark, timeout=30)
        finally:
            process.terminate()
            assert await process.wait() == 0
