"""Residents for end-to-end tests: onboarded through the real /start flow, or many at once."""

from __future__ import annotations

from playground.client import Person, PlaygroundClient


async def onboard(
    pg: PlaygroundClient,
    name: str,
    *,
    village: str | None,
    news: bool,
    neighbourhood: str = "Sla over",
    language: str = "nl",
) -> Person:
    """A resident who went through /start: village (or skip) and theme news yes or no."""
    person = await pg.new_person(first_name=name, language_code=language)
    await person.send("/start")
    await person.press(village or ("Skip" if language == "en" else "Sla over"))
    if village == "Doorwerth":
        await person.press(neighbourhood)
    if language == "en":
        await person.press("Yes, please" if news else "No, thanks")
    else:
        await person.press("Ja, graag" if news else "Nee, liever niet")
    return person
