"""Message catalogs: every text a person sees comes from here, Dutch first, English second."""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any, cast

LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# A catalog entry may be a table of plural forms, chosen by count: Dutch and English both
# have one/other, and a text may say something kinder for none at all.
PLURAL_FORMS: tuple[str, ...] = ("zero", "one", "other")
_REQUIRED_FORMS = frozenset({"one", "other"})


class Html(str):
    """A piece of text that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def escape(text: str) -> Html:
    """Escape a resident-written piece for Telegram's HTML parse mode."""
    return Html(html.escape(text, quote=False))


def _is_plural(table: Mapping[str, Any]) -> bool:
    """A table with a `one` form, or of plural forms only, is one text in plural forms."""
    return "one" in table or set(table) <= set(PLURAL_FORMS)


def _check_forms(name: str, forms: Mapping[str, Any]) -> None:
    """Refuse a plural entry that lacks a form or names one that does not exist."""
    missing = _REQUIRED_FORMS - set(forms)
    unknown = set(forms) - set(PLURAL_FORMS)
    if missing or unknown:
        raise ValueError(
            f"plural entry {name} needs the forms one and other (and may have zero): "
            f"missing {sorted(missing)}, unknown {sorted(unknown)}"
        )


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str], plurals: set[str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping) and _is_plural(value):
            _check_forms(name, value)
            plurals.add(name)
            for form, text in value.items():
                out[f"{name}.{form}"] = str(text).strip("\n")
        elif isinstance(value, Mapping):
            _flatten(name, value, out, plurals)
        else:
            out[name] = str(value).strip("\n")


def merge_files(language: str, files: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Merge one language's (file name, TOML text) pairs into the flat key -> text catalog.

    A plural entry's forms sit under key.zero, key.one and key.other.
    """
    flat: dict[str, str] = {}
    names: set[str] = set()
    for file_name, text in files:
        part: dict[str, str] = {}
        plurals: set[str] = set()
        try:
            _flatten("", tomllib.loads(text), part, plurals)
        except ValueError as exc:
            raise ValueError(f"{language}/{file_name}: {exc}") from exc
        # One file per flow; a key defined twice would make one text silently win.
        twice = (part.keys() | plurals) & names
        if twice:
            raise ValueError(f"{language}/{file_name} repeats catalog keys: {sorted(twice)}")
        flat.update(part)
        names |= part.keys() | plurals
    return flat


@cache
def catalog(language: str) -> Mapping[str, str]:
    """Return the flat key -> text catalog of one language, merged from its files."""
    folder = resources.files("bot.core.locales").joinpath(language)
    entries = sorted(folder.iterdir(), key=lambda e: e.name)
    return merge_files(
        language, ((e.name, e.read_text("utf-8")) for e in entries if e.name.endswith(".toml"))
    )


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


def plural(count: int, forms: Mapping[str, str]) -> str:
    """Pick the form for count: zero (where the text has one), one, else other; nl and en alike."""
    if count == 0 and "zero" in forms:
        return "zero"
    return "one" if abs(count) == 1 else "other"


def _forms(texts: Mapping[str, str], key: str) -> dict[str, str]:
    return {form: texts[f"{key}.{form}"] for form in PLURAL_FORMS if f"{key}.{form}" in texts}


def _lookup(language: str, key: str, count: object) -> tuple[str, bool]:
    """Return the text for key (its form for count if it has plural forms) and whether it has."""
    for texts in (catalog(language), catalog(DEFAULT_LANGUAGE)):
        text = texts.get(key)
        if text is not None:
            return text, False
        forms = _forms(texts, key)
        if forms:
            if isinstance(count, bool) or not isinstance(count, int):
                raise TypeError(f"{key} has plural forms: pass count= as a whole number")
            return forms[plural(count, forms)], True
    raise KeyError(key)


def t(language: str, key: str, **values: object) -> Html:
    """Return the catalog text for key, with values filled in and escaped unless already Html.

    A text with plural forms takes the form for count=, and shows the count grouped.
    """
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    text, counted = _lookup(language, key, values.get("count"))
    if counted:
        values["count"] = number(language, cast(int, values["count"]))
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
