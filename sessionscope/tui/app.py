"""The sessionscope explorer: session list on the left, the selected session's messages on the right.

Build it with ``make_app`` (tests and the command line both do). I/O happens only in thread
workers, which post past-tense messages (``SessionsLoaded``, ``TranscriptLoaded``,
``ForkCompleted``); handlers change the widgets.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Header, Input, Static
from textual.worker import get_current_worker

from sessionscope.transcripts.model import Conversation, SessionMeta, TranscriptIndex, session_title
from sessionscope.transcripts.text import inert
from sessionscope.tui.compose_control import ComposeControl
from sessionscope.tui.context import AppContext, Catalog, system_clock
from sessionscope.tui.live_actions import LiveActions
from sessionscope.tui.search_actions import SEARCH_BINDINGS, SearchActions
from sessionscope.tui.session_actions import SESSION_ACTION_BINDINGS, SessionActions
from sessionscope.tui.sessions_model import build_rows
from sessionscope.tui.usage_actions import USAGE_BINDINGS, UsageActions
from sessionscope.tui.widgets.footer import Footer
from sessionscope.tui.widgets.message_view import MessageView
from sessionscope.tui.widgets.session_list import SessionList

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.widget import Widget

    from sessionscope.agent.settings import ComposeSettings
    from sessionscope.stores.explorer import StoreExplorer
    from sessionscope.tui.sources import ConversationSource

# What only later screens, dialogs and the compose box need is imported when first used: the
# first paint of the list waits for every module imported here.


@dataclass(slots=True)
class OpenTranscript:
    """The session whose messages are on screen."""

    meta: SessionMeta
    path: Path
    # Out of repr: Textual describes a worker by the repr of its arguments, and the repr of a
    # 100 MB session's index took 1.5 s on the main thread (``f`` froze the screen).
    index: TranscriptIndex = field(repr=False)
    conversation: Conversation = field(repr=False)
    source: ConversationSource = field(repr=False)
    partial: bool = False
    """Only the end of a big file is indexed yet (its newest messages); the whole follows."""
    bad_lines: int = -1
    """Bad lines in the file, counted by the reading worker (-1: count them when asked)."""

    def bad_line_count(self) -> int:
        if self.bad_lines < 0:
            self.bad_lines = len(self.index.bad_lines)
        return self.bad_lines


TAIL_FIRST_BYTES = 8 << 20
"""Files larger than this show their newest messages (the last ``TAIL_BYTES``) first."""
TAIL_BYTES = 1 << 20


def _line_start_at_or_after(path: Path, offset: int) -> int:
    """The first line start at or after ``offset``."""
    if offset <= 0:
        return 0
    with open(path, "rb") as handle:
        handle.seek(offset - 1)
        while True:
            chunk = handle.read(1 << 16)
            if not chunk:
                return handle.tell()
            newline = chunk.find(b"\n")
            if newline >= 0:
                return handle.tell() - len(chunk) + newline + 1


def _actions_provider() -> type[Provider]:
    from sessionscope.tui.commands import ActionsProvider

    return ActionsProvider


def pause_collector() -> bool:
    """Pause the cyclic garbage collector for the start-up; returns whether it was running.

    Start-up allocates tens of thousands of objects (CSS rules, widgets, the cached list), and
    the collections they set off each walked every object the imports had made: the list read
    in 11 ms alone took 30 to 40 ms in the starting app. Start-up makes no garbage cycles worth
    collecting; the collector runs again once the first list is painted.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    return was_enabled


_frozen = False


def freeze_long_lived() -> None:
    """Once per process, after start-up and the SDK's import: move every object alive now
    (modules, classes, Textual's and the SDK's tables, the widgets) out of the cyclic
    collector's reach. Its full collections walked them all each time: pauses of 30 to 100 ms
    while moving through a big session. Those objects live as long as the process anyway."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


FOOTER_AT_THE_LATEST = 0.5
"""Seconds after mounting when start-up is over (the footer shows its keys, the compose box
is mounted, the collector runs) even if no list is painted yet."""

LIST_FIRST_SECONDS = 2.0
"""At most this long the first transcript waits for the first session list to be painted."""


def takes_text(widget: Widget | None) -> bool:
    """Whether ``widget`` is a box where typed keys are text: an ``Input`` (the filter, the
    dialogs) or a ``TextArea`` (the compose box)."""
    if isinstance(widget, Input):
        return True
    # Looked up, not imported: until its module is imported (with the compose box, after the
    # first paint) no TextArea exists, and importing it would cost the start-up.
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea)


class FilterInput(Input):
    """The ``/`` box above the session list (its keys are the app's: see ``check_action``)."""


class SessionscopeApp(
    ComposeControl, SessionActions, UsageActions, SearchActions, LiveActions, App[None]
):
    """Browse every session, read every message with its UUID, fork with ``f``."""

    TITLE = "sessionscope"
    CSS_PATH = "app.tcss"
    COMMANDS = {_actions_provider}
    BINDING_GROUP_TITLE = "Anywhere"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit sessionscope"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Every key"),
        # "/" and "c" move the focus to a box. As priority bindings they run when the app
        # reads the key, before the keys typed after it are handed to a widget, so "/" then
        # "abc" in one burst (a fast typist, tmux) all land in the filter. They act only where
        # no box takes text (check_action): typed into a box, "/" and "c" are text.
        Binding(
            "slash",
            "filter",
            "Filter",
            id="filter",
            tooltip="Filter sessions as you type",
            priority=True,
        ),
        # The filter box's own keys, priority for the same reason; they act only while the
        # filter has focus (check_action), otherwise the key goes on as usual. None of them
        # is a printable character.
        Binding(
            "enter,down", "filter_done", "To the list", id="filter-done", show=False, priority=True
        ),
        Binding(
            "escape", "filter_clear", "Clear filter", id="filter-clear", show=False, priority=True
        ),
        # Priority: the screen's own tab (focus_next) would otherwise step into the filter box.
        Binding(
            "tab",
            "next_pane",
            "Pane",
            id="next-pane",
            tooltip="Next pane",
            show=False,
            priority=True,
        ),
        Binding(
            "shift+tab",
            "next_pane",
            "Pane",
            id="previous-pane",
            tooltip="Previous pane",
            show=False,
            priority=True,
        ),
        Binding(
            "f",
            "fork",
            "Fork",
            id="fork",
            tooltip="Fork the session at the selected assistant message",
        ),
        Binding(
            "y", "copy_uuid", "Copy UUID", id="copy-uuid", tooltip="Copy the selected UUID (OSC 52)"
        ),
        Binding(
            "a", "toggle_raw", "Raw", id="raw-view", tooltip="Raw view: every entry of the file"
        ),
        Binding(
            "c",
            "compose",
            "Compose",
            id="compose",
            tooltip="Write to the selected session",
            priority=True,
        ),
        Binding(
            "escape",
            "interrupt",
            "Interrupt",
            id="interrupt",
            tooltip="Interrupt the running reply",
            show=False,
        ),
        Binding(
            "o",
            "open_in_claude",
            "Claude Code",
            id="open-in-claude",
            tooltip="Open the session in Claude Code (claude --resume)",
            show=False,
        ),
        Binding(
            "O",
            "open_fork_in_claude",
            "Fork in Claude Code",
            id="open-fork-in-claude",
            tooltip="Open a fork of the session in Claude Code (--fork-session)",
            show=False,
        ),
        Binding(
            "b",
            "next_branch",
            "Branch",
            id="branch",
            tooltip="Show the next rewind branch",
            show=False,
        ),
        *SESSION_ACTION_BINDINGS,
        *USAGE_BINDINGS,
        *SEARCH_BINDINGS,
    ]

    class SessionsLoaded(Message):
        """The session list was read (and its rows built, off the main thread)."""

        def __init__(self, sessions: list[SessionMeta], error: str = "") -> None:
            super().__init__()
            self.sessions = sessions
            self.error = error
            self.rows = build_rows(sessions)
            """The list's rows, unfiltered: built where the message is made (the worker that
            read the list), not on the main thread."""

    class TranscriptLoaded(Message):
        """A session's transcript was indexed and its conversation built."""

        def __init__(
            self,
            opened: OpenTranscript,
            select_uuid: str | None,
            painted: threading.Event | None = None,
        ) -> None:
            super().__init__()
            self.opened = opened
            self.select_uuid = select_uuid
            self.painted = painted
            """Set once it is on screen (the newest messages of a big session: the rest is
            read after, not while they are painted)."""

    class TranscriptFailed(Message):
        """A session's transcript could not be read."""

        def __init__(self, meta: SessionMeta, error: str) -> None:
            super().__init__()
            self.meta = meta
            self.error = error

    class ForkCompleted(Message):
        """A fork was written by the SDK."""

        def __init__(self, meta: SessionMeta, end_uuid: str, reason: str) -> None:
            super().__init__()
            self.meta = meta
            self.end_uuid = end_uuid
            self.reason = reason

    class ForkFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(
        self,
        context: AppContext,
        *,
        session_id: str | None = None,
        message_uuid: str | None = None,
    ) -> None:
        super().__init__()
        self.context = context
        self.initial_session = session_id
        self.initial_message = message_uuid
        self.pending_move: tuple[str, str] | None = None
        """(session id, message UUID): a message asked for (``--message``, a search hit) that is
        kept until the whole session is shown with it selected, whatever is read meanwhile."""
        self.opened: OpenTranscript | None = None
        self.raw = False
        self.leaf_choice: dict[str, str] = {}
        """Session id → the rewind leaf being shown (absent: the SDK's leaf)."""
        self._counting: dict[str, threading.Event] = {}
        """Sessions listed before their messages were counted (new forks): set once counted."""
        self.forking = False
        self._list_painted = threading.Event()
        """Set once a session list is on screen: background reading waits for it, so the first
        paint does not share the interpreter with it."""
        self._transcript_painted = threading.Event()
        """Set once the first session's messages are on screen (the SDK import waits for it)."""
        if context.keymap:
            self.set_keymap(context.keymap)
        self._collector_paused = False
        """The collector was running and start-up paused it (see :func:`pause_collector`)."""

    # -- layout --------------------------------------------------------------------------------

    def on_load(self) -> None:
        self._collector_paused = pause_collector()

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with Vertical(id="sessions-pane"):
            yield FilterInput(placeholder="/ filter: title, project, branch, tag, id", id="filter")
            yield SessionList(now_ms=self.context.now_ms, id="sessions")
        with Vertical(id="messages-pane"):
            if self.context.notice:
                # A line of the layout, not a toast: it covers neither the compose box nor
                # a dialog, and stays as long as it is true.
                yield Static(inert(self.context.notice), id="notice")
            yield Static("", id="session-info")
            yield MessageView(tz=self.context.tz, placeholder="Reading sessions…", id="messages")
            # The live panel and the compose box are mounted under it once the first list is
            # painted (mount_compose): the list comes first.
        # Its keys are composed once the first list is painted (the list comes first).
        yield Footer(held=True)

    def on_mount(self) -> None:
        self.sub_title = "demo transcripts" if self.context.demo else ""
        self.query_one(SessionList).focus()
        # A list that takes long (no cache yet) does not keep the keys from the footer.
        self.set_timer(FOOTER_AT_THE_LATEST, self._start_up_over)
        self.load_sessions()

    def _list_shown(self) -> None:
        """A list is on screen: background work may start, and start-up is over."""
        self._list_painted.set()
        self._start_up_over()
        self.start_watching()

    def _start_up_over(self) -> None:
        """The first list is painted (or it is late): what was kept from start-up comes now."""
        self._resume_collector()
        self.mount_compose()
        if self.screen_stack:  # a timer may fire while the app closes
            with contextlib.suppress(NoMatches):
                self.screen_stack[0].query_one(Footer).release()

    def _resume_collector(self) -> None:
        if self._collector_paused:
            self._collector_paused = False
            gc.enable()

    def on_unmount(self) -> None:
        self.stop_watching()
        self._resume_collector()

    def main_screen_up(self) -> bool:
        """The main screen and its panes are there (not so while the app closes: what a worker
        or a timer reports then is dropped)."""
        return bool(self.screen_stack) and bool(self.screen_stack[0].query("#sessions"))

    @property
    def session_list(self) -> SessionList:
        """The list on the main screen (whatever screen is on top)."""
        return self.screen_stack[0].query_one(SessionList)

    @property
    def message_view(self) -> MessageView:
        """The main screen's message pane."""
        return self.screen_stack[0].query_one("#messages", MessageView)

    # -- workers -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="sessions")
    def load_sessions(self) -> None:
        """The cached list at once, then the true one: quick (heads and tails of changed files)
        if nothing was cached, then with every message counted. A list is posted only when it
        differs from the one on screen."""
        catalog = self.context.catalog
        worker = get_current_worker()
        shown: list[SessionMeta] | None = None
        try:
            cached = catalog.cached_sessions()
            if cached:
                self.post_message(self.SessionsLoaded(cached))
                shown = cached
            else:
                quick = catalog.list_sessions(count_messages=False)
                if worker.is_cancelled:
                    return
                if quick:
                    self.post_message(self.SessionsLoaded(quick))
                    shown = quick
            if shown is not None:
                self._list_painted.wait(timeout=5)
            counted = catalog.list_sessions()
            if worker.is_cancelled:
                return
            if counted != shown:
                self.post_message(self.SessionsLoaded(counted))
        except Exception as error:  # the list must come up even if one source fails
            self.post_message(self.SessionsLoaded(shown or [], f"cannot list sessions: {error}"))
        # Import the SDK now, while the user reads, so that `f` does not wait a second and more
        # for it; never before the list and the first session's messages are painted (the
        # import holds the interpreter for a second). A missing SDK is reported by fork itself.
        if self._list_painted.wait(timeout=30) and not worker.is_cancelled:
            self._transcript_painted.wait(timeout=3)
            with contextlib.suppress(Exception):
                import claude_agent_sdk  # noqa: F401
            freeze_long_lived()

    @work(thread=True, exclusive=True, group="transcript")
    def load_transcript(
        self,
        meta: SessionMeta,
        select_uuid: str | None,
        leaf: str | None,
        width: int = 0,
        tail_first: bool = True,
    ) -> None:
        """Index the session and build what the message pane shows, off the main thread (with
        the blocks' estimated heights at ``width``); a big file's newest messages first unless
        a message is asked for or ``tail_first`` is false."""
        # At start-up the list is painted first: reading shares the interpreter with painting.
        self._list_painted.wait(timeout=LIST_FIRST_SECONDS)
        from sessionscope.transcripts.conversation import build_conversation
        from sessionscope.transcripts.reader import index_transcript
        from sessionscope.tui.sources import ConversationSource

        worker = get_current_worker()
        path = Path(meta.path)
        # A store's session is read from its mirror in the cache, its newest entries first.
        store = self.context.store
        try:
            size = meta.file_size if store is not None else path.stat().st_size
            if tail_first and leaf is None and select_uuid is None and size > TAIL_FIRST_BYTES:
                # A big file: index its last few MB and show the newest messages now; the
                # whole file is indexed next (the cursor stays where the user put it).
                if store is not None:
                    tail_path, start = store.newest_file(meta, TAIL_BYTES), 0
                else:
                    tail_path, start = path, _line_start_at_or_after(path, size - TAIL_BYTES)
                tail = index_transcript(tail_path, start=start, count_lines_before=False)
                tail_conversation = build_conversation(tail)
                if tail_conversation.messages and not worker.is_cancelled:
                    source = ConversationSource(
                        tail_path, tail, tail_conversation, with_history=False
                    )
                    if width:
                        source.estimates(width)
                    opened = OpenTranscript(
                        meta, tail_path, tail, tail_conversation, source, partial=True
                    )
                    painted = threading.Event()
                    self.post_message(self.TranscriptLoaded(opened, None, painted))
                    painted.wait(timeout=1)
                del tail, tail_conversation
            if worker.is_cancelled:
                return
            if store is not None:
                path = store.transcript_file(meta)
            index = index_transcript(path)
            conversation = (
                build_conversation(index, leaf_uuid=leaf) if leaf else build_conversation(index)
            )
        except Exception as error:  # a bad file costs that file only
            self.post_message(self.TranscriptFailed(meta, f"{type(error).__name__}: {error}"))
            return
        if worker.is_cancelled:
            return
        source = ConversationSource(path, index, conversation)
        if width:
            source.estimates(width)
        opened = OpenTranscript(
            meta, path, index, conversation, source, bad_lines=len(index.bad_lines)
        )
        self.post_message(self.TranscriptLoaded(opened, select_uuid))

    # -- session list --------------------------------------------------------------------------

    def on_sessionscope_app_sessions_loaded(self, event: SessionsLoaded) -> None:
        session_list = self.session_list
        if event.error:
            self.notify(event.error, severity="error", timeout=10)
        if not event.sessions:
            store = self.context.store
            if store is None:
                where = str(self.context.config_dir / "projects")
                hint = "No transcripts here. Try: sessionscope --demo"
            else:
                where = store.display_url
                hint = event.error or (
                    "Nothing here yet: `sessionscope push --all --store URL` sends your local "
                    "sessions to the store"
                )
            session_list.placeholder = f"No sessions in {inert(where)}"
            self.message_view.show(None, placeholder=inert(hint))
        session_list.set_sessions(event.sessions, select=self.initial_session, rows=event.rows)
        projects = len({meta.project for meta in event.sessions})
        counts = f"{len(event.sessions)} sessions · {projects} projects"
        self.sub_title = f"demo · {counts}" if self.context.demo else counts
        if self.initial_session and session_list.current is not None:
            if session_list.current.session_id == self.initial_session:
                self.message_view.focus()
            else:
                self.notify(f"No session {inert(self.initial_session)} here", severity="error")
        self.initial_session = None
        self.call_after_refresh(self._list_shown)

    @on(SessionList.Highlighted)
    def _session_highlighted(self, event: SessionList.Highlighted) -> None:
        self.open_session(event.meta)

    @on(SessionList.Chosen)
    def _session_chosen(self, event: SessionList.Chosen) -> None:
        self.message_view.focus()

    def open_session(self, meta: SessionMeta, select_uuid: str | None = None) -> None:
        """Show ``meta``'s messages, selecting ``select_uuid`` (kept as the pending move until
        the whole session is shown with it, even if the session is opened again meanwhile)."""
        if select_uuid is None and self.initial_message:
            select_uuid, self.initial_message = self.initial_message, None
        if select_uuid is not None:
            self.pending_move = (meta.session_id, select_uuid)
        elif self.pending_move is not None and self.pending_move[0] == meta.session_id:
            select_uuid = self.pending_move[1]
        else:
            self.pending_move = None  # another session: the move asked for is left behind
        # Opened again while the whole of it is shown (the list was read again): read it
        # whole, and the cursor stays on its message; its newest messages alone would move it.
        opened = self.opened
        again = opened is not None and opened.meta.session_id == meta.session_id
        tail_first = not (again and not opened.partial)
        self.message_view.placeholder = "Reading…"
        self._show_info(meta)
        # After the next paint: the highlight moves on screen before the reading starts.
        self.call_after_refresh(self._start_reading, meta, select_uuid, tail_first)
        self.compose_session_changed()

    def _start_reading(self, meta: SessionMeta, select_uuid: str | None, tail_first: bool) -> None:
        if not self.screen_stack:
            return  # the app closed right after the selection
        self.load_transcript(
            meta,
            select_uuid,
            self.leaf_choice.get(meta.session_id),
            self.message_view.content_width,
            tail_first,
        )

    def on_sessionscope_app_transcript_loaded(self, event: TranscriptLoaded) -> None:
        current = self.session_list.current
        opened = event.opened
        if current is not None and current.session_id != opened.meta.session_id:
            if event.painted is not None:
                event.painted.set()  # not shown: nothing to wait for
            return  # the user has moved on
        previous = self.opened
        self.opened = opened
        view = self.message_view
        select_uuid = event.select_uuid
        position = None
        pending = self.pending_move
        same_session = previous is not None and previous.meta.session_id == opened.meta.session_id
        if same_session and previous.partial and view.asked_end:
            # g or G on the newest messages: the end asked for is the whole session's.
            position = 0 if view.asked_end == "first" else None
            select_uuid = None
        elif pending is not None and pending[0] == opened.meta.session_id:
            select_uuid = pending[1]
        elif select_uuid is None and same_session:
            entry = view.current_entry
            select_uuid = entry.uuid if entry else None
        if not opened.partial:
            self.pending_move = None  # carried out now, on the whole session
        self._show_current(select_uuid, position=position)
        self._count_from(opened)
        self.fork_if_asked(opened)
        if not opened.partial:
            self.schedule_session_usage(opened.path, opened.index)
            self.follow_if_grown()  # written to while it was read
        if event.painted is not None:
            self.call_after_refresh(event.painted.set)
        if not self._transcript_painted.is_set():
            self.call_after_refresh(self._transcript_painted.set)

    def _count_from(self, opened: OpenTranscript) -> None:
        """A session listed without its message count (a new fork) gets it from the transcript
        just read, when that is the conversation the list counts (the SDK's, no branch chosen)."""
        shown = self._counting.pop(opened.meta.session_id, None)
        if shown is None:
            return
        if opened.partial or opened.meta.session_id in self.leaf_choice:
            self._counting[opened.meta.session_id] = shown
            return
        messages = opened.conversation.messages
        listed = next(
            (m for m in self.session_list.sessions if m.session_id == opened.meta.session_id),
            opened.meta,
        )
        self.session_list.update_session(
            replace(
                listed,
                message_count=len(messages),
                root_uuid=messages[0].uuid if messages else None,
            )
        )
        shown.set()

    def on_sessionscope_app_transcript_failed(self, event: TranscriptFailed) -> None:
        self.opened = None
        self.message_view.show(None, placeholder=f"Cannot read this session: {inert(event.error)}")

    def _show_current(self, select_uuid: str | None = None, *, position: int | None = None) -> None:
        """Show the opened session, selecting the message ``select_uuid`` or the block at
        ``position`` (default: the last)."""
        opened = self.opened
        view = self.message_view
        if opened is None:
            view.show(None, placeholder="Select a session")
            return
        if self.raw:
            from sessionscope.tui.sources import RawSource

            source = RawSource(opened.path, opened.index)
        else:
            source = opened.source
        if select_uuid:
            position = source.position_of_uuid.get(select_uuid)
            if position is None and not self.raw and not opened.partial:
                self.notify(
                    f"Message {inert(select_uuid)} is not in this conversation", severity="warning"
                )
        empty = "This session has no messages yet" if not self.raw else "This file is empty"
        view.show(source, select=position, placeholder=empty, partial=opened.partial)
        self._show_info(opened.meta)

    def _show_info(self, meta: SessionMeta) -> None:
        info = Text(no_wrap=True, overflow="ellipsis")
        info.append(session_title(meta), style="bold")
        info.append("\n")
        info.append(meta.session_id, style="green")
        opened = (
            self.opened if self.opened and self.opened.meta.session_id == meta.session_id else None
        )
        if opened is not None and opened.partial:
            info.append(
                f" · the newest {len(opened.source.messages)} messages · reading the rest…",
                style="dim",
            )
        elif opened is not None:
            info.append(f" · {len(opened.source.messages)} messages", style="dim")
            usage = self.usage_summary(meta.session_id)
            if usage:
                info.append(f" · {usage}", style="dim")
            leaves = opened.conversation.other_leaves
            if leaves:
                info.append(f" · {len(leaves) + 1} branches (b)", style="yellow")
            bad = opened.bad_line_count()
            if bad:
                info.append(f" · {bad} bad lines (a)", style="red")
        if self.raw:
            info.append(" · RAW", style="bold reverse")
        if meta.forked_from:
            info.append(f" · fork of {meta.forked_from[:8]}", style="yellow")
        self.query_one("#session-info", Static).update(info)

    # -- filter --------------------------------------------------------------------------------

    def action_filter(self) -> None:
        # Focus now, not after a refresh: the keys typed right after "/" come next.
        self.screen.set_focus(self.query_one(FilterInput))

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.session_list.set_query(event.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("filter", "compose"):
            # Keys that move to a box: on the main screen, and never while a box takes text.
            return self.screen is self.screen_stack[0] and not takes_text(self.focused)
        if action in ("filter_done", "filter_clear"):
            return isinstance(self.focused, FilterInput)
        if action == "next_pane":
            # Only on the main screen; dialogs and other screens keep their own tab.
            return self.screen is self.screen_stack[0]
        return super().check_action(action, parameters)

    def action_filter_done(self) -> None:
        self.screen.set_focus(self.session_list)

    def action_filter_clear(self) -> None:
        box = self.query_one(FilterInput)
        box.value = ""
        self.session_list.set_query("")
        self.screen.set_focus(self.session_list)

    # -- actions -------------------------------------------------------------------------------

    def action_next_pane(self) -> None:
        # Focus now (focus() waits for a refresh): the keys typed next go to the new pane.
        following = self.session_list if self.focused is self.message_view else self.message_view
        self.screen.set_focus(following)

    def action_help(self) -> None:
        # Imported here: the help screen's Markdown widget (markdown-it, pygments) would cost
        # start-up a tenth of a second.
        from sessionscope.tui.keys import binding_nodes
        from sessionscope.tui.screens.help import HelpScreen, help_markdown

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(help_markdown(self, binding_nodes(self))))

    def action_copy_uuid(self) -> None:
        if self.focused is self.session_list or self.opened is None:
            meta = self.session_list.current
            if meta is None:
                self.notify("Nothing selected to copy", severity="warning")
                return
            self.copy_to_clipboard(meta.session_id)
            self.notify(f"Copied session id {meta.session_id}")
            return
        # The pane on top: the main one, or a subagent's.
        view = next(iter(self.screen.query(MessageView)), self.message_view)
        entry = view.current_entry
        if entry is None or not entry.uuid:
            self.notify("The selected entry has no UUID", severity="warning")
            return
        self.copy_to_clipboard(entry.uuid)
        self.notify(f"Copied {entry.uuid}")

    def action_toggle_raw(self) -> None:
        entry = self.message_view.current_entry
        self.raw = not self.raw
        self._show_current(entry.uuid if entry else None)

    def action_next_branch(self) -> None:
        opened = self.opened
        if opened is None:
            return
        conversation = opened.conversation
        leaves = [conversation.leaf_uuid, *conversation.other_leaves]
        leaves = [leaf for leaf in leaves if leaf]
        if len(leaves) < 2:
            self.notify("This session has one branch only (no rewinds)")
            return
        session_id = opened.meta.session_id
        current = self.leaf_choice.get(session_id, conversation.leaf_uuid)
        ordered = sorted(set(leaves))
        following = (
            ordered[(ordered.index(current) + 1) % len(ordered)]
            if current in ordered
            else ordered[0]
        )
        self.leaf_choice[session_id] = following
        self.notify(f"Branch {ordered.index(following) + 1} of {len(ordered)}: leaf {following}")
        self.load_transcript(opened.meta, following, following, self.message_view.content_width)

    def action_fork(self) -> None:
        opened = self.opened
        if opened is None:
            self.notify("Select a session first", severity="warning")
            return
        if self.raw:
            self.notify(
                "Fork from the conversation view: press a to leave the raw view", severity="warning"
            )
            return
        if self.forking:
            self.notify("A fork is already being made", severity="warning")
            return
        from sessionscope.agent.fork import ForkRefused, fork_point

        entry = self.message_view.current_entry
        messages = opened.source.messages
        position = next((i for i, m in enumerate(messages) if entry is not None and m is entry), -1)
        if entry is not None and entry.type == "system":
            self.notify(
                "Cannot fork here: this is a system note; select an assistant message",
                severity="warning",
            )
            return
        try:
            point = fork_point(messages, position)
        except ForkRefused as error:
            self.notify(f"Cannot fork here: {error}", severity="warning")
            return
        self.forking = True
        self.make_fork(opened, point)

    @work(thread=True, exclusive=True, group="fork", description="fork")
    def make_fork(self, opened: OpenTranscript, point) -> None:
        from sessionscope.agent.fork import fork

        store = self.context.store
        if store is not None:
            # Through the SDK's fork_session_via_store: listed and counted once made.
            try:
                meta = store.fork(opened.meta, point.end.uuid)
            except Exception as error:
                self.post_message(self.ForkFailed(f"{type(error).__name__}: {error}"))
                return
            self.post_message(self.ForkCompleted(meta, point.end.uuid, point.reason))
            return
        try:
            result = fork(self.context.config_dir, opened.path, opened.meta.session_id, point)
            # Its head and tail at once (the list shows it now); its messages are counted next.
            meta = self.context.catalog.session_meta(result.path, count_messages=False)
            if meta is None:
                raise ValueError(f"the new session {result.session_id} cannot be read back")
            # A lite read leaves forked_from to the full one; this one we made ourselves.
            meta.forked_from = opened.meta.session_id
        except Exception as error:
            self.post_message(self.ForkFailed(f"{type(error).__name__}: {error}"))
            return
        # The fork is selected once listed, so its whole transcript is read next and its
        # message count taken from that (see _count_from): reading it a second time, at the
        # same time, only slowed both down. If it is not shown soon, count it here.
        shown = threading.Event()
        self._counting[result.session_id] = shown
        self.post_message(self.ForkCompleted(meta, point.end.uuid, point.reason))
        worker = get_current_worker()
        deadline = time.monotonic() + 15
        while not shown.wait(timeout=0.1):
            if worker.is_cancelled:
                return  # the app is closing
            if time.monotonic() > deadline:
                break
        else:
            return
        self._counting.pop(result.session_id, None)
        try:
            counted = self.context.catalog.session_meta(result.path)
        except Exception:  # the count is a nicety; the fork is made and listed
            return
        if counted is not None and not worker.is_cancelled:
            self.post_message(self.SessionUpdated(counted))

    class SessionUpdated(Message):
        """A listed session's metadata was read again (e.g. a new fork's message count)."""

        def __init__(self, meta: SessionMeta) -> None:
            super().__init__()
            self.meta = meta

    def on_sessionscope_app_session_updated(self, event: SessionUpdated) -> None:
        self.session_list.update_session(event.meta)

    def on_sessionscope_app_fork_completed(self, event: ForkCompleted) -> None:
        self.forking = False
        message = f"Forked → {event.meta.session_id}"
        if event.reason:
            message += f"\n{event.reason}"
        else:
            message += f"\nends at {event.end_uuid}"
        self.notify(message, title="Fork", timeout=10)
        self.session_list.add_session(event.meta, select=True)
        self.message_view.focus()

    # -- subagents ---------------------------------------------------------------------------

    @on(MessageView.SubagentRequested, "#messages")
    def _subagent_requested(self, event: MessageView.SubagentRequested) -> None:
        if self.opened is None or event.view is not self.message_view:
            return
        self.load_subagent(self.opened, event.tool_use)

    @work(thread=True, exclusive=True, group="subagent", description="subagent")
    def load_subagent(self, opened: OpenTranscript, tool_use: dict) -> None:
        from sessionscope.transcripts.reader import index_transcript, load_entry
        from sessionscope.transcripts.subagents import list_subagents, subagent_messages
        from sessionscope.tui.sources import ConversationSource

        tool_use_id = tool_use.get("id")
        try:
            subagents = list_subagents(opened.path, opened.index)
            found = next((s for s in subagents if s.parent_tool_use_id == tool_use_id), None)
            if found is None:
                # Older CLIs: the tool result names the agent (toolUseResult.agentId).
                result = next(
                    (m for m in opened.conversation.messages if tool_use_id in m.tool_result_ids),
                    None,
                )
                data = load_entry(opened.path, result) if result is not None else None
                outcome = data.get("toolUseResult") if isinstance(data, dict) else None
                agent_id = outcome.get("agentId") if isinstance(outcome, dict) else None
                found = next((s for s in subagents if agent_id and s.agent_id == agent_id), None)
            if found is None:
                self.post_message(self.SubagentMissing("no transcript of this subagent run here"))
                return
            index = index_transcript(found.path)
            messages = subagent_messages(found, index)
        except OSError as error:
            self.post_message(self.SubagentMissing(f"cannot read it: {error.strerror or error}"))
            return
        description = (
            tool_use.get("input", {}).get("description")
            if isinstance(tool_use.get("input"), dict)
            else None
        )
        source = ConversationSource(
            Path(found.path), index, Conversation(messages=messages, leaf_uuid=None)
        )
        title = str(description or found.description or "subagent")
        self.post_message(self.SubagentLoaded(title, found.agent_id, source))

    class SubagentLoaded(Message):
        """A subagent's transcript was read."""

        def __init__(self, title: str, agent_id: str, source: ConversationSource) -> None:
            super().__init__()
            self.title = title
            self.agent_id = agent_id
            self.source = source

    class SubagentMissing(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def on_sessionscope_app_subagent_loaded(self, event: SubagentLoaded) -> None:
        from sessionscope.tui.screens.subagent import SubagentScreen

        self.push_screen(SubagentScreen(event.title, event.agent_id, event.source, self.context.tz))

    def on_sessionscope_app_subagent_missing(self, event: SubagentMissing) -> None:
        self.notify(f"Cannot open the subagent: {inert(event.error)}", severity="warning")

    def on_sessionscope_app_fork_failed(self, event: ForkFailed) -> None:
        self.forking = False
        self.notify(f"Fork failed: {inert(event.error)}", severity="error", timeout=10)


def make_app(
    config_dir: Path,
    *,
    catalog: Catalog | None = None,
    clock: Callable[[], datetime] | None = None,
    tz: tzinfo | None = None,
    keymap: dict[str, str] | None = None,
    session_id: str | None = None,
    message_uuid: str | None = None,
    demo: bool = False,
    notice: str = "",
    compose: ComposeSettings | None = None,
    store: StoreExplorer | None = None,
) -> SessionscopeApp:
    """The app, given what it depends on (tests pass a temp folder, a fixed clock and a zone);
    with ``store``, over that store's sessions (``config_dir``: its mirror, ``store.config_dir``)."""
    if store is not None:
        catalog = store
    config_dir = Path(config_dir)
    if catalog is None:
        from sessionscope.index import Index

        catalog = Index(config_dir)
    context = AppContext(
        config_dir=config_dir,
        catalog=catalog,
        clock=clock or system_clock,
        tz=tz,
        keymap=dict(keymap or {}),
        demo=demo,
        notice=notice,
        compose=compose,
        store=store,
    )
    return SessionscopeApp(context, session_id=session_id, message_uuid=message_uuid)
