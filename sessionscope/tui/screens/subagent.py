"""A subagent's transcript (opened with ``enter`` on a Task/Agent tool call); ``escape`` goes back."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from sessionscope.transcripts.text import inert
from sessionscope.tui.sources import BlockSource
from sessionscope.tui.widgets.message_view import MessageView

if TYPE_CHECKING:
    from sessionscope.tui.images import ImageStore


class SubagentScreen(Screen[None]):
    """The messages of one subagent run, read-only."""

    BINDING_GROUP_TITLE = "Subagent"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="subagent-back", tooltip="Back to the session"),
        Binding(
            "y",
            "copy_uuid",
            "Copy UUID",
            id="subagent-copy-uuid",
            tooltip="Copy the selected UUID (OSC 52)",
        ),
        Binding("f", "no_fork", "Fork", id="subagent-fork", show=False),
        Binding("a", "no_raw", "Raw", id="subagent-raw", show=False),
        Binding("b", "no_branch", "Branch", id="subagent-branch", show=False),
    ]

    def __init__(
        self, title: str, agent_id: str, source: BlockSource, tz, images: ImageStore | None = None
    ) -> None:
        super().__init__()
        self.images = images
        self.title_text = title
        self.agent_id = agent_id
        self.source = source
        self.tz = tz

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        info = Text(no_wrap=True, overflow="ellipsis")
        info.append("subagent ", style="bold yellow")
        info.append(inert(self.title_text), style="bold")
        info.append("\n")
        info.append(f"agent {inert(self.agent_id)} · {len(self.source)} messages · escape: back")
        yield Static(info, id="session-info")
        yield MessageView(tz=self.tz, images=self.images, id="messages")
        yield Footer()

    def on_mount(self) -> None:
        view = self.query_one(MessageView)
        view.show(self.source, select=0, placeholder="This subagent wrote no messages")
        view.focus()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_copy_uuid(self) -> None:
        self.query_one(MessageView).copy_selected_uuid()

    def action_no_fork(self) -> None:
        self.notify(
            "Forks start from the main session: press escape to go back", severity="warning"
        )

    def action_no_branch(self) -> None:
        self.notify("A subagent's transcript has one branch")

    def action_no_raw(self) -> None:
        self.notify("The raw view is for the main session: press escape to go back")
