"""The branch tree: a session's rewind branches and the sessions forked from it (and their forks),
as one tree; ``enter`` opens the session at the chosen branch's last message, ``escape`` goes
back.

The family comes from the session list (``forked_from``); each session's branches are read in
a thread worker (its transcript indexed, unless it is the one on screen), filling the tree
session by session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, Tree
from textual.widgets.tree import TreeNode

from sessionscope.transcripts.branches import Branch, SessionNode, session_branches
from sessionscope.transcripts.meta import session_title
from sessionscope.transcripts.model import TranscriptIndex
from sessionscope.transcripts.text import inert
from sessionscope.tui.render import local_time


@dataclass(frozen=True, slots=True)
class BranchChoice:
    """What ``enter`` chose: a session, at one of its branches."""

    session_id: str
    leaf_uuid: str | None
    """The branch's last message (``None``: the session as the SDK shows it)."""
    main: bool
    """The session's main branch (its leaf is the SDK's: no branch to remember)."""


class BranchTreeScreen(Screen[BranchChoice | None]):
    """A session's family of branches and forks; dismissed with what ``enter`` chose."""

    BINDING_GROUP_TITLE = "Branches"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="branches-back", tooltip="Back to the sessions"),
        Binding("q", "back", "Back", id="branches-quit", show=False),
        Binding("j", "move(1)", "Next", id="branches-next", tooltip="Next line", show=False),
        Binding(
            "k", "move(-1)", "Previous", id="branches-previous", tooltip="Previous line", show=False
        ),
        Binding("g", "first", "First", id="branches-first", tooltip="First line", show=False),
        Binding("G", "last", "Last", id="branches-last", tooltip="Last line", show=False),
    ]

    DEFAULT_CSS = """
    BranchTreeScreen #branches-info {
        padding: 0 1; height: 2; text-wrap: nowrap; text-overflow: ellipsis;
    }
    BranchTreeScreen Tree { padding: 0 1; height: 1fr; }
    """

    class BranchesRead(Message):
        """One session's branches were read (in the worker), or why they could not be."""

        def __init__(self, session_id: str, branches: list[Branch], error: str = "") -> None:
            super().__init__()
            self.session_id = session_id
            self.branches = branches
            self.error = error

    def __init__(
        self,
        family: SessionNode,
        shown: tuple[str, str | None],
        indexes: dict[str, TranscriptIndex],
        tz: tzinfo | None,
    ) -> None:
        """``shown``: the session on screen and the leaf of the branch shown (``None``: its
        main branch); ``indexes``: transcripts already indexed, by session id."""
        super().__init__()
        self.family = family
        self.shown = shown
        self.indexes = indexes
        self.tz = tz
        self._waiting: dict[str, TreeNode[BranchChoice]] = {}
        """Each session's "reading…" line, where its branches go once read."""

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        sessions = sum(1 for _ in self.family.walk())
        info = Text(no_wrap=True, overflow="ellipsis")
        info.append("Branches and forks", style="bold")
        info.append(f" of {inert(session_title(self.family.meta), keep_newlines=False)}")
        info.append(f"\n{sessions} session{'s' if sessions != 1 else ''}", style="dim")
        info.append(
            " · enter opens a branch or a session · space folds · escape: back", style="dim"
        )
        tree: Tree[BranchChoice] = Tree(self._session_label(self.family), id="branch-tree")
        tree.auto_expand = False  # enter opens; space folds
        tree.guide_depth = 3
        with Vertical():
            yield Static(info, id="branches-info")
            yield tree
        yield Footer()

    def on_mount(self) -> None:
        tree = self.query_one(Tree)
        self._add_sessions(tree.root, self.family)
        tree.root.expand_all()
        tree.focus()
        self.read_branches()

    def _add_sessions(self, node: TreeNode[BranchChoice], session: SessionNode) -> None:
        session_id = session.meta.session_id
        node.data = BranchChoice(session_id, None, True)
        self._waiting[session_id] = node.add_leaf(Text("reading its branches…", style="dim"))
        for fork in session.forks:
            self._add_sessions(node.add(self._session_label(fork), expand=True), fork)

    def _session_label(self, session: SessionNode) -> Text:
        meta = session.meta
        label = Text()
        label.append("◆ " if meta.session_id == self.shown[0] else "◇ ", style="bold")
        label.append(inert(session_title(meta), keep_newlines=False), style="bold")
        label.append(f"  {meta.session_id[:8]}", style="green")
        if meta.forked_from:
            label.append(f" · fork of {meta.forked_from[:8]}", style="yellow")
        return label

    @work(thread=True, exclusive=True, group="branches", description="branches")
    def read_branches(self) -> None:
        from sessionscope.transcripts.reader import index_transcript

        for session in self.family.walk():
            meta = session.meta
            try:
                index = self.indexes.get(meta.session_id) or index_transcript(meta.path)
                branches = session_branches(meta.path, index)
            except OSError as error:
                self.post_message(
                    self.BranchesRead(meta.session_id, [], f"cannot read it: {error.strerror}")
                )
                continue
            self.post_message(self.BranchesRead(meta.session_id, branches))

    def on_branch_tree_screen_branches_read(self, event: BranchesRead) -> None:
        waiting = self._waiting.pop(event.session_id, None)
        if waiting is None or waiting.parent is None:
            return
        if event.error or not event.branches:
            waiting.set_label(Text(event.error or "no messages yet", style="dim"))
            return
        session = waiting.parent
        added: list[TreeNode[BranchChoice]] = []
        for branch in event.branches:
            label = self._branch_label(event.session_id, branch)
            choice = BranchChoice(event.session_id, branch.leaf_uuid, branch.main)
            if branch.parent is None:  # before the forks, which come after the branches
                added.append(session.add(label, choice, before=waiting, expand=True))
            else:
                added.append(added[branch.parent].add(label, choice, expand=True))
        waiting.remove()
        for branch_node in added:
            branch_node.allow_expand = bool(branch_node.children)
        session_id, leaf = self.shown
        if event.session_id == session_id:
            on_screen = next(
                (
                    node
                    for branch, node in zip(event.branches, added, strict=True)
                    if branch.leaf_uuid == leaf or (branch.main and leaf is None)
                ),
                added[0],
            )
            self.call_after_refresh(self.query_one(Tree).move_cursor, on_screen)

    def _branch_label(self, session_id: str, branch: Branch) -> Text:
        session, leaf = self.shown
        on_screen = session_id == session and (
            branch.leaf_uuid == leaf or (branch.main and leaf is None)
        )
        label = Text()
        label.append("● " if on_screen else "○ ", style="bold" if on_screen else "dim")
        if branch.main:
            label.append("main branch", style="bold")
        elif branch.branch_point:
            label.append(f"branch at {branch.branch_point[:8]}", style="bold")
        else:
            label.append("branch", style="bold")
        label.append(
            f" · {branch.messages} messages · {local_time(branch.last_timestamp, self.tz)}",
            style="dim",
        )
        if branch.first_prompt:
            label.append(" · ")
            label.append(inert(branch.first_prompt, keep_newlines=False))
        elif not branch.main:
            label.append(" · (an answer tried again: no prompt of its own)", style="dim italic")
        return label

    def on_tree_node_selected(self, event: Tree.NodeSelected[BranchChoice]) -> None:
        event.stop()
        if event.node.data is not None:
            self.dismiss(event.node.data)

    def action_move(self, step: int) -> None:
        tree = self.query_one(Tree)
        if step > 0:
            tree.action_cursor_down()
        else:
            tree.action_cursor_up()

    def action_first(self) -> None:
        self.query_one(Tree).move_cursor_to_line(0)

    def action_last(self) -> None:
        tree = self.query_one(Tree)
        tree.move_cursor_to_line(tree.last_line)

    def action_back(self) -> None:
        self.dismiss(None)
