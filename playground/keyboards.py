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


# Colours an inline button may have (Bot API 9.4); any other ``style`` is refused.
BUTTON_STYLES = frozenset({"primary", "success", "danger"})


def _button_text(value: dict[str, Any]) -> str:
    """The text field; Telegram also takes a JSON number as text (telegram-rules.md)."""
    if "text" not in value:
        raise MarkupError('Can\'t find field "text"')
    text = value["text"]
    if isinstance(text, int | float) and not isinstance(text, bool):
        return json.dumps(text)
    if not isinstance(text, str):
        raise _field_error("text", "String")
    return text


def _button_style(value: dict[str, Any]) -> None:
    """An unknown ``style`` is refused: "invalid button style specified" (telegram-rules.md)."""
    style = value.get("style")
    if style is not None and (not isinstance(style, str) or style not in BUTTON_STYLES):
        # An empty string is refused too: whether Telegram takes it as no style is unclear.
        raise MarkupError("invalid button style specified")


def _required_string(payload: Any, action: str, field: str) -> None:
    """``web_app`` needs ``url`` and ``copy_text`` needs ``text`` (telegram-rules.md)."""
    if not isinstance(payload, dict):
        raise MarkupError(f'Field "{action}" must be an Object')
    if field not in payload:
        raise MarkupError(f'Can\'t find field "{field}"')
    if not isinstance(payload[field], str):
        raise _field_error(field, "String")


def _inline_action(value: dict[str, Any]) -> str:
    """The one field that says what the button does."""
    # Telegram ignores empty url and callback_data, so a button with only those is a text button.
    actions = [
        name
        for name in INLINE_ACTIONS
        if name in value and not (name in ("url", "callback_data") and value[name] in ("", None))
    ]
    if not actions:
        raise MarkupError("Text buttons are unallowed in the inline keyboard")
    if set(actions) == {"url", "callback_data"}:
        # "a button with both url and callback_data is taken as a URL button" (telegram-rules.md).
        return "url"
    if len(actions) > 1:
        # Which field wins in other pairs is not checked against Telegram: safer to refuse.
        raise MarkupError(
            "Exactly one of the optional fields must be used to specify type of the button"
        )
    return actions[0]


def _inline_button(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MarkupError("InlineKeyboardButton must be an Object")
    text = _button_text(value)
    if not text.strip():
        # Telegram drops such a button silently ("a button with empty text is dropped, not
        # refused"); refusing is the safer side, since a dropped button is a bug in the bot.
        raise MarkupError("BUTTON_TEXT_INVALID")
    _button_style(value)
    action = _inline_action(value)
    button: dict[str, Any] = {"text": text}
    if "style" in value and value["style"] is not None:
        button["style"] = value["style"]
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
    if action == "web_app":
        _required_string(payload, action, "url")
    if action == "copy_text":
        _required_string(payload, action, "text")
    button[action] = payload
    return button


def _reply_button(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"text": value}
    if not isinstance(value, dict):
        raise MarkupError("KeyboardButton must be a String or an Object")
    button: dict[str, Any] = {"text": _button_text(value)}
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
