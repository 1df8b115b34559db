"""The callback context every handler receives: services, the person's language and state."""

from __future__ import annotations

from typing import Any, TypeAlias, cast

from telegram.ext import Application, CallbackContext, ExtBot

from bot.core.i18n import DEFAULT_LANGUAGE
from bot.services import Services
from bot.village.access import Role
from storage.models import ChatState, Resident


class BuurtContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Carries what the guard handler loaded for this update to the flow handlers."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.lang: str = DEFAULT_LANGUAGE
        self.resident: Resident | None = None
        self.roles: frozenset[Role] = frozenset({Role.RESIDENT})
        self.state: ChatState = ChatState(chat_id or 0)
        self.quiet = False
        """A flood (the guard's UpdateGate): store what is sent, answer nothing."""

    @property
    def services(self) -> Services:
        """Return the services the application was built with."""
        return cast(Services, self.application.bot_data["services"])


BuurtApp: TypeAlias = Application[
    ExtBot[Any], BuurtContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], None
]
