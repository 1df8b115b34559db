"""The catalogs: both languages complete, placeholders alike, every text valid Telegram HTML."""

from __future__ import annotations

import pytest

from bot.chat.text_limits import shorten, split_html, visible_length
from bot.core.i18n import LANGUAGES, Html, catalog, escape, pick_language, placeholders, plain, t
from playground.html_entities import parse_html


def test_every_language_has_every_key() -> None:
    dutch = set(catalog("nl"))
    for language in LANGUAGES:
        assert set(catalog(language)) == dutch, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match_dutch(language: str) -> None:
    for key, text in catalog(language).items():
        assert placeholders(text) == placeholders(catalog("nl")[key]), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_valid_telegram_html(language: str) -> None:
    nasty = "Hart voor elkaar <3 & meer"
    for key, text in catalog(language).items():
        filled = t(language, key, **dict.fromkeys(placeholders(text), nasty))
        plain_text, _ = parse_html(filled)  # raises on what Telegram would refuse
        assert plain_text.strip(), key


def test_values_are_escaped_unless_already_html() -> None:
    assert t("nl", "start.ask_neighbourhood", village="<b>&").count("&lt;b&gt;&amp;") == 1
    assert "<b>x</b>" in t("nl", "start.ask_neighbourhood", village=Html("<b>x</b>"))
    assert escape("a < b & c") == "a &lt; b &amp; c"


def test_plain_strips_markup() -> None:
    assert plain(
        "nl", "board.caption", title="T & U", wish=1, example=2, possibility=3, question=4
    ).startswith("Brainstormbord: T & U")


@pytest.mark.parametrize(
    ("stored", "telegram", "expected"),
    [
        (None, None, "nl"),
        (None, "en-GB", "en"),
        (None, "de", "nl"),
        ("nl", "en", "nl"),
        ("en", "nl", "en"),
    ],
)
def test_language_choice(stored: str | None, telegram: str | None, expected: str) -> None:
    assert pick_language(stored, telegram) == expected


def test_shorten_counts_utf16_and_marks_the_cut() -> None:
    assert shorten("abc", 5) == "abc"
    cut = shorten("😀" * 10, 7)
    assert cut.endswith("…")
    assert len(cut.encode("utf-16-le")) // 2 <= 7


def test_split_html_keeps_parts_within_the_limit() -> None:
    line = "• " + escape("<3 & meer " * 20)
    text = Html("\n".join([line] * 100))
    parts = split_html(text, 1000)
    assert len(parts) > 1
    for part in parts:
        assert visible_length(part) <= 1000
        parse_html(part)
