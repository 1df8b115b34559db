"""The playground's world: residents, chats, messages, files, pending updates and statistics."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from playground.errors import ControlError
from playground.faults import Faults
from playground.flood import FloodControl, FloodLimits
from playground.keyboards import Markup
from playground.media import photo_ladder, scaled
from playground.models import CallbackQuery, Resident, StoredFile, StoredMessage

FIRST_USER_ID = 1_000_001
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
PHOTO_LIMIT = 10 * 1024 * 1024
DOCUMENT_LIMIT = 50 * 1024 * 1024
VOICE_LIMIT = 50 * 1024 * 1024
DOWNLOAD_LIMIT = 20 * 1024 * 1024

ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# What Telegram delivers when a bot never said which updates it wants.
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}

_FILE_PREFIX = {"photo": "AgACAgQ", "document": "BQACAgQ", "voice": "AwACAgQ", "sticker": "CAACAgQ"}
_FILE_DIR = {"photo": "photos", "document": "documents", "voice": "voice", "sticker": "stickers"}


@dataclass
class ChatState:
    """What a resident's screen shows besides the messages."""

    reply_keyboard: Markup | None = None
    last_action: str | None = None
    last_action_at: float | None = None


@dataclass
class Stats:
    """Counters tests assert on."""

    max_errors: int
    calls: Counter[str] = field(default_factory=Counter)
    too_many_requests: int = 0
    violations: int = 0
    errors_4xx: int = 0
    errors: deque[dict[str, Any]] = field(default_factory=deque)

    def record_error(self, entry: dict[str, Any]) -> None:
        """Count a refusal and keep the latest ones."""
        if 400 <= int(entry["error_code"]) < 500:
            self.errors_4xx += 1
        self.errors.append(entry)
        while len(self.errors) > self.max_errors:
            self.errors.popleft()

    def as_json(self) -> dict[str, Any]:
        """The counters as the control API shows them."""
        return {
            "calls": dict(self.calls),
            "too_many_requests": self.too_many_requests,
            "violations": self.violations,
            "errors_4xx": self.errors_4xx,
            "errors": list(self.errors),
        }


class PlaygroundState:
    """Everything the fake Telegram knows; the Bot API and the control API both act on it."""

    def __init__(
        self,
        *,
        bot_id: int | None,
        bot_username: str,
        bot_first_name: str,
        limits: FloodLimits,
        callback_timeout: float,
        strict_html: bool,
        max_errors: int = 200,
        first_update_id: int = 1,
        first_message_id: int = 1,
        local_webhooks: bool = False,
    ) -> None:
        self.bot_id = bot_id or 0
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.callback_timeout = callback_timeout
        self.strict_html = strict_html
        self.flood = FloodControl(limits)
        self.stats = Stats(max_errors)
        self.faults = Faults()

        self.residents: dict[int, Resident] = {}
        self._next_user_id = FIRST_USER_ID
        self.messages: dict[int, StoredMessage] = {}
        self.chat_messages: dict[int, list[int]] = {}
        self.chats: dict[int, ChatState] = {}
        # One counter for all private chats: a bot's message ids are per account, not per chat.
        # Above 1 when the playground plays the same Telegram again, later (the demo reopened).
        self._next_message_id = first_message_id
        # Bumped by every new, edited or deleted message, so that watchers can ask "what changed".
        self.revision = 0
        self.chat_revisions: dict[int, int] = {}
        self._chat_signal = asyncio.Event()
        self.closing = False

        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.photo_sets: dict[str, list[dict[str, Any]]] = {}
        self.media_json: dict[str, dict[str, Any]] = {}
        self._file_counter = 0

        self.callbacks: dict[str, CallbackQuery] = {}
        self._next_callback = 1

        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook: dict[str, Any] | None = None
        # Sent with every webhook delivery; kept apart, as getWebhookInfo never shows it.
        self.webhook_secret: str | None = None
        # When the last setWebhook took effect: Telegram allows one a second per bot.
        self.webhook_set_at: float | None = None
        # Off (as Telegram): a webhook on a local address or another port is refused. On, for
        # a test that names its own 127.0.0.1:port in setWebhook.
        self.local_webhooks = local_webhooks
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES

        self.updates: list[dict[str, Any]] = []
        self._next_update_id = first_update_id
        self.delivered_up_to = 0
        self._update_signal = asyncio.Event()

    # Time, kept in one place so that every rule uses the same clocks.

    @staticmethod
    def now() -> float:
        """Monotonic seconds, for timeouts and flood control."""
        return time.monotonic()

    @staticmethod
    def unix() -> int:
        """Unix time, for message dates."""
        return int(time.time())

    def bot_json(self) -> dict[str, Any]:
        """The bot's User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # Residents.

    def add_resident(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = True,
    ) -> Resident:
        """A new Telegram user; their private chat with the bot exists from now on."""
        if not first_name.strip():
            raise ControlError("first_name must be non-empty")
        if user_id is None:
            while self._next_user_id in self.residents:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        elif user_id <= 0:
            raise ControlError("a user id is a positive integer")
        elif user_id in self.residents:
            raise ControlError(f"user {user_id} already exists", 409)
        resident = Resident(
            user_id, first_name, last_name, username, language_code, started=started
        )
        self.residents[user_id] = resident
        self.chat_messages[user_id] = []
        self.chats[user_id] = ChatState()
        return resident

    def resident(self, user_id: int) -> Resident:
        """The resident with that id, or a 404 for the control API."""
        resident = self.residents.get(user_id)
        if resident is None:
            raise ControlError(f"no user {user_id}; create one with POST /control/users", 404)
        return resident

    def find_user_json(self, user_id: int) -> dict[str, Any] | None:
        """The User object of a known resident, for text_mention entities."""
        resident = self.residents.get(user_id)
        return None if resident is None else resident.user_json()

    @property
    def next_ids(self) -> tuple[int, int]:
        """The next update id and message id, for a playground that picks up where this stops."""
        return self._next_update_id, self._next_message_id

    # Updates.

    def queue_update(self, kind: str, payload: dict[str, Any]) -> int:
        """Add an update for getUpdates and wake a waiting poll."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self.updates.append({"update_id": update_id, kind: payload})
        self._update_signal.set()
        self._update_signal = asyncio.Event()
        return update_id

    @property
    def update_signal(self) -> asyncio.Event:
        """Set when the next update arrives."""
        return self._update_signal

    def confirm(self, offset: int) -> None:
        """Forget what getUpdates' offset confirms; a negative offset keeps only the last ones."""
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def drop_pending(self) -> None:
        """Forget every update not yet confirmed."""
        self.updates = []

    def batch(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` pending updates of the types the bot asked for."""
        wanted = [u for u in self.updates if _update_kind(u) in self.allowed_updates]
        if len(wanted) != len(self.updates):
            # Telegram does not keep updates of types the bot does not want.
            self.updates = wanted
        result = wanted[:limit]
        if result:
            self.delivered_up_to = max(self.delivered_up_to, result[-1]["update_id"])
        return result

    def pending_json(self) -> dict[str, Any]:
        """How many updates are queued and not yet confirmed."""
        undelivered = [u for u in self.updates if u["update_id"] > self.delivered_up_to]
        return {
            "pending": len(self.updates),
            "undelivered": len(undelivered),
            "last_update_id": self._next_update_id - 1,
        }

    # Messages.

    def new_message(self, chat_id: int, *, from_bot: bool, **fields: Any) -> StoredMessage:
        """Store a message in a private chat."""
        self.revision += 1
        message = StoredMessage(
            message_id=self._next_message_id,
            chat_id=chat_id,
            from_bot=from_bot,
            date=self.unix(),
            revision=self.revision,
            **fields,
        )
        self._next_message_id += 1
        self.messages[message.message_id] = message
        self.chat_messages.setdefault(chat_id, []).append(message.message_id)
        self._chat_changed(chat_id)
        if from_bot and message.markup is not None:
            chat = self.chats.setdefault(chat_id, ChatState())
            if message.markup.kind == "reply":
                chat.reply_keyboard = message.markup
            elif message.markup.kind == "remove":
                chat.reply_keyboard = None
        return message

    def touch(self, message: StoredMessage) -> None:
        """Mark a message as changed, for pollers that look for edits."""
        self.revision += 1
        message.revision = self.revision
        self._chat_changed(message.chat_id)

    def _chat_changed(self, chat_id: int) -> None:
        self.chat_revisions[chat_id] = self.revision
        self.wake_watchers()

    def wake_watchers(self) -> None:
        """Wake everyone waiting for a chat to change, to look again."""
        self._chat_signal.set()
        self._chat_signal = asyncio.Event()

    async def wait_for_chat_change(self, chat_id: int, since: int, seconds: float) -> None:
        """Return once the chat has changed after revision ``since``, or after ``seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self.closing and self.chat_revisions.get(chat_id, 0) <= since:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(self._chat_signal.wait(), remaining)
            except TimeoutError:
                return

    def changed_since(self, chat_id: int, since: int) -> list[StoredMessage]:
        """Messages of the chat created, edited or deleted after revision ``since``."""
        return [
            self.messages[i]
            for i in self.chat_messages.get(chat_id, [])
            if self.messages[i].revision > since
        ]

    def chat_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A message of that chat that still exists."""
        message = self.messages.get(message_id)
        if message is None or message.chat_id != chat_id or message.deleted:
            return None
        return message

    def history(self, chat_id: int, after: int = 0) -> list[StoredMessage]:
        """All messages of the chat after ``after``, oldest first, deleted ones included."""
        return [self.messages[i] for i in self.chat_messages.get(chat_id, []) if i > after]

    def message_json(self, message: StoredMessage, *, nested: bool = True) -> dict[str, Any]:
        """The Message object as the Bot API returns it."""
        resident = self.residents[message.chat_id]
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot_json() if message.from_bot else resident.user_json(),
            "chat": resident.chat_json(),
            "date": message.date,
        }
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        if nested and message.reply_to is not None:
            replied = self.chat_message(message.chat_id, message.reply_to)
            if replied is not None:
                result["reply_to_message"] = self.message_json(replied, nested=False)
        if message.text is not None:
            result["text"] = message.text.text
            if message.text.entities:
                result["entities"] = message.text.entities_json()
        result.update(message.media)
        if message.caption is not None and message.caption.text:
            result["caption"] = message.caption.text
            if message.caption.entities:
                result["caption_entities"] = message.caption.entities_json()
        if message.inline is not None:
            result["reply_markup"] = message.inline.to_json()
        return result

    # Files.

    def store_file(
        self,
        kind: str,
        data: bytes,
        *,
        extension: str,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        """Keep a file and give it ids and a download path."""
        self._file_counter += 1
        number = self._file_counter
        file_id = f"{_FILE_PREFIX.get(kind, 'BQACAgQ')}{number:06d}{secrets.token_urlsafe(24)}"
        unique_id = f"AQAD{number:04d}{secrets.token_urlsafe(6)}"
        path = f"{_FILE_DIR.get(kind, 'documents')}/file_{number}.{extension}"
        stored = StoredFile(
            file_id, unique_id, kind, data, path, file_name, mime_type, width, height
        )
        self.files[file_id] = stored
        self.files_by_path[path] = stored
        return stored

    def store_photo(self, data: bytes, width: int, height: int) -> list[dict[str, Any]]:
        """Keep a photo with the smaller sizes Telegram makes of it; returns the PhotoSize list."""
        sizes: list[dict[str, Any]] = []
        files: list[StoredFile] = []
        ladder = photo_ladder(width, height) if width and height else [("x", 0, 0)]
        for _kind, w, h in ladder[:-1]:
            copy = scaled(data, max(w, h))
            if copy is None:
                continue
            files.append(
                self.store_file("photo", copy[0], extension="jpg", width=copy[1], height=copy[2])
            )
        files.append(self.store_file("photo", data, extension="jpg", width=width, height=height))
        for stored in files:
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.size,
                    "width": stored.width,
                    "height": stored.height,
                }
            )
        for stored in files:
            self.photo_sets[stored.file_id] = sizes
        return sizes

    # Button presses.

    def new_callback(self, user_id: int, message_id: int, data: str) -> CallbackQuery:
        """Remember a press so that the bot can answer it once."""
        query_id = str(4_700_000_000_000_000_000 + self._next_callback)
        self._next_callback += 1
        query = CallbackQuery(query_id, user_id, message_id, data, self.now())
        self.callbacks[query_id] = query
        return query

    def chat_instance(self, chat_id: int) -> str:
        """A stable identifier of the chat, as callback queries carry it."""
        return str((chat_id * 2_654_435_761 + self.bot_id) % 10**19)


def _update_kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def update_kind(update: dict[str, Any]) -> str:
    """The kind of an update: "message", "callback_query", ..."""
    return _update_kind(update)
