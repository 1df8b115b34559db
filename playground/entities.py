"""Message entities as the Bot API returns them, and the helpers every parser shares."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

# Order in which Telegram lists entities that start and end at the same place.
_TYPE_ORDER = (
    "mention",
    "hashtag",
    "cashtag",
    "bot_command",
    "url",
    "email",
    "phone_number",
    "bank_card",
    "text_link",
    "text_mention",
    "custom_emoji",
    "date_time",
    "blockquote",
    "expandable_blockquote",
    "pre",
    "code",
    "bold",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
)
ENTITY_TYPES = frozenset(_TYPE_ORDER)

# Entities that may not overlap each other, unlike bold and its kin which may be split freely.
CONTINUOUS_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bank_card",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
        "pre",
        "code",
    }
)

# Entities whose meaning is hidden data, kept even when they only cover whitespace.
HIDDEN_DATA_TYPES = frozenset({"text_link", "text_mention", "custom_emoji"})


class EntityParseError(ValueError):
    """Raised with Telegram's wording when formatted text cannot be parsed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Entity:
    """One MessageEntity; offsets and lengths are in UTF-16 code units, as Telegram counts."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None
    user: dict[str, Any] | None = field(default=None, compare=True, hash=False)
    unix_time: int | None = None
    date_time_format: str | None = None

    @property
    def end(self) -> int:
        """UTF-16 offset just after the entity."""
        return self.offset + self.length

    def moved(self, offset: int, length: int) -> Entity:
        """The same entity over another range."""
        return dataclasses.replace(self, offset=offset, length=length)

    def to_json(self) -> dict[str, Any]:
        """The Bot API's JSON shape."""
        result: dict[str, Any] = {"offset": self.offset, "length": self.length, "type": self.type}
        if self.url is not None:
            result["url"] = self.url
        if self.language is not None:
            result["language"] = self.language
        if self.custom_emoji_id is not None:
            result["custom_emoji_id"] = self.custom_emoji_id
        if self.user is not None:
            result["user"] = self.user
        if self.unix_time is not None:
            result["unix_time"] = self.unix_time
            result["date_time_format"] = self.date_time_format or ""
        return result


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's offsets and limits."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Sort like Telegram: by offset, longer first, then by a fixed type order."""
    return sorted(entities, key=lambda e: (e.offset, -e.length, _TYPE_ORDER.index(e.type)))


_TG_USER_LINK = re.compile(r"^tg://user\?id=(\d{1,20})$", re.IGNORECASE)
_DOMAIN = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}(?::\d{1,5})?(?:[/?#].*)?$",
    re.IGNORECASE,
)
_HTTP_URL = re.compile(r"^(https?)://([^/?#\s]+)(.*)$", re.IGNORECASE)
_HOST = re.compile(r"^[a-z0-9.-]+(?::\d{1,5})?$", re.IGNORECASE)


def link_user_id(url: str) -> int | None:
    """The user id of a tg://user?id= link, which Telegram turns into a text_mention."""
    match = _TG_USER_LINK.match(url.strip())
    return int(match.group(1)) if match else None


def checked_link(url: str) -> str | None:
    """Telegram's normalised form of a link, or None when it would drop the link."""
    url = url.strip()
    if not url or any(c.isspace() for c in url):
        return None
    lowered = url.lower()
    if lowered.startswith(("tg://", "ton://", "tonsite://")):
        return url
    if "://" not in url:
        if not _DOMAIN.match(url):
            return None
        url = "http://" + url
    match = _HTTP_URL.match(url)
    if match is None:
        return None
    scheme, host, rest = match.groups()
    if not _HOST.match(host) or ("." not in host and host.lower() != "localhost"):
        return None
    # Telegram gives a link without a path the root path.
    if not rest.startswith("/"):
        rest = "/" + rest
    return f"{scheme.lower()}://{host}{rest}"
