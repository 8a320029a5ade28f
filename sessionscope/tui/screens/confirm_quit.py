"""The question ``q`` asks while a reply is streaming: quitting outright would kill Claude Code
before it writes the reply, and the reply so far would be lost without a word."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from sessionscope.tui.screens.session_dialogs import SessionActionModal


class ConfirmQuit(SessionActionModal):
    """``y`` or ``q`` again: stop the reply (as ``esc`` does, so what arrived is written) and
    quit; ``n`` or ``escape``: keep it running."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "y,q",
            "confirm",
            "Stop and quit",
            id="quit-confirm",
            tooltip="Stop the reply as esc does (what arrived is kept), then quit",
        ),
        Binding("n", "cancel", "Keep waiting", id="quit-keep", tooltip="Let the reply run on"),
    ]

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        """Where the reply goes, as the compose box says it (``to 4b46b789 · its title``;
        made inert there)."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"A reply is still streaming → {self.target}", markup=False)
            yield Label(
                "Quit stops it as esc does: its prompt and the reply so far stay in the "
                "session. Quit anyway?",
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("Keep waiting (n)", id="quit-no")
                yield Button("Stop and quit (y)", variant="error", id="quit-yes")

    def on_mount(self) -> None:
        self.query_one("#quit-no", Button).focus()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit-yes")
