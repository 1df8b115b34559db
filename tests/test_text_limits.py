"""first_words(): a note's start on its button, cut after a whole word."""

from __future__ import annotations

from bot.chat.text_limits import first_words


def test_short_text_stays_whole_on_one_line() -> None:
    assert first_words("Een bankje\nbij  de bakker", 40) == "Een bankje bij de bakker"


def test_long_text_is_cut_after_a_word() -> None:
    label = first_words("1. Een bankje bij de bakker, zodat ouderen onderweg uitrusten", 40)
    assert label == "1. Een bankje bij de bakker, zodat…"
    assert len(label) <= 40


def test_one_long_word_is_cut_inside_it() -> None:
    label = first_words("Donaudampfschifffahrtsgesellschaftskapitän", 20)
    assert label.endswith("…") and len(label) <= 20 and label.startswith("Donau")


def test_emoji_count_as_telegram_counts_them() -> None:
    label = first_words("🌳" * 30, 20)
    assert len(label.encode("utf-16-le")) // 2 <= 20
