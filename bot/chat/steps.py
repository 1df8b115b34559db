"""Route a person's free messages to the step of the flow their chat is in (stored state)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import say
from bot.chat.typed_buttons import press_typed
from bot.core.i18n import t
from storage.models import ChatState

StepHandler = Callable[[Update, BuurtContext], Awaitable[None]]


class StepRouter:
    """Look up the chat's stored (flow, step) and call the handler that step declares."""

    def __init__(self, idle: StepHandler) -> None:
        self._flows: dict[str, Mapping[str, StepHandler]] = {}
        self._keeping: set[tuple[str, str]] = set()
        self._idle = idle

    def register(
        self, flow: str, steps: Mapping[str, StepHandler], *, keeps: Collection[str] = ()
    ) -> None:
        """Declare the free-message steps of one flow; `keeps`: those that store what is sent."""
        if flow in self._flows:
            raise ValueError(f"flow {flow!r} registered twice")
        self._flows[flow] = steps
        self._keeping.update((flow, step) for step in keeps)

    def keeps(self, state: ChatState) -> bool:
        """Whether a free message in this state is stored (a note), so a flood must reach it."""
        return (state.flow or "", state.step or "") in self._keeping

    async def route(self, update: Update, context: BuurtContext) -> None:
        """Handle a free message in the chat's current step, or as idle chatter."""
        if await press_typed(update, context):
            return
        state = context.state
        handler = self._flows.get(state.flow or "", {}).get(state.step or "")
        await (handler or self._idle)(update, context)


async def use_buttons(update: Update, context: BuurtContext) -> None:
    """Point to the buttons at a step that takes no typed answer."""
    await say(update, context, t(context.lang, "common.use_buttons"))
