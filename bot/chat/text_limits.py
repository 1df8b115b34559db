"""Keep every text within Telegram's limits: shorten resident pieces, split long messages."""

from __future__ import annotations

import html
import re

from bot.core.i18n import Html

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
BUTTON_LABEL_LIMIT = 60
_TAG = re.compile(r"<[^>]+>")


def visible_length(text: str) -> int:
    """Return the length Telegram counts: UTF-16 code units of the text after HTML parsing."""
    plain = html.unescape(_TAG.sub("", text))
    return len(plain.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """Cut plain text to at most limit UTF-16 units, ending in an ellipsis when cut."""
    if len(text.encode("utf-16-le")) // 2 <= limit:
        return text
    out: list[str] = []
    used = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > limit - 1:
            break
        out.append(char)
        used += width
    return "".join(out).rstrip() + "…"


def first_words(text: str, limit: int = BUTTON_LABEL_LIMIT) -> str:
    """The start of a text on one line, cut after a whole word, for a button that names it."""
    line = " ".join(text.split())
    if len(line.encode("utf-16-le")) // 2 <= limit:
        return line
    cut = shorten(line, limit)[:-1]
    # Back to the last space, unless that leaves almost nothing (one very long word).
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def split_html(text: Html, limit: int = MESSAGE_LIMIT) -> list[Html]:
    """Split an HTML text at line ends into parts that each fit one message.

    Tags never span lines in our catalogs, so a line boundary is always a safe place to cut;
    a single line longer than the limit is cut as plain text.
    """
    parts: list[Html] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        width = visible_length(line) + 1
        if width > limit:
            line = html.escape(shorten(html.unescape(_TAG.sub("", line)), limit - 1), quote=False)
            width = visible_length(line) + 1
        if current and size + width > limit:
            parts.append(Html("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += width
    if current:
        parts.append(Html("\n".join(current)))
    return parts
