"""The catalogs: both languages complete, placeholders alike, every text valid Telegram HTML."""

from __future__ import annotations

import re

import pytest

from bot.chat.text_limits import shorten, split_html, visible_length
from bot.core.i18n import (
    LANGUAGES,
    Html,
    catalog,
    escape,
    merge_files,
    pick_language,
    placeholders,
    plain,
    plural,
    t,
)
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


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("nl", 1, "en nog 1 ander"),
        ("nl", 3, "en nog 3 anderen"),
        ("nl", 0, "en nog 0 anderen"),  # without a zero form, none is plural
        ("en", 1, "and 1 other"),
        ("en", 3, "and 3 others"),
        ("en", 0, "and 0 others"),
    ],
)
def test_plural_one_and_other(language: str, count: int, expected: str) -> None:
    assert t(language, "tables.who_others", count=count) == expected


@pytest.mark.parametrize(
    ("language", "count", "start"),
    [
        ("nl", 0, "Er zijn nog geen gesprekstafels."),
        ("nl", 1, "Er is 1 gesprekstafel om mee verder te gaan"),
        ("nl", 2, "Er zijn 2 gesprekstafels om mee verder te gaan"),
        ("en", 0, "There are no conversation tables yet."),
        ("en", 1, "There is 1 conversation table to carry on with"),
        ("en", 2, "There are 2 conversation tables to carry on with"),
    ],
)
def test_plural_zero_where_the_text_has_one(language: str, count: int, start: str) -> None:
    assert t(language, "close.tables", count=count).startswith(start)


def test_plural_count_is_grouped_and_other_values_escaped() -> None:
    assert t("nl", "counted.residents", count=1234) == "1.234 bewoners"
    assert plain("en", "counted.residents", count=1234) == "1,234 residents"
    assert "&lt;b&gt;" in t("nl", "tables.invite_confirm", count=2, title="<b>")


def test_plural_needs_a_whole_count() -> None:
    with pytest.raises(TypeError):
        t("nl", "tables.who_others")
    with pytest.raises(TypeError):
        t("nl", "tables.who_others", count="3")


def test_plural_picks_zero_one_other() -> None:
    both = {"one": "", "other": ""}
    assert [plural(n, both) for n in (0, 1, 2, -1)] == ["other", "one", "other", "one"]
    assert plural(0, {**both, "zero": ""}) == "zero"


def test_a_page_of_one_note_says_so() -> None:
    values = {"title": "T", "first": 6, "last": 6, "total": 6, "count": 1}
    assert "briefje 6 van 6 " in t("nl", "board.page_title", **values)
    assert "note 6 of 6 " in t("en", "board.page_title", **values)
    values = {**values, "last": 7, "total": 7, "count": 2}
    assert "briefjes 6–7 van 7 " in t("nl", "board.page_title", **values)


@pytest.mark.parametrize(
    "entry",
    [
        'y = { one = "1 ding" }',  # no other
        'y = { zero = "niets", other = "{count} dingen" }',  # no one
        'y = { one = "1 ding", other = "dingen", few = "wat dingen" }',  # no such form
    ],
)
def test_a_missing_or_unknown_plural_form_is_a_load_time_error(entry: str) -> None:
    with pytest.raises(ValueError, match=r"x\.y"):
        merge_files("nl", [("a.toml", f"[x]\n{entry}\n")])


def test_plural_forms_load_under_their_key() -> None:
    texts = merge_files("nl", [("a.toml", '[x]\ny = { one = "1 ding", other = "{count} dingen" }')])
    assert texts == {"x.y.one": "1 ding", "x.y.other": "{count} dingen"}


@pytest.mark.parametrize(
    "second",
    [
        '[x]\ny = "ding"',  # plain twice
        '[x]\ny = { one = "1 ding", other = "{count} dingen" }',  # plural twice
    ],
)
@pytest.mark.parametrize("first", ['[x]\ny = "ding"', '[x]\ny = { one = "1", other = "2" }'])
def test_a_key_defined_twice_is_an_error(first: str, second: str) -> None:
    with pytest.raises(ValueError, match="repeats catalog keys"):
        merge_files("nl", [("a.toml", first), ("b.toml", second)])


_HEDGED_PLURAL = re.compile(r"\w\((s|en|n|e|es|den)\)")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_hedges_its_plural_in_brackets(language: str) -> None:
    hedged = {key: text for key, text in catalog(language).items() if _HEDGED_PLURAL.search(text)}
    assert hedged == {}


def test_notes_are_briefjes_everywhere_in_dutch() -> None:
    assert [key for key, text in catalog("nl").items() if "notitie" in text.lower()] == []
    assert plain("nl", "chart.notes", count=12) == "briefjes op het bord"  # the progress chart
    assert plain("nl", "chart.notes", count=1) == "briefje op het bord"


@pytest.mark.parametrize(
    ("language", "think", "take_part", "connect"),
    [
        ("nl", "Je denkt mee met", "Je doet mee met", "Je verbindt T met andere initiatieven"),
        ("en", "You think along with", "You take part in", "You connect T with other initiatives"),
    ],
)
def test_joining_a_table_says_how_in_a_sentence(
    language: str, think: str, take_part: str, connect: str
) -> None:
    for kind, start in (("think", think), ("take_part", take_part), ("connect", connect)):
        assert plain(language, f"tables.joined.{kind}", title="T").startswith(start)
