"""Draw the theme poster for the pin board: an A4 PDF to print and a PNG preview of it.

The poster invites the village to the talk about the current theme: a big title, the
invitation, place and period, and a large QR code that opens the bot with the theme's deep
link, with the link written out for people who cannot scan. Both outputs come from one
layout in millimetres, so the preview shows exactly what will be printed.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import qrcode
import qrcode.constants
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from bot.render.drawing import png_bytes

# The board's colours, fonts and text rules (leave out what the font cannot draw, wrap, cut
# with "…"), so the poster and the board look related and treat text alike.
from bot.render.palette import (
    BAND,
    INK,
    PRINT_MUTED_INK,
    QUADRANT_PALETTES,
    QUADRANTS,
    RGB,
    WHITE,
    blend,
)
from bot.render.paper import A4_HEIGHT_MM, A4_WIDTH_MM, start_pdf
from bot.render.text_fit import wrap_measured
from bot.render.typeface import PDF_FAMILY, Font, font, font_bytes
from bot.render.wording import label_language

PNG_WIDTH = 1240

_MM_PER_PT = 25.4 / 72
# Text is measured with a font this many pixels high and scaled to millimetres; big enough
# that hinting does not make the measurements coarse.
_MEASURE_PX = 200
# fpdf2 and Pillow measure the same font a hair differently; wrapping a little early keeps a
# line that just fits in one from overflowing in the other.
_WIDTH_SLACK = 0.97

_MARGIN = 16.0
_CONTENT_WIDTH = A4_WIDTH_MM - 2 * _MARGIN


@dataclass(frozen=True)
class PosterContent:
    """What the poster says; every field is shown as given, only wrapped and shrunk to fit."""

    title: str
    invitation: str
    place: str
    period: str
    deep_link: str
    municipality: str
    web_page: str = ""
    """The theme's public web page, for those without Telegram ("" when there are none)."""


@dataclass(frozen=True)
class _Labels:
    kicker: str
    kicker_no_place: str
    scan: str
    camera: str
    fallback: str
    no_telegram: str
    municipality: str
    municipality_prefix: str


_LABELS: Mapping[str, _Labels] = {
    "nl": _Labels(
        kicker="Dorpsgesprek in {place}",
        kicker_no_place="Dorpsgesprek",
        scan="Scan de code en praat mee via Telegram",
        camera="Richt de camera van je telefoon op de code.",
        fallback="Lukt scannen niet? Ga dan naar:",
        no_telegram="Geen Telegram? Lees en schrijf mee op {url}",
        municipality="Gemeente {name}",
        municipality_prefix="gemeente",
    ),
    "en": _Labels(
        kicker="Village talk in {place}",
        kicker_no_place="Village talk",
        scan="Scan the code and join the talk on Telegram",
        camera="Point your phone’s camera at the code.",
        fallback="Can’t scan? Go to:",
        no_telegram="No Telegram? Read and write along at {url}",
        municipality="Municipality of {name}",
        municipality_prefix="municipality",
    ),
}

_PAPER: RGB = (250, 246, 239)
_BAND_SOFT: RGB = (255, 218, 200)
_CARD_EDGE: RGB = (226, 217, 203)
_FOOTER: RGB = (62, 50, 46)
_SHADOW: RGB = (120, 45, 28)
# The sticky-note colours of the brainstorm board, so the poster and the board look related.
_NOTE_COLOURS: tuple[RGB, ...] = tuple(QUADRANT_PALETTES[key].note for key in QUADRANTS)
_NOTE_TILTS = (-9.0, 6.0, -4.0, 8.0)


# --- layout primitives, in millimetres from the top-left corner -----------------------------


@dataclass(frozen=True)
class _Rect:
    x: float
    y: float
    w: float
    h: float
    fill: RGB
    radius: float = 0.0
    outline: RGB | None = None


@dataclass(frozen=True)
class _Polygon:
    points: tuple[tuple[float, float], ...]
    fill: RGB


@dataclass(frozen=True)
class _Text:
    x: float
    baseline: float
    text: str
    size: float  # points
    bold: bool
    fill: RGB


@dataclass(frozen=True)
class _Qr:
    x: float
    y: float
    size: float
    modules: tuple[tuple[bool, ...], ...]
    fill: RGB


@dataclass(frozen=True)
class _Link:
    x: float
    y: float
    w: float
    h: float
    url: str


_Shape = _Rect | _Polygon | _Text | _Qr | _Link


# --- text fitting --------------------------------------------------------------------------


def _em(size: float) -> float:
    return size * _MM_PER_PT


class _PrintMetricsFont(ImageFont.FreeTypeFont):
    """A font that measures text as the wider of its shaped and its unshaped width.

    Pillow shapes text for the preview (it joins Arabic letters, kerns Latin pairs), while
    fpdf2 prints the plain advance of every character; a line measured both ways fits both.
    """

    def __init__(self, data: bytes, size: int) -> None:
        super().__init__(io.BytesIO(data), size)
        self._advances: dict[str, float] = {}

    def getlength(
        self,
        text: str | bytes,
        mode: str = "",
        direction: str | None = None,
        features: list[str] | None = None,
        language: str | None = None,
    ) -> float:
        shaped = super().getlength(text, mode, direction, features, language)
        if isinstance(text, bytes):
            return shaped
        unshaped = 0.0
        for char in text:
            advance = self._advances.get(char)
            if advance is None:
                advance = self._advances[char] = super().getlength(char)
            unshaped += advance
        return max(shaped, unshaped)


@cache
def _measuring_font(bold: bool) -> Font:
    """Return the font text is measured in: print metrics, else whatever draws the preview."""
    data = font_bytes(bold)
    if data is None:
        return font(bold, _MEASURE_PX)
    return _PrintMetricsFont(data, _MEASURE_PX)


def _wrap_mm(
    text: str, bold: bool, size: float, width: float, max_lines: int
) -> tuple[list[str], bool]:
    """Wrap text to lines at most width mm wide in size pt; also say whether text was cut."""
    limit = width * _MEASURE_PX / _em(size) * _WIDTH_SLACK
    return wrap_measured(text, bold, _measuring_font(bold), [limit], max_lines)


def _fit_block(
    text: str,
    bold: bool,
    sizes: Sequence[float],
    width: float,
    height: float,
    pitch: float,
    max_lines: int = 99,
) -> tuple[float, list[str]]:
    """Return the largest size, and its lines, at which text fits the box without cutting.

    sizes run from large to small; pitch is the line distance as a multiple of the size.
    When even the smallest size does not fit, its lines come back cut with "…".
    """

    def attempt(size: float) -> tuple[list[str], bool]:
        room = math.floor((height - _em(size)) / (_em(size) * pitch)) + 1
        return _wrap_mm(text, bold, size, width, max(1, min(max_lines, room)))

    # Smaller text never needs more room, so a binary search finds the largest fitting size
    # in a handful of wraps: long texts at forty candidate sizes would be slow.
    low, high = 0, len(sizes) - 1
    best = attempt(sizes[high])
    if best[1]:
        return sizes[high], best[0]
    while low < high:
        middle = (low + high) // 2
        lines, cut = attempt(sizes[middle])
        if cut:
            low = middle + 1
        else:
            high = middle
            best = (lines, cut)
    return sizes[high], best[0]


def _sizes(largest: int, smallest: int) -> list[float]:
    return [float(size) for size in range(largest, smallest - 1, -1)]


def _block(
    x: float,
    top: float,
    lines: Sequence[str],
    size: float,
    bold: bool,
    fill: RGB,
    pitch: float,
) -> tuple[list[_Shape], float]:
    """Lay out lines from top; return the shapes and the y just below the last line."""
    # DejaVu's ascender is about 0.93 em and its descender about 0.24 em.
    shapes: list[_Shape] = []
    step = _em(size) * pitch
    baseline = top + _em(size) * 0.93
    for line in lines:
        shapes.append(_Text(x, baseline, line, size, bold, fill))
        baseline += step
    bottom = top + _em(size) * 1.17 + step * max(0, len(lines) - 1)
    return shapes, bottom if lines else top


# --- the poster layout ---------------------------------------------------------------------


def qr_payload(content: PosterContent) -> str:
    """Return exactly what the poster's QR code encodes: the deep link, trimmed."""
    return content.deep_link.strip()


@cache
def _qr_modules(payload: str) -> tuple[tuple[bool, ...], ...]:
    # Q corrects a quarter of the code, enough for a scuffed or half-shaded print on a busy
    # pin board; the quiet zone is drawn by the white card around the code.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


def _short_link(link: str) -> str:
    for scheme in ("https://", "http://"):
        if link.lower().startswith(scheme):
            return link[len(scheme) :]
    return link


def _municipality_line(name: str, labels: _Labels) -> str:
    name = " ".join(name.split())
    if not name:
        return name
    if name.lower().startswith(labels.municipality_prefix + " "):
        # Given as "gemeente Renkum": it opens the line, so it gets a capital.
        return name[0].upper() + name[1:]
    return labels.municipality.format(name=name)


def _sticky_notes(right: float, centre_y: float) -> list[_Shape]:
    shapes: list[_Shape] = []
    side = 15.0
    step = 12.5
    for index, (colour, tilt) in enumerate(zip(_NOTE_COLOURS, _NOTE_TILTS, strict=True)):
        cx = right - side / 2 - step * (len(_NOTE_COLOURS) - 1 - index)
        cy = centre_y + (2.0 if index % 2 else -1.0)
        angle = math.radians(tilt)
        corners = []
        for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            hx, hy = dx * side / 2, dy * side / 2
            corners.append(
                (
                    cx + hx * math.cos(angle) - hy * math.sin(angle),
                    cy + hx * math.sin(angle) + hy * math.cos(angle),
                )
            )
        shadow = tuple((x + 0.6, y + 0.9) for x, y in corners)
        shapes.append(_Polygon(shadow, blend(_SHADOW, _PAPER, 0.55)))
        shapes.append(_Polygon(tuple(corners), colour))
    return shapes


def _height(size: float, lines: int, pitch: float) -> float:
    return _em(size) * (1.17 + pitch * (lines - 1)) if lines else 0.0


def _layout(content: PosterContent, labels: _Labels) -> list[_Shape]:
    """Place everything on the page: backgrounds first, then the text in reading order.

    Reading order matters for the PDF: it is the order in which text is copied out of it and
    read aloud by a screen reader.
    """
    notes_width = 4 * 12.5 + 6

    # The band at the top says what, where and when; it grows with the title.
    place = " ".join(content.place.split())
    kicker = labels.kicker.format(place=place) if place else labels.kicker_no_place
    kicker_size, kicker_lines = _fit_block(kicker, True, _sizes(16, 10), _CONTENT_WIDTH, 0, 1.2)
    kicker_text, y = _block(_MARGIN, 16, kicker_lines, kicker_size, True, _BAND_SOFT, 1.2)
    title_size, title_lines = _fit_block(
        content.title, True, _sizes(66, 26), _CONTENT_WIDTH, 66, 1.12, max_lines=4
    )
    title_text, y = _block(_MARGIN, y + 4, title_lines, title_size, True, WHITE, 1.12)
    period_size, period_lines = _fit_block(
        content.period, False, _sizes(22, 12), _CONTENT_WIDTH - notes_width, 0, 1.2
    )
    period_text, y = _block(_MARGIN, y + 5, period_lines, period_size, False, WHITE, 1.2)
    band_bottom = y + 14

    # The bottom is built from the foot of the page up: footer, written-out link, QR code.
    footer_top = A4_HEIGHT_MM - 18
    footer = _municipality_line(content.municipality, labels)
    footer_size, footer_lines = _fit_block(footer, True, _sizes(18, 10), _CONTENT_WIDTH, 0, 1.2)
    footer_text, _ = _block(
        _MARGIN,
        footer_top + (18 - _height(footer_size, 1, 1.2)) / 2,
        footer_lines,
        footer_size,
        True,
        WHITE,
        1.2,
    )

    payload = qr_payload(content)
    link = _short_link(payload)
    qr_row: list[_Shape] = []
    qr_text: list[_Shape] = []
    link_text: list[_Shape] = []
    invitation_bottom = footer_top - 12
    if link:
        # One line in the largest size that fits; a link too long for that goes on two lines.
        link_size, link_lines = _fit_block(link, True, _sizes(20, 12), _CONTENT_WIDTH, 0, 1.15)
        if _wrap_mm(link, True, link_size, _CONTENT_WIDTH, 1)[1]:
            link_size, link_lines = _fit_block(
                link, True, _sizes(16, 9), _CONTENT_WIDTH, _height(16, 2, 1.15), 1.15
            )
        link_bottom = footer_top - 9
        link_top = link_bottom - _height(link_size, len(link_lines), 1.15)
        hint_size = 13.0
        hint_lines, _cut = _wrap_mm(labels.fallback, False, hint_size, _CONTENT_WIDTH, 1)
        hint_top = link_top - 1.5 - _height(hint_size, 1, 1.2)
        link_text, _ = _block(_MARGIN, hint_top, hint_lines, hint_size, False, PRINT_MUTED_INK, 1.2)
        link_text += _block(_MARGIN, link_top, link_lines, link_size, True, INK, 1.15)[0]
        link_text.append(_Link(_MARGIN, hint_top, _CONTENT_WIDTH, link_bottom - hint_top, payload))

        above = hint_top
        if content.web_page:
            # Most villagers use WhatsApp, not Telegram: the theme's web page takes them too.
            web_size = 13.0
            words = labels.no_telegram.format(url=content.web_page)
            web_lines, _cut = _wrap_mm(words, True, web_size, _CONTENT_WIDTH, 2)
            above = hint_top - 4 - _height(web_size, len(web_lines), 1.2)
            link_text += _block(_MARGIN, above, web_lines, web_size, True, BAND, 1.2)[0]
            link_text.append(
                _Link(_MARGIN, above, _CONTENT_WIDTH, hint_top - above, content.web_page)
            )

        card = 76.0
        padding = 5.0
        qr_top = above - 7 - card
        qr_row = [
            _Rect(_MARGIN, qr_top, card, card, WHITE, radius=3, outline=_CARD_EDGE),
            _Qr(_MARGIN + padding, qr_top + padding, card - 2 * padding, _qr_modules(payload), INK),
            _Link(_MARGIN, qr_top, card, card, payload),
        ]
        side_x = _MARGIN + card + 10
        side_width = A4_WIDTH_MM - _MARGIN - side_x
        scan_size, scan_lines = _fit_block(labels.scan, True, _sizes(30, 16), side_width, 50, 1.15)
        camera_size = 15.0
        camera_lines, _cut = _wrap_mm(labels.camera, False, camera_size, side_width, 3)
        side_height = (
            _height(scan_size, len(scan_lines), 1.15)
            + 6
            + _height(camera_size, len(camera_lines), 1.3)
        )
        qr_text, y = _block(
            side_x, qr_top + (card - side_height) / 2, scan_lines, scan_size, True, BAND, 1.15
        )
        qr_text += _block(side_x, y + 6, camera_lines, camera_size, False, INK, 1.3)[0]
        invitation_bottom = qr_top - 9

    # The invitation takes the room that is left, centred in it, and shrinks to fit.
    top = band_bottom + 14
    room = invitation_bottom - top
    size, lines = _fit_block(content.invitation, False, _sizes(24, 12), _CONTENT_WIDTH, room, 1.35)
    slack = max(0.0, room - _height(size, len(lines), 1.35))
    invitation_text, _ = _block(_MARGIN, top + slack / 2, lines, size, False, INK, 1.35)

    background: list[_Shape] = [
        _Rect(0, 0, A4_WIDTH_MM, A4_HEIGHT_MM, _PAPER),
        _Rect(0, 0, A4_WIDTH_MM, band_bottom, BAND),
        *_sticky_notes(A4_WIDTH_MM - _MARGIN, band_bottom),
        _Rect(0, footer_top, A4_WIDTH_MM, A4_HEIGHT_MM - footer_top, _FOOTER),
        *qr_row,
    ]
    return [
        *background,
        *kicker_text,
        *title_text,
        *period_text,
        *invitation_text,
        *qr_text,
        *link_text,
        *footer_text,
    ]


# --- PDF -----------------------------------------------------------------------------------


def _pdf_qr(pdf: FPDF, qr: _Qr) -> None:
    if not qr.modules:
        return
    module = qr.size / len(qr.modules)
    pdf.set_fill_color(*qr.fill)
    for row_index, row in enumerate(qr.modules):
        # One rectangle per run of dark modules keeps the PDF small and free of hairline gaps.
        start: int | None = None
        for col, dark in enumerate((*row, False)):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                pdf.rect(
                    qr.x + start * module,
                    qr.y + row_index * module,
                    (col - start) * module,
                    module,
                    style="F",
                )
                start = None


def render_poster_pdf(content: PosterContent, *, language: str = "nl") -> bytes:
    """Return the poster as a one-page A4 portrait PDF with real, selectable text.

    The shipped DejaVu fonts are embedded, so any text the fonts can draw prints as is;
    characters they cannot draw (such as emoji) are left out.
    """
    labels = _LABELS[label_language(language)]
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margin(0)
    start_pdf(pdf, title=" ".join(content.title.split()), language=language)
    pdf.add_page()
    for shape in _layout(content, labels):
        if isinstance(shape, _Rect):
            style = "FD" if shape.outline else "F"
            pdf.set_fill_color(*shape.fill)
            if shape.outline:
                pdf.set_draw_color(*shape.outline)
                pdf.set_line_width(0.4)
            pdf.rect(
                shape.x,
                shape.y,
                shape.w,
                shape.h,
                style=style,
                round_corners=shape.radius > 0,
                corner_radius=shape.radius,
            )
        elif isinstance(shape, _Polygon):
            pdf.set_fill_color(*shape.fill)
            pdf.polygon(list(shape.points), style="F")
        elif isinstance(shape, _Text):
            pdf.set_font(PDF_FAMILY, "B" if shape.bold else "", shape.size)
            pdf.set_text_color(*shape.fill)
            pdf.text(shape.x, shape.baseline, shape.text)
        elif isinstance(shape, _Qr):
            _pdf_qr(pdf, shape)
        else:
            pdf.link(shape.x, shape.y, shape.w, shape.h, shape.url)
    return bytes(pdf.output())


# --- PNG -----------------------------------------------------------------------------------


def _png_qr(draw: ImageDraw.ImageDraw, qr: _Qr, scale: float) -> None:
    if not qr.modules:
        return
    count = len(qr.modules)
    # Module edges are rounded once and shared by neighbours, so every module is a whole
    # number of pixels and no seams appear between them.
    edges_x = [round((qr.x + qr.size * i / count) * scale) for i in range(count + 1)]
    edges_y = [round((qr.y + qr.size * i / count) * scale) for i in range(count + 1)]
    for r, row in enumerate(qr.modules):
        for c, dark in enumerate(row):
            if dark:
                draw.rectangle(
                    (edges_x[c], edges_y[r], edges_x[c + 1] - 1, edges_y[r + 1] - 1), fill=qr.fill
                )


def render_poster_png(
    content: PosterContent, *, language: str = "nl", width: int = PNG_WIDTH
) -> bytes:
    """Return the same poster as a PNG preview in A4 proportions (1240 x 1754 by default)."""
    labels = _LABELS[label_language(language)]
    width = max(200, width)
    height = round(width * A4_HEIGHT_MM / A4_WIDTH_MM)
    scale = width / A4_WIDTH_MM
    canvas = Image.new("RGB", (width, height), _PAPER)
    draw = ImageDraw.Draw(canvas)
    for shape in _layout(content, labels):
        if isinstance(shape, _Rect):
            box = (
                round(shape.x * scale),
                round(shape.y * scale),
                round((shape.x + shape.w) * scale) - 1,
                round((shape.y + shape.h) * scale) - 1,
            )
            outline_width = max(1, round(0.4 * scale)) if shape.outline else 0
            draw.rounded_rectangle(
                box,
                radius=round(shape.radius * scale),
                fill=shape.fill,
                outline=shape.outline,
                width=outline_width,
            )
        elif isinstance(shape, _Polygon):
            draw.polygon([(x * scale, y * scale) for x, y in shape.points], fill=shape.fill)
        elif isinstance(shape, _Text):
            shape_font = font(shape.bold, max(1, round(_em(shape.size) * scale)))
            draw.text(
                (shape.x * scale, shape.baseline * scale),
                shape.text,
                font=shape_font,
                fill=shape.fill,
                anchor="ls",
            )
        elif isinstance(shape, _Qr):
            _png_qr(draw, shape, scale)
    return png_bytes(canvas)
