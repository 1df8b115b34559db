"""Where a word may break across lines: Pyphen's Dutch and English hyphenation dictionaries.

A sticky note is narrow, and "woensdagochtend" does not fit; cut anywhere it reads as
"woensdagoch|tend" at best. Pyphen (the Hunspell/LibreOffice patterns) knows "woens-dag-och-
tend" and "neigh-bour-hood"; a word that already has a hyphen breaks there first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

import pyphen

# The dictionary per label language; a word in another language still gets Dutch rules,
# which at worst miss a break point.
_DICTIONARIES = {"nl": "nl_NL", "en": "en_GB"}
HYPHEN = "-"


# At least three letters stay on each side of a break: "brief-je" and "ge-sproken" leave too
# little on one line to read as part of a word.
MIN_PART = 3
# Punctuation around a word is no part of it for hyphenation: "[gesproken" breaks like
# "gesproken".
_AROUND = "[](){}\"'“”‘’„«»,.;:!?…"


@cache
def _dictionary(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=_DICTIONARIES.get(language, "nl_NL"), left=MIN_PART, right=MIN_PART)


def break_points(word: str, language: str) -> Iterator[tuple[str, str]]:
    """Yield (first line's part, rest) for each place word may break, longest first part first.

    The first part ends in the hyphen to print: the word's own one, or one added at a
    hyphenation point.
    """
    options: dict[int, tuple[str, str]] = {}
    for index, char in enumerate(word[:-1]):
        if char in "-‐" and index > 0:
            options[index + 1] = (word[: index + 1], word[index + 1 :])
    lead = len(word) - len(word.lstrip(_AROUND))
    core = word.strip(_AROUND)
    for found in _dictionary(language).positions(core) if core else ():
        position = lead + found
        if 0 < position < len(word) and position not in options:
            if word[position - 1] in "-‐":
                continue
            options[position] = (word[:position] + HYPHEN, word[position:])
    for position in sorted(options, reverse=True):
        yield options[position]


def hyphenate(
    word: str, room: float, measure: Callable[[str], float], language: str
) -> tuple[str, str] | None:
    """Return the longest (first part with hyphen, rest) whose first part fits room, or None.

    The board's language comes first; a note may be in the other one ("Dorpsstraat" on an
    English board), so its points come next, before a word is cut without a hyphen.
    """
    for rules in (language, *(other for other in _DICTIONARIES if other != language)):
        for head, tail in break_points(word, rules):
            if measure(head) <= room:
                return head, tail
    return None
