"""The public pages: the municipality's themes, a theme's board with the note form, the
writer's own notes, /privacy and /toegankelijkheid. The rules come from bot/village/."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
import qrcode
import qrcode.image.svg
from aiohttp import web
from markupsafe import Markup

from bot.core.i18n import LANGUAGES, number, plain, t
from bot.render.calendar_file import CalendarEntry, calendar_file
from bot.services import Services
from bot.village.board import QUADRANT_ORDER, SHOWN, shared_by, shared_words
from bot.village.dates import format_period
from bot.village.local_time import format_when
from bot.village.notes import has_visible_text
from bot.village.redaction import candidates
from bot.village.visibility import NoteWindow, Viewer, may_see_moment, may_see_table, note_window
from bot.web.live import BoardWatch
from bot.web.security import (
    SlidingLimit,
    browser_token,
    csrf_of,
    csrf_ok,
    new_token,
    set_cookie,
    visitor_address,
    writer_of,
)
from storage.models import (
    Moment,
    MomentStatus,
    Note,
    NoteOrigin,
    NoteStatus,
    Quadrant,
    Theme,
    ThemeStatus,
)

_log = logging.getLogger(__name__)

MAX_NOTE = 1000
"""The most characters a web note may hold (the form says so too)."""
PAGE_SIZE = 20
"""Notes per quadrant on one page of a theme's board on the web."""
PUBLIC = Viewer(user_id=0, places=None)
"""A visitor of the web pages: sits at no table, so a table's own meetings stay private."""
MOMENTS = 50
SCREEN_NOTES = 6
"""Notes per quadrant on the TV screen: what large type can show from across a hall."""
HONEYPOT = "website"
"""A field people never see or fill in; a bot that fills it is thanked and ignored."""


_KEPT_ON_SWITCH = ("pagina",)
"""What the language switch carries over of a page's query (not a one-time notice)."""


def _kept(request: web.Request) -> dict[str, str]:
    return {k: v for k, v in request.query.items() if k in _KEPT_ON_SWITCH}


@dataclass
class FormState:
    """What the person typed, and what is wrong with it, to show the form again filled in."""

    text: str = ""
    quadrant: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    warning: str = ""
    warned: bool = False


class Pages:
    """The handlers of the public pages, sharing the services of the bot."""

    def __init__(self, services: Services, bot_username: Callable[[], str | None]) -> None:
        assert services.config.web is not None
        self._services = services
        self._repo = services.repo
        self._config = services.config
        self._web = services.config.web
        self._bot_username = bot_username
        seconds = self._web.window_minutes * 60
        self._limit = SlidingLimit(self._web.notes_per_window, seconds)
        self.watch = BoardWatch(services.repo)

    def routes(self) -> list[web.RouteDef]:
        """Every page and form address; none carries personal data."""
        return [
            web.get("/", self.home),
            web.get("/thema/{code}", self.theme),
            web.post("/thema/{code}/briefje", self.send_note),
            web.get("/thema/{code}/agenda.ics", self.calendar),
            web.get("/thema/{code}/scherm", self.screen),
            web.get("/thema/{code}/live", self.live),
            web.get("/thema/{code}/qr.svg", self.qr),
            web.get("/thema/{code}/moment/{moment}.ics", self.calendar),
            web.post("/briefje/{note}/wijzig", self.change_note),
            web.post("/briefje/{note}/verwijder", self.delete_note),
            web.post("/mijn/wis", self.delete_all),
            web.get("/privacy", self.privacy),
            web.get("/toegankelijkheid", self.accessibility),
        ]

    # -- the language and the common parts of every page -----------------------------------

    def language(self, request: web.Request) -> str:
        """?lang= first, then the browser's Accept-Language, then the municipality's default."""
        asked = request.query.get("lang", "")
        if asked in LANGUAGES:
            return asked
        for part in request.headers.get("Accept-Language", "").split(","):
            code = part.split(";")[0].strip().lower()[:2]
            if code in LANGUAGES:
                return code
        return self._config.default_language

    def _context(
        self, request: web.Request, lang: str, token: str, **values: Any
    ) -> dict[str, Any]:
        other = "en" if lang == "nl" else "nl"

        def text(key: str, **kw: object) -> Markup:
            # Catalog texts are ours; the values in them are escaped by t().
            return Markup(t(lang, key, **kw))

        return {
            "lang": lang,
            "other_lang": other,
            # The same page in the other language: the board's page stays, a notice does not.
            "switch_url": f"{request.path}?{urlencode({**_kept(request), 'lang': other})}",
            "q": f"?lang={lang}",
            "t": text,
            "plain": lambda key, **kw: plain(lang, key, **kw),
            "municipality": self._config.municipality.name,
            "csrf": csrf_of(token),
            "honeypot": HONEYPOT,
            **values,
        }

    def _render(
        self,
        request: web.Request,
        template: str,
        values: Mapping[str, Any],
        *,
        status: int = 200,
    ) -> web.Response:
        token = browser_token(request)
        fresh = token is None
        token = token or new_token()
        lang = self.language(request)
        response = aiohttp_jinja2.render_template(
            template, request, self._context(request, lang, token, **values), status=status
        )
        response.headers["Cache-Control"] = "no-store"
        if fresh:
            set_cookie(response, token, self._web)
        return response

    # -- the municipality's page -----------------------------------------------------------

    async def home(self, request: web.Request) -> web.Response:
        """The themes that run today, per village, with their period and counts."""
        lang = self.language(request)
        municipality = self._config.municipality
        today = self._services.clock.now().astimezone(municipality.tz).date()
        themes = await self._repo.list_active_themes(None, today)
        places: dict[str, list[dict[str, Any]]] = {}
        for theme in themes:
            if note_window(theme, today) != NoteWindow.OPEN:
                continue
            counts = await self._repo.count_notes(theme.id)
            places.setdefault(municipality.place_name(theme.place), []).append(
                {
                    "theme": theme,
                    "period": format_period(theme.starts_on, theme.ends_on, lang),
                    "count": sum(counts.values()),
                }
            )
        return self._render(request, "home.html", {"places": sorted(places.items())})

    # -- a theme's page ---------------------------------------------------------------------

    async def _public_theme(self, request: web.Request) -> Theme:
        theme = await self._repo.get_theme_by_code(request.match_info["code"][:64])
        today = self._services.clock.now().astimezone(self._config.municipality.tz).date()
        if theme is None or theme.status == ThemeStatus.DRAFT:
            raise web.HTTPNotFound()
        if note_window(theme, today) == NoteWindow.NOT_YET:
            raise web.HTTPNotFound()
        return theme

    async def theme(self, request: web.Request) -> web.Response:
        """The theme's board, its form and the writer's own notes."""
        return await self._theme_page(request, await self._public_theme(request), FormState())

    async def _theme_page(
        self, request: web.Request, theme: Theme, form: FormState, *, status: int = 200
    ) -> web.Response:
        lang = self.language(request)
        today = self._services.clock.now().astimezone(self._config.municipality.tz).date()
        try:
            page = max(0, min(int(request.query.get("pagina", "1")) - 1, 10_000))
        except ValueError:
            page = 0
        counts = await self._repo.count_notes(theme.id)
        duplicates = await self._repo.duplicate_counts(theme.id)
        supports = await self._repo.support_counts(theme.id)
        in_person = plain(lang, "square.board.mark")

        def shown(note: Note) -> tuple[Note, str, str]:
            """A note with the words "gedeeld door N" and its mark, as /bord shows them."""
            shared = shared_by(duplicates.get(note.id, 0), supports.get(note.id, 0))
            mark = in_person if note.origin == NoteOrigin.IN_PERSON else ""
            return note, shared_words(lang, shared), mark

        quadrants = []
        for quadrant in QUADRANT_ORDER:
            notes = await self._repo.list_notes(
                theme.id,
                statuses=SHOWN,
                quadrant=quadrant,
                limit=PAGE_SIZE,
                offset=page * PAGE_SIZE,
            )
            quadrants.append(
                {
                    "key": quadrant.value,
                    "name": plain(lang, f"quadrants.{quadrant.value}"),
                    "question": theme.quadrant_questions.get(quadrant.value, ""),
                    "count": number(lang, counts.get(quadrant, 0)),
                    "notes": [shown(n) for n in notes],
                }
            )
        more = any(counts.get(q, 0) > (page + 1) * PAGE_SIZE for q in QUADRANT_ORDER)
        token = browser_token(request)
        mine: list[Note] = []
        if token is not None:
            mine = [
                n
                for n in await self._repo.list_web_notes(writer_of(token))
                if n.theme_id == theme.id
            ]
        username = self._bot_username() or "buurtbot"
        tz = self._config.municipality.tz
        values = {
            "moments": [
                (m, format_when(m.starts_at, lang, tz)) for m in await self._public_moments(theme)
            ],
            "tables": [
                table
                for table in await self._repo.list_tables([theme.id])
                if may_see_table(table, theme, PUBLIC)
            ],
            "theme": theme,
            "period": format_period(theme.starts_on, theme.ends_on, lang),
            "quadrants": quadrants,
            "choices": [(q.value, plain(lang, f"quadrant.{q.value}")) for q in QUADRANT_ORDER],
            "page": page + 1,
            "newer": page > 0,
            "older": more,
            "open": note_window(theme, today) == NoteWindow.OPEN,
            "form": form,
            "mine": mine,
            "done": request.query.get("klaar", ""),
            "telegram_url": f"https://t.me/{username}?start=t_{theme.code}",
            "max_note": MAX_NOTE,
        }
        return self._render(request, "theme.html", values, status=status)

    # -- the screen view for a TV -----------------------------------------------------------

    async def screen(self, request: web.Request) -> web.Response:
        """Full screen, large type, the four quadrants and a big QR code to join."""
        theme = await self._public_theme(request)
        lang = self.language(request)
        quadrants = []
        for quadrant in QUADRANT_ORDER[:4]:
            notes = await self._repo.list_notes(
                theme.id, statuses=SHOWN, quadrant=quadrant, limit=SCREEN_NOTES
            )
            quadrants.append(
                {
                    "key": quadrant.value,
                    "name": plain(lang, f"quadrants.{quadrant.value}"),
                    "notes": notes,
                }
            )
        return self._render(
            request,
            "screen.html",
            {"theme": theme, "quadrants": quadrants, "join_url": self._join_url(theme)},
        )

    def _join_url(self, theme: Theme) -> str:
        if page := self._web.theme_page(theme.code):
            return page
        username = self._bot_username() or "buurtbot"
        return f"https://t.me/{username}?start=t_{theme.code}"

    async def live(self, request: web.Request) -> web.StreamResponse:
        """The screen's event stream: "board" whenever a moderator changes the board."""
        theme = await self._public_theme(request)
        return await self.watch.stream(request, theme.id)

    async def qr(self, request: web.Request) -> web.Response:
        """The QR code of the theme's page (or its deep link), as SVG from /static's origin."""
        theme = await self._public_theme(request)
        image = qrcode.make(self._join_url(theme), image_factory=qrcode.image.svg.SvgPathImage)
        return web.Response(body=image.to_string(), content_type="image/svg+xml")

    # -- the timeline's public moments ------------------------------------------------------

    async def _public_moments(self, theme: Theme) -> list[Moment]:
        tables = {table.id: table for table in await self._repo.list_tables([theme.id])}
        upcoming = await self._repo.upcoming_moments(
            self._services.clock.now(), theme_ids=[theme.id], with_tables=True, limit=MOMENTS
        )
        return [
            m
            for m in upcoming
            if m.status != MomentStatus.CANCELLED
            and may_see_moment(m, theme, tables.get(m.table_id or 0), PUBLIC)
        ]

    async def calendar(self, request: web.Request) -> web.Response:
        """One public moment, or all of them, as a calendar file."""
        theme = await self._public_theme(request)
        lang = self.language(request)
        moments = await self._public_moments(theme)
        wanted = request.match_info.get("moment")
        if wanted is not None:
            moments = [m for m in moments if str(m.id) == wanted]
            if not moments:
                raise web.HTTPNotFound()
        entries = [
            CalendarEntry(
                uid=f"moment-{m.id}@buurtbot",
                title=m.title,
                starts_at=m.starts_at,
                place=m.place,
                description=" · ".join([plain(lang, f"timeline.kind_{m.kind.value}"), theme.title]),
                sequence=m.sequence,
                stamp=m.updated_at,
            )
            for m in moments
        ]
        name = plain(lang, "timeline.calendar_name", municipality=self._config.municipality.name)
        data = calendar_file(entries, self._config.municipality.tz, name)
        filename = f"moment-{wanted}.ics" if wanted else f"tijdlijn-{theme.code}.ics"
        return web.Response(
            body=data,
            content_type="text/calendar",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    # -- writing, changing and deleting a note without an account ----------------------------

    async def _checked_form(self, request: web.Request) -> tuple[str, Mapping[str, Any]]:
        """The browser's token and its form, once the CSRF token proves the form is ours."""
        form = await request.post()
        token = browser_token(request)
        if token is None or not csrf_ok(token, form.get("csrf")):
            raise web.HTTPForbidden(
                text=plain(self.language(request), "web.expired"),
                content_type="text/plain",
            )
        return token, form

    def _read_form(self, lang: str, form: Mapping[str, Any]) -> FormState:
        text = form.get("text", "")
        text = text.strip() if isinstance(text, str) else ""
        quadrant = form.get("quadrant", "")
        quadrant = quadrant if isinstance(quadrant, str) else ""
        state = FormState(text=text, quadrant=quadrant, warned=form.get("warned") == "1")
        if not has_visible_text(text):
            state.errors["text"] = plain(lang, "web.error_empty")
        elif len(text) > MAX_NOTE:
            state.errors["text"] = plain(lang, "web.error_long", count=len(text))
        if quadrant not in {q.value for q in QUADRANT_ORDER}:
            state.errors["quadrant"] = plain(lang, "web.error_place")
        return state

    async def send_note(self, request: web.Request) -> web.Response:
        """A note from the form: checked like the chat's, then waiting for a moderator."""
        theme = await self._public_theme(request)
        token, form = await self._checked_form(request)
        lang = self.language(request)
        back = f"/thema/{theme.code}?lang={lang}"
        if form.get(HONEYPOT):
            # Only a program fills in the hidden field: thank it and keep nothing.
            raise web.HTTPSeeOther(f"{back}&klaar=sent#mijn")
        today = self._services.clock.now().astimezone(self._config.municipality.tz).date()
        if note_window(theme, today) != NoteWindow.OPEN:
            raise web.HTTPSeeOther(back)
        state = self._read_form(lang, form)
        if state.errors:
            return await self._theme_page(request, theme, state, status=400)
        if candidates(state.text) and not state.warned:
            # The chat's contact-details warning: once, then the writer decides.
            state.warning = plain(lang, "web.contact_warning")
            state.warned = True
            return await self._theme_page(request, theme, state, status=200)
        writer = writer_of(token)
        if not self._limit.allow("b:" + writer, "a:" + visitor_address(request, self._web)):
            response = self._render(
                request, "too_many.html", {"theme": theme, "form": state}, status=429
            )
            response.headers["Retry-After"] = str(self._web.window_minutes * 60)
            return response
        await self._repo.add_web_note(
            theme_id=theme.id, quadrant=Quadrant(state.quadrant), text=state.text, writer=writer
        )
        if self._services.digests is not None:
            self._services.digests.wake()
        _log.info("a web note for theme %s waits for a moderator", theme.id)
        raise web.HTTPSeeOther(f"{back}&klaar=sent#mijn")

    async def _own_note(self, request: web.Request, writer: str) -> Note:
        try:
            note_id = int(request.match_info["note"])
        except ValueError:
            raise web.HTTPNotFound() from None
        for note in await self._repo.list_web_notes(writer):
            if note.id == note_id:
                return note
        raise web.HTTPNotFound()

    async def _theme_of(self, note: Note) -> Theme:
        theme = await self._repo.get_theme(note.theme_id)
        if theme is None:
            raise web.HTTPNotFound()
        return theme

    async def change_note(self, request: web.Request) -> web.Response:
        """The writer changes their note; it waits for a moderator again."""
        token, form = await self._checked_form(request)
        writer = writer_of(token)
        note = await self._own_note(request, writer)
        theme = await self._theme_of(note)
        lang = self.language(request)
        state = self._read_form(lang, form)
        if state.errors:
            return await self._theme_page(request, theme, state, status=400)
        await self._repo.change_web_note(
            note.id, writer, text=state.text, quadrant=Quadrant(state.quadrant)
        )
        raise web.HTTPSeeOther(f"/thema/{theme.code}?lang={lang}&klaar=changed#mijn")

    async def delete_note(self, request: web.Request) -> web.Response:
        """The writer deletes one of their notes; it leaves the board at once."""
        token, _ = await self._checked_form(request)
        writer = writer_of(token)
        note = await self._own_note(request, writer)
        theme = await self._theme_of(note)
        await self._repo.delete_web_notes(writer, note.id)
        lang = self.language(request)
        raise web.HTTPSeeOther(f"/thema/{theme.code}?lang={lang}&klaar=deleted#mijn")

    async def delete_all(self, request: web.Request) -> web.Response:
        """Erase every note this browser wrote."""
        token, form = await self._checked_form(request)
        await self._repo.delete_web_notes(writer_of(token))
        lang = self.language(request)
        back = form.get("back", "")
        code = back if isinstance(back, str) and back.isalnum() else ""
        target = f"/thema/{code}" if code else "/"
        raise web.HTTPSeeOther(f"{target}?lang={lang}&klaar=deleted_all#mijn")

    # -- the statements ---------------------------------------------------------------------

    async def privacy(self, request: web.Request) -> web.Response:
        """The same statement as the chat's /privacy, and what the web pages keep."""
        return self._render(request, "privacy.html", {})

    async def accessibility(self, request: web.Request) -> web.Response:
        """The accessibility statement, with what the municipality filled in."""
        return self._render(
            request,
            "accessibility.html",
            {
                "contact": self._web.accessibility_contact,
                "status_text": self._web.accessibility_status,
            },
        )


STATUS_KEYS = {
    NoteStatus.PENDING: "web.status_pending",
    NoteStatus.VISIBLE: "web.status_visible",
    NoteStatus.HIDDEN: "web.status_hidden",
    NoteStatus.DRAFT: "web.status_pending",
}
