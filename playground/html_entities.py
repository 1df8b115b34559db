"""HTML parse mode, following TDLib's parse_html byte for byte, including its error wording.

Telegram itself lets a lone ``&`` or ``>`` through as text; the Bot API documentation says
they must be escaped, and a bot that relies on the leniency breaks on the next bit of user
text that happens to form an entity. In strict mode (the default) both are refused, with
messages worded like Telegram's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playground.entities import (
    Entity,
    EntityParseError,
    checked_link,
    link_user_id,
    sort_entities,
)

ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        # "<tg-time> is valid since Bot API 9.5" (telegram-rules.md).
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

_SPACE = frozenset(b" \t\r\n\x00\x0b")
_NAMED = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}
_LT, _GT, _AMP, _SLASH, _EQ = 0x3C, 0x3E, 0x26, 0x2F, 0x3D
_QUOTE, _APOS, _SEMI, _HASH = 0x22, 0x27, 0x3B, 0x23


class _Bytes:
    """A byte string read like TDLib's zero-terminated C string: past the end is NUL."""

    __slots__ = ("data", "size")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)

    def __getitem__(self, i: int) -> int:
        return self.data[i] if i < self.size else 0


def _is_space(c: int) -> bool:
    return c in _SPACE


def _is_alpha(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def _is_digit(c: int) -> bool:
    return 0x30 <= c <= 0x39


def _is_hex(c: int) -> bool:
    return _is_digit(c) or 0x41 <= c <= 0x46 or 0x61 <= c <= 0x66


def _lower(data: bytes) -> str:
    return data.decode("utf-8", "replace").lower()


def decode_html_entity(text: _Bytes, pos: int) -> tuple[int, int] | None:
    """The code point of the character reference at ``pos`` and the position after it."""
    end = pos + 1
    code = 0
    if text[pos + 1] == _HASH:
        end += 1
        if text[pos + 2] == ord("x"):
            end += 1
            while _is_hex(text[end]):
                code = code * 16 + int(chr(text[end]), 16)
                end += 1
                if code >= 0x10FFFF:
                    return None
        else:
            while _is_digit(text[end]):
                code = code * 10 + text[end] - 0x30
                end += 1
                if code >= 0x10FFFF:
                    return None
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
    else:
        while _is_alpha(text[end]):
            end += 1
        named = _NAMED.get(text.data[pos + 1 : end])
        if named is None:
            return None
        code = named
    if text[end] == _SEMI:
        end += 1
    return code, end


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_offset: int
    result_pos: int
    expandable: bool = False
    unix_time: int = 0
    date_time_format: str = ""


def _utf8(code: int) -> bytes:
    if 0xD800 <= code <= 0xDFFF:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    return chr(code).encode("utf-8")


def _read_attribute_value(text: _Bytes, i: int) -> tuple[str, int]:
    if text[i] != _QUOTE and text[i] != _APOS:
        # A name token: letters, digits, periods and hyphens, not case sensitive.
        token_begin = i
        while (
            _is_alpha(text[i]) or _is_digit(text[i]) or text[i] == ord(".") or text[i] == ord("-")
        ):
            i += 1
        value = _lower(text.data[token_begin:i])
        if not _is_space(text[i]) and text[i] != _GT:
            raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
        return value, i
    end_character = text[i]
    i += 1
    value_bytes = bytearray()
    while text[i] != end_character and text[i] != 0:
        if text[i] == _AMP:
            decoded = decode_html_entity(text, i)
            if decoded is not None:
                value_bytes += _utf8(decoded[0])
                i = decoded[1]
                continue
        value_bytes.append(text[i])
        i += 1
    if text[i] == end_character:
        i += 1
    return value_bytes.decode("utf-8", "replace"), i


def _read_start_tag(
    text: _Bytes, begin: int, utf16_offset: int, result_pos: int
) -> tuple[_Open, int]:
    i = begin + 1
    while not _is_space(text[i]) and text[i] != _GT:
        i += 1
    if text[i] == 0:
        raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
    tag = _lower(text.data[begin + 1 : i])
    if tag not in ALLOWED_TAGS:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')

    argument = ""
    expandable = False
    attributes: dict[str, str] = {}
    while text[i] != _GT:
        while text[i] != 0 and _is_space(text[i]):
            i += 1
        if text[i] == _GT:
            break
        attribute_begin = i
        while not _is_space(text[i]) and text[i] != _EQ and text[i] != _GT:
            i += 1
        attribute = _lower(text.data[attribute_begin:i])
        if not attribute:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
            )
        while text[i] != 0 and _is_space(text[i]):
            i += 1
        if text[i] != _EQ:
            if tag == "blockquote" and attribute == "expandable":
                expandable = True
            if text[i] == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            # "a valueless attribute (<a href=".." target>) is ignored" (telegram-rules.md).
            continue
        i += 1
        while text[i] != 0 and _is_space(text[i]):
            i += 1
        if text[i] == 0:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        value, i = _read_attribute_value(text, i)
        if text[i] == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")

        attributes.setdefault(attribute, value)
        if tag == "a" and attribute == "href":
            argument = value
        elif tag == "code" and attribute == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and attribute == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif tag == "tg-emoji" and attribute == "emoji-id":
            argument = value
        elif tag == "blockquote" and attribute == "expandable":
            expandable = True

    if tag == "span" and argument != "spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    opened = _Open(tag, argument, utf16_offset, result_pos, expandable)
    if tag == "tg-time":
        opened.unix_time, opened.date_time_format = _tg_time(attributes, begin)
    return opened, i + 1


DATE_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")


def _tg_time(attributes: dict[str, str], begin: int) -> tuple[int, str]:
    """The unix time and format of <tg-time unix="..." format="...">."""
    # Telegram's wording for a missing or bad unix or format is not in telegram-rules.md;
    # refusing them is the safer side.
    unix = attributes.get("unix", "")
    if not unix.isascii() or not unix.isdigit():
        raise EntityParseError(
            f'Tag "tg-time" must have a valid "unix" attribute at byte offset {begin}'
        )
    date_time_format = attributes.get("format", "")
    if not DATE_TIME_FORMAT.fullmatch(date_time_format):
        raise EntityParseError(f"Invalid date and time format specified at byte offset {begin}")
    return int(unix), date_time_format


def _close_entity(opened: _Open, end_offset: int, plain: bytes, entities: list[Entity]) -> None:
    offset = opened.utf16_offset
    length = end_offset - offset
    tag = opened.tag
    simple = {
        "i": "italic",
        "em": "italic",
        "b": "bold",
        "strong": "bold",
        "s": "strikethrough",
        "strike": "strikethrough",
        "del": "strikethrough",
        "u": "underline",
        "ins": "underline",
        "tg-spoiler": "spoiler",
        "span": "spoiler",
    }
    if tag in simple:
        entities.append(Entity(simple[tag], offset, length))
    elif tag == "tg-emoji":
        # isdigit() alone takes "²", which int() refuses.
        argument = opened.argument
        if not (argument.isascii() and argument.isdigit()) or int(argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(Entity("custom_emoji", offset, length, custom_emoji_id=opened.argument))
    elif tag == "a":
        url = opened.argument or plain[opened.result_pos :].decode("utf-8", "replace")
        user_id = link_user_id(url)
        if user_id is not None:
            user = {"id": user_id, "is_bot": False, "first_name": ""}
            entities.append(Entity("text_mention", offset, length, user=user))
        else:
            checked = checked_link(url)
            if checked is not None:
                entities.append(Entity("text_link", offset, length, url=checked))
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last.type == "code"
            and (last.offset, last.length)
            == (
                offset,
                length,
            )
        ):
            # <pre><code class="language-x"> is one pre entity with a language.
            entities[-1] = Entity("pre", offset, length, language=last.language)
        else:
            entities.append(Entity("pre", offset, length))
    elif tag == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last.type == "pre"
            and (last.offset, last.length) == (offset, length)
            and opened.argument
        ):
            entities[-1] = Entity("pre", offset, length, language=opened.argument)
        else:
            entities.append(Entity("code", offset, length, language=opened.argument or None))
    elif tag == "blockquote":
        kind = "expandable_blockquote" if opened.expandable else "blockquote"
        entities.append(Entity(kind, offset, length))
    elif tag == "tg-time":
        entities.append(
            Entity(
                "date_time",
                offset,
                length,
                unix_time=opened.unix_time,
                date_time_format=opened.date_time_format,
            )
        )


def parse_html(source: str, *, strict: bool = True) -> tuple[str, list[Entity]]:
    """Plain text and entities of HTML text; EntityParseError when Telegram would refuse it."""
    # Error messages give byte offsets into the UTF-8 text, as Telegram reports them.
    text = _Bytes(source.encode("utf-8", "surrogatepass"))
    plain = bytearray()
    entities: list[Entity] = []
    nested: list[_Open] = []
    utf16_offset = 0
    i = 0
    while i < text.size:
        c = text.data[i]
        if c == _AMP:
            decoded = decode_html_entity(text, i)
            if decoded is not None:
                code, i = decoded
                plain += _utf8(code)
                utf16_offset += 2 if code > 0xFFFF else 1
                continue
            if strict:
                raise EntityParseError(
                    f'Character "&" at byte offset {i} must be escaped as "&amp;"'
                )
        if c != _LT:
            if strict and c == _GT:
                raise EntityParseError(
                    f'Character ">" at byte offset {i} must be escaped as "&gt;"'
                )
            plain.append(c)
            if c & 0xC0 != 0x80:
                utf16_offset += 2 if c >= 0xF0 else 1
            i += 1
            continue

        begin = i
        if text[i + 1] != _SLASH:
            opened, i = _read_start_tag(text, begin, utf16_offset, len(plain))
            nested.append(opened)
            continue

        if not nested:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i += 2
        while not _is_space(text[i]) and text[i] != _GT:
            i += 1
        end_tag = _lower(text.data[begin + 2 : i])
        while _is_space(text[i]) and text[i] != 0:
            i += 1
        if text[i] != _GT:
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        opened = nested[-1]
        if end_tag and end_tag != opened.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{opened.tag}>", '
                f'found "</{end_tag}>"'
            )
        if utf16_offset > opened.utf16_offset:
            _close_entity(opened, utf16_offset, bytes(plain), entities)
        nested.pop()
        i += 1

    if nested:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{nested[-1].tag}"')
    # Telegram keeps a code block's language only on pre entities.
    entities = [
        Entity("code", e.offset, e.length) if e.type == "code" and e.language else e
        for e in entities
    ]
    return plain.decode("utf-8", "surrogatepass"), sort_entities(entities)
