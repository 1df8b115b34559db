"""reply_markup as the Bot API reads it (Client.cpp get_reply_markup), with its refusals."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from playground.entities import checked_link
from playground.formatting import FormattingError

MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64

# Fields of an InlineKeyboardButton that say what it does; exactly one must be present.
INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_REPLY_BUTTON_FIELDS = (
    "request_contact",
    "request_location",
    "request_poll",
    "request_users",
    "request_chat",
    "web_app",
)

MarkupKind = Literal["inline", "reply", "remove", "force_reply"]


class MarkupError(FormattingError):
    """A reply_markup refusal; ``description`` follows "Bad Request: "."""


@dataclass(frozen=True)
class Markup:
    """A parsed reply_markup: its kind, its buttons and the JSON Telegram would echo."""

    kind: MarkupKind
    rows: tuple[tuple[dict[str, Any], ...], ...]
    options: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The markup in the Bot API's JSON shape."""
        if self.kind == "inline":
            return {"inline_keyboard": [list(row) for row in self.rows]}
        if self.kind == "reply":
            return {"keyboard": [list(row) for row in self.rows], **self.options}
        if self.kind == "remove":
            return {"remove_keyboard": True, **self.options}
        return {"force_reply": True, **self.options}


def _field_error(field: str, kind: str) -> MarkupError:
    return MarkupError(f'Field "{field}" must be of type {kind}')


def _inline_button(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MarkupError("InlineKeyboardButton must be an Object")
    if "text" not in value:
        raise MarkupError('Can\'t find field "text"')
    text = value["text"]
    if not isinstance(text, str):
        raise _field_error("text", "String")
    if not text.strip():
        raise MarkupError("BUTTON_TEXT_INVALID")
    # Telegram ignores empty url and callback_data, so a button with only those is a text button.
    actions = [
        name
        for name in INLINE_ACTIONS
        if name in value and not (name in ("url", "callback_data") and value[name] in ("", None))
    ]
    if not actions:
        raise MarkupError("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise MarkupError(
            "Exactly one of the optional fields must be used to specify type of the button"
        )
    action = actions[0]
    button: dict[str, Any] = {"text": text}
    payload = value[action]
    string_actions = (
        "url",
        "callback_data",
        "switch_inline_query",
        "switch_inline_query_current_chat",
    )
    if action in string_actions and not isinstance(payload, str):
        raise _field_error(action, "String")
    if action == "callback_data":
        size = len(payload.encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise MarkupError("BUTTON_DATA_INVALID")
    if action == "url" and checked_link(payload) is None:
        raise MarkupError(f"inline keyboard button URL '{payload}' is invalid: Wrong HTTP URL")
    button[action] = payload
    return button


def _reply_button(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"text": value}
    if not isinstance(value, dict):
        raise MarkupError("KeyboardButton must be a String or an Object")
    if "text" not in value:
        raise MarkupError('Can\'t find field "text"')
    if not isinstance(value["text"], str):
        raise _field_error("text", "String")
    button: dict[str, Any] = {"text": value["text"]}
    for name in _REPLY_BUTTON_FIELDS:
        if name in value and value[name] not in (False, None):
            button[name] = value[name]
    return button


def _rows(value: Any, message: str) -> list[list[Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise MarkupError(message)
    return value


def parse_reply_markup(raw: str | None) -> Markup | None:
    """The markup a request carries, or None when it carries none."""
    if raw is None or raw == "":
        return None
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise MarkupError("can't parse reply keyboard markup JSON object") from exc
    return markup_from_json(value)


def markup_from_json(value: Any) -> Markup | None:
    """Validate a decoded reply_markup object."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MarkupError("object expected as reply markup")

    reply_rows = _rows(value.get("keyboard"), 'Field "keyboard" must be an Array of Arrays')
    parsed_reply: list[tuple[dict[str, Any], ...]] = []
    for row in reply_rows:
        try:
            parsed_reply.append(tuple(_reply_button(b) for b in row))
        except MarkupError as exc:
            raise MarkupError(f"can't parse keyboard button: {exc.description}") from exc

    inline_rows = _rows(
        value.get("inline_keyboard"),
        'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
    )
    parsed_inline: list[tuple[dict[str, Any], ...]] = []
    for row in inline_rows:
        buttons = []
        for b in row:
            try:
                buttons.append(_inline_button(b))
            except MarkupError as exc:
                if exc.description in ("BUTTON_DATA_INVALID", "BUTTON_TEXT_INVALID") or (
                    exc.description.startswith("inline keyboard button URL")
                ):
                    raise
                raise MarkupError(f"can't parse inline keyboard button: {exc.description}") from exc
        parsed_inline.append(tuple(buttons))

    def flag(name: str) -> bool:
        return value.get(name) is True

    personal = flag("selective") or flag("personal_keyboard")
    if any(parsed_reply):
        options = {
            name: value[name]
            for name in (
                "is_persistent",
                "resize_keyboard",
                "one_time_keyboard",
                "input_field_placeholder",
                "selective",
            )
            if name in value
        }
        return Markup("reply", tuple(r for r in parsed_reply if r), options)
    if any(parsed_inline):
        total = sum(len(r) for r in parsed_inline)
        if total > MAX_INLINE_BUTTONS:
            raise MarkupError("reply markup is too long")
        return Markup("inline", tuple(r for r in parsed_inline if r), {})
    if flag("remove_keyboard") or flag("hide_keyboard"):
        return Markup("remove", (), {"selective": True} if personal else {})
    if flag("force_reply") or flag("force_reply_keyboard"):
        options = {"selective": True} if personal else {}
        if isinstance(value.get("input_field_placeholder"), str):
            options["input_field_placeholder"] = value["input_field_placeholder"]
        return Markup("force_reply", (), options)
    return None
