"""The public pages in a real browser: Debian's Chromium driven by Playwright, axe-core from
npm (tests/web/node_modules, installed by .ci/setup). One browser for the whole module."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest

from bot.runner import BotRunner
from playground.client import PlaygroundClient
from playground.server import Playground
from storage.models import NoteStatus, Quadrant
from tests.conftest import BotFactory, add_theme
from tests.staff import cards, moderator
from tests.test_web import WEB, url

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NEXT_PAGE = "Volgende briefjes ▶"

# On CI (.ci/setup installs both) a missing browser or axe-core is a failure, not a skip:
# an accessibility check that quietly does not run proves nothing.
ON_CI = bool(os.environ.get("CI"))
if ON_CI:
    import playwright.async_api as playwright_api

    assert CHROMIUM.exists(), "CI needs Debian's chromium (.ci/setup installs it)"
    assert AXE.exists(), "CI needs axe-core (.ci/setup runs npm ci in tests/web)"
else:
    playwright_api = pytest.importorskip("playwright.async_api")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or not AXE.exists(), reason="needs Debian's chromium and axe-core"
)


async def _axe(page: Any) -> list[dict[str, Any]]:
    await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = await page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)}))",
        TAGS,
    )
    assert isinstance(result, list)
    return result


async def _approve_in_the_chat(playground: Playground, site: BotRunner, words: str) -> None:
    """A moderator opens /moderatie, pages to the note's card and presses its button."""

    async def handled(update_id: int) -> None:
        await asyncio.wait_for(site.handled.wait(update_id), 20)

    async with PlaygroundClient(playground.url, waiter=handled) as chat:
        mo = await moderator(chat)
        await mo.send("/moderatie")
        for _ in range(5):
            shown = [m for m in await cards(mo) if words in m.content]
            if shown:
                await mo.press("✅ Goedkeuren", message_id=shown[-1].message_id)
                return
            await mo.press(NEXT_PAGE)
        pytest.fail(f"no moderation card with {words!r}")


async def test_pages_in_a_real_browser(
    make_bot: BotFactory, playground: Playground, tmp_path: Path
) -> None:
    """axe on every page in both languages, empty and full; keyboard-only sending; the form
    without JavaScript; a too-long note back filled in with its error beside the field."""
    site: BotRunner = await make_bot(web={**WEB, "notes_per_window": 50})
    theme = await add_theme(site)
    pages = ["/", f"/thema/{theme.code}", "/privacy", "/toegankelijkheid"]
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=ARGS,
            java_script_enabled=True,
            locale="nl-NL",
            # Our CSP refuses inline scripts, axe's injection included (tests/test_web.py).
            bypass_csp=True,
        )
        try:
            page = await browser.new_page()
            # Empty and full, in both languages: 0 violations at WCAG 2.1 A/AA.
            for full in (False, True):
                if full:
                    for n, quadrant in enumerate(Quadrant):
                        note = await site.repo.add_web_note(
                            theme_id=theme.id, quadrant=quadrant, text=f"Idee {n}", writer="x"
                        )
                        await site.repo.set_note_quadrant(note.id, quadrant, NoteStatus.VISIBLE)
                for lang in ("nl", "en"):
                    for path in pages:
                        await page.goto(url(site, f"{path}?lang={lang}"))
                        violations = await _axe(page)
                        assert violations == [], (path, lang, json.dumps(violations))

            # Keyboard only: Tab to the field, type, choose a place with the arrows, send.
            await page.goto(url(site, f"/thema/{theme.code}"))
            for _ in range(40):
                await page.keyboard.press("Tab")
                if await page.evaluate("document.activeElement.id") == "new-text":
                    break
            else:
                pytest.fail("Tab never reached the note field")
            await page.keyboard.type("Een bank in het park")
            await page.keyboard.press("Tab")
            await page.keyboard.press("Space")
            await page.keyboard.press("Tab")
            async with page.expect_navigation():
                await page.keyboard.press("Enter")
            assert "Wacht op een moderator" in await page.content()
            pending = await site.repo.list_notes(theme.id, statuses=(NoteStatus.PENDING,))
            assert [n.text for n in pending] == ["Een bank in het park"]

            # The screen view shows it within 2 s of a moderator approving it in the chat,
            # without a reload, and loses it when the writer deletes it from the same browser.
            screen = await browser.new_page()
            await screen.goto(url(site, f"/thema/{theme.code}/scherm"))
            await screen.evaluate("window.notReloaded = true")
            assert await _axe(screen) == []
            await _approve_in_the_chat(playground, site, "Een bank in het park")
            bank = screen.locator("#board", has_text="Een bank in het park")
            await bank.wait_for(timeout=2000)
            assert await screen.evaluate("window.notReloaded") is True
            async with page.expect_navigation():
                await page.click(f"[data-note='{pending[0].id}'] button >> text=Verwijderen")
            await bank.wait_for(state="detached", timeout=2000)
            assert await screen.evaluate("window.notReloaded") is True
            await screen.close()

            # A too-long note comes back filled in, the error tied to the field.
            await page.fill("#new-text", "b" * 1001)
            await page.check("#new-q-question")
            async with page.expect_navigation():
                await page.click("button[type=submit] >> text=Versturen")
            assert await page.input_value("#new-text") == "b" * 1001
            described = await page.get_attribute("#new-text", "aria-describedby")
            assert described is not None and "new-text-error" in described
            assert "1001 tekens" in (await page.text_content("#new-text-error") or "")
            assert await _axe(page) == []
        finally:
            await browser.close()

        # Without JavaScript the form works the same.
        nojs = await p.chromium.launch_persistent_context(
            str(tmp_path / "nojs"),
            executable_path=str(CHROMIUM),
            args=ARGS,
            java_script_enabled=False,
        )
        try:
            page = await nojs.new_page()
            await page.goto(url(site, f"/thema/{theme.code}?lang=en"))
            await page.fill("#new-text", "Without scripts")
            await page.check("#new-q-wish")
            async with page.expect_navigation():
                await page.click("button[type=submit] >> text=Send")
            assert "Waits for a moderator" in await page.content()
        finally:
            await nojs.close()
