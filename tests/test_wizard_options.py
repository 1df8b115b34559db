"""The wizard's options for flows whose buttons and stored chats predate it."""

from __future__ import annotations

import pytest

from bot.chat.guards import ambassadors_only
from bot.chat.wizard import KEEP, ConfirmStep, Repeat, Shortcut, TextStep, Wizard
from tests.test_wizard import _nothing


def _wizard() -> Wizard:
    return Wizard(
        flow="demo",
        prefix="dm",
        guard=ambassadors_only,
        back="back",
        steps=[
            TextStep("title", "newtheme.ask_title", limit=80),
            TextStep(
                "each",
                "newtheme.ask_quadrant",
                repeat=Repeat(["a", "b"], "i"),
                shortcuts=[Shortcut("common.skip", "", lambda *_: KEEP)],
                action="qs",
            ),
            ConfirmStep("preview", show=_nothing, decide=_nothing, action="act"),
        ],
    )


def test_a_step_with_an_action_keeps_the_button_data_already_sent() -> None:
    wizard = _wizard()
    assert wizard._data("each", "") == "dm:qs"
    assert wizard._data("preview", "publish") == "dm:act:publish"
    assert wizard._data("title", "x") == "dm:w:title:x"
    assert wizard._pressed_step("dm:qs")[0] is wizard.step("each")
    assert wizard._pressed_step("dm:act:publish") == (wizard.step("preview"), "publish")
    assert wizard._pressed_step("dm:w:title:x") == (wizard.step("title"), "x")
    assert wizard._pressed_step("dm:zz:1")[0] is None


def test_the_edit_mark_lives_under_the_key_given() -> None:
    wizard = _wizard()
    assert wizard._after(wizard.step("title"), {"back": True}) == "preview"
    assert wizard._after(wizard.step("title"), {"_back": True}) == "each"


def test_two_steps_with_one_action_are_refused() -> None:
    with pytest.raises(ValueError, match="same action"):
        Wizard(
            "x",
            "x",
            [
                TextStep("a", "k", action="s"),
                TextStep("b", "k", action="s"),
                ConfirmStep("p", _nothing, _nothing),
            ],
            guard=ambassadors_only,
        )
