"""Text typed into a dialog's box is text: no key of the app (``/``, ``c``, ``q``, ``?``, ``f``)
acts while the rename, tag or export box takes text."""

from __future__ import annotations

import pytest
from textual.keys import _character_to_key
from textual.widgets import Input

from sessionscope.tui.screens.session_dialogs import ExportDialog, TextPrompt
from tests.helpers.pilot import settle

TYPED = "release/1.2: fix c & q? (f, y, a, o) ~ é"


@pytest.mark.parametrize(
    ("key", "dialog"), [("R", TextPrompt), ("t", TextPrompt), ("e", ExportDialog)]
)
async def test_every_character_lands_in_a_dialogs_box(make, key: str, dialog: type) -> None:
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main_screen.session_list.focus()
        await pilot.press(key)
        assert isinstance(app.screen, dialog)
        box = app.screen.query_one(Input)
        box.value = ""
        await pilot.press(*[_character_to_key(character) for character in TYPED])
        assert box.value == TYPED
        assert isinstance(app.screen, dialog), "no key left the dialog"
        assert app.query_one("#filter", Input).value == ""
