"""Message catalogs: every text a person sees comes from here, Dutch first, English second."""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class Html(str):
    """A piece of text that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def escape(text: str) -> Html:
    """Escape a resident-written piece for Telegram's HTML parse mode."""
    return Html(html.escape(text, quote=False))


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            _flatten(name, value, out)
        else:
            out[name] = str(value).strip("\n")


@cache
def catalog(language: str) -> Mapping[str, str]:
    """Return the flat key -> text catalog of one language, merged from its files."""
    flat: dict[str, str] = {}
    folder = resources.files("bot.core.locales").joinpath(language)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        part: dict[str, str] = {}
        _flatten("", tomllib.loads(entry.read_text("utf-8")), part)
        # One file per flow; a key defined twice would make one text silently win.
        twice = part.keys() & flat.keys()
        if twice:
            raise ValueError(f"{language}/{entry.name} repeats catalog keys: {sorted(twice)}")
        flat.update(part)
    return flat


def placeholders(text: str) -> set[str]:
    """Return the names of the {placeholders} in a catalog text."""
    return set(_PLACEHOLDER.findall(text))


def pick_language(stored: str | None, telegram_code: str | None) -> str:
    """Choose the language: the resident's own choice, else Telegram's, else Dutch."""
    if stored in LANGUAGES:
        return stored
    if telegram_code:
        base = telegram_code.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return DEFAULT_LANGUAGE


def t(language: str, key: str, **values: object) -> Html:
    """Return the catalog text for key, with values filled in and escaped unless already Html."""
    texts = catalog(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    text = texts.get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE)[key]
    if not values:
        return Html(text)
    safe = {
        name: value if isinstance(value, Html) else html.escape(str(value), quote=False)
        for name, value in values.items()
    }
    return Html(_PLACEHOLDER.sub(lambda m: safe[m.group(1)], text))


def plain(language: str, key: str, **values: object) -> str:
    """Return a catalog text without markup, for button labels and callback answers."""
    return html.unescape(re.sub(r"<[^>]+>", "", t(language, key, **values)))


def number(language: str, value: int) -> str:
    """Write a count the way the language groups thousands: 1.234 in Dutch, 1,234 in English."""
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if language == "nl" else grouped
