from __future__ import annotations

import io
import time
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from bot.render import poster
from bot.render.poster import (
    A4_HEIGHT_MM,
    A4_WIDTH_MM,
    PNG_WIDTH,
    PosterContent,
    qr_payload,
    render_poster_pdf,
    render_poster_png,
)

CONTENT = PosterContent(
    title="Samen wonen, jong en oud",
    invitation=(
        "Hoe willen we in Doorwerth samen wonen, als jongere en als oudere? "
        "Vertel wat je wenst, wat al goed gaat en wat je nog wilt weten."
    ),
    place="Doorwerth",
    period="12 maart – 23 april 2027",
    deep_link="https://t.me/buurtbot_demo_bot?start=t_ab3k9x2m",
    municipality="Renkum",
)

A4_POINTS = (595.28, 841.89)

NASTY = [
    replace(
        CONTENT, title="Hart voor elkaar <3 & > \"quotes\" 'n' \\ back", place="<b>Oosterbeek</b>"
    ),
    replace(
        CONTENT, title="Gezond Doorwerth 🌳🎉👍🏽 👨‍👩‍👧", invitation="Kom je ook? ❤️ 😊 \U0001faf6"
    ),
    replace(CONTENT, title="", invitation="", place="", period="", municipality=""),
    replace(CONTENT, title="   \n\t ", invitation="\n\n\n", place="\u200b", period=" "),
    replace(CONTENT, title="مرحبا بكم في دورويرث", invitation="שלום לכולם, עוד ספסלים בפארק"),
    replace(
        CONTENT, title="中文字符 and 日本語", invitation="\u202ereversed\u202c \x00\x01 \ud800"
    ),
    replace(CONTENT, title="e\u0301" * 300, invitation="x" * 5000),
    replace(CONTENT, title="Donaudampfschifffahrtsgesellschaftskapitänswitwenrente" * 3),
    replace(CONTENT, invitation="Een zin die best wel lang is en doorgaat. " * 200),
    replace(CONTENT, period="van maandag 12 maart 2027 tot en met vrijdag 23 april 2027 " * 4),
    replace(CONTENT, municipality="gemeente Renkum " * 20),
    replace(CONTENT, deep_link="https://t.me/buurtbot_demo_bot?start=t_" + "x" * 62),
    replace(CONTENT, deep_link="  https://t.me/buurtbot_demo_bot?start=t_ab3k9x2m\n"),
]


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(reader.pages[0].extract_text().split())


def _decode(png: bytes) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_pdf_is_one_a4_portrait_page(language: str) -> None:
    reader = PdfReader(io.BytesIO(render_poster_pdf(CONTENT, language=language)))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4_POINTS[0], abs=1)
    assert float(box.height) == pytest.approx(A4_POINTS[1], abs=1)


@pytest.mark.parametrize(
    ("language", "scan"),
    [
        ("nl", "Scan de code en praat mee via Telegram"),
        ("en", "Scan the code and join the talk on Telegram"),
    ],
)
def test_pdf_has_real_text_in_the_chosen_language(language: str, scan: str) -> None:
    text = _pdf_text(render_poster_pdf(CONTENT, language=language))

    assert CONTENT.title in text
    assert CONTENT.period in text
    assert "Doorwerth" in text
    assert "Renkum" in text
    assert scan in text
    # Written out for whoever cannot scan, without the scheme nobody needs to type.
    assert "t.me/buurtbot_demo_bot?start=t_ab3k9x2m" in text


def test_pdf_embeds_the_shipped_font_and_links_to_the_bot() -> None:
    page = PdfReader(io.BytesIO(render_poster_pdf(CONTENT))).pages[0]

    resources = page["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    fonts = resources["/Font"].get_object()
    assert isinstance(fonts, DictionaryObject)
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert names
    assert all("DejaVu" in name for name in names)
    uris = {annot.get_object()["/A"]["/URI"] for annot in page.get("/Annots", [])}
    assert uris == {CONTENT.deep_link}


def test_png_preview_has_a4_proportions() -> None:
    image = Image.open(io.BytesIO(render_poster_png(CONTENT)))
    assert image.size == (1240, 1754)
    assert PNG_WIDTH == 1240

    small = Image.open(io.BytesIO(render_poster_png(CONTENT, width=620)))
    assert small.size == (620, 877)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_qr_code_decodes_to_the_deep_link(language: str) -> None:
    png = render_poster_png(CONTENT, language=language)

    found = _decode(png)
    assert [barcode.text for barcode in found] == [CONTENT.deep_link]
    assert qr_payload(CONTENT) == CONTENT.deep_link


def test_qr_code_is_at_least_six_centimetres_when_printed() -> None:
    png = render_poster_png(CONTENT)
    (barcode,) = _decode(png)
    position = barcode.position

    pixels_per_mm = PNG_WIDTH / A4_WIDTH_MM
    width_mm = (position.top_right.x - position.top_left.x) / pixels_per_mm
    height_mm = (position.bottom_left.y - position.top_left.y) / pixels_per_mm
    assert width_mm >= 60
    assert height_mm >= 60


def test_english_and_dutch_posters_differ() -> None:
    assert render_poster_png(CONTENT, language="nl") != render_poster_png(CONTENT, language="en")


@pytest.mark.parametrize("content", NASTY, ids=range(len(NASTY)))
def test_nasty_texts_give_one_page_and_a_working_code(content: PosterContent) -> None:
    pdf = render_poster_pdf(content)
    png = render_poster_png(content, width=900)

    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert Image.open(io.BytesIO(png)).size == (900, 1273)
    if content.deep_link.strip():
        assert [barcode.text for barcode in _decode(png)] == [content.deep_link.strip()]


def test_very_long_title_still_fits_one_page_and_starts_as_given() -> None:
    title = "Nieuw wonen voor jongeren en ouderen in het hele dorp " * 12
    content = replace(CONTENT, title=title)

    pdf = render_poster_pdf(content)

    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = _pdf_text(pdf)
    assert "Nieuw wonen voor jongeren" in text
    assert "…" in text
    # The bottom half of the poster is still intact below the long title.
    assert "Scan de code en praat mee via Telegram" in text
    assert [barcode.text for barcode in _decode(render_poster_png(content))] == [CONTENT.deep_link]


def test_emoji_are_left_out_not_drawn_as_boxes() -> None:
    # U+1FAF6 (heart hands) is not in DejaVu Sans; it must not reach the PDF.
    content = replace(CONTENT, title="Hart voor elkaar \U0001faf6")

    text = _pdf_text(render_poster_pdf(content))

    assert "Hart voor elkaar" in text
    assert "\U0001faf6" not in text


def test_no_deep_link_leaves_out_the_code() -> None:
    content = replace(CONTENT, deep_link="")

    assert _decode(render_poster_png(content)) == []
    assert "Scan de code" not in _pdf_text(render_poster_pdf(content))


def test_municipality_is_named_once() -> None:
    plain = _pdf_text(render_poster_pdf(CONTENT))
    given = _pdf_text(render_poster_pdf(replace(CONTENT, municipality="gemeente Renkum")))

    assert "Gemeente Renkum" in plain
    assert "Gemeente Renkum" in given
    assert "Gemeente gemeente" not in given
    assert "Municipality of Renkum" in _pdf_text(render_poster_pdf(CONTENT, language="en"))


def test_generation_is_quick() -> None:
    render_poster_pdf(CONTENT)
    render_poster_png(CONTENT)
    # The best of a few runs, so a busy test machine does not make this flaky.
    pdf_times, png_times = [], []
    for _ in range(3):
        start = time.perf_counter()
        render_poster_pdf(CONTENT)
        pdf_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_poster_png(CONTENT)
        png_times.append(time.perf_counter() - start)
    assert min(pdf_times) < 0.5
    assert min(png_times) < 0.5


@pytest.fixture(scope="module")
def pdf() -> FPDF:
    """A PDF document with the poster's fonts, to measure text with the printer's metrics."""
    document = FPDF(unit="mm", format="A4")
    fonts = Path(poster.__file__).parent / "fonts"
    document.add_font("DejaVu", "", fname=fonts / "DejaVuSans.ttf")
    document.add_font("DejaVu", "B", fname=fonts / "DejaVuSans-Bold.ttf")
    return document


@pytest.mark.parametrize("content", [CONTENT, *NASTY], ids=range(len(NASTY) + 1))
@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_line_stays_inside_the_margins(
    content: PosterContent, language: str, pdf: FPDF
) -> None:
    labels = poster._LABELS[language]
    texts = [s for s in poster._layout(content, labels) if isinstance(s, poster._Text)]

    for text in texts:
        pdf.set_font("DejaVu", "B" if text.bold else "", text.size)
        right = text.x + pdf.get_string_width(text.text)
        assert right <= A4_WIDTH_MM - 15, text
        assert 0 < text.baseline < A4_HEIGHT_MM, text
    # Lines never overlap: each starts below the one before it in its column.
    for column in {text.x for text in texts}:
        baselines = [text.baseline for text in texts if text.x == column]
        assert baselines == sorted(baselines)


@pytest.mark.parametrize(
    ("language", "words"),
    [("nl", "Geen Telegram? Lees en schrijf mee op"), ("en", "No Telegram? Read and write along")],
)
def test_the_poster_names_the_web_page_for_those_without_telegram(
    language: str, words: str
) -> None:
    page = "https://dorpsgesprek.renkum.nl/thema/abc123"
    content = replace(CONTENT, web_page=page)
    pdf = render_poster_pdf(content, language=language)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join((reader.pages[0].extract_text() or "").split())
    assert words in text and page in text
    # The QR code still takes Telegram users straight to the chat.
    found = _decode(render_poster_png(content, language=language))
    assert [barcode.text for barcode in found] == [CONTENT.deep_link]
    assert words not in " ".join(
        (
            PdfReader(io.BytesIO(render_poster_pdf(CONTENT, language=language)))
            .pages[0]
            .extract_text()
            or ""
        ).split()
    )
