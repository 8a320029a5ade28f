"""The tool permission dialog: a tool call waits for the person's answer (the SDK's
``can_use_tool``). Keyboard first: ``a`` allows once, ``s`` allows the tool for this session,
``d`` or ``escape`` denies; ``tab`` moves between the buttons and ``enter`` presses one."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from sessionscope.agent.compose import PermissionDecision, PermissionRequest
from sessionscope.transcripts.text import inert


class PermissionScreen(ModalScreen[PermissionDecision]):
    """Asks whether a tool call may run; dismisses with a :class:`PermissionDecision`."""

    DEFAULT_CSS = """
    PermissionScreen {
        align: center middle;
        #permission-body {
            width: 80%;
            max-width: 90;
            height: auto;
            max-height: 80%;
            border: thick $warning;
            background: $surface;
            padding: 1 2;
        }
        #permission-title { text-style: bold; margin-bottom: 1; }
        #permission-input { max-height: 12; color: $text-muted; margin-bottom: 1; }
        #permission-buttons { height: auto; }
        Button { margin-right: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide('allow-once')", "Allow once", id="permission-allow"),
        Binding("s", "decide('allow-session')", "Allow for session", id="permission-session"),
        Binding("d", "decide('deny')", "Deny", id="permission-deny"),
        Binding("escape", "decide('deny')", "Deny", id="permission-escape", show=False),
    ]

    DECISIONS: ClassVar[dict[str, PermissionDecision]] = {
        "allow-once": PermissionDecision.ALLOW_ONCE,
        "allow-session": PermissionDecision.ALLOW_SESSION,
        "deny": PermissionDecision.DENY,
    }

    def __init__(self, request: PermissionRequest, session_label: str = "") -> None:
        super().__init__()
        self.request = request
        self.session_label = session_label

    def compose(self) -> ComposeResult:
        request = self.request
        title = Text()
        title.append("Permission: ", style="bold yellow")
        title.append(inert(request.title, keep_newlines=False))
        if request.subagent:
            title.append("  (a subagent asks)", style="dim")
        try:
            shown = json.dumps(request.tool_input, indent=2, ensure_ascii=False)
        except (TypeError, ValueError):
            shown = repr(request.tool_input)
        with Vertical(id="permission-body"):
            yield Static(title, id="permission-title")
            if self.session_label:
                yield Static(Text(inert(self.session_label), style="dim"))
            yield Static(Text(inert(shown[:4000])), id="permission-input")
            with Horizontal(id="permission-buttons"):
                yield Button("Allow once (a)", id="allow-once", variant="success")
                yield Button(f"Allow {request.tool_name} for this session (s)", id="allow-session")
                yield Button("Deny (d)", id="deny", variant="error")

    def on_mount(self) -> None:
        self.query_one("#allow-once", Button).focus()

    def action_decide(self, choice: str) -> None:
        self.dismiss(self.DECISIONS[choice])

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id in self.DECISIONS:
            self.dismiss(self.DECISIONS[event.button.id])
