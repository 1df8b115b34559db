"""What the playground remembers: residents, their chats, messages, files and button presses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playground.formatting import FormattedText
from playground.keyboards import Markup


@dataclass
class Resident:
    """A Telegram user who may talk to the bot; their private chat has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    blocked: bool = False
    deactivated: bool = False
    started: bool = True
    # Telegram Premium's privacy setting "who may send me voice messages": nobody.
    voice_forbidden: bool = False

    def user_json(self) -> dict[str, Any]:
        """The User object."""
        result: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            result["last_name"] = self.last_name
        if self.username:
            result["username"] = self.username
        if self.language_code:
            result["language_code"] = self.language_code
        return result

    def chat_json(self) -> dict[str, Any]:
        """The Chat object of the private chat with the bot."""
        result: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            result["last_name"] = self.last_name
        if self.username:
            result["username"] = self.username
        return result

    def control_json(self) -> dict[str, Any]:
        """The resident as the control API shows them."""
        return {
            **self.user_json(),
            "blocked": self.blocked,
            "deactivated": self.deactivated,
            "started": self.started,
        }


@dataclass
class StoredFile:
    """A file Telegram holds: uploaded by the bot or sent by a resident."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    def info_json(self) -> dict[str, Any]:
        """The control API's summary of the file."""
        result: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "kind": self.kind,
            "size": self.size,
        }
        if self.file_name is not None:
            result["file_name"] = self.file_name
        if self.mime_type is not None:
            result["mime_type"] = self.mime_type
        if self.kind == "photo":
            result["width"] = self.width
            result["height"] = self.height
        return result


@dataclass
class StoredMessage:
    """A message in a private chat, from the bot or from the resident."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    revision: int
    text: FormattedText | None = None
    caption: FormattedText | None = None
    source: str | None = None
    parse_mode: str | None = None
    # Media in the Bot API's JSON shape, keyed like Message fields: photo, document, voice, ...
    media: dict[str, Any] = field(default_factory=dict)
    files: list[StoredFile] = field(default_factory=list)
    markup: Markup | None = None
    edit_date: int | None = None
    deleted: bool = False
    reply_to: int | None = None

    @property
    def inline(self) -> Markup | None:
        """The inline keyboard currently under the message."""
        return self.markup if self.markup is not None and self.markup.kind == "inline" else None


@dataclass
class CallbackQuery:
    """A button press, and the bot's answer once given."""

    id: str
    user_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False
    answer: dict[str, Any] | None = None
