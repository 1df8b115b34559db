"""The wizard's order: declared once, skipped when it does not apply, back to the preview."""

from __future__ import annotations

import pytest

from bot.chat.guards import ambassadors_only
from bot.chat.wizard import ChoiceStep, ConfirmStep, TextStep, Wizard


async def _nothing(*_: object) -> None:
    """Stand in for drawing a preview; the order does not depend on it."""


def _wizard() -> Wizard:
    return Wizard(
        flow="demo",
        prefix="dm",
        guard=ambassadors_only,
        steps=[
            TextStep("title", "newtheme.ask_title", limit=80),
            TextStep("start", "newtheme.ask_start", edit_continues=True),
            TextStep("end", "newtheme.ask_end"),
            ChoiceStep("ask", "newtheme.ask_quadrant_questions", choices=lambda *_: []),
            TextStep("wish", "newtheme.ask_quadrant", when=lambda d: d.get("ask") == 1),
            ConfirmStep("preview", show=_nothing, decide=_nothing),
        ],
    )


def test_steps_follow_in_declared_order_and_skip_what_does_not_apply() -> None:
    wizard = _wizard()
    assert wizard._after(wizard.step("title"), {}) == "start"
    assert wizard._after(wizard.step("ask"), {"ask": 0}) == "preview"
    assert wizard._after(wizard.step("ask"), {"ask": 1}) == "wish"


def test_an_edit_from_the_preview_goes_back_unless_the_step_continues() -> None:
    wizard = _wizard()
    assert wizard._after(wizard.step("title"), {"_back": True}) == "preview"
    assert wizard._after(wizard.step("start"), {"_back": True}) == "end"
    assert wizard._after(wizard.step("end"), {"_back": True}) == "preview"


def test_a_wizard_without_a_preview_or_with_a_step_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="ConfirmStep"):
        Wizard("x", "x", [TextStep("a", "newtheme.ask_title")], guard=ambassadors_only)
    with pytest.raises(ValueError, match="twice"):
        Wizard(
            "x",
            "x",
            [TextStep("a", "k"), TextStep("a", "k"), ConfirmStep("p", _nothing, _nothing)],
            guard=ambassadors_only,
        )
