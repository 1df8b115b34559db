"""The commands people see in their menu and in /help, per role."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.core.config import Config
from bot.core.i18n import LANGUAGES, plain
from bot.village.access import Role, roles_of
from storage.models import RoleGrant
from storage.repository import Repository

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    role: Role
    also: tuple[Role, ...] = ()  # other roles that may use it too
    dutch: str | None = None  # its Dutch name, where `name` is an English word

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the command answers to, in any language."""
        return (self.name,) if self.dutch is None else (self.name, self.dutch)

    def name_in(self, language: str) -> str:
        """The name to show in this language's menu and /help."""
        return self.dutch if language == "nl" and self.dutch else self.name


# Order is the order of the menu: what a resident needs most comes first.
COMMANDS: tuple[Command, ...] = (
    Command("thema", Role.RESIDENT),
    Command("bord", Role.RESIDENT),
    Command("mijn", Role.RESIDENT),
    Command("tafels", Role.RESIDENT),
    Command("agenda", Role.RESIDENT),
    Command("help", Role.RESIDENT),
    Command("taal", Role.RESIDENT),
    Command("privacy", Role.RESIDENT),
    Command("mijngegevens", Role.RESIDENT),
    Command("vergeet", Role.RESIDENT),
    Command("stop", Role.RESIDENT),
    Command("start", Role.RESIDENT),
    Command("cancel", Role.RESIDENT, dutch="annuleer"),
    Command("nieuwthema", Role.AMBASSADOR),
    Command("themas", Role.AMBASSADOR),
    Command("bericht", Role.AMBASSADOR),
    Command("poster", Role.AMBASSADOR),
    Command("voortgang", Role.AMBASSADOR),
    Command("afsluiten", Role.AMBASSADOR),
    Command("nieuwetafel", Role.AMBASSADOR),
    Command("moment", Role.AMBASSADOR),
    Command("plein", Role.AMBASSADOR),
    Command("overtypen", Role.AMBASSADOR, (Role.MODERATOR,)),
    Command("moderatie", Role.MODERATOR),
    Command("export", Role.MODERATOR, (Role.AMBASSADOR,)),
    Command("rol", Role.ADMIN),
    Command("audit", Role.ADMIN),
)


def command_named(name: str) -> Command:
    """The command of this (English or canonical) name."""
    return next(c for c in COMMANDS if c.name == name)


def commands_for(roles: frozenset[Role]) -> list[Command]:
    """Return the commands open to someone with these roles; an admin may do everything."""
    return [c for c in COMMANDS if c.role in roles or roles & set(c.also) or Role.ADMIN in roles]


def bot_commands(language: str, roles: frozenset[Role]) -> list[BotCommand]:
    """Return the menu for one language and role set."""
    return [
        BotCommand(c.name_in(language), plain(language, f"commands.{c.name}"))
        for c in commands_for(roles)
    ]


async def set_command_menus(bot: Bot, config: Config, repo: Repository) -> None:
    """Give residents a menu per language, and everyone with a role who has opened the chat."""
    resident = frozenset({Role.RESIDENT})
    try:
        for language in LANGUAGES:
            await bot.set_my_commands(
                bot_commands(language, resident),
                scope=BotCommandScopeDefault(),
                language_code=None if language == config.default_language else language,
            )
    except TelegramError as exc:
        _log.warning("could not set the residents' command menu: %s", exc.message)
    role_holders = (
        set(config.roles.admins)
        | set(config.roles.moderators)
        | {a.user_id for a in config.roles.ambassadors}
    )
    # Roles given in the chat (/rol) get their menu too.
    granted: dict[int, list[RoleGrant]] = {}
    for grant in await repo.list_grants():
        granted.setdefault(grant.user_id, []).append(grant)
    for user_id in sorted(role_holders | set(granted)):
        # Telegram refuses a menu for a chat that was never opened; /start sets it then.
        if await repo.get_resident(user_id) is not None:
            roles = roles_of(user_id, config, granted.get(user_id, []))
            await set_personal_menu(bot, config, user_id, roles)


async def set_personal_menu(bot: Bot, config: Config, user_id: int, roles: frozenset[Role]) -> None:
    """Show one person the menu of their roles, in both languages."""
    try:
        for language in LANGUAGES:
            await bot.set_my_commands(
                bot_commands(language, roles),
                scope=BotCommandScopeChat(user_id),
                language_code=None if language == config.default_language else language,
            )
    except TelegramError as exc:
        # Someone who never opened the chat gets their menu at their first /start.
        _log.info("no personal menu for a role holder yet: %s", exc.message)
