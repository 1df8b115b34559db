"""The Bot API methods: each reads its parameters like the official server and acts on the state."""

from __future__ import annotations

import ipaddress
import json
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from playground.entities import utf16_len
from playground.errors import ApiError, bad_request, forbidden, too_many_requests
from playground.formatting import FormattedText, FormattingError, parse_formatted
from playground.keyboards import Markup, parse_reply_markup
from playground.media import image_size
from playground.models import Resident, StoredFile, StoredMessage
from playground.state import (
    ALL_UPDATE_TYPES,
    CALLBACK_ANSWER_LIMIT,
    CAPTION_LIMIT,
    DEFAULT_UPDATE_TYPES,
    DOCUMENT_LIMIT,
    DOWNLOAD_LIMIT,
    MESSAGE_LIMIT,
    PHOTO_LIMIT,
    VOICE_LIMIT,
    PlaygroundState,
)

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "record_audio",
        "upload_audio",
        "upload_document",
        "choose_sticker",
        "find_location",
        "pick_up_location",
        "record_video_note",
        "upload_video_note",
        "cancel",
    }
)
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
# The fields a BotCommandScope of each type must have.
SCOPE_FIELDS = {
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}

# Calls that fetch updates or manage the connection; a flood ban does not cover them.
BAN_EXEMPT = frozenset(
    {"getUpdates", "getMe", "setWebhook", "deleteWebhook", "getWebhookInfo", "close", "logOut"}
)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None
    content_type: str | None


class Params:
    """A request's parameters: strings as sent (PTB JSON-encodes non-strings) and uploads."""

    def __init__(self, values: dict[str, str], uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def text(self, name: str) -> str | None:
        """The raw string, or None when absent."""
        return self.values.get(name)

    def has(self, name: str) -> bool:
        """Whether the parameter was sent, as a value or a file."""
        return name in self.values or name in self.uploads

    def integer(self, name: str) -> int | None:
        """An integer parameter; None when absent or not a number, like TDLib's to_integer."""
        raw = self.values.get(name)
        if raw is None:
            return None
        try:
            return int(raw.strip())
        except ValueError:
            return None

    def number(self, name: str) -> float | None:
        """A floating point parameter."""
        raw = self.values.get(name)
        if raw is None:
            return None
        try:
            return float(raw.strip())
        except ValueError:
            return None

    def flag(self, name: str) -> bool:
        """A boolean parameter, read like the official server's to_bool."""
        raw = self.values.get(name)
        return raw is not None and raw.strip().lower() in ("true", "yes", "1")

    def json(self, name: str, what: str) -> Any:
        """A JSON-encoded parameter, or None when absent or empty."""
        raw = self.values.get(name)
        if raw is None or raw == "":
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise bad_request(f"can't parse {what} JSON object") from exc

    def summary(self) -> dict[str, Any]:
        """Parameters shortened for the error log."""
        result: dict[str, Any] = {}
        for key, value in self.values.items():
            result[key] = value if len(value) <= 200 else value[:200] + f"… ({len(value)} chars)"
        for key, upload in self.uploads.items():
            result[key] = f"<file {upload.filename or '?'} {len(upload.data)} bytes>"
        return result


@dataclass
class Call:
    """One Bot API request being handled."""

    state: PlaygroundState
    method: str
    params: Params


def _formatting(error: FormattingError) -> ApiError:
    return bad_request(error.description)


def _chat_id(call: Call) -> int:
    raw = call.params.text("chat_id")
    if raw is None or raw.strip() == "":
        raise bad_request("chat_id is empty")
    try:
        return int(raw.strip())
    except ValueError:
        # Usernames of private users are not resolvable by bots.
        raise bad_request("chat not found") from None


def _resident(call: Call, chat_id: int) -> Resident:
    resident = call.state.residents.get(chat_id)
    if resident is None:
        raise bad_request("chat not found")
    return resident


def _reachable(resident: Resident) -> None:
    if resident.deactivated:
        raise forbidden("user is deactivated")
    if resident.blocked:
        raise forbidden("bot was blocked by the user")
    if not resident.started:
        raise forbidden("bot can't initiate conversation with a user")


def _flood(call: Call, chat_id: int) -> None:
    """Flood control for every call that sends or edits a message, just before it takes effect."""
    state = call.state
    if call.params.flag("allow_paid_broadcast"):
        # Paid broadcasts lift the bulk limit; the per-chat limit still holds.
        seconds = state.flood.try_send_chat_only(chat_id, state.now())
    else:
        seconds = state.flood.try_send(chat_id, state.now())
    if seconds is not None:
        state.stats.too_many_requests += 1
        raise too_many_requests(seconds)


def _text(call: Call, name: str, mode: str, entities: str, *, caption: bool) -> FormattedText:
    raw = call.params.text(name) or ""
    try:
        return parse_formatted(
            raw,
            call.params.text(mode),
            call.params.text(entities),
            allow_empty=caption,
            strict_html=call.state.strict_html,
            find_users=call.state.find_user_json,
            # Telegram marks /commands only in messages to bots, not in a bot's own messages.
            skip_bot_commands=True,
        )
    except FormattingError as exc:
        raise _formatting(exc) from exc


def _message_text(call: Call) -> FormattedText:
    if not call.params.text("text"):
        raise bad_request("message text is empty")
    formatted = _text(call, "text", "parse_mode", "entities", caption=False)
    if formatted.length > MESSAGE_LIMIT:
        raise bad_request("message is too long")
    return formatted


_PREVIEW_FLAGS = ("is_disabled", "prefer_small_media", "prefer_large_media", "show_above_text")


def _link_preview_options(call: Call) -> None:
    """Telegram refuses link_preview_options that are not an object or a non-Boolean is_disabled."""
    # telegram-rules.md: "link_preview_options must be an object (Object expected as link
    # preview options) and its is_disabled a Boolean".
    raw = call.params.text("link_preview_options")
    if raw is None or raw == "":
        return
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise bad_request("can't parse link preview options JSON object") from exc
    if not isinstance(value, dict):
        raise bad_request("Object expected as link preview options")
    # Only is_disabled is checked against Telegram; the other flags and url are held to their
    # documented types too, the safer side.
    for name in _PREVIEW_FLAGS:
        if name in value and not isinstance(value[name], bool):
            raise bad_request(f'Field "{name}" must be of type Boolean')
    if "url" in value and not isinstance(value["url"], str):
        raise bad_request('Field "url" must be of type String')


def _caption(call: Call) -> FormattedText | None:
    if not call.params.text("caption"):
        return None
    formatted = _text(call, "caption", "parse_mode", "caption_entities", caption=True)
    if formatted.length > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return formatted if formatted.text else None


def _markup(call: Call) -> Markup | None:
    try:
        return parse_reply_markup(call.params.text("reply_markup"))
    except FormattingError as exc:
        raise _formatting(exc) from exc


def _reply_to(call: Call, chat_id: int) -> int | None:
    reply = call.params.json("reply_parameters", "reply parameters")
    allow_missing = call.params.flag("allow_sending_without_reply")
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        allow_missing = reply.get("allow_sending_without_reply") is True
        if not isinstance(message_id, int):
            raise bad_request(
                'can\'t parse reply parameters: Field "message_id" must be a valid Number'
            )
    else:
        message_id = call.params.integer("reply_to_message_id")
    if not message_id:
        return None
    if call.state.chat_message(chat_id, message_id) is None:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return message_id


def _send(call: Call, chat_id: int, **fields: Any) -> dict[str, Any]:
    state = call.state
    message = state.new_message(chat_id, from_bot=True, **fields)
    return state.message_json(message)


def get_me(call: Call) -> Any:
    """getMe."""
    return {
        **call.state.bot_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def send_message(call: Call) -> Any:
    """sendMessage."""
    formatted = _message_text(call)
    _link_preview_options(call)
    markup = _markup(call)
    chat_id = _chat_id(call)
    resident = _resident(call, chat_id)
    reply_to = _reply_to(call, chat_id)
    _reachable(resident)
    _flood(call, chat_id)
    return _send(
        call,
        chat_id,
        text=formatted,
        source=call.params.text("text"),
        parse_mode=call.params.text("parse_mode"),
        markup=markup,
        reply_to=reply_to,
    )


def _input_file(call: Call, name: str) -> Upload | StoredFile | str | None:
    """The file a send method names: an upload, a known file, a URL, or None when absent."""
    upload = call.params.uploads.get(name)
    if upload is not None:
        return upload
    raw = call.params.text(name)
    if raw is None or raw == "":
        return None
    if raw.startswith("attach://"):
        attached = call.params.uploads.get(raw[len("attach://") :])
        if attached is None:
            return None
        return attached
    known = call.state.files.get(raw)
    if known is not None:
        return known
    if re.match(r"^https?://\S+$", raw):
        return raw
    raise bad_request("wrong file identifier/HTTP URL specified")


def send_photo(call: Call) -> Any:
    """sendPhoto."""
    state = call.state
    source = _input_file(call, "photo")
    if source is None:
        raise bad_request("there is no photo in the request")
    caption = _caption(call)
    markup = _markup(call)
    chat_id = _chat_id(call)
    resident = _resident(call, chat_id)
    reply_to = _reply_to(call, chat_id)
    if isinstance(source, StoredFile):
        if source.kind != "photo":
            raise bad_request("type of file mismatch")
        sizes = state.photo_sets[source.file_id]
        new_data: bytes | None = None
    else:
        new_data = _downloaded(source)
        if len(new_data) > PHOTO_LIMIT:
            raise bad_request("file is too big")
        sizes = []
    _reachable(resident)
    _flood(call, chat_id)
    if new_data is not None:
        width, height = image_size(new_data) or (0, 0)
        sizes = state.store_photo(new_data, width, height)
    return _send(
        call,
        chat_id,
        caption=caption,
        source=call.params.text("caption"),
        parse_mode=call.params.text("parse_mode"),
        media={"photo": sizes},
        files=[state.files[size["file_id"]] for size in sizes],
        markup=markup,
        reply_to=reply_to,
    )


def _downloaded(source: Upload | str) -> bytes:
    if isinstance(source, Upload):
        return source.data
    # Files named by URL cannot be fetched here; stand in with a small placeholder.
    return f"playground placeholder for {source}\n".encode()


def send_document(call: Call) -> Any:
    """sendDocument."""
    state = call.state
    source = _input_file(call, "document")
    if source is None:
        raise bad_request("there is no document in the request")
    caption = _caption(call)
    markup = _markup(call)
    chat_id = _chat_id(call)
    resident = _resident(call, chat_id)
    reply_to = _reply_to(call, chat_id)
    stored: StoredFile | None = None
    if isinstance(source, StoredFile):
        if source.kind != "document":
            raise bad_request("type of file mismatch")
        stored = source
    else:
        data = _downloaded(source)
        if len(data) > DOCUMENT_LIMIT:
            raise bad_request("file is too big")
    _reachable(resident)
    _flood(call, chat_id)
    if stored is None:
        if isinstance(source, Upload):
            file_name = source.filename or "document"
            mime_type = source.content_type
        else:
            file_name = str(source).rsplit("/", 1)[-1] or "document"
            mime_type = None
        if not mime_type or mime_type == "application/octet-stream":
            mime_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = state.store_file(
            "document", data, extension=extension, file_name=file_name, mime_type=mime_type
        )
    document = state.media_json.get(stored.file_id) or {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.file_name,
        "mime_type": stored.mime_type,
        "file_size": stored.size,
    }
    state.media_json[stored.file_id] = document
    return _send(
        call,
        chat_id,
        caption=caption,
        source=call.params.text("caption"),
        parse_mode=call.params.text("parse_mode"),
        media={"document": document},
        files=[stored],
        markup=markup,
        reply_to=reply_to,
    )


# TDLib reads a voice note's duration with get_integer_arg("duration", 0, 0, ...): a missing
# or unreadable value is 0 and one out of range is clamped, never refused.
_DURATION_MAX = 2**31 - 1


def send_voice(call: Call) -> Any:
    """sendVoice: a voice note by file_id (of a voice note only) or uploaded, up to 50 MB."""
    state = call.state
    source = _input_file(call, "voice")
    if source is None:
        raise bad_request("there is no voice in the request")
    caption = _caption(call)
    markup = _markup(call)
    chat_id = _chat_id(call)
    resident = _resident(call, chat_id)
    reply_to = _reply_to(call, chat_id)
    duration = min(max(call.params.integer("duration") or 0, 0), _DURATION_MAX)
    stored: StoredFile | None = None
    if isinstance(source, StoredFile):
        if source.kind != "voice":
            raise bad_request("type of file mismatch")
        stored = source
    else:
        data = _downloaded(source)
        if len(data) > VOICE_LIMIT:
            raise bad_request("file is too big")
    _reachable(resident)
    if resident.voice_forbidden:
        # A Premium user who lets nobody send them voice messages; bots included.
        raise bad_request("VOICE_MESSAGES_FORBIDDEN")
    _flood(call, chat_id)
    if stored is None:
        mime_type = source.content_type if isinstance(source, Upload) else None
        if not mime_type or mime_type == "application/octet-stream":
            mime_type = "audio/ogg"
        stored = state.store_file("voice", data, extension="oga", mime_type=mime_type)
    # A voice note Telegram already holds keeps its own duration; an upload takes the one given.
    voice = state.media_json.get(stored.file_id) or {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "duration": duration,
        "mime_type": stored.mime_type or "audio/ogg",
        "file_size": stored.size,
    }
    state.media_json[stored.file_id] = voice
    return _send(
        call,
        chat_id,
        caption=caption,
        source=call.params.text("caption"),
        parse_mode=call.params.text("parse_mode"),
        media={"voice": voice},
        files=[stored],
        markup=markup,
        reply_to=reply_to,
    )


def _edited(call: Call) -> tuple[Resident, StoredMessage]:
    if call.params.text("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat_id = _chat_id(call)
    message_id = call.params.integer("message_id")
    if not message_id:
        raise bad_request("message identifier is not specified")
    resident = _resident(call, chat_id)
    message = call.state.chat_message(chat_id, message_id)
    if message is None or not message.from_bot:
        raise bad_request("message to edit not found")
    return resident, message


def _inline_only(markup: Markup | None) -> Markup | None:
    if markup is not None and markup.kind != "inline":
        raise bad_request("inline keyboard expected")
    return markup


def _finish_edit(call: Call, resident: Resident, message: StoredMessage, **changes: Any) -> Any:
    _reachable(resident)
    _flood(call, message.chat_id)
    for name, value in changes.items():
        setattr(message, name, value)
    message.edit_date = call.state.unix()
    call.state.touch(message)
    return call.state.message_json(message)


def edit_message_text(call: Call) -> Any:
    """editMessageText; without reply_markup the inline keyboard goes, as on Telegram."""
    formatted = _message_text(call)
    _link_preview_options(call)
    markup = _inline_only(_markup(call))
    resident, message = _edited(call)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    if message.text == formatted and message.inline == markup:
        raise bad_request(NOT_MODIFIED)
    return _finish_edit(
        call,
        resident,
        message,
        text=formatted,
        source=call.params.text("text"),
        parse_mode=call.params.text("parse_mode"),
        markup=markup,
    )


def edit_message_caption(call: Call) -> Any:
    """editMessageCaption."""
    caption = _caption(call)
    markup = _inline_only(_markup(call))
    resident, message = _edited(call)
    if not message.media:
        raise bad_request("there is no caption in the message to edit")
    if message.caption == caption and message.inline == markup:
        raise bad_request(NOT_MODIFIED)
    return _finish_edit(
        call,
        resident,
        message,
        caption=caption,
        source=call.params.text("caption"),
        parse_mode=call.params.text("parse_mode"),
        markup=markup,
    )


def edit_message_reply_markup(call: Call) -> Any:
    """editMessageReplyMarkup; without reply_markup the inline keyboard goes."""
    markup = _inline_only(_markup(call))
    resident, message = _edited(call)
    if message.inline == markup:
        raise bad_request(NOT_MODIFIED)
    return _finish_edit(call, resident, message, markup=markup)


def delete_message(call: Call) -> Any:
    """deleteMessage."""
    chat_id = _chat_id(call)
    message_id = call.params.integer("message_id")
    if not message_id:
        raise bad_request("message identifier is not specified")
    resident = _resident(call, chat_id)
    if resident.deactivated:
        raise forbidden("user is deactivated")
    message = call.state.chat_message(chat_id, message_id)
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    call.state.touch(message)
    return True


def answer_callback_query(call: Call) -> Any:
    """answerCallbackQuery: once per query, within callback_timeout seconds."""
    state = call.state
    query_id = call.params.text("callback_query_id") or ""
    query = state.callbacks.get(query_id)
    if query is None or query.answered or state.now() - query.created > state.callback_timeout:
        raise bad_request(QUERY_INVALID)
    text = call.params.text("text") or ""
    # Counted in UTF-16 units: telegram-rules.md says code points only for text and captions,
    # and UTF-16 is never fewer than code points (the safer side).
    if utf16_len(text) > CALLBACK_ANSWER_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.answer = {
        "callback_query_id": query.id,
        "text": text or None,
        "show_alert": call.params.flag("show_alert"),
        "url": call.params.text("url"),
        "cache_time": call.params.integer("cache_time") or 0,
    }
    return True


def send_chat_action(call: Call) -> Any:
    """sendChatAction."""
    action = (call.params.text("action") or "").strip().lower()
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat_id = _chat_id(call)
    resident = _resident(call, chat_id)
    _reachable(resident)
    chat = call.state.chats[chat_id]
    chat.last_action = action
    chat.last_action_at = call.state.now()
    return True


def _scope_key(call: Call) -> tuple[str, str]:
    scope = call.params.json("scope", "BotCommandScope")
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope: Unsupported type specified")
    for field in SCOPE_FIELDS.get(scope["type"], ()):
        # "chat, chat_administrators need chat_id; chat_member needs chat_id and user_id"
        # (telegram-rules.md): Can't find field "chat_id".
        if field not in scope:
            raise bad_request(f"can't parse BotCommandScope: Can't find field \"{field}\"")
    if "user_id" in scope and (
        not isinstance(scope["user_id"], int) or isinstance(scope["user_id"], bool)
    ):
        raise bad_request('can\'t parse BotCommandScope: Field "user_id" must be a valid Number')
    if "chat_id" in scope:
        raw = scope["chat_id"]
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if chat_id not in call.state.residents:
            raise bad_request("chat not found")
        scope = {**scope, "chat_id": chat_id}
    language = (call.params.text("language_code") or "").strip()
    if language and not re.match(r"^[a-z]{2}$", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


def set_my_commands(call: Call) -> Any:
    """setMyCommands."""
    # "setMyCommands without commands clears the menu" (telegram-rules.md).
    commands = call.params.json("commands", "commands")
    if commands is None:
        commands = []
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    checked: list[dict[str, str]] = []
    if len(commands) > 100:
        raise bad_request("BOT_COMMAND_INVALID")
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: expected an Object")
        command = item.get("command")
        description = item.get("description")
        if not isinstance(command, str) or not isinstance(description, str):
            raise bad_request("BOT_COMMAND_INVALID")
        # "a leading / in a command is stripped" (telegram-rules.md).
        command = command.removeprefix("/")
        # The description is counted in UTF-16 units: which unit Telegram counts here is not
        # in telegram-rules.md, and UTF-16 is never fewer than code points (the safer side).
        if not COMMAND_NAME.match(command) or not 1 <= utf16_len(description) <= 256:
            raise bad_request("BOT_COMMAND_INVALID")
        checked.append({"command": command, "description": description})
    key = _scope_key(call)
    if checked:
        call.state.commands[key] = checked
    else:
        call.state.commands.pop(key, None)
    return True


def get_my_commands(call: Call) -> Any:
    """getMyCommands."""
    return call.state.commands.get(_scope_key(call), [])


def delete_my_commands(call: Call) -> Any:
    """deleteMyCommands."""
    call.state.commands.pop(_scope_key(call), None)
    return True


def _bot_text(field: str, limit: int) -> tuple[Callable[[Call], Any], Callable[[Call], Any]]:
    def setter(call: Call) -> Any:
        value = call.params.text(field) or ""
        # UTF-16 units, the safer side, as for command descriptions.
        if utf16_len(value) > limit:
            raise bad_request(f"bot {field.replace('_', ' ')} is too long")
        language = (call.params.text("language_code") or "").strip()
        if value:
            call.state.bot_texts[(field, language)] = value
        else:
            call.state.bot_texts.pop((field, language), None)
        return True

    def getter(call: Call) -> Any:
        language = (call.params.text("language_code") or "").strip()
        texts = call.state.bot_texts
        value = texts.get((field, language), texts.get((field, ""), ""))
        if field == "name" and not value:
            value = call.state.bot_first_name
        return {field: value}

    return setter, getter


def set_chat_menu_button(call: Call) -> Any:
    """setChatMenuButton."""
    chat_id = call.params.integer("chat_id")
    if call.params.has("chat_id") and (chat_id is None or chat_id not in call.state.residents):
        raise bad_request("chat not found")
    button = call.params.json("menu_button", "menu button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button: Unsupported type specified")
    call.state.menu_buttons[chat_id] = button
    return True


def get_chat_menu_button(call: Call) -> Any:
    """getChatMenuButton."""
    chat_id = call.params.integer("chat_id")
    buttons = call.state.menu_buttons
    return buttons.get(chat_id, buttons.get(None, {"type": "commands"}))


def get_chat(call: Call) -> Any:
    """getChat, for private chats."""
    resident = _resident(call, _chat_id(call))
    return {
        **resident.chat_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
        },
    }


_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


# telegram-rules.md: "ports 443, 80, 88, 8443 only; reserved and private addresses refused".
WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})
# telegram-rules.md: "at most one call a second per bot, else 429 Too Many Requests: retry
# after 1".
SET_WEBHOOK_EVERY = 1.0


def set_webhook(call: Call) -> Any:
    """setWebhook: updates are then POSTed to it (playground/webhooks.py)."""
    state = call.state
    now = state.now()
    if state.webhook_set_at is not None and now - state.webhook_set_at < SET_WEBHOOK_EVERY:
        raise too_many_requests(1)
    url = (call.params.text("url") or "").strip()
    if url and not url.lower().startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if url and not state.local_webhooks:
        refusal = _webhook_address_refusal(url)
        if refusal is not None:
            raise bad_request(f"bad webhook: {refusal}")
    # "an empty secret_token is accepted" (telegram-rules.md): it means no secret.
    secret = call.params.text("secret_token") or None
    if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    if call.params.flag("drop_pending_updates"):
        state.drop_pending()
    _allowed_updates(call)
    if not url:
        state.webhook = None
        state.webhook_secret = None
        return True
    state.webhook_set_at = now
    state.webhook_secret = secret
    state.webhook = {
        "url": url,
        "max_connections": call.params.integer("max_connections") or 40,
        "has_custom_certificate": "certificate" in call.params.uploads,
        "ip_address": call.params.text("ip_address"),
    }
    return True


def _webhook_address_refusal(url: str) -> str | None:
    """What Telegram says of a webhook it will not post to: a wrong port or a reserved address.

    Telegram resolves a host name; the playground does not look names up, so only an IP
    address (or localhost, which is 127.0.0.1) is checked for being reserved.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        return "Wrong port number specified in the URL"
    if port not in WEBHOOK_PORTS:
        return "Webhook can be set up only on ports 80, 88, 443 or 8443"
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not address.is_global:
        return f"IP address {host} is reserved"
    return None


def delete_webhook(call: Call) -> Any:
    """deleteWebhook."""
    if call.params.flag("drop_pending_updates"):
        call.state.drop_pending()
    call.state.webhook = None
    call.state.webhook_secret = None
    return True


def get_webhook_info(call: Call) -> Any:
    """getWebhookInfo."""
    state = call.state
    info: dict[str, Any] = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if state.webhook is not None:
        info.update(
            url=state.webhook["url"],
            has_custom_certificate=state.webhook["has_custom_certificate"],
            max_connections=state.webhook["max_connections"],
        )
        if state.webhook.get("ip_address"):
            info["ip_address"] = state.webhook["ip_address"]
        if state.webhook.get("last_error_date"):
            info["last_error_date"] = state.webhook["last_error_date"]
            info["last_error_message"] = state.webhook["last_error_message"]
    if state.allowed_updates != DEFAULT_UPDATE_TYPES:
        info["allowed_updates"] = sorted(state.allowed_updates)
    return info


def _allowed_updates(call: Call) -> None:
    allowed = call.params.json("allowed_updates", "allowed updates")
    if call.params.text("allowed_updates") is None:
        return
    if isinstance(allowed, list):
        wanted = frozenset(str(kind) for kind in allowed) & ALL_UPDATE_TYPES
        call.state.allowed_updates = wanted or DEFAULT_UPDATE_TYPES


def get_file(call: Call) -> Any:
    """getFile."""
    file_id = (call.params.text("file_id") or "").strip()
    stored = call.state.files.get(file_id)
    if stored is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    if stored.size > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


def returns_true(call: Call) -> Any:
    """close and logOut."""
    return True


_set_description, _get_description = _bot_text("description", 512)
_set_short_description, _get_short_description = _bot_text("short_description", 120)
_set_name, _get_name = _bot_text("name", 64)

# getUpdates is not here: it waits, so the server handles it itself.
METHODS: dict[str, Callable[[Call], Any]] = {
    "getMe": get_me,
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendVoice": send_voice,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": _set_description,
    "getMyDescription": _get_description,
    "setMyShortDescription": _set_short_description,
    "getMyShortDescription": _get_short_description,
    "setMyName": _set_name,
    "getMyName": _get_name,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "getChat": get_chat,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "getFile": get_file,
    "close": returns_true,
    "logOut": returns_true,
}

# The official server matches method names without regard to case.
CANONICAL = {name.lower(): name for name in [*METHODS, "getUpdates"]}


def set_allowed_updates(call: Call) -> None:
    """Remember getUpdates' allowed_updates, as Telegram does until the next call that sets it."""
    _allowed_updates(call)
