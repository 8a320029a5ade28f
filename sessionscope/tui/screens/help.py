"""``?``: every key, from the bindings themselves (so remapped and added keys are listed too)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Markdown

from sessionscope.tui.keys import iter_bindings, key_display, section_name

INTRO = """\
# sessionscope keys

Every message shows its **UUID**. `f` forks at the selected assistant message (never inside one
API response or before a tool call's result). Keys can be remapped with
`$SESSIONSCOPE_KEYMAP` (`fork=F copy-uuid=Y`) or `$XDG_CONFIG_HOME/sessionscope/keymap.toml`
(`~/.config/...` by default); the ids are in the third column.
"""


def help_markdown(app, nodes: list[DOMNode]) -> str:
    """The help text: one table per group of keys."""
    lines = [INTRO]
    current = None
    for node, binding in iter_bindings(nodes):
        section = section_name(node)
        if section != current:
            lines += ["", f"## {section}", "", "| key | does | id |", "|---|---|---|"]
            current = section
        what = binding.tooltip or binding.description
        keys = key_display(app, binding).replace("|", "\\|")
        lines.append(f"| `{keys}` | {what} | `{binding.id}` |")
    lines += ["", "Press `escape`, `q` or `?` to close."]
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    """A modal of Markdown listing every key."""

    BINDING_GROUP_TITLE = "Help"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help-close"),
        # The list's keys move here too (the arrows, page keys, home and end are the scroll
        # area's own).
        Binding("j", "scroll(1)", "Down", id="help-down", tooltip="Scroll down", show=False),
        Binding("k", "scroll(-1)", "Up", id="help-up", tooltip="Scroll up", show=False),
        Binding("g", "edge(False)", "Top", id="help-top", tooltip="To the top", show=False),
        Binding("G", "edge(True)", "End", id="help-end", tooltip="To the end", show=False),
    ]

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(self.markdown, id="help-text")

    def action_dismiss(self) -> None:
        self.dismiss(None)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_edge(self, end: bool) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        if end:
            body.scroll_end(animate=False)
        else:
            body.scroll_home(animate=False)
