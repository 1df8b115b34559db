"""What works everywhere: /help, /taal, /cancel, and kind answers to whatever else arrives."""

from __future__ import annotations

import contextlib

from telegram import BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes, pack
from bot.chat.commands import bot_commands, command_named, commands_for
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.core.i18n import LANGUAGES, Html, plain, t
from bot.village.access import Role

# Language buttons read lang:<language>: the language itself is the action.
PREFIX = "lang"


async def help_command(update: Update, context: BuurtContext) -> None:
    """List what this person may do, for the roles they hold."""
    lang = context.lang
    lines: list[str] = [t(lang, "help.intro")]
    for command in commands_for(context.roles):
        lines.append(
            t(
                lang,
                "help.line",
                command=command.name_in(lang),
                description=plain(lang, f"commands.{command.name}"),
            )
        )
    extra = [
        plain(lang, f"roles.{role.value}")
        for role in (Role.ADMIN, Role.AMBASSADOR, Role.MODERATOR)
        if role in context.roles
    ]
    if extra:
        lines.append("")
        lines.append(t(lang, "help.roles", roles=", ".join(extra)))
    await say(update, context, Html("\n".join(lines)))


async def language_command(update: Update, context: BuurtContext) -> None:
    """Offer the languages the bot speaks."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(context.lang, "language.dutch"), callback_data=pack(PREFIX, "nl")
                ),
                InlineKeyboardButton(
                    plain(context.lang, "language.english"), callback_data=pack(PREFIX, "en")
                ),
            ]
        ]
    )
    await say(update, context, t(context.lang, "language.ask"), keyboard)


def _switch_to(language: str) -> ButtonHandler:
    """The handler of the button that switches to one language."""

    async def on_language(update: Update, context: BuurtContext, args: list[str]) -> None:
        """Switch the person's language and their command menu."""
        user = update.effective_user
        if args or user is None:
            await answer_key(update, context, "common.stale_button")
            return
        await context.services.repo.set_language(user.id, language)
        context.lang = language
        await answer(update)
        await drop_buttons(update)
        # The menu is a convenience; the language itself is already switched.
        with contextlib.suppress(TelegramError):
            await context.bot.set_my_commands(
                bot_commands(language, context.roles), scope=BotCommandScopeChat(user.id)
            )
        await say(update, context, t(language, "language.set"))

    return on_language


async def cancel(update: Update, context: BuurtContext) -> None:
    """Leave whatever flow the chat is in; everything stored so far stays."""
    chat = update.effective_chat
    if chat is None:
        return
    if context.state.flow is None:
        await say(update, context, t(context.lang, "common.nothing_to_cancel"))
        return
    await context.services.repo.set_state(chat.id, None, None, {})
    await say(update, context, t(context.lang, "common.cancelled"))


async def idle(update: Update, context: BuurtContext) -> None:
    """Answer a message that arrives outside any flow."""
    await say(update, context, t(context.lang, "common.idle"))


async def unknown_command(update: Update, context: BuurtContext) -> None:
    """Answer a command the bot doesn't know, or one this person may not use."""
    await say(update, context, t(context.lang, "common.unknown_command"))


async def unknown_button(update: Update, context: BuurtContext) -> None:
    """Answer a button no flow claimed: an old one, or data from a modified client."""
    await answer_key(update, context, "common.stale_button")


ROUTES: dict[str, ButtonHandler] = {language: _switch_to(language) for language in LANGUAGES}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers that work in every flow."""
    return [
        CommandHandler("help", help_command, filters=filters.ChatType.PRIVATE),
        CommandHandler("taal", language_command, filters=filters.ChatType.PRIVATE),
        CommandHandler("language", language_command, filters=filters.ChatType.PRIVATE),
        CommandHandler(command_named("cancel").names, cancel, filters=filters.ChatType.PRIVATE),
        *button_routes(PREFIX, ROUTES),
    ]


def fallback_handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers for whatever no flow handled."""
    return [
        MessageHandler(filters.COMMAND, unknown_command),
        CallbackQueryHandler(unknown_button),
    ]
