"""End to end through the playground: /start, /help, /taal, command menus, guards."""

from __future__ import annotations

from bot.runner import BotRunner
from playground.client import PlaygroundClient
from tests.conftest import AMBASSADOR_ID


async def test_start_welcomes_in_dutch_and_asks_the_village(pg: PlaygroundClient) -> None:
    anna = await pg.new_person(first_name="Anna", language_code="nl")
    await anna.send("/start")
    texts = [m.text for m in await anna.bot_messages()]
    assert texts[0].startswith("Hoi Anna! Welkom bij de buurtbot van gemeente Renkum.")
    assert "/privacy" in texts[0]
    last = await anna.last_bot_message()
    assert last.text.startswith("In welk dorp woon je?")
    assert "Doorwerth" in last.button_labels
    assert "Sla over" in last.button_labels


async def test_an_english_user_sees_english(pg: PlaygroundClient) -> None:
    john = await pg.new_person(first_name="John", language_code="en-GB")
    await john.send("/start")
    first = (await john.bot_messages())[0]
    assert first.text.startswith("Hi John! Welcome to the neighbourhood bot")
    assert "Skip" in (await john.last_bot_message()).button_labels


async def test_onboarding_with_village_neighbourhood_and_news(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    anna = await pg.new_person(first_name="Anna", language_code="nl")
    await anna.send("/start")
    await anna.press("Doorwerth")
    assert (await anna.last_bot_message()).text == "En in welke buurt van Doorwerth?"
    await anna.press("Kasteelweg")
    await anna.press("Ja, graag")
    texts = [m.text for m in await anna.bot_messages()]
    assert "Dank je. Je woont in Kasteelweg, Doorwerth." in texts
    assert texts[-1] == "Je bent klaar om mee te praten. Tik /thema om te beginnen."
    resident = await bot.repo.get_resident(anna.id)
    assert resident is not None
    assert (resident.village_key, resident.neighbourhood_key) == ("doorwerth", "kasteelweg")
    assert resident.onboarded
    consents = await bot.repo.get_consents(anna.id)
    assert consents[next(iter(consents))] is not None
    assert any(consents.values())
    # A second /start welcomes back instead of asking again.
    await anna.send("/start")
    assert (await anna.last_bot_message()).text.startswith("Fijn dat je er weer bent, Anna!")


async def test_news_is_off_unless_chosen(pg: PlaygroundClient, bot: BotRunner) -> None:
    bas = await pg.new_person(first_name="Bas", language_code="nl")
    await bas.send("/start")
    await bas.press("Sla over")
    await bas.press("Nee, liever niet")
    consents = await bot.repo.get_consents(bas.id)
    assert not any(consents.values())


async def test_typing_during_onboarding_repeats_the_question(pg: PlaygroundClient) -> None:
    anna = await pg.new_person(first_name="Anna", language_code="nl")
    await anna.send("/start")
    mark = await anna.mark()
    await anna.send("Ik woon in Doorwerth")
    replies = await anna.replies_since(mark)
    assert replies[0].text.startswith("Kies hierboven een van de knoppen")
    assert replies[-1].text.startswith("In welk dorp woon je?")


async def test_help_lists_what_the_role_may_do(pg: PlaygroundClient) -> None:
    anna = await pg.new_person(first_name="Anna", language_code="nl")
    await anna.send("/help")
    text = (await anna.last_bot_message()).text
    assert text.startswith("Dit kun je hier doen:")
    assert "/thema – Praat mee over een thema" in text
    ambassador = await pg.new_person(user_id=AMBASSADOR_ID, first_name="Ahmed", language_code="nl")
    await ambassador.send("/help")
    assert "gebiedsambassadeur" in (await ambassador.last_bot_message()).text


async def test_help_and_menu_name_stopping_in_each_language(pg: PlaygroundClient) -> None:
    anna = await pg.new_person(first_name="Anna", language_code="nl")
    await anna.send("/help")
    text = (await anna.last_bot_message()).text
    assert "/annuleer – Stop waar je mee bezig bent" in text
    assert "/cancel" not in text
    await anna.send("/annuleer")
    assert (await anna.last_bot_message()).text.startswith("Je was nergens mee bezig.")
    john = await pg.new_person(first_name="John", language_code="en")
    await john.send("/help")
    assert "/cancel – Stop what you are doing" in (await john.last_bot_message()).text
    await john.send("/cancel")
    assert (await john.last_bot_message()).text.startswith("You weren't doing anything.")
    default = {
        m["language_code"]: {c["command"] for c in m["commands"]}
        for m in await pg.commands()
        if m["scope"]["type"] == "default"
    }
    assert "annuleer" in default[""] and "cancel" not in default[""]
    assert "cancel" in default["en"] and "annuleer" not in default["en"]


async def test_language_switch(pg: PlaygroundClient, bot: BotRunner) -> None:
    anna = await pg.new_person(first_name="Anna", language_code="nl")
    await anna.send("/taal")
    await anna.press("English")
    assert (await anna.last_bot_message()).text == "From now on I'll write in English."
    await anna.send("/help")
    assert (await anna.last_bot_message()).text.startswith("This is what you can do here:")
    resident = await bot.repo.get_resident(anna.id)
    assert resident is not None and resident.language == "en"


async def test_command_menus_per_language_and_role(pg: PlaygroundClient) -> None:
    menus = await pg.commands()
    default = {m["language_code"]: m for m in menus if m["scope"]["type"] == "default"}
    assert set(default) == {"", "en"}, menus
    dutch = {c["command"]: c["description"] for c in default[""]["commands"]}
    english = {c["command"]: c["description"] for c in default["en"]["commands"]}
    assert dutch["thema"] == "Praat mee over een thema"
    assert english["thema"] == "Join the talk about a theme"
    assert "nieuwthema" not in dutch  # residents don't see the ambassador's commands
    # A role holder gets their own menu once they have opened the chat.
    ahmed = await pg.new_person(user_id=AMBASSADOR_ID, first_name="Ahmed", language_code="nl")
    await ahmed.send("/start")
    personal = [
        m
        for m in await pg.commands()
        if m["scope"].get("chat_id") == AMBASSADOR_ID and not m["language_code"]
    ]
    assert personal, "the ambassador got no menu of their own"
    commands = {c["command"] for c in personal[0]["commands"]}
    assert {"nieuwthema", "bericht", "thema"} <= commands


async def test_unknown_command_and_stale_button_get_kind_answers(pg: PlaygroundClient) -> None:
    anna = await pg.new_person(first_name="Anna", language_code="nl")
    await anna.send("/bestaatniet")
    assert (await anna.last_bot_message()).text.startswith("Dat commando ken ik niet.")
    await anna.send("/start")
    message = await anna.last_bot_message()
    await anna.press_data("xx:forged:data", message.message_id)
    answer = await anna.callback_answer()
    assert answer is not None and answer.text is not None
    assert answer.text.startswith("Dit knopje hoort bij een eerder gesprek.")
