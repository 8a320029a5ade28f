"""The prompt box under the message pane: which session a prompt goes to, and the prompt.

``enter`` sends, ``shift+enter`` or ``ctrl+j`` adds a newline, ``ctrl+n`` switches between the
selected session and a new session. The box always says where the prompt will go.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static, TextArea

from sessionscope.agent.compose import TurnTarget


class PromptArea(TextArea):
    """A text area where ``enter`` sends instead of breaking the line.

    It is out of the ``tab`` focus chain (``tab`` moves between the list and the messages):
    ``c`` focuses it (:meth:`activate`), leaving it takes it out again.
    """

    can_focus = False

    class Submitted(Message):
        """``enter`` was pressed."""

        def __init__(self, area: PromptArea, text: str) -> None:
            super().__init__()
            self.area = area
            self.text = text

        @property
        def control(self) -> PromptArea:
            return self.area

    NEWLINE_KEYS: ClassVar[frozenset[str]] = frozenset({"shift+enter", "ctrl+j", "newline"})
    """Keys that add a line break (terminals send ``ctrl+j`` for a bare line feed)."""

    def activate(self) -> None:
        self.can_focus = True
        # Focus now, not after the queued keys: text typed right after `c` lands here.
        self.screen.set_focus(self)

    def _on_blur(self, event: events.Blur) -> None:
        self.can_focus = False
        super()._on_blur(event)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if event.key in self.NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        await super()._on_key(event)


class PromptBox(Vertical):
    """The target line and the prompt. Posts :class:`PromptBox.Sent`."""

    DEFAULT_CSS = """
    PromptBox {
        height: auto;
        max-height: 12;
        border-top: solid $panel;
        &:focus-within { border-top: solid $accent; }
        #prompt-target {
            height: 1; padding: 0 1; color: $text-muted;
            text-wrap: nowrap; text-overflow: ellipsis;
        }
        PromptArea { height: auto; min-height: 2; max-height: 10; border: none; padding: 0 1; }
        PromptArea:focus { border: none; }
    }
    """

    BINDING_GROUP_TITLE = "Compose"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+n",
            "toggle_new",
            "New session",
            id="compose-new-session",
            tooltip="Send to a new session instead of the selected one (and back)",
        ),
    ]

    class Sent(Message):
        """A prompt to send to ``target``."""

        def __init__(self, prompt: str, target: TurnTarget) -> None:
            super().__init__()
            self.prompt = prompt
            self.target = target

    class NewSessionToggled(Message):
        """``ctrl+n``: the app decides the new target."""

    class DraftEmptied(Message):
        """The last of the draft was deleted: the box may follow the selection again."""

    class Ready(Message):
        """The box is mounted (with the live panel above it)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.target: TurnTarget | None = None
        """Where the next prompt goes (``None``: nowhere yet)."""
        self.busy_with: str | None = None
        """What the running turn is, when one runs (shown on the target line)."""
        self._target_line = Static("", id="prompt-target")
        """Held, not looked up: mounted while the app quits, the box may have no children."""

    def compose(self) -> ComposeResult:
        yield self._target_line
        yield PromptArea(id="prompt", soft_wrap=True, show_line_numbers=False)

    @property
    def prompt_area(self) -> PromptArea:
        return self.query_one(PromptArea)

    @property
    def has_draft(self) -> bool:
        """Text is written in the box: its target stays whatever the selection does."""
        return bool(self.prompt_area.text.strip())

    @on(TextArea.Changed, "#prompt")
    def _draft_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if not self.has_draft:
            self.post_message(self.DraftEmptied())

    def set_target(self, target: TurnTarget | None) -> None:
        self.target = target
        self._show_target()

    def set_busy(self, busy_with: str | None) -> None:
        self.busy_with = busy_with
        self._show_target()

    def _show_target(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("compose ", style="bold")
        if self.target is None:
            line.append("(select a session, or ctrl+n for a new one)", style="dim")
        else:
            line.append("→ " + self.target.describe())
        if self.busy_with:
            line.append(f"  · {self.busy_with}", style="yellow")
        else:
            line.append("  · enter sends, ctrl+j newline, ctrl+n new", style="dim")
        self._target_line.update(line)

    def on_mount(self) -> None:
        self._show_target()
        self.post_message(self.Ready())

    @on(PromptArea.Submitted)
    def _submitted(self, event: PromptArea.Submitted) -> None:
        event.stop()
        if not event.text.strip():
            return
        # Blank lines around the prompt go; the first line's indentation is text.
        lines = event.text.rstrip().split("\n")
        while not lines[0].strip():
            lines.pop(0)
        prompt = "\n".join(lines)
        if self.target is None:
            self.notify(
                "No session to send to: select one, or ctrl+n for a new session", severity="warning"
            )
            return
        if self.target.refusal:
            self.notify(f"Not sent: this session is {self.target.refusal}", severity="warning")
            return
        self.post_message(self.Sent(prompt, self.target))

    def clear(self) -> None:
        self.prompt_area.clear()

    def action_toggle_new(self) -> None:
        self.post_message(self.NewSessionToggled())
