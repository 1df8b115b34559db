"""MarkdownV2 and legacy Markdown parse modes, after TDLib's parsers and their error wording."""

from __future__ import annotations

from dataclasses import dataclass

from playground.entities import (
    Entity,
    EntityParseError,
    checked_link,
    link_user_id,
    sort_entities,
)

RESERVED_V2 = "_*[]()~`>#+-=|{}.!"

# TDLib names entity types this way in "Can't find end of ... entity" errors.
_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
    "pre_code": "PreCode",
    "custom_emoji": "CustomEmoji",
}


class _Bytes:
    __slots__ = ("data", "size")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)

    def __getitem__(self, i: int) -> int:
        return self.data[i] if 0 <= i < self.size else 0


def _is_space(c: int) -> bool:
    return c in b" \t\r\n\x00\x0b"


def _utf16_units(c: int) -> int:
    if c & 0xC0 == 0x80:
        return 0
    return 2 if c >= 0xF0 else 1


@dataclass
class _Open:
    kind: str
    argument: str
    utf16_offset: int
    result_pos: int
    begin: int


def _link_entity(offset: int, length: int, url: str) -> Entity | None:
    user_id = link_user_id(url)
    if user_id is not None:
        user = {"id": user_id, "is_bot": False, "first_name": ""}
        return Entity("text_mention", offset, length, user=user)
    checked = checked_link(url)
    return None if checked is None else Entity("text_link", offset, length, url=checked)


def _skip_pre_language(text: _Bytes, i: int) -> tuple[str, int]:
    """After an opening ```, read the optional language and skip one leading line break."""
    language = ""
    end = i
    while not _is_space(text[end]) and text[end] != ord("`"):
        end += 1
    if i != end and end < text.size and text[end] != ord("`"):
        language = text.data[i:end].decode("utf-8", "replace")
        i = end
    if text[i] in (0x0A, 0x0D):
        if text[i + 1] in (0x0A, 0x0D) and text[i] != text[i + 1]:
            i += 2
        else:
            i += 1
    return language, i


class _Quote:
    """A MarkdownV2 block quote being read: lines that start with '>'."""

    def __init__(self, utf16_offset: int, expandable: bool) -> None:
        self.utf16_offset = utf16_offset
        self.expandable = expandable


def parse_markdown_v2(source: str) -> tuple[str, list[Entity]]:
    """Plain text and entities of a MarkdownV2 text; EntityParseError when Telegram refuses."""
    text = _Bytes(source.encode("utf-8", "surrogatepass"))
    result = bytearray()
    entities: list[Entity] = []
    nested: list[_Open] = []
    quote: _Quote | None = None
    utf16 = 0
    i = 0
    while i < text.size:
        c = text[i]
        at_line_start = i == 0 or text[i - 1] == 0x0A
        in_code = bool(nested) and nested[-1].kind in ("code", "pre", "pre_code")
        if at_line_start and not in_code:
            starts_quote = c == ord(">")
            starts_expandable = text.data[i : i + 3] == b"**>"
            if quote is not None and not (starts_quote or starts_expandable):
                # The quote ended with the previous line, whose line break is not part of it.
                end = utf16 - 1 if result.endswith(b"\n") else utf16
                kind = "expandable_blockquote" if quote.expandable else "blockquote"
                if end > quote.utf16_offset:
                    entities.append(Entity(kind, quote.utf16_offset, end - quote.utf16_offset))
                quote = None
            if starts_quote or starts_expandable:
                if quote is None:
                    quote = _Quote(utf16, starts_expandable)
                i += 3 if starts_expandable else 1
                continue
        if (
            quote is not None
            and quote.expandable
            and text.data[i : i + 2] == b"||"
            and text[i + 2] in (0, 0x0A)
            and not (nested and nested[-1].kind == "spoiler")
        ):
            # "||" at the end of an expandable quote's line only marks where it may fold.
            i += 2
            continue

        if c == ord("\\") and 0 < text[i + 1] <= 126:
            result.append(text[i + 1])
            utf16 += 1
            i += 2
            continue

        reserved = "`" if in_code else RESERVED_V2
        if chr(c) not in reserved or c >= 0x80:
            result.append(c)
            utf16 += _utf16_units(c)
            i += 1
            continue

        if nested and _ends(nested[-1].kind, text, i):
            i = _close_v2(nested.pop(), text, i, result, utf16, entities)
            continue

        begin = i
        argument = ""
        if c == ord("_"):
            if text[i + 1] == ord("_"):
                kind = "underline"
                i += 1
            else:
                kind = "italic"
        elif c == ord("*"):
            kind = "bold"
        elif c == ord("~"):
            kind = "strikethrough"
        elif c == ord("|") and text[i + 1] == ord("|"):
            kind = "spoiler"
            i += 1
        elif c == ord("["):
            kind = "text_link"
        elif c == ord("`"):
            if text[i + 1] == ord("`") and text[i + 2] == ord("`"):
                argument, i = _skip_pre_language(text, i + 3)
                kind = "pre_code" if argument else "pre"
                i -= 1
            else:
                kind = "code"
        elif c == ord("!") and text[i + 1] == ord("["):
            kind = "custom_emoji"
            i += 1
        else:
            raise EntityParseError(
                f"Character '{chr(c)}' is reserved and must be escaped with the preceding '\\'"
            )
        nested.append(_Open(kind, argument, utf16, len(result), begin))
        i += 1

    if nested:
        last = nested[-1]
        raise EntityParseError(
            f"Can't find end of {_TYPE_NAMES[last.kind]} entity at byte offset {last.begin}"
        )
    if quote is not None:
        kind = "expandable_blockquote" if quote.expandable else "blockquote"
        if utf16 > quote.utf16_offset:
            entities.append(Entity(kind, quote.utf16_offset, utf16 - quote.utf16_offset))
    return result.decode("utf-8", "surrogatepass"), sort_entities(entities)


def _ends(kind: str, text: _Bytes, i: int) -> bool:
    c = text[i]
    if kind == "bold":
        return c == ord("*")
    if kind == "italic":
        return c == ord("_") and text[i + 1] != ord("_")
    if kind == "code":
        return c == ord("`")
    if kind in ("pre", "pre_code"):
        return c == ord("`") and text[i + 1] == ord("`") and text[i + 2] == ord("`")
    if kind in ("text_link", "custom_emoji"):
        return c == ord("]")
    if kind == "underline":
        return c == ord("_") and text[i + 1] == ord("_")
    if kind == "strikethrough":
        return c == ord("~")
    if kind == "spoiler":
        return c == ord("|") and text[i + 1] == ord("|")
    return False


def _close_v2(
    opened: _Open, text: _Bytes, i: int, result: bytearray, utf16: int, entities: list[Entity]
) -> int:
    """Close ``opened`` at ``i``; returns the position after the closing markup."""
    offset = opened.utf16_offset
    length = utf16 - offset
    kind = opened.kind
    entity: Entity | None = None
    if kind in ("underline", "spoiler"):
        i += 1
    elif kind in ("pre", "pre_code"):
        i += 2
    if kind == "text_link":
        if text[i + 1] != ord("("):
            url = result[opened.result_pos :].decode("utf-8", "replace")
        else:
            i += 2
            url_begin = i
            url_bytes = bytearray()
            while i < text.size and text[i] != ord(")"):
                if text[i] == ord("\\") and 0 < text[i + 1] <= 126:
                    url_bytes.append(text[i + 1])
                    i += 2
                    continue
                url_bytes.append(text[i])
                i += 1
            if text[i] != ord(")"):
                raise EntityParseError(f"Can't find end of a URL at byte offset {url_begin}")
            url = url_bytes.decode("utf-8", "replace")
        if length > 0:
            entity = _link_entity(offset, length, url)
    elif kind == "custom_emoji":
        if text[i + 1] != ord("("):
            raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
        i += 2
        url_begin = i
        while i < text.size and text[i] != ord(")"):
            i += 1
        if text[i] != ord(")"):
            raise EntityParseError(
                f"Can't find end of a custom emoji URL at byte offset {url_begin}"
            )
        url = text.data[url_begin:i].decode("utf-8", "replace")
        prefix = "tg://emoji?id="
        emoji_id = url[len(prefix) :] if url.startswith(prefix) else ""
        if not emoji_id.isdigit():
            raise EntityParseError("Invalid custom emoji identifier specified")
        entity = Entity("custom_emoji", offset, length, custom_emoji_id=emoji_id)
    elif length > 0:
        if kind == "pre_code":
            entity = Entity("pre", offset, length, language=opened.argument)
        else:
            entity = Entity(kind, offset, length)
    if entity is not None and length > 0:
        entities.append(entity)
    return i + 1


def parse_markdown(source: str) -> tuple[str, list[Entity]]:
    """Plain text and entities of a legacy Markdown text, as TDLib's parse_markdown reads it."""
    text = _Bytes(source.encode("utf-8", "surrogatepass"))
    result = bytearray()
    entities: list[Entity] = []
    utf16 = 0
    i = 0
    while i < text.size:
        c = text[i]
        if c == ord("\\") and text[i + 1] in b"_*`[":
            result.append(text[i + 1])
            utf16 += 1
            i += 2
            continue
        if c not in b"_*`[":
            result.append(c)
            utf16 += _utf16_units(c)
            i += 1
            continue

        begin = i
        end_character = ord("]") if c == ord("[") else c
        is_pre = False
        language = ""
        i += 1
        if c == ord("`") and text[i] == ord("`") and text[i + 1] == ord("`"):
            is_pre = True
            language, i = _skip_pre_language(text, i + 2)
        entity_offset = utf16
        entity_pos = len(result)
        while i < text.size and (
            text[i] != end_character
            or (is_pre and not (text[i + 1] == ord("`") and text[i + 2] == ord("`")))
        ):
            result.append(text[i])
            utf16 += _utf16_units(text[i])
            i += 1
        if i >= text.size:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
        length = utf16 - entity_offset
        if c == ord("[") and text[i + 1] == ord("("):
            i += 2
            url_bytes = bytearray()
            while i < text.size and text[i] != ord(")"):
                url_bytes.append(text[i])
                i += 1
            url = url_bytes.decode("utf-8", "replace")
        else:
            url = result[entity_pos:].decode("utf-8", "replace")
        if length > 0:
            if c == ord("_"):
                entities.append(Entity("italic", entity_offset, length))
            elif c == ord("*"):
                entities.append(Entity("bold", entity_offset, length))
            elif c == ord("["):
                link = _link_entity(entity_offset, length, url)
                if link is not None:
                    entities.append(link)
            elif is_pre:
                entities.append(Entity("pre", entity_offset, length, language=language or None))
            else:
                entities.append(Entity("code", entity_offset, length))
        if is_pre:
            i += 2
        i += 1
    return result.decode("utf-8", "surrogatepass"), sort_entities(entities)
