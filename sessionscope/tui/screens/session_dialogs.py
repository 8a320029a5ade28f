"""The small dialogs of the session actions (rename, tag, delete, export).

Kept apart from the main screen so that their widgets (buttons, radio sets, checkboxes) are
imported when a dialog first opens, not before the first paint.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet

from sessionscope.transcripts.meta import SessionMeta
from sessionscope.tui.sessions_model import describe

MODAL_CSS = """
SessionActionModal { align: center middle; }
SessionActionModal > Vertical {
    width: 72; max-width: 100%; height: auto; max-height: 100%; padding: 0 1;
    background: $panel; border: round $accent;
}
SessionActionModal Label { width: 100%; margin: 1 0 0 0; }
SessionActionModal .buttons { height: auto; align-horizontal: right; }
SessionActionModal Button { margin-left: 1; min-width: 10; }
SessionActionModal RadioSet { width: 100%; height: auto; }
"""


class SessionActionModal(ModalScreen):
    """Base of the small dialogs: ``escape`` cancels."""

    DEFAULT_CSS = MODAL_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog-cancel", show=False),
    ]

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(SessionActionModal):
    """One line of text (a title, a tag); ``enter`` accepts, ``escape`` cancels."""

    def __init__(self, question: str, value: str, *, placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, markup=False)  # it quotes a title
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="prompt-cancel")
                yield Button("OK", variant="primary", id="prompt-ok")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "prompt-ok":
            self.dismiss(self.query_one(Input).value)
        else:
            self.dismiss(None)


class ConfirmDelete(SessionActionModal):
    """Asks before a delete, naming the session; ``y`` deletes, ``n``/``escape`` keeps it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Delete", id="delete-confirm"),
        Binding("n", "cancel", "Keep", id="delete-keep"),
    ]

    def __init__(self, meta: SessionMeta) -> None:
        super().__init__()
        self.meta = meta

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Delete {describe(self.meta)}?", markup=False)
            yield Label(
                "Its transcript is removed through the SDK. Until you quit, u brings it back.",
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("Keep (n)", id="delete-no")
                yield Button("Delete (y)", variant="error", id="delete-yes")

    def on_mount(self) -> None:
        self.query_one("#delete-no", Button).focus()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "delete-yes")


class ExportDialog(SessionActionModal):
    """Where and how to export: a format, a file name, and whether to mask secrets."""

    def __init__(self, meta: SessionMeta, folder: Path) -> None:
        super().__init__()
        self.meta = meta
        self.folder = folder

    def _default_path(self, fmt: str) -> str:
        return str(self.folder / f"session-{self.meta.session_id[:8]}.{fmt}")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Export {describe(self.meta)}", markup=False)
            with RadioSet(id="export-format"):
                yield RadioButton("HTML page (self-contained)", value=True, id="format-html")
                yield RadioButton("Markdown", id="format-md")
                yield RadioButton("JSON lines (as show --json)", id="format-json")
            yield Input(self._default_path("html"), id="export-path")
            yield Checkbox("Replace the file if it exists", id="export-force")
            yield Checkbox(
                "Mask secrets (API keys, tokens, private keys, passwords)", id="export-redact"
            )
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="export-cancel")
                yield Button("Export", variant="primary", id="export-ok")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def _format(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return (pressed.id or "format-html").removeprefix("format-") if pressed else "html"

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        path_input = self.query_one("#export-path", Input)
        stem = Path(path_input.value)
        if stem.suffix in (".html", ".md", ".json"):
            path_input.value = str(stem.with_suffix("." + self._format()))

    def _accept(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.notify("Give a file name", severity="warning")
            return
        force = self.query_one("#export-force", Checkbox).value
        redact = self.query_one("#export-redact", Checkbox).value
        self.dismiss((self._format(), path, force, redact))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._accept()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-ok":
            self._accept()
        else:
            self.dismiss(None)
