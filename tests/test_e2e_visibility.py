"""End to end: a resident who forges buttons with real ids sees no draft theme, no table of
another village, no table's private meeting place, and changes no one else's note; a theme
outside its period takes no notes, by button, by deep link or by a note typed too late."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.runner import BotRunner
from bot.village.dates import format_date
from playground.client import Person, PlaygroundClient
from storage.models import (
    Commitment,
    Consent,
    MomentKind,
    NoteKind,
    NoteStatus,
    PlaceKind,
    PlaceRef,
    Quadrant,
    Theme,
    ThemeStatus,
)
from tests.conftest import AMBASSADOR_ID, municipal_today
from tests.residents import onboard

DOORWERTH = PlaceRef(PlaceKind.VILLAGE, "doorwerth")
RENKUM = PlaceRef(PlaceKind.VILLAGE, "renkum")
HIDDEN_THEME = "Dit thema kan ik je niet laten zien. Tik /thema voor de thema's van nu."
HIDDEN_TABLE = "Deze gesprekstafel hoort bij een ander dorp. Tik /tafels voor de tafels bij jou."
HIDDEN_MOMENT = (
    "Dit moment is alleen voor wie aan de gesprekstafel meedoet. Tik /agenda voor jouw momenten."
)
NOT_YOURS = "Dit knopje is niet voor jou bedoeld."
CLOSED = "Dit thema is afgesloten."


async def _theme(
    bot: BotRunner,
    title: str,
    place: PlaceRef = DOORWERTH,
    *,
    status: ThemeStatus = ThemeStatus.ACTIVE,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Theme:
    return await bot.repo.create_theme(
        title=title,
        invitation="Hoe willen we hier wonen?",
        question="Wat zou jij graag zien?",
        place=place,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
    )


async def _refused(person: Person, data: str, expected: str) -> None:
    """Press forged data on the person's newest message; the bot answers the press kindly."""
    before = len(await person.bot_messages())
    await person.press_data(data, (await person.last_bot_message()).message_id)
    reply = await person.callback_answer()
    assert reply is not None and reply.text == expected, data
    assert len(await person.bot_messages()) == before, data


async def test_forged_ids_show_and_change_nothing(pg: PlaygroundClient, bot: BotRunner) -> None:
    repo = bot.repo
    draft = await _theme(bot, "Geheim plan voor de Dorpsstraat", status=ThemeStatus.DRAFT)
    here = await _theme(bot, "Samen wonen, jong en oud")
    elsewhere = await _theme(bot, "Renkum bloeit", RENKUM)
    far_table = await repo.create_table(
        theme_id=elsewhere.id, title="Tafel in Renkum", initiator_name="Kees", capacity=None
    )
    near_table = await repo.create_table(
        theme_id=here.id, title="Repair Café", initiator_name="Marja", capacity=None
    )
    starts = datetime.now(UTC) + timedelta(days=7)
    private = await repo.create_moment(
        theme_id=here.id,
        table_id=near_table.id,
        kind=MomentKind.MEETING,
        title="Tweede tafelavond",
        starts_at=starts,
        place="bij Henk thuis",
        remind_theme=False,
        created_by=None,
        reminders=[(60, starts - timedelta(hours=1))],
    )
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    note = await repo.add_note(
        theme_id=here.id,
        author_id=bas.id,
        kind=NoteKind.TEXT,
        text="Een bankje bij de kerk",
        file_id=None,
        quadrant=Quadrant.WISH,
        status=NoteStatus.VISIBLE,
        source_update_id=None,
    )

    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    for data in (f"bd:open:{draft.id}", f"bd:p:{draft.id}:0", f"vt:open:{draft.id}"):
        await _refused(anna, data, HIDDEN_THEME)
    await _refused(anna, f"mr:p:{draft.id}:0", HIDDEN_THEME)
    for data in (f"tf:o:{far_table.id}", f"tf:j:{far_table.id}:p"):
        await _refused(anna, data, HIDDEN_TABLE)
    for data in (f"tl:m:{private.id}", f"tl:y:{private.id}", f"tl:ics:{private.id}"):
        await _refused(anna, data, HIDDEN_MOMENT)
    for data in (f"my:n:{note.id}", f"my:d:{note.id}", f"vt:q:{note.id}:e"):
        await _refused(anna, data, NOT_YOURS)
    # A poster's deep link to a theme that is not published yet opens nothing either.
    await anna.send(f"/start t_{draft.code}")
    assert (await anna.last_bot_message()).text == HIDDEN_THEME

    # Its own ambassador may open the draft, but it takes no notes until it is published.
    ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID)
    await ahmed.send(f"/start t_{draft.code}")
    assert (await ahmed.last_bot_message()).text == (
        "Dit thema is nog niet gepubliceerd. Briefjes schrijven kan pas daarna."
    )

    shown = " ".join(m.content for m in await anna.bot_messages())
    assert "Geheim plan" not in shown and "Henk" not in shown and "Tafel in Renkum" not in shown
    assert await repo.memberships_of(anna.id) == []
    assert await repo.get_rsvp(private.id, anna.id) is None
    assert (await repo.get_state(anna.id)).flow is None
    kept = await repo.get_note(note.id)
    assert kept is not None and kept.status == NoteStatus.VISIBLE and kept.quadrant == Quadrant.WISH

    # What is hers to see still opens: the table of her own village, and once she sits at it,
    # its moment with where it meets.
    await anna.press_data(f"tf:o:{near_table.id}", (await anna.last_bot_message()).message_id)
    assert (await anna.last_bot_message()).text.startswith("Repair Café")
    await repo.join_table(near_table.id, anna.id, Commitment.TAKE_PART, "", None)
    await anna.press_data(f"tl:m:{private.id}", (await anna.last_bot_message()).message_id)
    assert "bij Henk thuis" in (await anna.last_bot_message()).text


async def _open_both_ways(anna: Person, theme: Theme) -> list[str]:
    """Open the theme by its button and by its deep link; the bot's answers to each."""
    answers = []
    await anna.press_data(f"vt:open:{theme.id}", (await anna.last_bot_message()).message_id)
    answers.append((await anna.last_bot_message()).text or "")
    await anna.send(f"/start t_{theme.code}")
    answers.append((await anna.last_bot_message()).text or "")
    return answers


async def test_a_theme_before_its_start_takes_no_notes(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    start = municipal_today(bot) + timedelta(days=30)
    theme = await _theme(bot, "Het nieuwe dorpsplein", starts_on=start, ends_on=None)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    begins = f"Dit thema begint op {format_date(start, 'nl')}."
    for how in range(2):
        if how == 0:
            await anna.press_data(f"vt:open:{theme.id}", (await anna.last_bot_message()).message_id)
        else:
            await anna.send(f"/start t_{theme.code}")
        messages = await anna.bot_messages()
        assert messages[-2].text is not None and messages[-2].text.startswith(begins)
        assert messages[-1].text == (
            "Wil je een berichtje als er een nieuw thema in jouw dorp begint?"
        )
        assert (await bot.repo.get_state(anna.id)).flow is None
    await anna.send("Een fontein in het midden")
    assert await bot.repo.list_notes_by_author(anna.id) == []
    await anna.send(f"/start t_{theme.code}")
    await anna.press("Ja, stuur me een berichtje")
    assert (await bot.repo.get_consents(anna.id))[Consent.THEME_NEWS]
    # With theme news on, the bot only says when the theme begins.
    await anna.send(f"/start t_{theme.code}")
    assert (await anna.last_bot_message()).text.startswith(begins)


async def test_a_theme_after_its_end_takes_no_notes_but_shows_its_board(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    today = municipal_today(bot)
    theme = await _theme(
        bot, "De oude school", starts_on=today - timedelta(days=90), ends_on=today - timedelta(30)
    )
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    for text in await _open_both_ways(anna, theme):
        assert text.startswith(CLOSED)
        assert "Het bord van dit thema kun je nog wel bekijken." in text
    assert (await bot.repo.get_state(anna.id)).flow is None
    await anna.press("Bekijk het bord")
    board = await anna.last_bot_message()
    assert board.caption is not None and "De oude school" in board.caption


async def test_a_note_typed_after_the_theme_ended_is_not_kept(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    today = municipal_today(bot)
    theme = await _theme(bot, "De oude school", starts_on=today - timedelta(days=30), ends_on=today)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    await anna.send("/thema")
    assert (await bot.repo.get_state(anna.id)).flow == "talk"
    await bot.repo.update_theme(
        theme.id,
        title=theme.title,
        invitation=theme.invitation,
        question=theme.question,
        place=theme.place,
        starts_on=theme.starts_on,
        ends_on=today - timedelta(days=1),
        quadrant_questions={},
    )
    await anna.send("Een bibliotheek in de school")
    assert (await anna.last_bot_message()).text.startswith(CLOSED)
    assert await bot.repo.list_notes_by_author(anna.id) == []
