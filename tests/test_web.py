"""The public pages over real HTTP against a running bot: pages, notes without an account,
CSRF, limits, escaping, headers, and that one browser cannot touch another's notes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.runner import BotRunner
from bot.web.security import HEADERS
from storage.models import NoteKind, NoteOrigin, NoteStatus, Quadrant, ThemeStatus
from tests.conftest import BotFactory, add_theme

WEB = {"listen": "127.0.0.1", "port": 0, "notes_per_window": 5, "window_minutes": 10}


@pytest.fixture
async def site(make_bot: BotFactory) -> BotRunner:
    """A running bot serving its pages on a free port."""
    return await make_bot(web=WEB)


def url(runner: BotRunner, path: str) -> str:
    assert runner.web is not None
    return f"http://127.0.0.1:{runner.web.port}{path}"


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    """One browser: its own cookie jar (its token), Dutch first."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar, headers={"Accept-Language": "nl"}) as s:
        yield s


async def open_page(session: aiohttp.ClientSession, address: str) -> tuple[int, str]:
    async with session.get(address) as response:
        return response.status, await response.text()


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def send(
    session: aiohttp.ClientSession, address: str, data: dict[str, Any]
) -> tuple[int, str]:
    async with session.post(address, data=data) as response:
        return response.status, await response.text()


async def test_the_home_page_shows_running_themes_and_never_drafts(site: BotRunner) -> None:
    await add_theme(site, title="Samen wonen")
    await add_theme(site, title="Geheim ontwerp", status=ThemeStatus.DRAFT)
    async with aiohttp.ClientSession() as session:
        status, page = await open_page(session, url(site, "/"))
    assert status == 200
    assert "Samen wonen" in page and "Geheim ontwerp" not in page
    assert '<html lang="nl">' in page


async def test_a_draft_theme_has_no_page(site: BotRunner) -> None:
    draft = await add_theme(site, status=ThemeStatus.DRAFT)
    async with aiohttp.ClientSession() as session:
        status, _ = await open_page(session, url(site, f"/thema/{draft.code}"))
    assert status == 404


async def test_a_web_note_waits_for_a_moderator_and_the_board_shows_it_once_approved(
    site: BotRunner, browser: aiohttp.ClientSession
) -> None:
    theme = await add_theme(site)
    address = url(site, f"/thema/{theme.code}")
    _, page = await open_page(browser, address)
    data = {"csrf": csrf(page), "text": "Een bankje bij de bushalte", "quadrant": "wish"}
    status, page = await send(browser, address + "/briefje", data)
    assert status == 200
    assert "wacht nu op een moderator" in page
    assert "Wacht op een moderator" in page  # in the writer's own list
    (note,) = await site.repo.list_notes(theme.id, statuses=(NoteStatus.PENDING,))
    assert note.author_id is None and note.text == "Een bankje bij de bushalte"
    # Another browser does not see it before a moderator let it through.
    async with aiohttp.ClientSession() as other:
        _, theirs = await open_page(other, address)
        assert "Een bankje bij de bushalte" not in theirs
        await site.repo.set_note_quadrant(note.id, Quadrant.WISH, NoteStatus.VISIBLE)
        _, theirs = await open_page(other, address)
        assert "Een bankje bij de bushalte" in theirs


async def test_a_script_in_a_note_is_shown_as_text(
    site: BotRunner, browser: aiohttp.ClientSession
) -> None:
    theme = await add_theme(site)
    address = url(site, f"/thema/{theme.code}")
    _, page = await open_page(browser, address)
    data = {"csrf": csrf(page), "text": "<script>alert(1)</script>", "quadrant": "question"}
    _, page = await send(browser, address + "/briefje", data)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


async def test_missing_or_wrong_csrf_is_refused(
    site: BotRunner, browser: aiohttp.ClientSession
) -> None:
    theme = await add_theme(site)
    address = url(site, f"/thema/{theme.code}")
    await open_page(browser, address)
    for token in (None, "0" * 40):
        data = {"text": "Hallo", "quadrant": "wish"}
        if token is not None:
            data["csrf"] = token
        status, _ = await send(browser, address + "/briefje", data)
        assert status == 403
    assert await site.repo.list_notes(theme.id, statuses=(NoteStatus.PENDING,)) == []


async def test_a_too_long_note_comes_back_filled_in_with_the_error_beside_the_field(
    site: BotRunner, browser: aiohttp.ClientSession
) -> None:
    theme = await add_theme(site)
    address = url(site, f"/thema/{theme.code}")
    _, page = await open_page(browser, address)
    long_text = "a" * 1001
    data = {"csrf": csrf(page), "text": long_text, "quadrant": "example"}
    status, page = await send(browser, address + "/briefje", data)
    assert status == 400
    assert f">{long_text}</textarea>" in page
    assert 'aria-describedby="new-text-hint new-text-error"' in page
    assert 'id="new-text-error"' in page and "1001 tekens" in page
    assert 'value="example" checked' in page


async def test_the_sixth_note_in_the_window_gets_429_while_others_still_go_through(
    site: BotRunner, browser: aiohttp.ClientSession
) -> None:
    theme = await add_theme(site)
    address = url(site, f"/thema/{theme.code}")
    _, page = await open_page(browser, address)
    token = csrf(page)
    for n in range(5):
        data = {"csrf": token, "text": f"Briefje {n}", "quadrant": "wish"}
        status, _ = await send(browser, address + "/briefje", data)
        assert status == 200
    status, page = await send(
        browser, address + "/briefje", {"csrf": token, "text": "Zesde", "quadrant": "wish"}
    )
    assert status == 429
    assert "Zesde" in page  # what was typed is kept
    # The per-address limit is per address: with a named proxy, another visitor still writes.
    # Here every browser shares 127.0.0.1, so a second browser is limited by address too;
    # the per-browser part is shown by the limit's own test (tests/test_web_security.py).


async def test_another_browser_cannot_change_or_delete_a_note(
    site: BotRunner, browser: aiohttp.ClientSession
) -> None:
    theme = await add_theme(site)
    address = url(site, f"/thema/{theme.code}")
    _, page = await open_page(browser, address)
    data = {"csrf": csrf(page), "text": "Van mij", "quadrant": "wish"}
    await send(browser, address + "/briefje", data)
    (note,) = await site.repo.list_notes(theme.id, statuses=(NoteStatus.PENDING,))
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as other:
        _, their_page = await open_page(other, address)
        their = csrf(their_page)
        change = {"csrf": their, "text": "Gekaapt", "quadrant": "question"}
        status, _ = await send(other, url(site, f"/briefje/{note.id}/wijzig"), change)
        assert status == 404
        status, _ = await send(other, url(site, f"/briefje/{note.id}/verwijder"), {"csrf": their})
        assert status == 404
        await send(other, url(site, "/mijn/wis"), {"csrf": their})
    kept = await site.repo.get_note(note.id)
    assert kept is not None and kept.text == "Van mij"
    # The writer's own browser can.
    status, _ = await send(
        browser, url(site, f"/briefje/{note.id}/verwijder"), {"csrf": data["csrf"]}
    )
    assert status == 200
    assert await site.repo.get_note(note.id) is None


async def test_the_honeypot_keeps_nothing(site: BotRunner, browser: aiohttp.ClientSession) -> None:
    theme = await add_theme(site)
    address = url(site, f"/thema/{theme.code}")
    _, page = await open_page(browser, address)
    data = {"csrf": csrf(page), "text": "Koop nu", "quadrant": "wish", "website": "spam.example"}
    await send(browser, address + "/briefje", data)
    assert await site.repo.list_notes(theme.id, statuses=(NoteStatus.PENDING,)) == []


async def test_strict_headers_on_every_response(site: BotRunner) -> None:
    theme = await add_theme(site)
    paths = ["/", f"/thema/{theme.code}", "/privacy", "/toegankelijkheid", "/static/site.css"]
    async with aiohttp.ClientSession() as session:
        for path in [*paths, "/bestaat-niet"]:
            async with session.get(url(site, path)) as response:
                for name, value in HEADERS.items():
                    assert response.headers.get(name) == value, (path, name)
            async with session.post(url(site, f"/thema/{theme.code}/briefje")) as response:
                assert response.status == 403
                assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


async def test_the_cookie_is_httponly_and_lax(site: BotRunner) -> None:
    async with aiohttp.ClientSession() as session, session.get(url(site, "/")) as response:
        cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


async def test_english_by_accept_language_and_by_the_switch(site: BotRunner) -> None:
    async with aiohttp.ClientSession(headers={"Accept-Language": "en-GB,en;q=0.9"}) as session:
        _, page = await open_page(session, url(site, "/privacy"))
        assert '<html lang="en">' in page
        _, page = await open_page(session, url(site, "/privacy?lang=nl"))
        assert '<html lang="nl">' in page and "Wat we bewaren en waarom" in page


@pytest.mark.parametrize(
    ("lang", "web_rights", "chat_heading"),
    [
        ("nl", "Wis al mijn briefjes", "Doe je mee via Telegram?"),
        ("en", "Erase all my notes", "Taking part through Telegram?"),
    ],
)
async def test_the_privacy_page_tells_a_web_visitor_first_how_to_erase_in_the_browser(
    site: BotRunner, lang: str, web_rights: str, chat_heading: str
) -> None:
    async with aiohttp.ClientSession() as session:
        _, page = await open_page(session, url(site, f"/privacy?lang={lang}"))
    # The chat's commands (/vergeet) come only under the heading for who uses Telegram.
    assert page.index(web_rights) < page.index(chat_heading) < page.index("/vergeet")


async def test_the_language_switch_keeps_the_page_of_the_board(site: BotRunner) -> None:
    theme = await add_theme(site)
    async with aiohttp.ClientSession() as session:
        _, page = await open_page(
            session, url(site, f"/thema/{theme.code}?lang=nl&pagina=2&klaar=deleted")
        )
    # Page 2 stays page 2 in English; the one-time "your note is gone" does not come again.
    assert f'href="/thema/{theme.code}?pagina=2&amp;lang=en"' in page


async def test_a_body_too_large_is_refused(site: BotRunner, browser: aiohttp.ClientSession) -> None:
    theme = await add_theme(site)
    address = url(site, f"/thema/{theme.code}")
    _, page = await open_page(browser, address)
    data = {"csrf": csrf(page), "text": "x" * 40_000, "quadrant": "wish"}
    status, _ = await send(browser, address + "/briefje", data)
    assert status == 413


async def test_public_moments_with_calendar_files_and_tables_as_anonymous_cards(
    site: BotRunner,
) -> None:
    from datetime import UTC, datetime, timedelta

    from storage.models import MomentKind

    theme = await add_theme(site)
    table = await site.repo.create_table(
        theme_id=theme.id, title="Tafel Groen", initiator_name="Karin", capacity=8, what="Bomen"
    )
    soon = datetime.now(UTC) + timedelta(days=3)
    public = await site.repo.create_moment(
        theme_id=theme.id,
        table_id=None,
        kind=MomentKind.MEETING,
        title="Avond in het dorpshuis",
        starts_at=soon,
        place="Dorpshuis",
        remind_theme=False,
        created_by=None,
        reminders=[],
    )
    await site.repo.create_moment(
        theme_id=theme.id,
        table_id=table.id,
        kind=MomentKind.MEETING,
        title="Tafel bij Karin thuis",
        starts_at=soon,
        place="Kerkstraat 4",
        remind_theme=False,
        created_by=None,
        reminders=[],
    )
    async with aiohttp.ClientSession() as session:
        _, page = await open_page(session, url(site, f"/thema/{theme.code}"))
        assert "Avond in het dorpshuis" in page and "Tafel bij Karin thuis" not in page
        assert "Kerkstraat 4" not in page
        assert "Tafel Groen" in page and "Karin" not in page
        async with session.get(url(site, f"/thema/{theme.code}/moment/{public.id}.ics")) as r:
            assert r.status == 200 and r.content_type == "text/calendar"
            assert "Avond in het dorpshuis" in await r.text()
        async with session.get(url(site, f"/thema/{theme.code}/agenda.ics")) as r:
            body = await r.text()
            assert "Avond in het dorpshuis" in body and "Karin" not in body


async def test_the_screens_stream_tells_of_an_approval_within_two_seconds(
    site: BotRunner,
) -> None:
    import asyncio
    import time

    theme = await add_theme(site)
    note = await site.repo.add_web_note(
        theme_id=theme.id, quadrant=Quadrant.WISH, text="Op het scherm", writer="w"
    )
    async with aiohttp.ClientSession() as session:
        status, page = await open_page(session, url(site, f"/thema/{theme.code}/scherm"))
        assert status == 200 and "Op het scherm" not in page and "/static/screen.js" in page
        async with session.get(url(site, f"/thema/{theme.code}/qr.svg")) as qr:
            assert qr.status == 200 and qr.content_type == "image/svg+xml"
        async with session.get(url(site, f"/thema/{theme.code}/live")) as stream:
            assert stream.content_type == "text/event-stream"
            assert await stream.content.readline() == b"retry: 2000\n"
            await stream.content.readline()
            started = time.monotonic()
            await site.repo.set_note_quadrant(note.id, Quadrant.WISH, NoteStatus.VISIBLE)
            line = await asyncio.wait_for(stream.content.readline(), 2.0)
            assert line == b"event: board\n"
            assert time.monotonic() - started < 2.0
        _, page = await open_page(session, url(site, f"/thema/{theme.code}/scherm"))
        assert "Op het scherm" in page


async def test_the_page_shows_what_the_board_shows_shared_and_heard_in_person(
    site: BotRunner,
) -> None:
    theme = await add_theme(site)
    repo = site.repo
    for resident in (1001, 1002, 1003):
        await repo.ensure_resident(resident, "nl")
    note = await repo.add_note(
        theme_id=theme.id,
        author_id=1001,
        kind=NoteKind.TEXT,
        text="Een pluktuin achter het dorpshuis",
        file_id=None,
        quadrant=Quadrant.WISH,
        status=NoteStatus.VISIBLE,
        source_update_id=None,
    )
    for resident in (1002, 1003):
        await repo.add_support(note.id, resident)
    await repo.add_note(
        theme_id=theme.id,
        author_id=None,
        kind=NoteKind.TEXT,
        text="Een bankje voor wie slecht ter been is",
        file_id=None,
        quadrant=Quadrant.WISH,
        status=NoteStatus.VISIBLE,
        source_update_id=None,
        origin=NoteOrigin.IN_PERSON,
    )
    async with aiohttp.ClientSession(headers={"Accept-Language": "nl"}) as session:
        _, page = await open_page(session, url(site, f"/thema/{theme.code}"))
    # The writer and two who said "ik ook": shared by three, as /bord says.
    assert "gedeeld door 3" in page
    assert page.count("op het plein") == 1
