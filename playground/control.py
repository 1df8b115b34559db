"""The control API: JSON over HTTP through which tests and the demo act as residents."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from playground.errors import ControlError
from playground.faults import configure as configure_faults
from playground.flood import FloodLimits
from playground.formatting import FormattedText, FormattingError, fix_formatted_text
from playground.keyboards import Markup
from playground.media import image_size, make_document, make_image, make_voice
from playground.models import Resident, StoredMessage
from playground.state import CAPTION_LIMIT, MESSAGE_LIMIT, PlaygroundState
from playground.webhooks import WebhookDelivery

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_CONTENT_KINDS = ("text", "photo", "voice", "sticker", "location", "contact", "document")
_MIME_BY_KIND = {"photo": "image/jpeg", "voice": "audio/ogg", "sticker": "image/webp"}


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def _guarded(handler: Handler) -> Handler:
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ControlError as exc:
            return _json({"error": exc.message}, exc.status)

    return wrapper


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError as exc:
        raise ControlError("the body must be a JSON object") from exc
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def _int(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ControlError(f'"{key}" must be an integer')
    return value


def _optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ControlError(f'"{key}" must be a string')
    return value


def _path_int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise ControlError(f"{name} must be an integer", 404) from None


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f'"{key}" must be a number')
    return float(value)


def buttons_json(markup: Markup | None) -> list[list[dict[str, Any]]]:
    """Rows of an inline keyboard as the control API shows them."""
    if markup is None or markup.kind != "inline":
        return []
    return [[dict(button) for button in row] for row in markup.rows]


def _button_list(message: StoredMessage) -> str:
    labels = [b["text"] for row in buttons_json(message.inline) for b in row]
    return ", ".join(repr(label) for label in labels) or "no buttons"


class ControlApi:
    """Handlers of /control/*."""

    def __init__(self, state: PlaygroundState, webhooks: WebhookDelivery | None = None) -> None:
        self.state = state
        self.webhooks = webhooks or WebhookDelivery(state)

    def routes(self) -> list[web.RouteDef]:
        """The routes, each turning a ControlError into a JSON error response."""
        table = [
            ("POST", "/control/users", self.create_user),
            ("GET", "/control/users", self.list_users),
            ("GET", "/control/users/{user_id}", self.get_user),
            ("POST", "/control/users/{user_id}/block", self.block),
            ("POST", "/control/users/{user_id}/deactivate", self.deactivate),
            ("POST", "/control/users/{user_id}/voice_messages", self.voice_messages),
            ("POST", "/control/messages", self.post_message),
            ("POST", "/control/edits", self.post_edit),
            ("POST", "/control/callbacks", self.post_callback),
            ("GET", "/control/chats/{user_id}", self.get_chat),
            ("GET", "/control/chats/{user_id}/messages", self.get_messages),
            ("GET", "/control/chats/{user_id}/changes", self.get_changes),
            ("GET", "/control/files/{file_id}", self.get_file),
            ("GET", "/control/callback_answers/{query_id}", self.get_callback_answer),
            ("GET", "/control/commands", self.get_commands),
            ("GET", "/control/stats", self.get_stats),
            ("POST", "/control/limits", self.post_limits),
            ("GET", "/control/faults", self.get_faults),
            ("POST", "/control/faults", self.post_faults),
            ("POST", "/control/reset_stats", self.reset_stats),
            ("GET", "/control/updates/pending", self.get_pending),
            ("GET", "/control/bot", self.get_bot),
            ("GET", "/control/webhook", self.get_webhook),
            ("POST", "/control/webhook/targets", self.post_webhook_targets),
        ]
        return [web.route(method, path, _guarded(handler)) for method, path, handler in table]

    # Residents.

    async def create_user(self, request: web.Request) -> web.StreamResponse:
        """POST /control/users."""
        body = await _body(request)
        first_name = _optional_str(body, "first_name")
        if not first_name:
            raise ControlError('"first_name" is required')
        user_id = body.get("id")
        if user_id is not None:
            user_id = _int(body, "id")
        started = body.get("started", True)
        resident = self.state.add_resident(
            first_name,
            user_id=user_id,
            last_name=_optional_str(body, "last_name"),
            username=_optional_str(body, "username"),
            language_code=_optional_str(body, "language_code"),
            started=started is not False,
        )
        return _json(resident.control_json())

    async def list_users(self, request: web.Request) -> web.StreamResponse:
        """GET /control/users."""
        return _json([r.control_json() for r in self.state.residents.values()])

    async def get_user(self, request: web.Request) -> web.StreamResponse:
        """GET /control/users/{id}."""
        return _json(self.state.resident(_path_int(request, "user_id")).control_json())

    async def block(self, request: web.Request) -> web.StreamResponse:
        """POST /control/users/{id}/block: (un)block the bot, with a my_chat_member update."""
        state = self.state
        resident = state.resident(_path_int(request, "user_id"))
        body = await _body(request)
        blocked = body.get("blocked", True) is not False
        update_id: int | None = None
        if blocked != resident.blocked:
            resident.blocked = blocked
            member = {"user": state.bot_json(), "status": "member"}
            kicked = {"user": state.bot_json(), "status": "kicked", "until_date": 0}
            update_id = state.queue_update(
                "my_chat_member",
                {
                    "chat": resident.chat_json(),
                    "from": resident.user_json(),
                    "date": state.unix(),
                    "old_chat_member": member if blocked else kicked,
                    "new_chat_member": kicked if blocked else member,
                },
            )
        return _json({"user": resident.control_json(), "update_id": update_id})

    async def deactivate(self, request: web.Request) -> web.StreamResponse:
        """POST /control/users/{id}/deactivate: the account is deleted (or comes back)."""
        resident = self.state.resident(_path_int(request, "user_id"))
        body = await _body(request)
        resident.deactivated = body.get("deactivated", True) is not False
        return _json({"user": resident.control_json(), "update_id": None})

    async def voice_messages(self, request: web.Request) -> web.StreamResponse:
        """POST /control/users/{id}/voice_messages: {"allowed": false} refuses bots' voice notes."""
        resident = self.state.resident(_path_int(request, "user_id"))
        body = await _body(request)
        resident.voice_forbidden = body.get("allowed", True) is False
        return _json({"user": resident.control_json(), "update_id": None})

    def _active(self, body: dict[str, Any]) -> Resident:
        resident = self.state.resident(_int(body, "user_id"))
        if resident.deactivated:
            raise ControlError(f"user {resident.id} is deactivated and cannot act")
        if resident.blocked:
            raise ControlError(
                f"user {resident.id} has blocked the bot; unblock first "
                f'(POST /control/users/{resident.id}/block {{"blocked": false}})'
            )
        return resident

    # Messages from residents.

    def _plain(self, text: str, limit: int, what: str) -> FormattedText:
        try:
            formatted = fix_formatted_text(text, [], allow_empty=False)
        except FormattingError:
            raise ControlError(f"{what} must contain more than whitespace") from None
        if formatted.length > limit:
            raise ControlError(f"{what} is longer than {limit} characters; Telegram would split it")
        return formatted

    def _seed(self, resident: Resident) -> str:
        return f"{resident.id}:{self.state.revision}"

    async def post_message(self, request: web.Request) -> web.StreamResponse:
        """POST /control/messages: the resident sends something to the bot."""
        state = self.state
        body = await _body(request)
        resident = self._active(body)
        kinds = [k for k in _CONTENT_KINDS if body.get(k) not in (None, False)]
        if len(kinds) != 1:
            raise ControlError(
                "send exactly one of text, photo, voice, sticker, location, contact, document"
            )
        kind = kinds[0]
        fields: dict[str, Any] = {}
        caption = _optional_str(body, "caption")
        if caption is not None:
            if kind not in ("photo", "document", "voice"):
                raise ControlError("only a photo, document or voice note has a caption")
            if caption:
                fields["caption"] = self._plain(caption, CAPTION_LIMIT, "caption")
        if kind == "text":
            text = body["text"]
            if not isinstance(text, str) or not text:
                raise ControlError('"text" must be a non-empty string')
            fields["text"] = self._plain(text, MESSAGE_LIMIT, "text")
        else:
            fields.update(self._media(kind, body[kind], resident))
        reply_to = body.get("reply_to_message_id")
        if reply_to is not None:
            reply_to = _int(body, "reply_to_message_id")
            if state.chat_message(resident.id, reply_to) is None:
                raise ControlError(f"message {reply_to} is not in the chat of user {resident.id}")
            fields["reply_to"] = reply_to
        message = state.new_message(resident.id, from_bot=False, **fields)
        resident.started = True
        update_id = state.queue_update("message", state.message_json(message))
        return _json({"update_id": update_id, "message_id": message.message_id})

    def _media(self, kind: str, spec: Any, resident: Resident) -> dict[str, Any]:
        state = self.state
        options: dict[str, Any] = spec if isinstance(spec, dict) else {}
        if not isinstance(spec, dict) and spec is not True:
            raise ControlError(f'"{kind}" must be true or an object')
        seed = self._seed(resident)
        if kind == "photo":
            data = self._bytes(options)
            if data is not None:
                width, height = image_size(data) or (0, 0)
            else:
                width = int(_number(options.get("width", 800), "width"))
                height = int(_number(options.get("height", 600), "height"))
                if not (1 <= width <= 5000 and 1 <= height <= 5000):
                    raise ControlError("photo width and height must be 1-5000")
                data = make_image(width, height, seed)
            sizes = state.store_photo(data, width, height)
            return {"media": {"photo": sizes}, "files": [state.files[s["file_id"]] for s in sizes]}
        if kind == "voice":
            duration = int(_number(options.get("duration", 3), "duration"))
            if duration < 1:
                raise ControlError("a voice note lasts at least a second")
            stored = state.store_file(
                "voice", make_voice(duration, seed), extension="oga", mime_type="audio/ogg"
            )
            voice = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "duration": duration,
                "mime_type": "audio/ogg",
                "file_size": stored.size,
            }
            # The bot may send it on by file_id; it keeps its duration, as in Telegram.
            state.media_json[stored.file_id] = voice
            return {"media": {"voice": voice}, "files": [stored]}
        if kind == "sticker":
            emoji = options.get("emoji", "👍")
            stored = state.store_file(
                "sticker",
                make_image(512, 512, seed, "WEBP"),
                extension="webp",
                mime_type="image/webp",
                width=512,
                height=512,
            )
            sticker = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
                "file_size": stored.size,
            }
            return {"media": {"sticker": sticker}, "files": [stored]}
        if kind == "location":
            latitude = _number(options.get("latitude", 52.3676), "latitude")
            longitude = _number(options.get("longitude", 4.9041), "longitude")
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise ControlError("latitude must be -90..90 and longitude -180..180")
            location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
            if "horizontal_accuracy" in options:
                location["horizontal_accuracy"] = options["horizontal_accuracy"]
            return {"media": {"location": location}}
        if kind == "contact":
            phone = options.get("phone_number")
            if not isinstance(phone, str) or not phone:
                raise ControlError('"contact" needs a "phone_number"')
            contact: dict[str, Any] = {
                "phone_number": phone,
                "first_name": options.get("first_name", resident.first_name),
            }
            last_name = options.get("last_name", resident.last_name)
            if last_name:
                contact["last_name"] = last_name
            user_id = options.get("user_id", resident.id)
            if user_id is not None:
                contact["user_id"] = user_id
            return {"media": {"contact": contact}}
        file_name = options.get("file_name", "document.pdf")
        mime_type = options.get("mime_type", "application/pdf")
        if not isinstance(file_name, str) or not isinstance(mime_type, str):
            raise ControlError("file_name and mime_type must be strings")
        data = self._bytes(options) or make_document(file_name, mime_type, seed)
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = state.store_file(
            "document", data, extension=extension, file_name=file_name, mime_type=mime_type
        )
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": stored.size,
        }
        state.media_json[stored.file_id] = document
        return {"media": {"document": document}, "files": [stored]}

    @staticmethod
    def _bytes(options: dict[str, Any]) -> bytes | None:
        raw = options.get("bytes_b64")
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise ControlError('"bytes_b64" must be a base64 string')
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise ControlError('"bytes_b64" is not valid base64') from None

    async def post_edit(self, request: web.Request) -> web.StreamResponse:
        """POST /control/edits: the resident edits one of their own messages."""
        state = self.state
        body = await _body(request)
        resident = self._active(body)
        message_id = _int(body, "message_id")
        message = state.chat_message(resident.id, message_id)
        if message is None:
            raise ControlError(f"message {message_id} is not in the chat of user {resident.id}")
        if message.from_bot:
            raise ControlError(
                f"message {message_id} is the bot's; a resident edits only their own"
            )
        if message.text is not None:
            new_text = body.get("text")
            if not isinstance(new_text, str) or not new_text:
                raise ControlError('"text" must be a non-empty string')
            formatted = self._plain(new_text, MESSAGE_LIMIT, "text")
            if formatted == message.text:
                raise ControlError("the message already has this text; Telegram sends no edit")
            message.text = formatted
        else:
            new_caption = body.get("caption", body.get("text"))
            if not isinstance(new_caption, str):
                raise ControlError(f'message {message_id} has no text; send a "caption"')
            formatted = self._plain(new_caption, CAPTION_LIMIT, "caption")
            if formatted == message.caption:
                raise ControlError("the message already has this caption; Telegram sends no edit")
            message.caption = formatted
        message.edit_date = state.unix()
        state.touch(message)
        update_id = state.queue_update("edited_message", state.message_json(message))
        return _json({"update_id": update_id, "message_id": message.message_id})

    async def post_callback(self, request: web.Request) -> web.StreamResponse:
        """POST /control/callbacks: the resident presses a button under a bot message."""
        state = self.state
        body = await _body(request)
        resident = self._active(body)
        message_id = _int(body, "message_id")
        label = _optional_str(body, "label")
        data = _optional_str(body, "data")
        message = state.chat_message(resident.id, message_id)
        if message is None:
            raise ControlError(f"message {message_id} is not in the chat of user {resident.id}")
        if not message.from_bot:
            raise ControlError(f"message {message_id} is the resident's own; it has no buttons")
        if body.get("forged") is True:
            if data is None:
                raise ControlError('a forged press needs "data"')
        else:
            data = self._pressed(message, label, data)
        query = state.new_callback(resident.id, message_id, data)
        update_id = state.queue_update(
            "callback_query",
            {
                "id": query.id,
                "from": resident.user_json(),
                "message": state.message_json(message),
                "chat_instance": state.chat_instance(resident.id),
                "data": data,
            },
        )
        return _json({"update_id": update_id, "callback_query_id": query.id})

    @staticmethod
    def _pressed(message: StoredMessage, label: str | None, data: str | None) -> str:
        if label is None and data is None:
            raise ControlError('say which button: "label" or "data"')
        if message.inline is None:
            raise ControlError(f"message {message.message_id} has no inline keyboard")
        for row in message.inline.rows:
            for button in row:
                if label is not None and button["text"] != label:
                    continue
                if data is not None and button.get("callback_data") != data:
                    continue
                if "callback_data" not in button:
                    action = next(k for k in button if k != "text")
                    raise ControlError(
                        f"button {button['text']!r} is a {action} button "
                        f"({button[action]!r}); pressing it sends the bot nothing"
                    )
                return str(button["callback_data"])
        wanted = f"label {label!r}" if label is not None else f"data {data!r}"
        raise ControlError(
            f"message {message.message_id} has no button with {wanted}; "
            f"it shows: {_button_list(message)}"
        )

    # What residents see.

    def message_view(self, message: StoredMessage) -> dict[str, Any]:
        """A message as the control API shows it."""
        view: dict[str, Any] = {
            "message_id": message.message_id,
            "from_bot": message.from_bot,
            "date": message.date,
            "text": message.text.text if message.text is not None else None,
            "entities": message.text.entities_json() if message.text is not None else [],
            "caption": message.caption.text if message.caption is not None else None,
            "caption_entities": message.caption.entities_json() if message.caption else [],
            "html": message.source if message.from_bot else None,
            "parse_mode": message.parse_mode,
            "photo": None,
            "document": None,
            "buttons": buttons_json(message.inline),
            "keyboard": None,
            "remove_keyboard": False,
            "force_reply": False,
            "edited": message.edit_date is not None,
            "edit_date": message.edit_date,
            "deleted": message.deleted,
            "reply_to_message_id": message.reply_to,
            "revision": message.revision,
        }
        if "photo" in message.media:
            largest = self.state.files[message.media["photo"][-1]["file_id"]]
            view["photo"] = largest.info_json()
        for kind in ("document", "voice", "sticker"):
            if kind in message.media:
                stored = self.state.files[message.media[kind]["file_id"]]
                view[kind] = {**message.media[kind], **stored.info_json()}
        for kind in ("location", "contact"):
            if kind in message.media:
                view[kind] = message.media[kind]
        markup = message.markup
        if markup is not None and markup.kind == "reply":
            view["keyboard"] = [[dict(b) for b in row] for row in markup.rows]
        view["remove_keyboard"] = markup is not None and markup.kind == "remove"
        view["force_reply"] = markup is not None and markup.kind == "force_reply"
        return view

    async def get_chat(self, request: web.Request) -> web.StreamResponse:
        """GET /control/chats/{id}: the chat's screen state."""
        state = self.state
        resident = state.resident(_path_int(request, "user_id"))
        chat = state.chats[resident.id]
        keyboard = chat.reply_keyboard
        ids = state.chat_messages.get(resident.id, [])
        return _json(
            {
                "user": resident.control_json(),
                "reply_keyboard": None
                if keyboard is None
                else [[dict(b) for b in row] for row in keyboard.rows],
                "last_action": chat.last_action,
                "message_count": len(ids),
                "last_message_id": ids[-1] if ids else 0,
                "revision": state.chat_revisions.get(resident.id, 0),
            }
        )

    async def get_messages(self, request: web.Request) -> web.StreamResponse:
        """GET /control/chats/{id}/messages?after=N."""
        resident = self.state.resident(_path_int(request, "user_id"))
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            raise ControlError("after must be a message id") from None
        history = self.state.history(resident.id, after)
        return _json([self.message_view(m) for m in history])

    async def get_changes(self, request: web.Request) -> web.StreamResponse:
        """GET /control/chats/{id}/changes?since=R&timeout=S: long-poll for changed messages."""
        state = self.state
        resident = state.resident(_path_int(request, "user_id"))
        try:
            since = int(request.query.get("since", "0"))
            timeout = min(max(float(request.query.get("timeout", "0")), 0.0), 60.0)
        except ValueError:
            raise ControlError("since must be a revision and timeout a number of seconds") from None
        await state.wait_for_chat_change(resident.id, since, timeout)
        chat = state.chats[resident.id]
        return _json(
            {
                "revision": state.chat_revisions.get(resident.id, 0),
                "messages": [self.message_view(m) for m in state.changed_since(resident.id, since)],
                "last_action": chat.last_action,
            }
        )

    async def get_file(self, request: web.Request) -> web.StreamResponse:
        """GET /control/files/{file_id}: the bytes of a file."""
        stored = self.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise ControlError("no such file", 404)
        content_type = stored.mime_type or _MIME_BY_KIND.get(
            stored.kind, "application/octet-stream"
        )
        return web.Response(body=stored.data, content_type=content_type)

    async def get_callback_answer(self, request: web.Request) -> web.StreamResponse:
        """GET /control/callback_answers/{id}: how the bot answered a press."""
        query = self.state.callbacks.get(request.match_info["query_id"])
        if query is None:
            raise ControlError("no such callback query", 404)
        if query.answer is None:
            raise ControlError("the bot has not answered this callback query", 404)
        return _json(query.answer)

    async def get_commands(self, request: web.Request) -> web.StreamResponse:
        """GET /control/commands: command lists by scope and language."""
        lists = [
            {"scope": json.loads(scope), "language_code": language, "commands": commands}
            for (scope, language), commands in sorted(self.state.commands.items())
        ]
        return _json({"commands": lists})

    async def get_bot(self, request: web.Request) -> web.StreamResponse:
        """GET /control/bot: the bot's identity and webhook."""
        state = self.state
        return _json({**state.bot_json(), "webhook": state.webhook})

    async def get_webhook(self, request: web.Request) -> web.StreamResponse:
        """GET /control/webhook: the webhook, where deliveries go, and how they went."""
        return _json(self.webhooks.stats_json())

    async def post_webhook_targets(self, request: web.Request) -> web.StreamResponse:
        """POST /control/webhook/targets {"urls": [...]}: post webhook deliveries to these
        addresses in turn (a stand-in for a load balancer); [] holds them back."""
        body = await _body(request)
        urls = body.get("urls")
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            raise ControlError('"urls" must be a list of strings')
        try:
            self.webhooks.set_targets(urls)
        except ValueError as exc:
            raise ControlError(str(exc)) from None
        return _json(self.webhooks.stats_json())

    # Statistics and limits.

    def stats_json(self) -> dict[str, Any]:
        """Counters plus the limits in force."""
        state = self.state
        remaining = max(0.0, state.flood.ban_until - state.now())
        return {
            **state.stats.as_json(),
            "limits": state.flood.limits.as_dict(),
            "callback_timeout": state.callback_timeout,
            "ban_remaining": remaining,
            "chat_bans": state.flood.chat_bans,
            "paid_messages": state.flood.paid_messages,
            "stars_spent": state.flood.stars_spent,
        }

    async def get_stats(self, request: web.Request) -> web.StreamResponse:
        """GET /control/stats."""
        return _json(self.stats_json())

    async def post_limits(self, request: web.Request) -> web.StreamResponse:
        """POST /control/limits: change flood limits; buckets refill and any ban ends."""
        body = await _body(request)
        apply_limits(self.state, body)
        return _json(
            self.stats_json()["limits"] | {"callback_timeout": self.state.callback_timeout}
        )

    async def get_faults(self, request: web.Request) -> web.StreamResponse:
        """GET /control/faults: the fault injection in force and what it injected."""
        return _json(self.state.faults.as_json())

    async def post_faults(self, request: web.Request) -> web.StreamResponse:
        """POST /control/faults: make some Bot API calls fail (see playground/faults.py)."""
        self.state.faults = configure_faults(self.state.faults, await _body(request))
        return _json(self.state.faults.as_json())

    async def reset_stats(self, request: web.Request) -> web.StreamResponse:
        """POST /control/reset_stats."""
        stats = self.state.stats
        stats.calls.clear()
        stats.errors.clear()
        stats.too_many_requests = stats.violations = stats.errors_4xx = 0
        self.state.flood.chat_bans = 0
        self.state.flood.paid_messages = 0
        return _json({"ok": True})

    async def get_pending(self, request: web.Request) -> web.StreamResponse:
        """GET /control/updates/pending."""
        return _json(self.state.pending_json())


def apply_limits(state: PlaygroundState, changes: dict[str, Any]) -> FloodLimits:
    """Validate and apply new flood limits (and callback_timeout)."""
    limits = state.flood.limits
    known = {
        "global_rate",
        "global_burst",
        "chat_rate",
        "chat_burst",
        "retry_after",
        "paid_rate",
        "paid_burst",
    }
    unknown = set(changes) - known - {"callback_timeout"}
    if unknown:
        raise ControlError(f"unknown limits: {', '.join(sorted(unknown))}")
    values = {k: _number(v, k) for k, v in changes.items()}
    for key in ("global_rate", "chat_rate", "paid_rate", "callback_timeout"):
        if key in values and values[key] <= 0:
            raise ControlError(f"{key} must be positive")
    for key in ("global_burst", "chat_burst", "paid_burst", "retry_after"):
        if key in values and (values[key] < 1 or values[key] != int(values[key])):
            raise ControlError(f"{key} must be a whole number of at least 1")
    new = FloodLimits(
        global_rate=values.get("global_rate", limits.global_rate),
        global_burst=int(values.get("global_burst", limits.global_burst)),
        chat_rate=values.get("chat_rate", limits.chat_rate),
        chat_burst=int(values.get("chat_burst", limits.chat_burst)),
        retry_after=int(values.get("retry_after", limits.retry_after)),
        paid_rate=values.get("paid_rate", limits.paid_rate),
        paid_burst=int(values.get("paid_burst", limits.paid_burst)),
    )
    state.flood.limits = new
    state.flood.reset()
    if "callback_timeout" in values:
        state.callback_timeout = values["callback_timeout"]
    return new
