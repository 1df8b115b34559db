"""Build the Application: services, guards, flows and the error handler, wired in one place."""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationBuilder,
    ApplicationHandlerStop,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.chat.commands import set_command_menus
from bot.chat.context import BuurtApp, BuurtContext
from bot.chat.digest_nudge import nudge
from bot.chat.flood_guard import hold_back
from bot.chat.replies import answer, say
from bot.chat.steps import StepRouter
from bot.core.clock import Clock, SystemClock
from bot.core.config import Config
from bot.core.i18n import pick_language, t
from bot.ordering import ChatOrderedProcessor
from bot.services import Services
from bot.services.delivery import DeliveryWorker
from bot.services.digests import DigestWorker
from bot.services.flood import Pace
from bot.services.housekeeping import HousekeepingWorker
from bot.services.pacing import ChatPacer
from bot.services.scheduler import WakeScheduler
from bot.services.square import forget_in_person_contacts
from bot.services.workers import Workers
from bot.transport import CountingRequest, make_requests
from bot.village.access import roles_of, use_grants
from conversations import (
    board,
    broadcast,
    exports,
    general,
    moderation,
    my_notes,
    onboarding,
    privacy,
    reminders,
    roles,
    square,
    tables,
    theme_tools,
    themes,
    timeline,
    village_talk,
)
from storage.failures import unavailable
from storage.repository import Repository

_log = logging.getLogger(__name__)

# Handler groups, in the order they run for each update.
GUARD_GROUP = -100
FLOW_GROUP = 0
AFTER_GROUP = 100

MAX_CONCURRENT_UPDATES = 256


def build_application(
    config: Config,
    storage: Repository,
    request: BaseRequest | None = None,
    *,
    get_updates_request: BaseRequest | None = None,
    clock: Clock | None = None,
) -> BuurtApp:
    """Return a ready-to-start Application; storage is opened in post_init.

    Without a request, the transport of bot/transport.py is used (aiohttp with retries, or
    PTB's httpx when BUURTBOT_TRANSPORT=httpx).
    """
    if not config.token:
        raise ValueError("build_application needs config.token (from BUURTBOT_TOKEN)")
    services = Services(config=config, repo=storage, clock=clock or SystemClock())
    processor = ChatOrderedProcessor(MAX_CONCURRENT_UPDATES)
    processor.add_arrival_hook(lambda update: _arrived(update, services))
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.telegram.base_url)
        .base_file_url(config.telegram.base_file_url)
        .context_types(ContextTypes(context=BuurtContext))
        .concurrent_updates(processor)
        # Our own pace per chat and for the bot; a 429 holds only the chat it names.
        .rate_limiter(ChatPacer(config.flood))
        # Polling runs through our own durable inbox (bot/polling.py), jobs through storage.
        .updater(None)
        .job_queue(None)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if request is None:
        request, default_updates = make_requests()
        get_updates_request = get_updates_request or default_updates
    builder = builder.request(CountingRequest(request, services.metrics.api_call))
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    app: BuurtApp = builder.build()
    app.bot_data["services"] = services
    processor.observe = services.metrics.handled
    # Each update reads its chat's state once; its writes still go straight to storage.
    processor.scope = services.repo.state_scope

    router = StepRouter(idle=general.idle)

    async def guard(update: Update, context: BuurtContext) -> None:
        await _guard(update, context, router)

    app.add_handler(TypeHandler(Update, guard), group=GUARD_GROUP)
    router.register(onboarding.FLOW, onboarding.STEPS)
    router.register(village_talk.FLOW, village_talk.STEPS, keeps=village_talk.KEEPS)
    router.register(my_notes.FLOW, my_notes.STEPS)
    router.register(themes.FLOW, themes.STEPS)
    router.register(broadcast.FLOW, broadcast.STEPS)
    router.register(tables.FLOW, tables.STEPS)
    router.register(timeline.FLOW, timeline.STEPS)
    router.register(moderation.FLOW, moderation.STEPS)
    router.register(square.FLOW, square.STEPS)
    # Within one group the first matching handler wins: flows first, fallbacks last.
    flow_handlers = [
        # /start tf_<code> (a table initiator's link) before onboarding's own /start.
        *tables.deep_link_handlers(),
        # /start r_<token> (a role invite) likewise.
        *roles.deep_link_handlers(),
        # /start k_<token> (an invitation card from the stand) likewise.
        *square.deep_link_handlers(),
        *onboarding.handlers(),
        *village_talk.handlers(),
        *board.handlers(),
        *my_notes.handlers(),
        *privacy.handlers(),
        *themes.handlers(),
        *theme_tools.handlers(),
        *broadcast.handlers(),
        *tables.handlers(),
        *square.handlers(),
        *timeline.handlers(),
        *moderation.handlers(),
        *moderation.report_handlers(),
        *exports.handlers(),
        *roles.handlers(),
        *general.handlers(),
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.COMMAND,
            router.route,
        ),
        *general.fallback_handlers(),
    ]
    app.add_handlers(flow_handlers, group=FLOW_GROUP)
    # After every update the moderators' digest worker takes a look (it only wakes up).
    app.add_handler(TypeHandler(Update, nudge), group=AFTER_GROUP)
    app.add_error_handler(_on_error)
    return app


async def _post_init(app: BuurtApp) -> None:
    services: Services = app.bot_data["services"]
    await services.repo.open()
    await set_command_menus(app.bot, services.config, services.repo)
    delivery = services.config.delivery
    workers = Workers()
    services.delivery = workers.add(
        DeliveryWorker(
            app.bot,
            services.repo,
            services.clock,
            rate_per_second=delivery.rate_per_second,
            max_attempts=delivery.max_attempts,
            paid_rate_per_second=(
                delivery.paid_rate_per_second if delivery.paid_broadcast else None
            ),
        )
    )
    # Reminders and card digests: planned from the database (bot/services/scheduler.py).
    services.scheduler = workers.add(
        WakeScheduler(services, [reminders.release_due, forget_in_person_contacts])
    )
    services.digests = workers.add(
        DigestWorker(
            services.config, services.repo, services.clock, on_queued=services.outbox_changed
        )
    )
    workers.add(HousekeepingWorker(services.repo, services.clock))
    services.workers = workers
    await workers.start()


async def _post_stop(app: BuurtApp) -> None:
    # The workers send through the bot, which closes at shutdown: stop them first.
    services: Services = app.bot_data["services"]
    await services.workers.stop()


async def _post_shutdown(app: BuurtApp) -> None:
    services: Services = app.bot_data["services"]
    await services.repo.close()


def _arrived(update: object, services: Services) -> None:
    """Count every update of a resident as it arrives (the flood guard's UpdateGate)."""
    if not isinstance(update, Update) or update.my_chat_member is not None:
        return
    user = update.effective_user
    if user is not None:
        services.updates.arrived(user.id, update.update_id, time.monotonic())


async def _guard(update: Update, context: BuurtContext, router: StepRouter) -> None:
    """Load who is talking, their language, roles and state; keep groups, blocks, floods out."""
    services = context.services
    chat = update.effective_chat
    user = update.effective_user
    if update.my_chat_member is not None:
        await _on_membership(update.my_chat_member, services)
        raise ApplicationHandlerStop
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    pace = services.updates.verdict(update.update_id)
    if pace is Pace.QUIET and not _may_keep(update):
        # A flood: nothing of this update would be stored, so it costs no read either.
        raise ApplicationHandlerStop
    # Roles given in the chat (/rol) count beside the config's, in this whole update.
    grants = await services.repo.active_grants(user.id)
    use_grants(user.id, grants)
    context.roles = roles_of(user.id, services.config, grants)
    if chat is not None and chat.type != ChatType.PRIVATE:
        # Residents' words belong in a private chat, not in a group everyone reads.
        if (
            pace is Pace.OK
            and update.message is not None
            and update.message.text
            and update.message.text.startswith("/")
        ):
            lang = pick_language(None, user.language_code)
            await say(update, context, t(lang, "common.private_only"))
        raise ApplicationHandlerStop
    # A private chat's id is its person's; a chat-less update (an inline query) has no state.
    resident, state = await services.repo.get_talker(user.id, chat.id if chat else user.id)
    if resident is None:
        resident = await services.repo.ensure_resident(
            user.id, pick_language(None, user.language_code)
        )
    elif not resident.active:
        await services.repo.set_active(user.id, True)
    context.resident = resident
    context.lang = pick_language(resident.language, user.language_code)
    if chat is not None:
        context.state = state
    if pace is not Pace.OK:
        keep = _may_keep(update) and router.keeps(context.state)
        await hold_back(update, context, pace, keep=keep)


def _may_keep(update: Update) -> bool:
    """A free message (no command): in a note step it is stored, even in a flood."""
    message = update.message
    return message is not None and not (message.text or "").startswith("/")


async def _on_membership(change: ChatMemberUpdated, services: Services) -> None:
    """Stop sending to someone who blocked the bot, and welcome them back when they return."""
    if change.chat.type != ChatType.PRIVATE:
        return
    status = change.new_chat_member.status
    if await services.repo.get_resident(change.chat.id) is None:
        return
    blocked = status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
    await services.repo.set_active(change.chat.id, not blocked)


async def _on_error(update: object, context: BuurtContext) -> None:
    """Log what failed (never the update's words or the token) and tell the person."""
    update_id = update.update_id if isinstance(update, Update) else None
    storage_trouble = unavailable(context.error)
    if storage_trouble is not None:
        context.services.metrics.storage_errors.inc()
        # Not a fault in the code: one clear line says what the operator must fix.
        _log.error(
            "update %s not handled: %s; the person is asked to try again later",
            update_id,
            storage_trouble,
        )
    else:
        _log.error("handling update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return
    # The error handler gets a fresh context; the guard's language is not on it.
    user = update.effective_user
    language = pick_language(None, user.language_code if user else None)
    if user is not None:
        try:
            resident = await context.services.repo.get_resident(user.id)
            language = pick_language(resident.language if resident else None, user.language_code)
        except Exception:  # storage itself may be what failed
            _log.debug("no stored language for the error message", exc_info=True)
    try:
        if update.callback_query is not None:
            await answer(update)
        # Nothing could be saved: the usual "your messages are saved" would not be true.
        key = "common.storage_unavailable" if storage_trouble else "common.error"
        await say(update, context, t(language, key))
    except TelegramError as exc:
        _log.warning("could not tell the person about the failure: %s", exc.message)


def services_of(app: BuurtApp) -> Services:
    """Return the services an application was built with."""
    services: Any = app.bot_data["services"]
    assert isinstance(services, Services)
    return services
