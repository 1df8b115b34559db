"""Set-up wizards declared as data: a list of steps a person answers one after another.

A flow declares its steps once, for example (the table set-up of /nieuwetafel):

    SETUP = Wizard(
        flow="table",
        prefix="tf",
        guard=ambassadors_only,
        steps=[
            TextStep("title", "tables.ask_title", limit=80, error="tables.too_long"),
            TextStep("capacity", "tables.ask_capacity", parse=read_capacity,
                     shortcuts=[Shortcut("tables.no_maximum", "0", lambda c, d: 0)]),
            TextStep("what", "tables.ask_what", limit=400, skip="common.skip"),
            ConfirmStep("preview", show=show_preview, decide=on_decision),
        ],
    )

and wires `SETUP.steps()` into its STEPS and `SETUP.handlers()` into its handlers. The
wizard keeps the chat's place (flow, step, answers so far) in chat_state after every answer,
so a restart mid-wizard continues at the same step: nothing lives in memory.

Buttons a wizard draws carry `<prefix>:w:<step>:<code>`. A press for a step the chat is no
longer in (an old message, a forged button) is answered as stale and changes nothing.

Editing one answer from the preview: `ask(..., back=True)` asks that step again and returns
to the confirm step afterwards, unless the step says `edit_continues` (a start date is
followed by its end date). `edit_rows` draws a preview's "change this" buttons, one per
step; the wizard handles their press itself, so a preview needs no edit code of its own.

A flow whose buttons were sent before it used the wizard keeps their data: a step with an
`action` draws `<prefix>:<action>:<code>` (or `<prefix>:<action>` for an empty code), and a
wizard given `back=` keeps the edit mark under the key its stored chats already hold. A text
step with `repeat` is asked once per key (one question per quadrant), its answers kept in a
dict; an answer of `KEEP` (a skip while editing) leaves what was stored. A choice step may
answer a code it did not draw with its own alert (`unknown`), and a step that wants buttons
may ask its question again after "use the buttons" (`ask_again`).

A step a flow draws itself (`DrawnStep`: a picker of several notes over pages, its buttons
under an action of the flow's own) is stored and asked like any other; the flow hands its
answer back with `take`, and the wizard goes on from there; typed text at it goes to its
`typed` handler (a search), if it has one.

A text step's parse may answer a `Doubt` instead of a value: a reading that needs a yes
first (a weekday that does not fit its date, a date far ahead). The wizard asks its question
with one button per value it may mean; a press takes that value, typed text is read afresh.
The values wait in the stored answers, so a restart keeps the question open.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.chat.callbacks import SEPARATOR, pack
from bot.chat.context import BuurtContext
from bot.chat.guards import Handler
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.steps import StepHandler
from bot.chat.updates import chat_id
from bot.core.i18n import plain, t

Data = dict[str, Any]
"""The answers so far, as stored in chat_state (JSON: strings, numbers, lists, dicts)."""

BACK = "_back"
"""Marks, in the stored answers, that one answer is being changed from the preview."""

DOUBT = "_doubt"
"""The values a Doubt's buttons stand for, kept in the stored answers until one is taken."""

KEEP: Any = object()
"""An answer that leaves the stored value as it was: skipping a question while editing."""

WIZARD_ACTION = "w"


@dataclass(frozen=True)
class Refusal:
    """Why an answer cannot be taken: a catalog key and its values, told before asking again."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Doubt:
    """A reading asked about before it is taken: a catalog key, and (label, value) buttons."""

    key: str
    options: Sequence[tuple[str, object]]
    values: Mapping[str, object] = field(default_factory=dict)


Parse = Callable[[str, BuurtContext, Data], "object | Refusal | Doubt"]
"""Reads typed text (already stripped, never empty) into the value to store."""
Check = Callable[[object, BuurtContext, Data], "Refusal | None"]
"""Refuses a value, typed or chosen, that does not fit the answers so far."""
PromptValues = Callable[[BuurtContext, Data], Mapping[str, object]]
When = Callable[[Data], bool]


@dataclass(frozen=True)
class Shortcut:
    """A button under a text step that answers for the person: "today", "no maximum"."""

    label: str
    code: str
    value: Callable[[BuurtContext, Data], object]


@dataclass(frozen=True)
class Choice:
    """One button of a choice step: its label (already in the person's language) and value."""

    label: str
    code: str
    value: object


@dataclass(frozen=True)
class Repeat:
    """Ask a text step once per key; index names where the position is kept in the answers."""

    keys: Sequence[str]
    index: str


@dataclass(frozen=True)
class TextStep:
    """Ask for typed text; refuse empty or over-long text with error and ask again."""

    name: str
    prompt: str
    limit: int | None = None
    error: str | None = None
    field: str | None = None
    skip: str | None = None
    skip_value: object = ""
    parse: Parse | None = None
    check: Check | None = None
    shortcuts: Sequence[Shortcut] = ()
    prompt_values: PromptValues | None = None
    when: When | None = None
    edit_continues: bool = False
    action: str | None = None
    repeat: Repeat | None = None


@dataclass(frozen=True)
class ChoiceStep:
    """Ask to press one of the buttons choices draws; typed text gets "use the buttons"."""

    name: str
    prompt: str
    choices: Callable[[Update, BuurtContext, Data], Sequence[Sequence[Choice]]]
    field: str | None = None
    check: Check | None = None
    prompt_values: PromptValues | None = None
    when: When | None = None
    edit_continues: bool = False
    use_buttons: str = "common.use_buttons"
    ask_again: bool = False
    action: str | None = None
    unknown: str | None = None
    """Answered as an alert for a code this step did not draw (a place of another area)."""


@dataclass(frozen=True)
class ConfirmStep:
    """The last step: show draws the preview and its buttons, decide handles a press."""

    name: str
    show: Callable[[Update, BuurtContext, Data], Awaitable[None]]
    decide: Callable[[Update, BuurtContext, Data, str], Awaitable[None]]
    use_buttons: str = "common.use_buttons"
    ask_again: bool = False
    action: str | None = None


@dataclass(frozen=True)
class DrawnStep:
    """A step the flow draws and answers itself (show), handing the answer back with take."""

    name: str
    show: Callable[[Update, BuurtContext, Data], Awaitable[None]]
    field: str | None = None
    check: Check | None = None
    when: When | None = None
    edit_continues: bool = False
    use_buttons: str = "common.use_buttons"
    ask_again: bool = True
    action: None = None  # its buttons are the flow's own
    typed: StepHandler | None = None
    """What typed text does at this step (a search); without it: "use the buttons"."""


Step = TextStep | ChoiceStep | ConfirmStep | DrawnStep


class Wizard:
    """Walk a chat through declared steps, storing every answer in chat_state."""

    def __init__(
        self,
        flow: str,
        prefix: str,
        steps: Sequence[Step],
        guard: Callable[[Handler], Handler],
        back: str = BACK,
    ) -> None:
        names = [step.name for step in steps]
        if len(set(names)) != len(names):
            raise ValueError(f"wizard {flow!r} declares a step twice: {names}")
        if not steps or not isinstance(steps[-1], ConfirmStep):
            raise ValueError(f"wizard {flow!r} must end with a ConfirmStep")
        self.flow = flow
        self.prefix = prefix
        self._steps = list(steps)
        self._by_name = {step.name: step for step in steps}
        self._by_action = {step.action: step for step in steps if step.action is not None}
        if len(self._by_action) != len([step for step in steps if step.action is not None]):
            raise ValueError(f"wizard {flow!r} gives two steps the same action")
        self._guard = guard
        self._back = back

    @property
    def confirm(self) -> ConfirmStep:
        """The preview step every wizard ends with."""
        last = self._steps[-1]
        assert isinstance(last, ConfirmStep)
        return last

    def step(self, name: str) -> Step:
        """The declared step of that name."""
        return self._by_name[name]

    async def start(self, update: Update, context: BuurtContext, data: Data | None = None) -> None:
        """Begin at the first step that applies, with answers already known (an edit)."""
        answers = dict(data or {})
        await self.ask(update, context, self._first_from(0, answers), answers)

    async def ask(
        self, update: Update, context: BuurtContext, name: str, data: Data, *, back: bool = False
    ) -> None:
        """Store that the chat is at this step and ask its question."""
        answers = dict(data, **{self._back: True}) if back else dict(data)
        step = self._by_name[name]
        if isinstance(step, ConfirmStep):
            answers[self._back] = True
        await context.services.repo.set_state(chat_id(update), self.flow, name, answers)
        if isinstance(step, ConfirmStep | DrawnStep):
            await step.show(update, context, answers)
            return
        lang = context.lang
        values = dict(step.prompt_values(context, answers)) if step.prompt_values else {}
        rows = self._rows(update, context, step, answers)
        markup = InlineKeyboardMarkup(rows) if rows else None
        await say(update, context, t(lang, step.prompt, **values), markup)

    async def take(
        self, update: Update, context: BuurtContext, name: str, data: Data, value: object
    ) -> None:
        """A drawn step's answer: store it and ask the next question."""
        await self._take(update, context, self._by_name[name], dict(data), value)

    def button(self, lang: str, label: str, step: str, code: str) -> InlineKeyboardButton:
        """A button of this wizard for a step; its press reaches that step's handling."""
        return InlineKeyboardButton(plain(lang, label), callback_data=self._data(step, code))

    def edit_rows(
        self, lang: str, fields: Sequence[tuple[str, str]], per_row: int = 2
    ) -> list[list[InlineKeyboardButton]]:
        """Buttons under the preview that each ask one step again: (label key, step name)."""
        confirm = self.confirm.name
        buttons = [self.button(lang, label, confirm, f"{_EDIT}{name}") for label, name in fields]
        return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]

    def steps(self) -> dict[str, StepHandler]:
        """The free-text handlers of every step, for the flow's STEPS."""
        return {step.name: self._guard(self._on_text) for step in self._steps}

    def handlers(self) -> list[CallbackQueryHandler[BuurtContext, None]]:
        """The handlers of every button this wizard draws, and only of those.

        The pattern names this wizard's own steps, so two wizards of one flow (a moment's
        set-up and its move) share a prefix without catching each other's presses.
        """
        on_press = self._guard(self._on_press)
        prefix = re.escape(self.prefix)
        own = [step.name for step in self._steps if step.action is None]
        patterns = [rf"^{prefix}:{re.escape(action)}(:|$)" for action in self._by_action]
        if own:
            steps = "|".join(re.escape(name) for name in own)
            patterns.insert(0, rf"^{prefix}:{WIZARD_ACTION}:({steps})(:|$)")
        return [CallbackQueryHandler(on_press, pattern=pattern) for pattern in patterns]

    # -- answers ---------------------------------------------------------------------------

    async def _on_text(self, update: Update, context: BuurtContext) -> None:
        """Take typed text as the answer to the chat's current step."""
        message = update.message
        assert message is not None
        data = dict(context.state.data)
        step = self._by_name.get(context.state.step or "")
        if step is None:
            return
        if isinstance(step, DrawnStep) and step.typed is not None:
            await step.typed(update, context)
            return
        if not isinstance(step, TextStep):
            await say(update, context, t(context.lang, step.use_buttons))
            if step.ask_again:
                await self.ask(update, context, step.name, data)
            return
        value = (message.text or "").strip()
        if not value or (step.limit is not None and len(value) > step.limit):
            fallback = "common.too_long" if step.limit is not None else "common.empty"
            await self._refuse(update, context, step, data, Refusal(step.error or fallback))
            return
        parsed = step.parse(value, context, data) if step.parse else value
        await self._take(update, context, step, data, parsed)

    async def _on_press(self, update: Update, context: BuurtContext) -> None:
        """Take a pressed button as the answer to the step it was drawn for."""
        query = update.callback_query
        assert query is not None
        step, code = self._pressed_step(query.data or "")
        state = context.state
        if step is None or state.flow != self.flow or state.step != step.name:
            if isinstance(step, ConfirmStep):
                # A second tap on a preview already decided: answered quietly, nothing edited.
                await answer(update)
            else:
                await answer_key(update, context, "common.stale_button")
            return
        data = dict(state.data)
        value = self._pressed(update, context, step, data, code)
        if value is _STALE:
            unknown = step.unknown if isinstance(step, ChoiceStep) else None
            await answer_key(update, context, unknown or "common.stale_button", alert=bool(unknown))
            if isinstance(step, DrawnStep):  # a button of an older drawing: draw it as it is now
                await self.ask(update, context, step.name, data)
            return
        await answer(update)
        await drop_buttons(update)
        if isinstance(step, ConfirmStep):
            edited = self._by_name.get(code[len(_EDIT) :]) if code.startswith(_EDIT) else None
            if edited is not None and not isinstance(edited, ConfirmStep):
                await self.ask(update, context, edited.name, data, back=True)
                return
            await step.decide(update, context, data, code)
            return
        await self._take(update, context, step, data, value)

    def _pressed_step(self, data: str) -> tuple[Step | None, str]:
        """The step a button was drawn for and the code it carries."""
        parts = data.split(SEPARATOR, 2)
        action = parts[1] if len(parts) > 1 else ""
        rest = parts[2] if len(parts) > 2 else ""
        if action != WIZARD_ACTION:
            return self._by_action.get(action), rest
        name, _, code = rest.partition(SEPARATOR)
        return self._by_name.get(name), code

    def _pressed(
        self, update: Update, context: BuurtContext, step: Step, data: Data, code: str
    ) -> object:
        """The value a press stands for, or _STALE when the step drew no such button."""
        if isinstance(step, ConfirmStep):
            return code
        if isinstance(step, DrawnStep):
            return _STALE  # its buttons carry the flow's own action, not the wizard's
        if isinstance(step, ChoiceStep):
            for row in step.choices(update, context, data):
                for choice in row:
                    if choice.code == code:
                        return choice.value
            return _STALE
        if step.skip is not None and code == _SKIP:
            return step.skip_value
        if code.startswith(_DOUBTED):
            doubted = data.get(DOUBT) or []
            index = code[len(_DOUBTED) :]
            return doubted[int(index)] if index.isdigit() and int(index) < len(doubted) else _STALE
        for shortcut in step.shortcuts:
            if shortcut.code == code:
                return shortcut.value(context, data)
        return _STALE

    async def _take(
        self, update: Update, context: BuurtContext, step: Step, data: Data, value: object
    ) -> None:
        """Store an answer and ask the next question, or refuse it and ask again."""
        assert not isinstance(step, ConfirmStep)
        data.pop(DOUBT, None)
        if isinstance(value, Doubt):
            await self._doubt(update, context, step, data, value)
            return
        refusal = value if isinstance(value, Refusal) else None
        if refusal is None and value is not KEEP and step.check is not None:
            refusal = step.check(value, context, data)
        if refusal is not None:
            await self._refuse(update, context, step, data, refusal)
            return
        key = step.field or step.name
        repeat = step.repeat if isinstance(step, TextStep) else None
        if repeat is not None:
            index = int(data.get(repeat.index) or 0)
            if value is not KEEP:
                data[key] = dict(data.get(key) or {}, **{repeat.keys[index]: value})
            if index + 1 < len(repeat.keys):
                await self.ask(update, context, step.name, dict(data, **{repeat.index: index + 1}))
                return
            data.pop(repeat.index, None)
        elif value is not KEEP:
            data[key] = value
        await self.ask(update, context, self._after(step, data), data)

    async def _doubt(
        self, update: Update, context: BuurtContext, step: Step, data: Data, doubt: Doubt
    ) -> None:
        """Ask about a reading, one button per value it may mean; the step stays open."""
        answers = dict(data, **{DOUBT: [value for _, value in doubt.options]})
        await context.services.repo.set_state(chat_id(update), self.flow, step.name, answers)
        rows = [
            [InlineKeyboardButton(label, callback_data=self._data(step.name, f"{_DOUBTED}{index}"))]
            for index, (label, _) in enumerate(doubt.options)
        ]
        text = t(context.lang, doubt.key, **doubt.values)
        await say(update, context, text, InlineKeyboardMarkup(rows) if rows else None)

    async def _refuse(
        self, update: Update, context: BuurtContext, step: Step, data: Data, refusal: Refusal
    ) -> None:
        limit = step.limit if isinstance(step, TextStep) else None
        # A refusal may show the prompt's own example: the step's prompt values come along.
        prompt_values = step.prompt_values if isinstance(step, TextStep | ChoiceStep) else None
        asked = dict(prompt_values(context, data)) if prompt_values else {}
        values = {**asked, "max": limit} if limit is not None else asked
        values.update(refusal.values)
        await say(update, context, t(context.lang, refusal.key, **values))
        await self.ask(update, context, step.name, data)

    # -- order -----------------------------------------------------------------------------

    def _after(self, step: Step, data: Data) -> str:
        """The next step that applies; back to the preview when one answer was changed."""
        assert not isinstance(step, ConfirmStep)
        if data.get(self._back) and not step.edit_continues:
            return self.confirm.name
        return self._first_from(self._steps.index(step) + 1, data)

    def _first_from(self, index: int, data: Data) -> str:
        for step in self._steps[index:]:
            if isinstance(step, ConfirmStep) or step.when is None or step.when(data):
                return step.name
        return self.confirm.name

    def _rows(
        self, update: Update, context: BuurtContext, step: Step, data: Data
    ) -> list[list[InlineKeyboardButton]]:
        lang = context.lang
        if isinstance(step, ChoiceStep):
            return [
                [
                    InlineKeyboardButton(
                        choice.label, callback_data=self._data(step.name, choice.code)
                    )
                    for choice in row
                ]
                for row in step.choices(update, context, data)
            ]
        if not isinstance(step, TextStep):
            return []
        row = [self.button(lang, s.label, step.name, s.code) for s in step.shortcuts]
        if step.skip is not None:
            row.append(self.button(lang, step.skip, step.name, _SKIP))
        return [row] if row else []

    def _data(self, step: str, code: str) -> str:
        action = self._by_name[step].action
        if action is None:
            return pack(self.prefix, WIZARD_ACTION, step, code)
        return pack(self.prefix, action, code) if code else pack(self.prefix, action)


_SKIP = "-"
_DOUBTED = "?"
_EDIT = "~"
_STALE = object()
