"""From what a bot sends (text, parse_mode, entities) to what Telegram stores and counts."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playground.entities import (
    CONTINUOUS_TYPES,
    ENTITY_TYPES,
    HIDDEN_DATA_TYPES,
    Entity,
    EntityParseError,
    checked_link,
    sort_entities,
    utf16_len,
)
from playground.html_entities import DATE_TIME_FORMAT, parse_html
from playground.markdown import parse_markdown, parse_markdown_v2


class FormattingError(ValueError):
    """A refusal; ``description`` is the part after "Bad Request: "."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class FormattedText:
    """Text as Telegram keeps it: plain text plus entities."""

    text: str
    entities: tuple[Entity, ...]

    @property
    def length(self) -> int:
        """Length in code points after entity parsing, as TDLib counts text and captions."""
        # telegram-rules.md: "TDLib counts text and captions in Unicode code points after
        # entity parsing"; entity offsets stay in UTF-16 units.
        return len(self.text)

    def entities_json(self) -> list[dict[str, Any]]:
        """Entities in the Bot API's JSON shape."""
        return [e.to_json() for e in self.entities]


UserLookup = Callable[[int], dict[str, Any] | None]


def parse_formatted(
    text: str,
    parse_mode: str | None,
    entities_json: str | None,
    *,
    allow_empty: bool,
    strict_html: bool = True,
    find_users: UserLookup | None = None,
    skip_bot_commands: bool = False,
) -> FormattedText:
    """Parse like the Bot API's get_formatted_text and TDLib's fix_formatted_text."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise FormattingError("strings must be encoded in UTF-8")
    mode = (parse_mode or "").strip().lower()
    entities: list[Entity]
    if text and mode and mode != "none":
        try:
            if mode == "html":
                plain, entities = parse_html(text, strict=strict_html)
            elif mode == "markdownv2":
                plain, entities = parse_markdown_v2(text)
            elif mode == "markdown":
                plain, entities = parse_markdown(text)
            else:
                raise FormattingError("unsupported parse_mode")
        except EntityParseError as exc:
            raise FormattingError(f"can't parse entities: {exc.message}") from exc
    else:
        plain = text
        entities = parse_entities_json(entities_json, plain) if entities_json else []
    entities = [_with_user(e, find_users) for e in entities]
    return fix_formatted_text(
        plain, entities, allow_empty=allow_empty, skip_bot_commands=skip_bot_commands
    )


def _with_user(entity: Entity, find_users: UserLookup | None) -> Entity:
    if entity.type != "text_mention" or entity.user is None:
        return entity
    user_id = int(entity.user["id"])
    known = find_users(user_id) if find_users else None
    if known is None:
        raise FormattingError("user not found")
    return Entity(entity.type, entity.offset, entity.length, user=known)


def parse_entities_json(raw: str, text: str) -> list[Entity]:
    """Entities given explicitly as a JSON array of MessageEntity."""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise FormattingError("can't parse entities JSON object") from exc
    if value is None:
        return []
    if not isinstance(value, list):
        raise FormattingError("can't parse entities JSON object")
    total = utf16_len(text)
    result: list[Entity] = []
    for item in value:
        if not isinstance(item, dict):
            raise FormattingError("can't parse MessageEntity: MessageEntity must be an Object")
        kind = item.get("type")
        offset = item.get("offset")
        length = item.get("length")
        if not isinstance(kind, str):
            raise FormattingError('can\'t parse MessageEntity: Field "type" must be of type String')
        if not isinstance(offset, int) or not isinstance(length, int):
            raise FormattingError('can\'t parse MessageEntity: Field "offset" must be a Number')
        if kind not in ENTITY_TYPES:
            raise FormattingError("can't parse MessageEntity: Unsupported type specified")
        if offset < 0 or length < 0:
            raise FormattingError(f"receive an entity with incorrect offset {offset}")
        if offset > total:
            raise FormattingError(
                f"entity begins after the end of the text at UTF-16 offset {offset}"
            )
        if offset + length > total:
            raise FormattingError(
                f"entity beginning at UTF-16 offset {offset} ends after the end of the text at "
                f"UTF-16 offset {offset + length}"
            )
        url = language = emoji = date_time_format = None
        user: dict[str, Any] | None = None
        unix_time: int | None = None
        if kind == "text_link":
            raw_url = item.get("url")
            if not isinstance(raw_url, str):
                raise FormattingError(
                    'can\'t parse MessageEntity: Field "url" must be of type String'
                )
            url = checked_link(raw_url)
            if url is None:
                raise FormattingError(f"entity URL '{raw_url}' is invalid: Wrong HTTP URL")
        elif kind == "pre":
            lang = item.get("language")
            language = lang if isinstance(lang, str) and lang else None
        elif kind == "custom_emoji":
            emoji = str(item.get("custom_emoji_id", ""))
            if not emoji.isdigit():
                raise FormattingError("invalid custom emoji identifier specified")
        elif kind == "text_mention":
            raw_user = item.get("user")
            if not isinstance(raw_user, dict) or not isinstance(raw_user.get("id"), int):
                raise FormattingError('can\'t parse MessageEntity: Field "user" must be an Object')
            user = {"id": raw_user["id"]}
        elif kind == "date_time":
            unix_time, date_time_format = _date_time(item)
        result.append(
            Entity(kind, offset, length, url, language, emoji, user, unix_time, date_time_format)
        )
    return result


def _date_time(item: dict[str, Any]) -> tuple[int, str]:
    """A date_time entity's unix_time and date_time_format, held to their documented types."""
    unix_time = item.get("unix_time")
    if not isinstance(unix_time, int) or isinstance(unix_time, bool):
        raise FormattingError('can\'t parse MessageEntity: Field "unix_time" must be a Number')
    date_time_format = item.get("date_time_format", "")
    if not isinstance(date_time_format, str) or not DATE_TIME_FORMAT.fullmatch(date_time_format):
        # Not checked against Telegram: refusing a bad format is the safer side.
        raise FormattingError("invalid date and time format specified")
    return unix_time, date_time_format


def _clean(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Replace control characters by spaces and drop those Telegram removes, moving entities."""
    out: list[str] = []
    # new_at[i] is the new UTF-16 position of old UTF-16 position i.
    new_at: list[int] = []
    position = 0
    for ch in text:
        units = 2 if ord(ch) > 0xFFFF else 1
        code = ord(ch)
        removed = ch == "\r" or 0x2028 <= code <= 0x202E or code in (0x0333, 0x033F, 0x030A)
        new_at.extend([position] * units)
        if removed:
            continue
        if code < 32 and ch != "\n":
            ch = " "
        out.append(ch)
        position += units
    new_at.append(position)
    moved: list[Entity] = []
    for entity in entities:
        start, end = new_at[entity.offset], new_at[entity.end]
        if end > start:
            moved.append(entity.moved(start, end - start))
    return "".join(out), moved


def _utf16_units(text: str) -> list[str]:
    """The text as a list with one item per UTF-16 code unit (a second unit is '')."""
    units: list[str] = []
    for ch in text:
        units.append(ch)
        if ord(ch) > 0xFFFF:
            units.append("")
    return units


def fix_formatted_text(
    text: str, entities: list[Entity], *, allow_empty: bool, skip_bot_commands: bool = False
) -> FormattedText:
    """Trim, clean and complete entities the way TDLib does before a message is sent."""
    text, entities = _clean(text, entities)
    units = _utf16_units(text)

    def blank(i: int) -> bool:
        return units[i] in (" ", "\n")

    fixed: list[Entity] = []
    for entity in sort_entities(entities):
        if entity.type in HIDDEN_DATA_TYPES:
            fixed.append(entity)
            continue
        start, end = entity.offset, entity.end
        while start < end and blank(start):
            start += 1
        if start < end and any(not blank(i) for i in range(start, end)):
            fixed.append(entity.moved(start, end - start))
    entities = fixed

    non_blank = [i for i in range(len(units)) if not blank(i)]
    if not non_blank:
        if allow_empty:
            return FormattedText("", ())
        raise FormattingError("message must be non-empty")
    last = non_blank[-1]
    if units[last] == "" and last > 0:
        last -= 1
    cut = last + (2 if ord(units[last][0]) > 0xFFFF else 1)
    entities = [e.moved(e.offset, min(e.end, cut) - e.offset) for e in entities if e.offset < cut]
    first_entity = min((e.offset for e in entities), default=cut)
    skip = 0
    while skip < first_entity and blank(skip):
        skip += 1
    kept = units[skip:cut]
    entities = [e.moved(e.offset - skip, e.length) for e in entities]
    text = "".join(kept)
    entities = _merge(entities, find_entities(text, skip_bot_commands=skip_bot_commands))
    return FormattedText(text, tuple(sort_entities(entities)))


def _merge(entities: list[Entity], found: list[Entity]) -> list[Entity]:
    taken = [(e.offset, e.end) for e in entities if e.type in CONTINUOUS_TYPES]
    merged = list(entities)
    for entity in found:
        if all(entity.end <= start or entity.offset >= end for start, end in taken):
            merged.append(entity)
    return merged


_TLDS = "nl|com|org|net|eu|be|de|fr|uk|info|io|app|dev|frl|amsterdam|gov|edu|me|tv|online|site"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    (
        "url",
        re.compile(
            r"(?<![\w@/.-])(?:https?://[^\s<>\"]+|(?:[A-Za-z0-9-]+\.)+(?:"
            + _TLDS
            + r")(?![\w-])(?:[/?#][^\s<>\"]*)?)",
            re.IGNORECASE,
        ),
    ),
    (
        "bot_command",
        re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])"),
    ),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#&])#(?=\w*[^\W\d])\w{1,256}")),
)
_TRAILING = ".,;:!?'\")]}"


def find_entities(text: str, *, skip_bot_commands: bool = False) -> list[Entity]:
    """Entities Telegram detects by itself: links, e-mail addresses, commands, mentions, tags."""
    found: list[tuple[int, int, str]] = []
    for kind, pattern in _PATTERNS:
        if kind == "bot_command" and skip_bot_commands:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in _TRAILING:
                    end -= 1
            if end <= start:
                continue
            if any(start < e and end > s for s, e, _ in found):
                continue
            found.append((start, end, kind))
    result = []
    for start, end, kind in found:
        offset = utf16_len(text[:start])
        result.append(Entity(kind, offset, utf16_len(text[start:end])))
    return result
