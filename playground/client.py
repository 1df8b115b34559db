"""Client of the playground's control API, and Person: a resident a test or the demo drives.

Talks HTTP only, so it works against a playground in another process; it does not import the
server.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp

Waiter = Callable[[int], Awaitable[None]]
_POLL_INTERVAL = 0.02


class PlaygroundError(RuntimeError):
    """The control API refused a request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Button:
    """An inline keyboard button."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ReplyButton:
    """A button of a reply keyboard, which sends its text (or a contact or location)."""

    text: str
    request_contact: bool = False
    request_location: bool = False


@dataclass(frozen=True)
class FileInfo:
    """A photo (largest size), document, voice note or other file of a message."""

    file_id: str
    file_unique_id: str
    size: int
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> FileInfo | None:
        """Parse the control API's file summary."""
        if not data:
            return None
        return cls(
            file_id=data["file_id"],
            file_unique_id=data["file_unique_id"],
            size=int(data.get("size", data.get("file_size", 0))),
            file_name=data.get("file_name"),
            mime_type=data.get("mime_type"),
            width=data.get("width"),
            height=data.get("height"),
            duration=data.get("duration"),
        )


@dataclass(frozen=True)
class SentMessage:
    """A message in a resident's chat, from the bot or from the resident."""

    message_id: int
    from_bot: bool
    date: int
    text: str | None
    entities: list[dict[str, Any]]
    caption: str | None
    html: str | None
    parse_mode: str | None
    photo: FileInfo | None
    document: FileInfo | None
    buttons: list[list[Button]]
    keyboard: list[list[ReplyButton]] | None
    remove_keyboard: bool
    edited: bool
    deleted: bool
    revision: int
    reply_to_message_id: int | None
    raw: dict[str, Any] = field(repr=False)
    voice: FileInfo | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SentMessage:
        """Parse one message of GET /control/chats/{id}/messages."""
        buttons = [
            [Button(b["text"], b.get("callback_data"), b.get("url")) for b in row]
            for row in data.get("buttons") or []
        ]
        keyboard = None
        if data.get("keyboard") is not None:
            keyboard = [
                [
                    ReplyButton(
                        b["text"],
                        bool(b.get("request_contact")),
                        bool(b.get("request_location")),
                    )
                    for b in row
                ]
                for row in data["keyboard"]
            ]
        return cls(
            message_id=data["message_id"],
            from_bot=data["from_bot"],
            date=data["date"],
            text=data.get("text"),
            entities=data.get("entities") or [],
            caption=data.get("caption"),
            html=data.get("html"),
            parse_mode=data.get("parse_mode"),
            photo=FileInfo.from_json(data.get("photo")),
            document=FileInfo.from_json(data.get("document")),
            buttons=buttons,
            keyboard=keyboard,
            remove_keyboard=bool(data.get("remove_keyboard")),
            edited=bool(data.get("edited")),
            deleted=bool(data.get("deleted")),
            revision=int(data.get("revision", 0)),
            reply_to_message_id=data.get("reply_to_message_id"),
            raw=data,
            voice=FileInfo.from_json(data.get("voice")),
        )

    @property
    def button_labels(self) -> list[str]:
        """Labels of the inline buttons, row by row."""
        return [b.text for row in self.buttons for b in row]

    @property
    def keyboard_labels(self) -> list[str]:
        """Labels of the reply keyboard sent with this message."""
        return [b.text for row in self.keyboard or [] for b in row]

    @property
    def content(self) -> str:
        """The text, or else the caption, or else ""."""
        return self.text or self.caption or ""

    def button(self, label: str) -> Button:
        """The inline button with exactly this label."""
        for row in self.buttons:
            for b in row:
                if b.text == label:
                    return b
        raise KeyError(f"no button {label!r}; buttons: {self.button_labels}")


@dataclass(frozen=True)
class UserInfo:
    """A resident as the control API knows them."""

    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    blocked: bool
    deactivated: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UserInfo:
        """Parse a user of the control API."""
        return cls(
            id=data["id"],
            first_name=data["first_name"],
            last_name=data.get("last_name"),
            username=data.get("username"),
            language_code=data.get("language_code"),
            blocked=bool(data.get("blocked")),
            deactivated=bool(data.get("deactivated")),
        )


@dataclass(frozen=True)
class Queued:
    """An update queued for the bot by a resident's message or edit."""

    update_id: int
    message_id: int


@dataclass(frozen=True)
class Pressed:
    """An update queued by a button press."""

    update_id: int
    callback_query_id: str


@dataclass(frozen=True)
class ChatChanges:
    """Messages of a chat that appeared or changed after a revision, and the revision now."""

    revision: int
    messages: list[SentMessage]
    last_action: str | None


@dataclass(frozen=True)
class CallbackAnswer:
    """How the bot answered a button press."""

    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class Stats:
    """Calls, refusals and flood-control counters of the Bot API."""

    calls: dict[str, int]
    too_many_requests: int
    violations: int
    errors_4xx: int
    errors: list[dict[str, Any]]
    limits: dict[str, float]
    ban_remaining: float
    chat_bans: int = 0
    """How many times one chat was banned alone (the ban on every call is ban_remaining)."""
    paid_messages: int = 0
    """Messages sent with allow_paid_broadcast."""
    stars_spent: float = 0.0
    """What those cost in Telegram Stars (0.1 each)."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stats:
        """Parse GET /control/stats."""
        return cls(
            calls=dict(data["calls"]),
            too_many_requests=data["too_many_requests"],
            violations=data["violations"],
            errors_4xx=data["errors_4xx"],
            errors=list(data["errors"]),
            limits=dict(data["limits"]),
            ban_remaining=float(data["ban_remaining"]),
            chat_bans=int(data.get("chat_bans", 0)),
            paid_messages=int(data.get("paid_messages", 0)),
            stars_spent=float(data.get("stars_spent", 0.0)),
        )

    @property
    def error_descriptions(self) -> list[str]:
        """Descriptions of the refusals kept, oldest first."""
        return [str(e["description"]) for e in self.errors]


class PlaygroundClient:
    """``async with PlaygroundClient(url) as pg:`` drives residents through /control/."""

    def __init__(self, url: str, *, waiter: Waiter | None = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.waiter = waiter
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> PlaygroundClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        query: dict[str, str] | None = None,
    ) -> Any:
        async with self._http().request(
            method, f"{self.url}/control/{path}", json=body, params=query
        ) as response:
            data = await response.json(content_type=None)
            if response.status >= 400:
                message = data.get("error") if isinstance(data, dict) else None
                raise PlaygroundError(response.status, str(message or data))
            return data

    async def wait(self, update_id: int) -> None:
        """Wait until the bot has handled the update, when a waiter was given."""
        if self.waiter is not None:
            await self.waiter(update_id)

    # Residents.

    async def create_user(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = True,
    ) -> UserInfo:
        """POST /control/users."""
        body: dict[str, Any] = {"first_name": first_name, "started": started}
        for key, value in (
            ("id", user_id),
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value is not None:
                body[key] = value
        return UserInfo.from_json(await self._call("POST", "users", body))

    async def user(self, user_id: int) -> UserInfo:
        """GET /control/users/{id}."""
        return UserInfo.from_json(await self._call("GET", f"users/{user_id}"))

    async def new_person(
        self,
        first_name: str = "Anna",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "nl",
        user_id: int | None = None,
    ) -> Person:
        """Create a resident and return them as a Person."""
        user = await self.create_user(
            first_name,
            user_id=user_id,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        return Person(self, user)

    async def set_blocked(self, user_id: int, blocked: bool = True) -> int | None:
        """Block or unblock the bot; returns the my_chat_member update id, if one was queued."""
        data = await self._call("POST", f"users/{user_id}/block", {"blocked": blocked})
        update_id = data.get("update_id")
        return None if update_id is None else int(update_id)

    async def set_deactivated(self, user_id: int, deactivated: bool = True) -> None:
        """Delete (or restore) the resident's account."""
        await self._call("POST", f"users/{user_id}/deactivate", {"deactivated": deactivated})

    async def set_voice_messages(self, user_id: int, allowed: bool) -> None:
        """Allow or refuse voice notes from bots (Telegram Premium's privacy setting)."""
        await self._call("POST", f"users/{user_id}/voice_messages", {"allowed": allowed})

    # What residents do.

    async def send_message(
        self,
        user_id: int,
        *,
        text: str | None = None,
        caption: str | None = None,
        photo: bool | dict[str, Any] | None = None,
        voice: dict[str, Any] | None = None,
        sticker: dict[str, Any] | None = None,
        location: dict[str, Any] | None = None,
        contact: dict[str, Any] | None = None,
        document: dict[str, Any] | None = None,
        reply_to_message_id: int | None = None,
    ) -> Queued:
        """POST /control/messages."""
        body: dict[str, Any] = {"user_id": user_id}
        for key, value in (
            ("text", text),
            ("caption", caption),
            ("photo", photo),
            ("voice", voice),
            ("sticker", sticker),
            ("location", location),
            ("contact", contact),
            ("document", document),
            ("reply_to_message_id", reply_to_message_id),
        ):
            if value is not None:
                body[key] = value
        data = await self._call("POST", "messages", body)
        return Queued(int(data["update_id"]), int(data["message_id"]))

    async def edit_message(self, user_id: int, message_id: int, text: str) -> Queued:
        """POST /control/edits."""
        body = {"user_id": user_id, "message_id": message_id, "text": text}
        data = await self._call("POST", "edits", body)
        return Queued(int(data["update_id"]), int(data["message_id"]))

    async def press_button(
        self,
        user_id: int,
        message_id: int,
        *,
        label: str | None = None,
        data: str | None = None,
        forged: bool = False,
    ) -> Pressed:
        """POST /control/callbacks."""
        body: dict[str, Any] = {"user_id": user_id, "message_id": message_id, "forged": forged}
        if label is not None:
            body["label"] = label
        if data is not None:
            body["data"] = data
        result = await self._call("POST", "callbacks", body)
        return Pressed(int(result["update_id"]), str(result["callback_query_id"]))

    # What residents see.

    async def messages(self, user_id: int, after: int = 0) -> list[SentMessage]:
        """GET /control/chats/{id}/messages: the chat, oldest first."""
        data = await self._call("GET", f"chats/{user_id}/messages", query={"after": str(after)})
        return [SentMessage.from_json(item) for item in data]

    async def changes(self, user_id: int, since: int = 0, wait: float = 0.0) -> ChatChanges:
        """Messages new or changed after revision ``since``, waiting up to ``wait`` s for one."""
        query = {"since": str(since), "timeout": str(wait)}
        data = await self._call("GET", f"chats/{user_id}/changes", query=query)
        return ChatChanges(
            revision=int(data["revision"]),
            messages=[SentMessage.from_json(item) for item in data["messages"]],
            last_action=data.get("last_action"),
        )

    async def chat(self, user_id: int) -> dict[str, Any]:
        """GET /control/chats/{id}: reply keyboard, last chat action, message count."""
        result: dict[str, Any] = await self._call("GET", f"chats/{user_id}")
        return result

    async def file_bytes(self, file_id: str) -> bytes:
        """GET /control/files/{file_id}."""
        async with self._http().get(f"{self.url}/control/files/{file_id}") as response:
            if response.status >= 400:
                raise PlaygroundError(response.status, await response.text())
            return await response.read()

    async def callback_answer(self, callback_query_id: str) -> CallbackAnswer | None:
        """How the bot answered a press, or None while it has not."""
        try:
            data = await self._call("GET", f"callback_answers/{callback_query_id}")
        except PlaygroundError as exc:
            if exc.status == 404 and "not answered" in exc.message:
                return None
            raise
        return CallbackAnswer(data.get("text"), bool(data.get("show_alert")), data.get("url"))

    async def commands(self) -> list[dict[str, Any]]:
        """GET /control/commands: [{scope, language_code, commands}]."""
        data = await self._call("GET", "commands")
        return list(data["commands"])

    # Counters and limits.

    async def stats(self) -> Stats:
        """GET /control/stats."""
        return Stats.from_json(await self._call("GET", "stats"))

    async def set_limits(self, **limits: float) -> dict[str, Any]:
        """POST /control/limits (flood limits and callback_timeout)."""
        result: dict[str, Any] = await self._call("POST", "limits", dict(limits))
        return result

    async def set_faults(self, **settings: Any) -> dict[str, Any]:
        """POST /control/faults: error_rate, stall_rate, lost_rate, stall, methods, seed."""
        result: dict[str, Any] = await self._call("POST", "faults", dict(settings))
        return result

    async def set_webhook_targets(self, urls: list[str]) -> dict[str, Any]:
        """POST /control/webhook/targets: where webhook deliveries really go, in turn."""
        result: dict[str, Any] = await self._call("POST", "webhook/targets", {"urls": urls})
        return result

    async def webhook(self) -> dict[str, Any]:
        """GET /control/webhook: the webhook, its targets and how deliveries went."""
        result: dict[str, Any] = await self._call("GET", "webhook")
        return result

    async def faults(self) -> dict[str, Any]:
        """GET /control/faults: the settings and what was injected so far."""
        result: dict[str, Any] = await self._call("GET", "faults")
        return result

    async def reset_stats(self) -> None:
        """POST /control/reset_stats."""
        await self._call("POST", "reset_stats", {})

    async def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by getUpdates."""
        data = await self._call("GET", "updates/pending")
        return int(data["pending"])

    # A plain timeout argument reads better in tests than wrapping every call in asyncio.timeout.
    async def wait_until_delivered(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has confirmed every queued update."""
        deadline = time.monotonic() + timeout
        while (pending := await self.pending_updates()) > 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{pending} update(s) still unconfirmed after {timeout} s")
            await asyncio.sleep(_POLL_INTERVAL)


class Person:
    """A resident with a private chat with the bot, driven the way a person uses Telegram."""

    def __init__(self, client: PlaygroundClient, user: UserInfo) -> None:
        self.client = client
        self.user = user
        self.id = user.id
        self.first_name = user.first_name
        self.last_message_id: int | None = None
        self.last_callback_query_id: str | None = None
        self._mark_revisions: dict[int, int] = {}
        self._last_mark = 0

    def __repr__(self) -> str:
        return f"Person({self.first_name!r}, id={self.id})"

    async def _queued(self, queued: Queued) -> int:
        self.last_message_id = queued.message_id
        await self.client.wait(queued.update_id)
        return queued.update_id

    # Sending.

    async def send(self, text: str, *, reply_to: int | None = None) -> int:
        """Send a text (a command if it starts with "/"); returns the update id."""
        return await self._queued(
            await self.client.send_message(self.id, text=text, reply_to_message_id=reply_to)
        )

    async def send_photo(
        self,
        caption: str | None = None,
        *,
        width: int = 800,
        height: int = 600,
        data: bytes | None = None,
    ) -> int:
        """Send a photo, generated unless ``data`` is given."""
        photo: dict[str, Any] = {"width": width, "height": height}
        if data is not None:
            photo = {"bytes_b64": base64.b64encode(data).decode()}
        return await self._queued(
            await self.client.send_message(self.id, photo=photo, caption=caption)
        )

    async def send_voice(self, duration: int = 3, caption: str | None = None) -> int:
        """Send a voice note."""
        return await self._queued(
            await self.client.send_message(self.id, voice={"duration": duration}, caption=caption)
        )

    async def send_sticker(self, emoji: str = "👍") -> int:
        """Send a sticker."""
        return await self._queued(await self.client.send_message(self.id, sticker={"emoji": emoji}))

    async def send_location(self, latitude: float = 52.3676, longitude: float = 4.9041) -> int:
        """Share a location, as the request_location button does."""
        location = {"latitude": latitude, "longitude": longitude}
        return await self._queued(await self.client.send_message(self.id, location=location))

    async def send_contact(self, phone: str = "+31612345678") -> int:
        """Share one's own phone number, as the request_contact button does."""
        contact = {"phone_number": phone}
        return await self._queued(await self.client.send_message(self.id, contact=contact))

    async def send_document(
        self,
        file_name: str = "brief.pdf",
        mime_type: str = "application/pdf",
        *,
        data: bytes | None = None,
        caption: str | None = None,
    ) -> int:
        """Send a file."""
        document: dict[str, Any] = {"file_name": file_name, "mime_type": mime_type}
        if data is not None:
            document["bytes_b64"] = base64.b64encode(data).decode()
        return await self._queued(
            await self.client.send_message(self.id, document=document, caption=caption)
        )

    async def edit(self, message_id: int, text: str) -> int:
        """Edit one of one's own messages."""
        return await self._queued(await self.client.edit_message(self.id, message_id, text))

    # Buttons.

    async def press(self, label: str, *, message_id: int | None = None) -> int:
        """Press the button with this label on the newest bot message that shows it."""
        messages = [m for m in await self.bot_messages() if m.buttons]
        if message_id is not None:
            messages = [m for m in messages if m.message_id == message_id]
        messages.reverse()
        found = self._find_button(messages, lambda text: text == label)
        if found is None:
            wanted = label.strip().casefold()
            found = self._find_button(messages, lambda text: text.strip().casefold() == wanted)
        if found is None:
            raise AssertionError(self._no_button(label, messages, message_id))
        message, button = found
        if button.callback_data is None:
            raise AssertionError(
                f"{self.first_name}: button {button.text!r} on message {message.message_id} "
                f"opens {button.url or 'something else'}; it sends the bot nothing"
            )
        pressed = await self.client.press_button(
            self.id, message.message_id, label=button.text, data=button.callback_data
        )
        self.last_callback_query_id = pressed.callback_query_id
        await self.client.wait(pressed.update_id)
        return pressed.update_id

    @staticmethod
    def _find_button(
        messages: list[SentMessage], matches: Callable[[str], bool]
    ) -> tuple[SentMessage, Button] | None:
        for message in messages:
            for row in message.buttons:
                for button in row:
                    if matches(button.text):
                        return message, button
        return None

    def _no_button(
        self, label: str, newest_first: list[SentMessage], message_id: int | None
    ) -> str:
        where = f"message {message_id}" if message_id is not None else "any bot message"
        if not newest_first:
            return f"{self.first_name} sees no button {label!r} on {where}: no buttons at all"
        visible = "; ".join(f"#{m.message_id}: {m.button_labels}" for m in newest_first[:5])
        return f"{self.first_name} sees no button {label!r} on {where}. Visible: {visible}"

    async def press_data(self, data: str, message_id: int, *, forged: bool = True) -> int:
        """Send callback data for a message; forged=True models a modified client."""
        pressed = await self.client.press_button(self.id, message_id, data=data, forged=forged)
        self.last_callback_query_id = pressed.callback_query_id
        await self.client.wait(pressed.update_id)
        return pressed.update_id

    async def callback_answer(self, callback_query_id: str | None = None) -> CallbackAnswer | None:
        """The bot's answer to the last (or the given) press."""
        query_id = callback_query_id or self.last_callback_query_id
        if query_id is None:
            raise AssertionError(f"{self.first_name} has not pressed any button")
        return await self.client.callback_answer(query_id)

    # Blocking.

    async def block(self) -> None:
        """Block the bot."""
        update_id = await self.client.set_blocked(self.id, True)
        if update_id is not None:
            await self.client.wait(update_id)

    async def unblock(self) -> None:
        """Unblock the bot."""
        update_id = await self.client.set_blocked(self.id, False)
        if update_id is not None:
            await self.client.wait(update_id)

    async def deactivate(self) -> None:
        """Delete the account."""
        await self.client.set_deactivated(self.id, True)

    # Reading the chat.

    async def messages(self, after: int = 0) -> list[SentMessage]:
        """The whole chat (or what follows ``after``), oldest first."""
        return await self.client.messages(self.id, after)

    async def bot_messages(self, after: int = 0) -> list[SentMessage]:
        """The bot's messages that are still there, oldest first."""
        return [m for m in await self.messages(after) if m.from_bot and not m.deleted]

    async def message(self, message_id: int) -> SentMessage:
        """One message of the chat, as it is now."""
        for m in await self.messages(message_id - 1):
            if m.message_id == message_id:
                return m
        raise AssertionError(f"message {message_id} is not in the chat of {self.first_name}")

    async def last_bot_message(self) -> SentMessage:
        """The bot's newest message; AssertionError when there is none."""
        messages = await self.bot_messages()
        if not messages:
            raise AssertionError(f"the bot has not sent {self.first_name} anything")
        return messages[-1]

    async def mark(self) -> int:
        """The id of the newest message in the chat, to look for replies after it."""
        chat = await self.client.chat(self.id)
        mark = int(chat["last_message_id"])
        self._mark_revisions[mark] = int(chat["revision"])
        self._last_mark = mark
        return mark

    async def replies_since(self, mark: int) -> list[SentMessage]:
        """The bot's messages sent after the mark, oldest first."""
        return await self.bot_messages(after=mark)

    async def wait_for_reply(
        self,
        after: int | None = None,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Wait until the bot sent ``count`` messages after the mark (or edited an older one)."""
        # Without ``after`` the last mark() counts; edits show only relative to a mark().
        mark = self._last_mark if after is None else after
        mark_revision = self._mark_revisions.get(mark)
        since = mark_revision or 0
        seen: dict[int, SentMessage] = {}
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            changes = await self.client.changes(
                self.id, since=since, wait=max(0.0, min(remaining, 5.0))
            )
            since = changes.revision
            seen.update((m.message_id, m) for m in changes.messages)
            bot = [m for m in seen.values() if m.from_bot and not m.deleted]
            new = [m for m in bot if m.message_id > mark]
            edited = [m for m in bot if m.message_id <= mark and m.edited and mark_revision]
            if len(new) >= count or edited:
                return sorted(new + edited, key=lambda m: m.message_id)
            if time.monotonic() >= deadline:
                shown = [m.content[:60] for m in sorted(new, key=lambda m: m.message_id)]
                raise TimeoutError(
                    f"{self.first_name} waited {timeout} s for {count} bot message(s) after "
                    f"#{mark}; got {len(new)}: {shown}"
                )
