"""A resident who let a table see their first name can take that back in /mijn."""

from __future__ import annotations

from bot.runner import BotRunner
from playground.client import PlaygroundClient
from storage.models import Commitment, Consent
from tests.residents import onboard
from tests.timeline_support import village_theme


async def test_hiding_the_first_name_in_mijn_hides_it_at_every_table(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    theme = await village_theme(bot)
    repo = bot.repo
    table = await repo.create_table(
        theme_id=theme.id, title="Repair Café Doorwerth", initiator_name="Mieke", capacity=None
    )
    await repo.join_table(table.id, anna.id, Commitment.TAKE_PART, "Fietsen maken", "Anna")
    await repo.set_consent(anna.id, Consent.SHOW_NAME, True)

    await anna.send("/mijn")
    await anna.press("Verberg mijn voornaam")

    member = await repo.get_member(table.id, anna.id)
    assert member is not None and member.first_name is None
    assert not (await repo.get_consents(anna.id))[Consent.SHOW_NAME]
    choices = await anna.last_bot_message()
    assert "Verberg mijn voornaam" not in choices.button_labels
