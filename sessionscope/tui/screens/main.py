"""The explorer's main screen: the session list on the left, the selected session's messages on
the right, the live turn and the prompt box under them.

It owns those widgets and what is done to them (the live panel runs a turn itself). I/O runs
in thread workers that post the messages of :mod:`sessionscope.tui.messages`; the handlers here
change the widgets. Start-up is ordered by those messages and ``call_after_refresh``: the
cached list is painted first, then the counted list is read, the selected session's newest
messages shown, the whole session read, and the watcher, the prompt box and the SDK's import
come after.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Static
from textual.worker import get_current_worker

from sessionscope.index.index import BACKGROUND_NICENESS
from sessionscope.transcripts.meta import SessionMeta, session_title
from sessionscope.transcripts.text import inert
from sessionscope.tui.context import AppContext
from sessionscope.tui.messages import (
    ForkCompleted,
    ForkFailed,
    PricesUnreadable,
    ReplayLoaded,
    SdkImported,
    SessionActionFailed,
    SessionChanged,
    SessionCounted,
    SessionDeleted,
    SessionExported,
    SessionsChanged,
    SessionsConfirmed,
    SessionsCountedSoFar,
    SessionsLoaded,
    SessionUsageCounted,
    StartUpFinished,
    SubagentLoaded,
    SubagentMissing,
    TranscriptFailed,
    TranscriptGrew,
    TranscriptLoaded,
    TranscriptsChanged,
    TurnSessionAppeared,
    TurnSessionRead,
)
from sessionscope.tui.sessions_model import ListRows, describe
from sessionscope.tui.widgets.footer import Footer
from sessionscope.tui.widgets.message_view import MessageView
from sessionscope.tui.widgets.session_list import SessionList

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.timer import Timer
    from textual.widget import Widget

    from sessionscope.agent.compose import ComposeTurn, TurnTarget
    from sessionscope.agent.manage import Trash
    from sessionscope.agent.settings import ComposeSettings
    from sessionscope.index.watch import TranscriptWatcher
    from sessionscope.stores.explorer import StoreWatcher
    from sessionscope.transcripts.model import TranscriptIndex
    from sessionscope.transcripts.prices import PriceTable
    from sessionscope.transcripts.usage import Response, Totals
    from sessionscope.tui.images import ImageStore
    from sessionscope.tui.open_transcript import OpenTranscript
    from sessionscope.tui.screens.branches import BranchChoice
    from sessionscope.tui.screens.search import SearchChoice
    from sessionscope.tui.widgets.live_turn import LiveTurn
    from sessionscope.tui.widgets.prompt_box import PromptBox

# What only later screens, dialogs and the prompt box need is imported when first used: the
# first paint of the list waits for every module imported here.

T = TypeVar("T")

INDEX_BAR_FILES = 200
"""A catch-up of the index that reads at least this many files shows a bar under the list."""

FIRST_LIST_WAIT = 0.1
"""Seconds the screen waits as it mounts for the index's list, so that its first frame has it."""

FOOTER_AT_THE_LATEST = 0.5
"""Seconds after mounting when start-up is over (the footer shows its keys, the prompt box is
mounted, the collector runs) even if no list is painted yet."""

LIVE_SECONDS = 10
"""A session whose transcript was written this recently is marked live (● in the list)."""

USAGE_LIVE_BYTES = 8 << 20
"""A growing session's tokens are counted again only below this size (counting reads the file
whole); a bigger one is counted when it is opened again."""

COUNT_AFTER = 1.0
"""Seconds after a big session is read before its usage is counted, so that its messages and
the first moves through them come first."""
BIG_TRANSCRIPT_BYTES = 8 << 20
"""Transcripts from this size on are counted after :data:`COUNT_AFTER`; smaller ones at once."""

NEW_FILE_WAIT_S = 10.0
"""How long to wait for a new session's transcript file after the CLI names the session."""


def in_background(work: Callable[[], T]) -> T:
    """``work()`` run in a thread of its own that yields the processor to the screen's (on
    Linux, where a thread's priority is its own; a new thread, since a worker's pool thread can
    never be made less nice again), its result or its error returned here."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="background", initializer=_nicer) as thread:
        return thread.submit(work).result()


def _nicer() -> None:
    """Make the calling thread :data:`BACKGROUND_NICENESS` nicer than it was."""
    import threading

    with contextlib.suppress(OSError):  # another system: the priority is the process's
        if sys.platform.startswith("linux"):
            thread = threading.get_native_id()
            nicer = os.getpriority(os.PRIO_PROCESS, thread) + BACKGROUND_NICENESS
            os.setpriority(os.PRIO_PROCESS, thread, min(19, nicer))


def takes_text(widget: Widget | None) -> bool:
    """Whether ``widget`` is a box where typed keys are text: an ``Input`` (the filter, the
    dialogs) or a ``TextArea`` (the prompt box)."""
    if isinstance(widget, Input):
        return True
    # Looked up, not imported: until its module is imported (with the prompt box, after the
    # first paint) no TextArea exists, and importing it would cost the start-up.
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea)


class FilterInput(Input):
    """The ``/`` box above the session list (its keys are the screen's: see ``check_action``)."""


class MainScreen(Screen[None], inherit_bindings=False):
    """Browse every session, read every message with its UUID, fork with ``f``, write with
    ``c``."""

    # The list has the focus from the start (Textual's default, the first focusable widget,
    # would be the filter box, and moving the focus from it restyled the screen once more
    # before its first paint).
    AUTO_FOCUS = "#sessions"
    # Its keys are listed with the app's (help, palette) under one heading, as they always were.
    BINDING_GROUP_TITLE = "Anywhere"
    BINDINGS: ClassVar[list[BindingType]] = [
        # The app's own keys (the same ids), here too so that the footer shows them first.
        Binding("q", "app.quit", "Quit", id="quit", tooltip="Quit sessionscope"),
        Binding("question_mark", "app.help", "Help", id="help", tooltip="Every key"),
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
        # Priority: the focus chain's tab would otherwise step into the filter box.
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
        Binding(
            "B",
            "branch_tree",
            "Branch tree",
            id="branch-tree",
            tooltip="The session's rewind branches and forks as a tree: enter opens one",
            show=False,
        ),
        Binding(
            "r", "replay", "Replay", id="replay", tooltip="Replay the session at its recorded pace"
        ),
        Binding(
            "e", "export", "Export", id="export", tooltip="Export the session (md, html, json)"
        ),
        Binding("R", "rename", "Rename", id="rename", tooltip="Rename the selected session"),
        Binding("t", "tag", "Tag", id="tag", tooltip="Tag the selected session (empty: no tag)"),
        Binding("D", "delete", "Delete", id="delete", tooltip="Delete the selected session"),
        Binding(
            "u",
            "undo_delete",
            "Undo delete",
            id="undo-delete",
            tooltip="Restore the last deleted session",
        ),
        Binding(
            "dollar_sign",
            "usage",
            "Usage",
            id="usage",
            tooltip="Tokens and cost: by day, project and model, and the dearest sessions",
        ),
        # Priority: from the filter box or the prompt box too (it is no printable key).
        Binding(
            "ctrl+f",
            "search",
            "Search",
            id="search",
            tooltip="Search every message of every session",
            priority=True,
            show=False,  # listed in help (?); the footers stay as they were
        ),
        # Textual's Screen binds these (not inherited, so that the keys above keep their order
        # in help and the palette).
        Binding("ctrl+c,super+c", "copy_text", "Copy selected text", show=False),
    ]

    session_list = getters.query_one(SessionList)
    """The session list."""
    message_view = getters.query_one("#messages", MessageView)
    """The message pane."""

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
        """The session asked for on the command line, selected when the first list arrives."""
        self.initial_message = message_uuid
        """A message to select when the next session opens (``--message``, a search hit)."""
        self.pending_move: tuple[str, str] | None = None
        """(session id, message UUID): a message asked for that is kept until the whole
        session is shown with it selected, whatever is read meanwhile."""
        self.opened: OpenTranscript | None = None
        """The session whose messages are on screen."""
        self.raw = False
        """The pane shows every entry of the file (``a``), not the conversation."""
        self.leaf_choice: dict[str, str] = {}
        """Session id → the rewind leaf being shown (absent: the SDK's leaf)."""
        self.forking = False
        """A fork is being written."""
        self.uncounted: set[str] = set()
        """New forks listed before their messages were counted."""
        self.list_painted = False
        """A session list is on screen."""
        self._counted_list_shown = False
        self._whole_list_shown = False
        """A list with every session was shown (a newest-first part coming later is dropped)."""
        self._first_session_shown = False
        self._sdk_imported = False
        self._start_up_over = False
        self._fork_at: str | None = None
        """The message a fork was asked at from the search screen, until its session is open."""
        # Live updates
        self._watcher: TranscriptWatcher | StoreWatcher | None = None
        self._following: OpenTranscript | None = None
        """The open transcript a follow is reading from, while one runs."""
        self._follow_again = False
        """A change came while a follow was running: read again when it is done."""
        self._index_pending: set[str] = set()
        """Changed files the index catches up on once the open session's follow is on screen."""
        self._indexing = False
        """An index catch-up runs (one at a time: two of one file at once would both write
        what was appended)."""
        # Usage
        self.session_usage: dict[str, Totals] = {}
        """Each counted session's own totals, by id."""
        self._prices: PriceTable | None = None
        self._price_error: str | None = None
        self._usage_timer: Timer | None = None
        # Deletes, kept until the app exits so that ``u`` can bring them back
        self._trash: Trash | None = None
        # The prompt box
        self.prompt_ready = False
        """The live panel and the prompt box are mounted (:meth:`mount_prompt_box`)."""
        self._prompt_mounting = False
        self.selected_at_send: str | None = None
        """The session selected when the running turn was sent: a session the turn creates is
        selected when it is listed only if the selection is still there."""
        # Images
        self.images: ImageStore | None = None
        """Pictures of image blocks, for this screen's pane and its subagents' (``None``:
        their labels only)."""
        if context.images != "off":
            from sessionscope.tui.images import ImageStore

            self.images = ImageStore(context.images, self._start_image_worker)

    # -- layout and start-up -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with Vertical(id="sessions-pane"):
            yield FilterInput(placeholder="/ filter: title, project, branch, tag, id", id="filter")
            yield SessionList(now_ms=self.context.now_ms, id="sessions")
            # A progress bar is mounted under the list only while a first build runs.
        with Vertical(id="messages-pane"):
            if self.context.notice:
                # A line of the layout, not a toast: it covers neither the prompt box nor a
                # dialog, and stays as long as it is true.
                yield Static(inert(self.context.notice), id="notice")
            yield Static("", id="session-info")
            yield MessageView(
                tz=self.context.tz,
                placeholder="Reading sessions…",
                images=self.images,
                id="messages",
            )
            # The live panel and the prompt box are mounted under it once the first list is
            # painted (mount_prompt_box): the list comes first.
        # Its keys are composed once the first list is painted (the list comes first).
        yield Footer(held=True)

    def on_mount(self) -> None:
        self.app.sub_title = "demo transcripts" if self.context.demo else ""
        # A list that takes long (no cache yet) does not keep the keys from the footer.
        self.set_timer(FOOTER_AT_THE_LATEST, self.finish_start_up)
        self._index_timer = self.set_interval(0.5, self._show_index_progress)
        if self.context.store is not None:
            self.load_sessions()  # the network may be slow: the worker's, from the start
        else:
            self._list_from_index()

    def _list_from_index(self) -> None:
        """Show the local index's list now, so that the first frame has it: read in a thread
        while this one waits, at most :data:`FIRST_LIST_WAIT` (2,000 sessions take 20 to 30
        ms). Read by a worker without waiting, it reached the terminal in the third frame the
        app wrote. A read that takes longer (a cold disk, an index another process holds
        locked), fails, or finds no list yet (a first build) is the worker's to take on, under
        a first frame that says the list is being read."""
        catalog = self.context.catalog
        read: Future[list[SessionMeta]] = Future()

        def work() -> None:
            try:
                read.set_result(catalog.cached_sessions(first=self._show_newest_first))
            except BaseException as error:
                read.set_exception(error)

        threading.Thread(target=work, name="first-list", daemon=True).start()
        try:
            first = read.result(timeout=FIRST_LIST_WAIT)
        except Exception:  # late or failed: the worker waits for it, and says what is wrong
            first = None
        if first:
            self.show_list(first, ListRows(first), counted=False)
        else:
            self.load_sessions(read)

    def _show_index_progress(self) -> None:
        """A bar under the list while the first catch-up of the index reads many files (a
        first build); gone, and no longer watched, once it is done. Mounted only then: a
        start-up with the index built composes and styles no bar."""
        progress = self.context.catalog.progress
        if progress is None:
            return  # not started yet
        # Imported here (half a second after mounting): the first paint does not need it.
        from textual.widgets import ProgressBar

        done, total = progress
        bars = self.query("#index-progress").results(ProgressBar)
        bar = next(bars, None)
        if total >= INDEX_BAR_FILES and done < total:
            if bar is None:
                bar = ProgressBar(id="index-progress", show_eta=False)
                self.query_one("#sessions-pane").mount(bar)
            bar.update(total=total, progress=done)
            return
        if bar is not None:
            bar.remove()
        if done >= total:
            self._index_timer.stop()

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        # The app is closing: the copies kept for "undo delete" go with it.
        if self._trash is not None:
            self._trash.purge()

    def after_paint(
        self, callback: Callable[..., object], *args: object, widget: Widget | None = None
    ) -> None:
        """Call ``callback`` once the screen is painted, unless the app is closing by then
        (what runs after a refresh runs even while the screen is taken down). ``widget``: one
        just changed, whose own refresh this waits for (the screen's may run before the
        widget has asked for a paint)."""

        def call() -> None:
            if self.is_attached:
                callback(*args)

        (widget or self).call_after_refresh(call)

    def finish_start_up(self) -> None:
        """The first list is painted (or it is late): what was kept from start-up comes now."""
        if self._start_up_over:
            return
        self._start_up_over = True
        self.mount_prompt_box()
        self.query_one(Footer).release()
        self.app.post_message(StartUpFinished())

    def _list_shown(self, counted: bool) -> None:
        """A list is on screen: background work may start, and start-up is over."""
        first = not self.list_painted
        self.list_painted = True
        self.finish_start_up()
        if first:
            self.start_watching()
        if not counted:
            self.count_sessions(list(self.session_list.sessions))
            return
        self._counted_list_shown = True
        if not self.session_list.sessions:
            self._first_session_shown = True  # there is none to open
        self._import_sdk_when_shown()

    def _first_session_painted(self) -> None:
        self._first_session_shown = True
        self._import_sdk_when_shown()

    def _import_sdk_when_shown(self) -> None:
        """Import the SDK in the background (once), so that ``f`` does not wait a second and
        more for it: once the counted list and the first session's messages are painted (the
        import holds the interpreter for a second)."""
        if self._counted_list_shown and self._first_session_shown and not self._sdk_imported:
            self._sdk_imported = True
            self.import_sdk()

    @work(thread=True, group="sdk-import", description="import the SDK")
    def import_sdk(self) -> None:
        with contextlib.suppress(Exception):  # a missing SDK is reported by fork itself
            import claude_agent_sdk  # noqa: F401
        self.app.post_message(SdkImported())

    # -- the session list ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="sessions")
    def load_sessions(self, cached: Future[list[SessionMeta]] | None = None) -> None:
        """The cached list at once (``cached``: being read already), else the quick one
        (heads and tails of the files, no message counts), else the counted one."""
        catalog = self.context.catalog
        try:
            first = (
                cached.result()
                if cached is not None
                else catalog.cached_sessions(first=self._show_newest_first)
            ) or catalog.list_sessions(count_messages=False)
            if get_current_worker().is_cancelled:
                return
            if first:
                self.post_message(SessionsLoaded(first, counted=False))
                return
            self.post_message(SessionsLoaded(catalog.list_sessions(), counted=True))
        except Exception as error:  # the list must come up even if one source fails
            self.post_message(SessionsLoaded([], f"cannot list sessions: {error}", counted=True))

    # A description of its own: Textual describes a worker by the repr of its arguments, and
    # the repr of 2,000 sessions took 20 ms of the screen's thread.
    @work(thread=True, exclusive=True, group="sessions", description="count the sessions")
    def count_sessions(self, shown: list[SessionMeta]) -> None:
        """The list with every message counted, posted if it differs from the one shown."""
        worker = get_current_worker()
        try:
            # The build stops with the worker (the app quits, a newer count replaces it).
            counted = in_background(
                lambda: self.context.catalog.list_sessions(
                    counted=lambda sessions: self.post_message(SessionsCountedSoFar(sessions)),
                    stop=lambda: worker.is_cancelled,
                )
            )
        except Exception as error:  # the list on screen stays
            self.post_message(SessionsLoaded(shown, f"cannot list sessions: {error}", counted=True))
            return
        if worker.is_cancelled:
            return
        if counted != shown:
            self.post_message(SessionsLoaded(counted, counted=True))
        else:
            self.post_message(SessionsConfirmed())

    def on_sessions_counted_so_far(self, event: SessionsCountedSoFar) -> None:
        self.session_list.update_sessions(event.sessions)

    def _show_newest_first(self, newest: list[SessionMeta]) -> None:
        """The newest sessions, while the others are read (a first start: no index yet)."""
        self.post_message(SessionsLoaded(newest, counted=False, whole=False))

    def on_sessions_loaded(self, event: SessionsLoaded) -> None:
        if not event.whole and (
            self._whole_list_shown  # the whole list came first
            or (  # the session asked for (--session) is not among the newest: wait for it
                self.initial_session is not None
                and all(meta.session_id != self.initial_session for meta in event.sessions)
            )
        ):
            return
        self.show_list(
            event.sessions, event.rows, counted=event.counted, error=event.error, whole=event.whole
        )

    def show_list(
        self,
        sessions: list[SessionMeta],
        rows: ListRows,
        *,
        counted: bool,
        error: str = "",
        whole: bool = True,
    ) -> None:
        """``sessions`` in the list (``rows``: theirs, :class:`sessions_model.ListRows`);
        ``counted``: every message is counted; ``error``: why the list is short, said once;
        ``whole``: every session is in it (else the whole list follows)."""
        session_list = self.session_list
        if error:
            self.notify(error, severity="error", timeout=10)
        if not sessions:
            store = self.context.store
            if store is None:
                where = str(self.context.config_dir / "projects")
                hint = "No transcripts here. Try: sessionscope --demo"
            else:
                where = store.display_url
                hint = error or (
                    "Nothing here yet: `sessionscope push --all --store URL` sends your local "
                    "sessions to the store"
                )
            session_list.placeholder = f"No sessions in {inert(where)}"
            self.message_view.show(None, placeholder=inert(hint))
        session_list.set_sessions(sessions, select=self.initial_session, rows=rows)
        self._whole_list_shown = self._whole_list_shown or whole
        self._say_counts(reading=not whole)
        if not whole:
            return  # the rest follows: start-up goes on
        if self.initial_session and session_list.current is not None:
            if session_list.current.session_id == self.initial_session:
                self.message_view.focus()
            else:
                self.notify(f"No session {inert(self.initial_session)} here", severity="error")
        self.initial_session = None
        self.after_paint(self._list_shown, counted)

    def _say_counts(self, *, reading: bool = False) -> None:
        """The header's count of the sessions and projects listed (after every change of the
        list: a delete, a restore, a fork, a new session); ``reading``: more are being read."""
        sessions = self.session_list.sessions
        projects = len({meta.project for meta in sessions})
        counts = (
            f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}"
            f" · {projects} project{'s' if projects != 1 else ''}"
            + (" · reading the others…" if reading else "")
        )
        self.app.sub_title = f"demo · {counts}" if self.context.demo else counts

    def on_sessions_confirmed(self, event: SessionsConfirmed) -> None:
        self._list_shown(counted=True)

    @on(SessionList.Highlighted)
    def _session_highlighted(self, event: SessionList.Highlighted) -> None:
        self.open_session(event.meta)

    @on(SessionList.Chosen)
    def _session_chosen(self, event: SessionList.Chosen) -> None:
        self.message_view.focus()

    # -- the open session ----------------------------------------------------------------------

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
        self.after_paint(self._start_reading, meta, select_uuid, tail_first)
        self.prompt_follows_selection()
        self._count_left_behind(meta.session_id)

    def _start_reading(self, meta: SessionMeta, select_uuid: str | None, tail_first: bool) -> None:
        self.load_transcript(
            meta,
            select_uuid,
            self.leaf_choice.get(meta.session_id),
            self.message_view.content_width,
            tail_first,
        )

    @work(thread=True, exclusive=True, group="transcript")
    def load_transcript(
        self,
        meta: SessionMeta,
        select_uuid: str | None,
        leaf: str | None,
        width: int = 0,
        tail_first: bool = True,
    ) -> None:
        """Index the session and build what the message pane shows (with the blocks' estimated
        heights at ``width``): a big file's newest messages alone first, unless a message or a
        branch is asked for or ``tail_first`` is false; the handler then asks for the whole."""
        from sessionscope.tui.open_transcript import (
            TAIL_BYTES,
            TAIL_FIRST_BYTES,
            read_tail,
            read_whole,
            shows_tail_first,
        )

        worker = get_current_worker()
        # A store's session is read from its mirror in the cache, its newest rows first.
        store = self.context.store
        try:
            asked_for = leaf is not None or select_uuid is not None
            if store is not None:
                big = (meta.file_size or 0) > TAIL_FIRST_BYTES
            else:
                big = shows_tail_first(Path(meta.path))
            if tail_first and not asked_for and big:
                newest = store.newest_file(meta, TAIL_BYTES) if store is not None else None
                tail = read_tail(meta, width, newest)
                if tail is not None:
                    if not worker.is_cancelled:
                        self.post_message(TranscriptLoaded(tail, None))
                    return
            if store is not None:
                opened = read_whole(meta, leaf, width, store.transcript_file(meta))
            else:
                # The index has read the file (each line parsed once, for search): its light
                # entries are taken, and only what was appended since is read.
                opened = read_whole(
                    meta, leaf, width, read_before=self.context.catalog.read_before(meta.path)
                )
        except Exception as error:  # a bad file costs that file only
            self.post_message(TranscriptFailed(meta, f"{type(error).__name__}: {error}"))
            return
        if not worker.is_cancelled:
            self.post_message(TranscriptLoaded(opened, select_uuid))

    def on_transcript_loaded(self, event: TranscriptLoaded) -> None:
        current = self.session_list.current
        opened = event.opened
        if current is not None and current.session_id != opened.meta.session_id:
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
        elif select_uuid is None and same_session and view.cursor < view.block_count - 1:
            # Read again (the list was read again): the cursor stays on its message, unless
            # it was on the last one: then it follows the end, as when the file grows.
            entry = view.current_entry
            select_uuid = entry.uuid if entry else None
        self._show_current(select_uuid, position=position)
        if opened.partial:
            # The whole file is read once its newest messages are painted, not while they are.
            self.after_paint(self._read_whole, opened)
            return
        self.pending_move = None  # carried out now, on the whole session
        self._count_from(opened)
        self.fork_if_asked(opened)
        self.schedule_session_usage(opened.path, opened.index)
        self.follow_if_grown()  # written to while it was read
        if not self._first_session_shown:
            self.after_paint(self._first_session_painted)

    def _read_whole(self, partial: OpenTranscript) -> None:
        if self.opened is partial:
            self.load_transcript(
                partial.meta,
                None,
                self.leaf_choice.get(partial.meta.session_id),
                self.message_view.content_width,
                tail_first=False,
            )

    def on_transcript_failed(self, event: TranscriptFailed) -> None:
        self.opened = None
        self.message_view.show(None, placeholder=f"Cannot read this session: {inert(event.error)}")
        if not self._first_session_shown:
            self.after_paint(self._first_session_painted)

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
                info.append(f" · {len(leaves) + 1} branches (b, B)", style="yellow")
            bad = opened.bad_line_count()
            if bad:
                info.append(f" · {bad} bad lines (a)", style="red")
        if self.raw:
            info.append(" · RAW", style="bold reverse")
        if meta.forked_from:
            info.append(f" · fork of {meta.forked_from[:8]}", style="yellow")
        self.query_one("#session-info", Static).update(info)

    # -- filter, panes, raw view, branches, copy -----------------------------------------------

    def action_filter(self) -> None:
        # Focus now, not after a refresh: the keys typed right after "/" come next.
        self.set_focus(self.query_one(FilterInput))

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.session_list.set_query(event.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("filter", "compose"):
            # Keys that move to a box: while this screen is on top (the footer under a dialog
            # leaves them out), and never while a box takes text.
            return self.app.screen is self and not takes_text(self.focused)
        if action in ("filter_done", "filter_clear"):
            return isinstance(self.focused, FilterInput)
        return True

    def action_filter_done(self) -> None:
        self.set_focus(self.session_list)

    def action_filter_clear(self) -> None:
        box = self.query_one(FilterInput)
        box.value = ""
        self.session_list.set_query("")
        self.set_focus(self.session_list)

    def action_next_pane(self) -> None:
        # Focus now (focus() waits for a refresh): the keys typed next go to the new pane.
        following = self.session_list if self.focused is self.message_view else self.message_view
        self.set_focus(following)

    def action_copy_uuid(self) -> None:
        if self.focused is self.session_list or self.opened is None:
            meta = self.session_list.current
            if meta is None:
                self.notify("Nothing selected to copy", severity="warning")
                return
            self.app.copy_to_clipboard(meta.session_id)
            self.notify(f"Copied session id {meta.session_id}")
            return
        self.message_view.copy_selected_uuid()

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

    def action_branch_tree(self) -> None:
        from sessionscope.transcripts.branches import fork_tree
        from sessionscope.tui.screens.branches import BranchTreeScreen

        current = self.session_list.current
        if current is None:
            self.notify("Select a session first", severity="warning")
            return
        family = fork_tree(self.session_list.sessions, current.session_id)
        if family is None:
            return
        opened = self.opened
        indexes = {}
        if opened is not None and not opened.partial:
            indexes[opened.meta.session_id] = opened.index
        shown = (current.session_id, self.leaf_choice.get(current.session_id))
        self.app.push_screen(
            BranchTreeScreen(family, shown, indexes, self.context.tz), self._branch_chosen
        )

    def _branch_chosen(self, choice: BranchChoice | None) -> None:
        """Open the session at the branch chosen in the tree, its last message selected."""
        if choice is None:
            return
        session_id = choice.session_id
        if choice.main:
            self.leaf_choice.pop(session_id, None)
        else:
            self.leaf_choice[session_id] = choice.leaf_uuid
        opened = self.opened
        if opened is not None and opened.meta.session_id == session_id:
            self.load_transcript(
                opened.meta,
                choice.leaf_uuid,
                self.leaf_choice.get(session_id),
                self.message_view.content_width,
            )
        else:
            self.initial_message = choice.leaf_uuid  # the selection opens it at that message
            if not self.session_list.select_session(session_id):
                self.action_filter_clear()  # a filter may hide it
                if not self.session_list.select_session(session_id):
                    self.initial_message = None
                    self.notify(
                        f"Session {inert(session_id)} is not in the list", severity="warning"
                    )
                    return
        self.message_view.focus()

    def _start_image_worker(self, work: Callable[[], None]) -> None:
        self.run_worker(work, thread=True, group="images", description="images")

    # -- fork ----------------------------------------------------------------------------------

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
                self.post_message(ForkFailed(f"{type(error).__name__}: {error}"))
                return
            self.post_message(ForkCompleted(meta, point.end.uuid, point.reason))
            return
        try:
            result = fork(opened.path, opened.meta.session_id, point)
            # Its head and tail at once (the list shows it now); its messages are counted
            # from its transcript when it is opened (see _count_from).
            meta = self.context.catalog.session_meta(result.path, count_messages=False)
            if meta is None:
                raise ValueError(f"the new session {result.session_id} cannot be read back")
            # A lite read leaves forked_from to the full one; this one we made ourselves.
            meta.forked_from = opened.meta.session_id
        except Exception as error:
            self.post_message(ForkFailed(f"{type(error).__name__}: {error}"))
            return
        self.post_message(ForkCompleted(meta, point.end.uuid, point.reason))

    def on_fork_completed(self, event: ForkCompleted) -> None:
        self.forking = False
        message = f"Forked → {event.meta.session_id}"
        if event.reason:
            message += f"\n{event.reason}"
        else:
            message += f"\nends at {event.end_uuid}"
        self.notify(message, title="Fork", timeout=10)
        self.uncounted.add(event.meta.session_id)
        self.session_list.add_session(event.meta, select=True)
        self._say_counts()
        self.message_view.focus()

    def on_fork_failed(self, event: ForkFailed) -> None:
        self.forking = False
        self.notify(f"Fork failed: {inert(event.error)}", severity="error", timeout=10)

    def _count_from(self, opened: OpenTranscript) -> None:
        """A session listed without its message count (a new fork) gets it from the transcript
        just read, when that is the conversation the list counts (the SDK's, no branch chosen)."""
        session_id = opened.meta.session_id
        if session_id not in self.uncounted or session_id in self.leaf_choice:
            return
        self.uncounted.discard(session_id)
        messages = opened.conversation.messages
        listed = next(
            (m for m in self.session_list.sessions if m.session_id == session_id), opened.meta
        )
        self.session_list.update_sessions(
            [
                replace(
                    listed,
                    message_count=len(messages),
                    root_uuid=messages[0].uuid if messages else None,
                )
            ]
        )

    def _count_left_behind(self, opening: str) -> None:
        """New forks not counted from their transcript (another session is opened before they
        were read whole) are counted on their own."""
        for session_id in sorted(self.uncounted - {opening}):
            self.uncounted.discard(session_id)
            meta = next((m for m in self.session_list.sessions if m.session_id == session_id), None)
            if meta is not None:
                self.count_session(meta)

    @work(thread=True, group="count", description="count a session")
    def count_session(self, meta: SessionMeta) -> None:
        try:
            counted = self.context.catalog.session_meta(Path(meta.path))
        except Exception:  # noqa: BLE001 - the count is a nicety; the session is listed
            return
        if counted is not None:
            self.post_message(SessionCounted(counted))

    def on_session_counted(self, event: SessionCounted) -> None:
        self.session_list.update_sessions([event.meta])

    # -- subagents -----------------------------------------------------------------------------

    @on(MessageView.SubagentRequested, "#messages")
    def _subagent_requested(self, event: MessageView.SubagentRequested) -> None:
        if self.opened is not None:
            self.load_subagent(self.opened, event.tool_use)

    @work(thread=True, exclusive=True, group="subagent", description="subagent")
    def load_subagent(self, opened: OpenTranscript, tool_use: dict) -> None:
        from sessionscope.transcripts.model import Conversation
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
                self.post_message(SubagentMissing("no transcript of this subagent run here"))
                return
            index = index_transcript(found.path)
            messages = subagent_messages(found, index)
        except OSError as error:
            self.post_message(SubagentMissing(f"cannot read it: {error.strerror or error}"))
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
        self.post_message(SubagentLoaded(title, found.agent_id, source))

    def on_subagent_loaded(self, event: SubagentLoaded) -> None:
        from sessionscope.tui.screens.subagent import SubagentScreen

        self.app.push_screen(
            SubagentScreen(
                event.title, event.agent_id, event.source, self.context.tz, images=self.images
            )
        )

    def on_subagent_missing(self, event: SubagentMissing) -> None:
        self.notify(f"Cannot open the subagent: {inert(event.error)}", severity="warning")

    # -- search --------------------------------------------------------------------------------

    def action_search(self) -> None:
        from sessionscope.index import Index
        from sessionscope.tui.screens.search import SearchScreen

        # A store is searched in its server, with the same query syntax.
        index = self.context.store or self.context.catalog
        if not isinstance(index, Index) and index is not self.context.store:
            self.notify(
                "Search needs the index (this list is read without one)", severity="warning"
            )
            return
        self.app.push_screen(SearchScreen(index, self.context.tz), self._search_chosen)

    def _search_chosen(self, choice: SearchChoice | None) -> None:
        if choice is None:
            return
        if choice.agent_id:
            self.notify(
                f"That message is in subagent {inert(choice.agent_id)}'s transcript: "
                "its session is open (enter on the Task call shows the subagent)",
                timeout=8,
            )
        uuid = None if choice.agent_id else choice.uuid
        self._fork_at = uuid if choice.fork else None
        current = self.session_list.current
        if current is not None and current.session_id == choice.session_id:
            self.open_session(current, uuid)
        else:
            # The session's selection opens it: at this message (the pending selection).
            self.initial_message = uuid
            if not self.session_list.select_session(choice.session_id):
                self.action_filter_clear()  # a filter may hide it
                if not self.session_list.select_session(choice.session_id):
                    self.initial_message = None
                    self.notify(
                        f"Session {inert(choice.session_id)} is not in the list", severity="warning"
                    )
                    return
        self.message_view.focus()

    def fork_if_asked(self, opened: OpenTranscript) -> None:
        """Fork at the message the search screen's ``f`` chose, once it is selected on screen."""
        if self._fork_at is None:
            return
        entry = self.message_view.current_entry
        if entry is None or entry.uuid != self._fork_at:
            return
        self._fork_at = None
        self.action_fork()

    # -- live: transcripts written while they are shown ----------------------------------------

    def start_watching(self) -> None:
        """Watch the transcripts: after the first paint, so the list comes first.

        The watcher's thread posts :class:`TranscriptsChanged`. The open session's file is read
        first, from the byte where its index stopped; then the index catches up on the changed
        files and posts :class:`SessionsChanged` for the list (and an open search)."""
        from sessionscope.index.watch import TranscriptWatcher

        def failed(error: str) -> None:
            self.post_message(SessionsChanged([], [], False, error=error, caught_up=False))

        store = self.context.store
        if store is not None:
            # The store is polled; the open session's mirror grows as a watched file does, and
            # what was appended is searchable there already (an open search asks again).
            self._watcher = store.watcher(
                list(self.session_list.sessions),
                lambda paths: self.post_message(TranscriptsChanged(paths)),
                lambda listed, gone: self.post_message(
                    SessionsChanged(listed, gone, True, caught_up=False)
                ),
                failed,
            )
        else:
            self._watcher = TranscriptWatcher(
                self.context.config_dir,
                lambda paths: self.post_message(TranscriptsChanged(paths)),
                on_error=failed,
            )
        self._watcher.start()
        self.set_interval(1.0, self._mark_live)

    @property
    def watching(self):
        """The watcher's ``ready`` event (set once changes are reported), or ``None``."""
        return self._watcher.ready if self._watcher is not None else None

    @work(thread=True, group="live-index", description="index changes")
    def catch_up_index(self, paths: set[str], read: dict[str, TranscriptIndex]) -> None:
        """Catch the index up on changed files and say what that did to the list (``read``:
        the open session's file as read already, whose messages need not be counted again)."""
        from sessionscope.index import Index
        from sessionscope.index.watch import catch_up_changes

        catalog = self.context.catalog
        if not isinstance(catalog, Index):
            self.post_message(SessionsChanged([], [], False))
            return
        try:
            # Nicer than the screen's thread: what was appended is on screen already, and a
            # big session's catch-up (its conversation counted again) would slow the paint.
            changes = in_background(lambda: catch_up_changes(catalog, paths, read))
        except Exception as error:  # noqa: BLE001 - a locked or broken index: the next change retries
            self.post_message(
                SessionsChanged([], [], False, error=f"cannot update the index: {error}")
            )
            return
        self.post_message(SessionsChanged(changes.listed, changes.gone, changes.indexed))

    def on_sessions_changed(self, event: SessionsChanged) -> None:
        if event.caught_up:
            self._indexing = False
        if event.error:
            self.notify(inert(event.error), severity="warning", timeout=8)
        listed = event.listed
        self.session_list.apply_changes(listed, event.gone)
        self._say_counts()
        self._mark_live()
        opened = self.opened
        if opened is not None:
            fresh = next((m for m in listed if m.session_id == opened.meta.session_id), None)
            if fresh is not None:
                opened.meta = fresh
                self._show_info(fresh)
        if event.indexed:
            from sessionscope.tui.screens.search import SearchScreen

            for screen in self.app.screen_stack:
                if isinstance(screen, SearchScreen):
                    screen.ask_again()
        if self._following is None:
            self._catch_up_pending()  # what changed while it caught up

    def _mark_live(self) -> None:
        """Mark the sessions written to in the last :data:`LIVE_SECONDS` (by the app's clock)."""
        now = self.context.now_ms()
        live = {
            meta.session_id
            for meta in self.session_list.sessions
            if 0 <= now - (meta.last_modified or 0) < LIVE_SECONDS * 1000
        }
        self.session_list.set_live(live)

    def on_transcripts_changed(self, event: TranscriptsChanged) -> None:
        opened = self.opened
        if opened is not None and os.path.abspath(opened.path) in event.paths:
            # The open session first; the index once it is on screen.
            self._index_pending |= event.paths
            self.follow_if_grown()
            if self._following is not None:
                return
        self._catch_up_pending(event.paths)

    def _catch_up_pending(self, paths: set[str] = frozenset()) -> None:
        """Have the index catch up on the changed files, or, while it is catching up already,
        once it is done (all that changed meanwhile in one go)."""
        paths = self._index_pending | paths
        if self._indexing:
            self._index_pending = paths
            return
        self._index_pending = set()
        if paths:
            self._indexing = True
            opened = self.opened
            read = {os.path.abspath(opened.path): opened.index} if opened is not None else {}
            self.catch_up_index(paths, read)

    def follow_if_grown(self) -> None:
        """Read what was appended to the open session (if anything was), unless a read of it is
        running: then once more when that one is done."""
        opened = self.opened
        if opened is None or opened.partial:
            return  # a big session's newest messages: its whole file is being read
        if self._following is not None:
            self._follow_again = True
            return
        self._following = opened
        self._follow_again = False
        self.follow_transcript(
            opened, self.leaf_choice.get(opened.meta.session_id), self.message_view.content_width
        )

    @work(thread=True, group="follow", description="follow")
    def follow_transcript(self, opened: OpenTranscript, leaf: str | None, width: int) -> None:
        """Read what was appended to ``opened``'s file (a torn last line is not an entry until
        its newline arrives)."""
        from sessionscope.tui.open_transcript import read_appended

        try:
            after = read_appended(opened, leaf, width)
        except Exception:  # noqa: BLE001 - gone or unreadable now: the list says so when it goes
            after = None
        self.post_message(TranscriptGrew(opened, after))

    def on_transcript_grew(self, event: TranscriptGrew) -> None:
        self._following = None
        after = event.after
        if after is not None and self.opened is event.before:
            self.opened = after
            view = self.message_view
            # The pane keeps the reader's place, or follows the end when the cursor was there.
            follow = view.cursor >= view.block_count - 1
            if self.raw:
                from sessionscope.tui.sources import RawSource

                view.grow(RawSource(after.path, after.index), follow=follow)
            else:
                view.grow(after.source, follow=follow)
            self._show_info(after.meta)
            if after.index.size < USAGE_LIVE_BYTES:
                self.count_session_usage(after.path, after.index)
        # The index catches up once this is painted (its thread would slow the paint down).
        self.after_paint(self._catch_up_pending, widget=self.message_view)
        if self._follow_again:
            self.follow_if_grown()

    # -- usage: tokens and cost ----------------------------------------------------------------

    def price_of(self, response: Response) -> float | None:
        """What a response cost, from the price table (read once; a bad user file is said
        once and leaves every cost out). Called from counting workers' threads."""
        if self._prices is None and self._price_error is None:
            from sessionscope.transcripts.prices import PriceTableError, load_prices

            try:
                self._prices = load_prices()
            except PriceTableError as error:
                self._price_error = str(error)
                self.post_message(PricesUnreadable(self._price_error))
        return self._prices.cost(response) if self._prices is not None else None

    def on_prices_unreadable(self, event: PricesUnreadable) -> None:
        self.notify(event.error, severity="error")

    def prices_note(self) -> str:
        """Which prices the costs come from (after :meth:`price_of` first ran)."""
        if self._price_error is not None:
            return f"no costs: {self._price_error}"
        if self._prices is None:
            return "no prices read"
        return f"prices of {self._prices.date}"

    def usage_summary(self, session_id: str) -> str | None:
        """``1.23M tokens · $3.45`` for the header, once the session is counted."""
        from sessionscope.transcripts.usage import cost_text, tokens_text

        totals = self.session_usage.get(session_id)
        if totals is None or not totals.responses:
            return None
        return f"{tokens_text(totals.tokens)} tokens · {cost_text(totals)}"

    def schedule_session_usage(self, path: Path, index: TranscriptIndex) -> None:
        """Count the session's usage: at once, or for a big transcript once the screen has
        settled (:data:`COUNT_AFTER`)."""
        if self._usage_timer is not None:
            self._usage_timer.stop()
            self._usage_timer = None
        if index.size < BIG_TRANSCRIPT_BYTES:
            self.count_session_usage(path, index)
            return
        session_id = path.name.removesuffix(".jsonl")

        def count_if_still_shown() -> None:
            current = self.session_list.current
            if current is not None and current.session_id == session_id:
                self.count_session_usage(path, index)

        self._usage_timer = self.set_timer(COUNT_AFTER, count_if_still_shown)

    @work(thread=True, exclusive=True, group="session-usage")
    def count_session_usage(self, path: Path, index: TranscriptIndex) -> None:
        """Count the session's own responses (its file and its subagents'; each API response
        once, a fork's inherited history left out)."""
        from sessionscope.index.usage_cache import session_usage_files
        from sessionscope.transcripts.usage import Totals, own_responses

        session_id = path.name.removesuffix(".jsonl")
        try:
            files = session_usage_files(str(path), index)
        except OSError:
            return
        totals = Totals()
        for response in own_responses(files):
            totals.add(response, self.price_of(response))
        self.post_message(SessionUsageCounted(session_id, totals))

    def on_session_usage_counted(self, event: SessionUsageCounted) -> None:
        self.session_usage[event.session_id] = event.totals
        current = self.session_list.current
        if current is not None and current.session_id == event.session_id:
            self._show_info(current)

    def action_usage(self) -> None:
        from sessionscope.tui.screens.usage import UsageScreen

        titles = {meta.session_id: session_title(meta) for meta in self.session_list.sessions}

        def chosen(session_id: str | None) -> None:
            if session_id and self.session_list.select_session(session_id):
                self.message_view.focus()
            elif session_id:
                self.notify(f"Session {session_id} is not in the list", severity="warning")

        store = self.context.store
        if store is not None:
            count_usage = store.usage
        else:
            from sessionscope.index.usage_cache import collect_usage

            config_dir = self.context.config_dir

            def count_usage() -> list:
                return collect_usage(config_dir)

        self.app.push_screen(
            UsageScreen(count_usage, titles, self.price_of, self.prices_note), chosen
        )

    # -- rename, tag, delete, export, replay: writes through the SDK ---------------------------

    @property
    def trash(self) -> Trash:
        """Where this run's deletes wait until the app exits (``u`` restores the last)."""
        if self._trash is None:
            from sessionscope.agent.manage import Trash

            self._trash = Trash()
        return self._trash

    def _selected(self) -> SessionMeta | None:
        """The session the list's cursor is on; ``None`` (and a notice) when there is none."""
        meta = self.session_list.current
        if meta is None:
            self.notify("Select a session first", severity="warning")
        return meta

    def _reread_changed(self, meta: SessionMeta, said: str) -> None:
        """In a worker: read one session's metadata again after a change, for the list."""
        fresh = self.context.catalog.session_meta(Path(meta.path)) or meta
        self.post_message(SessionChanged(fresh, said))

    def _transcript_file(self, meta: SessionMeta) -> Path:
        """In a worker: where the session's transcript is read (a store's: its mirror, brought
        up to date)."""
        store = self.context.store
        return store.transcript_file(meta) if store is not None else Path(meta.path)

    def _change_in_store(self, meta: SessionMeta, what: str, value: str | None = None) -> bool:
        """In a worker: rename, tag or delete through the store when the sessions are a
        store's (the SDK's ``*_via_store``); whether it was (a failure is said)."""
        store = self.context.store
        if store is None:
            return False
        from sessionscope.stores import StoreError

        try:
            store.change(meta, what, value)
        except StoreError as error:
            self.post_message(SessionActionFailed(what.capitalize(), str(error)))
            return True
        if what == "delete":
            self.post_message(SessionDeleted(meta, from_store=True))
        elif what == "rename":
            self._reread_changed(meta, f"Renamed to “{inert((value or '').strip())}”")
        else:
            self._reread_changed(meta, f"Tagged “{inert(value)}”" if value else "Tag cleared")
        return True

    def on_session_changed(self, event: SessionChanged) -> None:
        self.session_list.add_session(event.meta, select=True)
        self.notify(event.said)

    def on_session_action_failed(self, event: SessionActionFailed) -> None:
        if event.what:
            self.notify(f"{event.what} failed: {inert(event.error)}", severity=event.severity)
        else:
            self.notify(event.error, severity=event.severity)

    def action_rename(self) -> None:
        meta = self._selected()
        if meta is None:
            return
        current = meta.custom_title or meta.summary or ""

        def renamed(title: str | None) -> None:
            if title is None:
                return
            if not title.strip():
                self.notify("A title cannot be empty; nothing changed", severity="warning")
                return
            self.rename_session(meta, title)

        from sessionscope.tui.screens.session_dialogs import TextPrompt

        self.app.push_screen(
            TextPrompt(f"New title for {describe(meta)}", inert(current, keep_newlines=False)),
            renamed,
        )

    @work(thread=True, group="session-actions")
    def rename_session(self, meta: SessionMeta, title: str) -> None:
        from sessionscope.agent.manage import SessionActionError, rename_session

        if self._change_in_store(meta, "rename", title):
            return
        try:
            # The copy listed (a session id may be in two project folders).
            rename_session(self.context.config_dir, meta.session_id, title, meta.project or None)
            self._reread_changed(meta, f"Renamed to “{inert(title.strip())}”")
        except (SessionActionError, OSError) as error:
            self.post_message(SessionActionFailed("Rename", str(error)))

    def action_tag(self) -> None:
        meta = self._selected()
        if meta is None:
            return

        def tagged(tag: str | None) -> None:
            if tag is not None:
                self.tag_session(meta, tag.strip() or None)

        from sessionscope.tui.screens.session_dialogs import TextPrompt

        self.app.push_screen(
            TextPrompt(
                f"Tag {describe(meta)} (empty clears it)",
                inert(meta.tag or "", keep_newlines=False),
                placeholder="e.g. bug, keep, experiment",
            ),
            tagged,
        )

    @work(thread=True, group="session-actions")
    def tag_session(self, meta: SessionMeta, tag: str | None) -> None:
        from sessionscope.agent.manage import SessionActionError, tag_session

        if self._change_in_store(meta, "tag", tag):
            return
        try:
            tag_session(self.context.config_dir, meta.session_id, tag, meta.project or None)
            self._reread_changed(meta, f"Tagged “{inert(tag)}”" if tag else "Tag cleared")
        except (SessionActionError, OSError) as error:
            self.post_message(SessionActionFailed("Tag", str(error)))

    def _reply_streams_into(self, meta: SessionMeta) -> bool:
        """A reply is being written into ``meta``'s transcript (and a notice says so): the CLI
        would write the rest of the turn into a new file, a fragment without its history."""
        turn = self.turn
        if turn is None or turn.session_id != meta.session_id:
            return False
        self.notify(
            "A reply is streaming into this session: wait, or esc to interrupt it, then delete",
            severity="warning",
            timeout=10,
        )
        return True

    def action_delete(self) -> None:
        meta = self._selected()
        if meta is None or self._reply_streams_into(meta):
            return

        def confirmed(yes: bool | None) -> None:
            if yes and not self._reply_streams_into(meta):
                self.delete_session(meta)

        from sessionscope.tui.screens.session_dialogs import ConfirmDelete

        self.app.push_screen(ConfirmDelete(meta), confirmed)

    @work(thread=True, group="session-actions")
    def delete_session(self, meta: SessionMeta) -> None:
        from sessionscope.agent.manage import SessionActionError

        if self._change_in_store(meta, "delete"):
            return
        try:
            self.trash.delete(
                self.context.config_dir,
                meta.session_id,
                title=describe(meta),
                project=meta.project or None,
            )
        except (SessionActionError, OSError) as error:
            self.post_message(SessionActionFailed("Delete", str(error)))
            return
        self.post_message(SessionDeleted(meta))

    def on_session_deleted(self, event: SessionDeleted) -> None:
        self.session_list.remove_session(event.meta.session_id)
        self._say_counts()
        after = "from the store (no undo there)." if event.from_store else "Press u to restore it."
        self.notify(f"Deleted {describe(event.meta)}. {after}", timeout=8)

    def action_undo_delete(self) -> None:
        if self._trash is None or self._trash.last() is None:
            self.notify("Nothing to restore", severity="warning")
            return
        self.restore_session()

    @work(thread=True, group="session-actions")
    def restore_session(self) -> None:
        from sessionscope.agent.manage import SessionActionError

        try:
            record = self.trash.restore()
        except (SessionActionError, OSError) as error:
            self.post_message(SessionActionFailed("Restore", str(error)))
            return
        fresh = self.context.catalog.session_meta(record.path)
        if fresh is None:
            self.post_message(
                SessionActionFailed("", "Restored, but it cannot be read back", severity="warning")
            )
            return
        self.post_message(SessionChanged(fresh, f"Restored {record.title or record.session_id}"))

    def action_export(self) -> None:
        meta = self._selected()
        if meta is None:
            return

        def chosen(answer: tuple[str, str, bool, bool] | None) -> None:
            if answer is not None:
                self.export_session(meta, *answer)

        from sessionscope.tui.screens.session_dialogs import ExportDialog

        self.app.push_screen(ExportDialog(meta, Path.cwd()), chosen)

    @work(thread=True, group="session-actions")
    def export_session(
        self, meta: SessionMeta, fmt: str, target: str, force: bool, redact: bool
    ) -> None:
        from sessionscope.export import ExportError, pieces, write_atomically
        from sessionscope.redaction import Redactor
        from sessionscope.stores import StoreError

        path = Path(target).expanduser()
        summary = ""
        try:
            if path.exists() and not force:
                raise ExportError(f"{path} exists; tick “Replace” to overwrite it")
            transcript = self._transcript_file(meta)
            # Written as it is made, as the command writes it (a 100 MB session's export is
            # never held whole).
            redactor = Redactor() if redact else None
            with redactor if redactor is not None else contextlib.nullcontext():
                write_atomically(pieces(transcript, fmt, redactor), path, force=force)
            if redactor is not None:
                summary = redactor.summary()
        except (ExportError, OSError, StoreError) as error:
            self.post_message(SessionActionFailed("Export", str(error)))
            return
        self.post_message(SessionExported(path, summary))

    def on_session_exported(self, event: SessionExported) -> None:
        summary = f" ({event.summary})" if event.summary else ""
        self.notify(f"Exported to {inert(str(event.path))}{summary}", timeout=8)

    def action_replay(self) -> None:
        meta = self._selected()
        if meta is None:
            return
        start_uuid = None
        if self.focused is self.message_view and self.opened is not None:
            entry = self.message_view.current_entry
            if entry is not None and self.opened.meta.session_id == meta.session_id:
                start_uuid = entry.uuid
        self.notify("Loading the replay…", timeout=2)
        # The open session's whole file is read already (a 100 MB one: a second of the
        # replay's two): only what was appended since is read, and its SDK branch is reused
        # when that is the one on screen.
        opened = self.opened
        if opened is None or opened.partial or opened.meta.session_id != meta.session_id:
            opened = None
        leaf_chosen = meta.session_id in self.leaf_choice
        self.load_replay(meta, start_uuid, opened, leaf_chosen)

    @work(thread=True, exclusive=True, group="replay")
    def load_replay(
        self,
        meta: SessionMeta,
        start_uuid: str | None,
        opened: OpenTranscript | None = None,
        leaf_chosen: bool = False,
    ) -> None:
        from sessionscope.replay.steps import load_steps
        from sessionscope.stores import StoreError
        from sessionscope.transcripts.conversation import branch_showing
        from sessionscope.transcripts.reader import index_transcript

        try:
            path = self._transcript_file(meta)
            same = opened is not None and Path(opened.path) == path
            index = opened.index if same else None
            conversation = opened.conversation if same and not leaf_chosen else None
            if start_uuid and conversation is None:
                # The branch that shows the message (a rewind branch chosen in the tree), as
                # `replay --from` finds it; else the SDK's.
                index = index_transcript(path, base=index)
                conversation = branch_showing(index, start_uuid)
            steps = load_steps(path, index=index, conversation=conversation)
        except (OSError, StoreError) as error:
            self.post_message(SessionActionFailed("Replay", str(error)))
            return
        start_at = 0
        if start_uuid:
            start_at = next((i for i, s in enumerate(steps) if s.message.uuid == start_uuid), 0)
        self.post_message(ReplayLoaded(meta, steps, start_at))

    def on_replay_loaded(self, event: ReplayLoaded) -> None:
        from sessionscope.tui.screens.replay import ReplayScreen

        if not event.steps:
            self.notify("This session has no messages to replay", severity="warning")
            return
        self.app.push_screen(
            ReplayScreen(event.steps, title=session_title(event.meta), start_at=event.start_at)
        )

    # -- the prompt box: a turn to the selected session or a new one ---------------------------
    #
    # The live panel runs one turn at a time (widgets/live_turn.py); the screen chooses where
    # it goes, lists the sessions it makes and reads them again when it is over. A turn is bound to its target when it is sent: selecting another session while it streams
    # changes neither where it writes nor what the other session shows (the live panel shows
    # only with the turn's own session). A draft is bound to its target too: while the box
    # holds text, nothing the selection does changes where it goes; only ``ctrl+n`` does, in
    # the box, where it is seen before ``enter``. An empty box follows the selection.

    def mount_prompt_box(self) -> None:
        """Mount the live panel and the prompt box under the messages (once): when the first
        list is painted, so that neither they nor the modules they need delay it."""
        if self._prompt_mounting:
            return
        self._prompt_mounting = True
        from sessionscope.tui.widgets.live_turn import LiveTurn
        from sessionscope.tui.widgets.prompt_box import PromptBox

        self.query_one("#messages-pane").mount(LiveTurn(id="live-turn"), PromptBox(id="prompt-box"))

    def on_prompt_box_ready(self) -> None:
        self.prompt_ready = True
        self.prompt_follows_selection()

    @property
    def prompt_box(self) -> PromptBox:
        """The prompt box (mounted once the first list is painted: see ``prompt_ready``)."""
        return self.query_one("#prompt-box")

    @property
    def live_turn(self) -> LiveTurn:
        """The running turn's panel, above the prompt box."""
        return self.query_one("#live-turn")

    def compose_settings(self) -> ComposeSettings:
        """How turns run (permission mode, model, CLI), with the app's config folder."""
        from sessionscope.agent.settings import ComposeSettings

        settings = self.context.compose or ComposeSettings()
        if settings.config_dir is None:
            settings = replace(settings, config_dir=self.context.config_dir)
        store = self.context.store
        if store is not None and settings.store_url is None:
            # Every turn is mirrored into the store; a resumed session is loaded from it.
            settings = replace(settings, store_url=store.store.url, store_table=store.store.table)
        return settings

    def prompt_target(self, *, new: bool = False, at_message: bool = False) -> TurnTarget:
        """The selected session as a target; a new session here with ``new`` or when no
        session is selected. ``at_message``: from the message selected in the pane — a new
        branch from it when it is an older assistant message (``agent.compose.continue_from``).
        On a store, the session's project key and whether it is ours go with it."""
        from sessionscope.agent.compose import TurnTarget

        meta = self.session_list.current
        if new or meta is None:
            return TurnTarget(None, os.getcwd())
        target = self._session_target(meta, at_message)
        store = self.context.store
        if store is not None:
            read_only = store.read_only(meta.session_id)
            return replace(target, project_key=meta.project, read_only=read_only)
        return target

    def _session_target(self, meta: SessionMeta, at_message: bool) -> TurnTarget:
        from sessionscope.agent.compose import TurnTarget, continue_from

        cwd, title = meta.cwd or os.getcwd(), session_title(meta)
        opened = self.opened
        if (
            at_message
            and not self.raw
            and opened is not None
            and not opened.partial
            and opened.meta.session_id == meta.session_id
        ):
            messages = opened.source.messages
            entry = self.message_view.current_entry
            position = next((i for i, m in enumerate(messages) if m is entry), -1)
            other_branch = meta.session_id in self.leaf_choice
            return continue_from(
                meta.session_id, cwd, title, messages, position, other_branch=other_branch
            )
        return TurnTarget(meta.session_id, cwd, title=title)

    def prompt_follows_selection(self) -> None:
        """The selection moved: an empty box follows it (a draft keeps its target); the live
        panel shows only with its session."""
        if not self.prompt_ready:
            return  # mounted soon: it takes the target then
        box = self.prompt_box
        if not box.has_draft:
            box.set_target(self.prompt_target())
        current = self.session_list.current
        self.live_turn.show_for(current.session_id if current else None)

    @property
    def turn(self) -> ComposeTurn | None:
        """The running turn, if any."""
        return self.live_turn.turn if self.prompt_ready else None

    def action_compose(self) -> None:
        if not self.prompt_ready:
            # Pressed before the first list was painted: as soon as the box is there.
            self.mount_prompt_box()
            self.after_paint(self.action_compose)
            return
        box = self.prompt_box
        if not box.has_draft:
            # From a message in the pane: a new branch there when it is an older answer.
            box.set_target(self.prompt_target(at_message=self.focused is self.message_view))
        box.prompt_area.activate()

    def action_interrupt(self) -> None:
        if self.turn is not None:
            self.notify("Interrupting…", timeout=3)
            self.live_turn.interrupt()
        elif self.prompt_ready and self.focused is self.prompt_box.prompt_area:
            self.message_view.focus()

    def on_prompt_box_new_session_toggled(self) -> None:
        """``ctrl+n``: a new session, or back from one to the selected session."""
        box = self.prompt_box
        was_new = box.target is not None and box.target.session_id is None
        box.set_target(self.prompt_target(new=not was_new))

    def on_prompt_box_draft_emptied(self) -> None:
        self.prompt_follows_selection()

    def on_prompt_box_sent(self, event: PromptBox.Sent) -> None:
        target = event.target
        listed = {meta.session_id for meta in self.session_list.sessions}
        if target.session_id is not None and target.session_id not in listed:
            self.notify(
                f"Session {target.session_id[:8]} is gone (deleted?): nothing was sent. "
                "ctrl+n sends the draft to a new session or the selected one",
                severity="warning",
                timeout=10,
            )
            return
        if self.turn is not None:
            where = self.live_turn.latest.target if self.live_turn.latest else "another session"
            self.notify(
                f"A reply is still streaming ({where}): wait, or press esc to interrupt it",
                severity="warning",
            )
            return
        if not Path(target.cwd).is_dir():
            self.notify(
                f"The session's folder {inert(target.cwd)} is not here: Claude Code needs it "
                "to resume the session",
                severity="error",
                timeout=10,
            )
            return
        self.start_turn(event.prompt, target)
        self.prompt_box.clear()  # the empty box follows the selection again
        self.prompt_follows_selection()

    def start_turn(self, prompt: str, target: TurnTarget) -> ComposeTurn:
        """Send ``prompt`` to ``target``; the reply streams into the live panel."""
        current = self.session_list.current
        self.selected_at_send = current.session_id if current else None
        turn = self.live_turn.start(prompt, target, self.compose_settings())
        self.prompt_box.set_busy("reply streaming, esc interrupts")
        return turn

    def on_live_turn_session_created(self, event: LiveTurn.SessionCreated) -> None:
        # A new session (or a fork): list it at once, selected if the user is still here.
        current = self.session_list.current
        still_here = (current.session_id if current else None) == self.selected_at_send
        self.find_new_session(event.session_id, select=still_here)

    def on_live_turn_turn_ended(self, event: LiveTurn.TurnEnded) -> None:
        box = self.prompt_box
        box.set_busy(None)
        failed = event.failed
        if failed is not None and not box.has_draft:
            # The failure says "send again": the prompt is back in the box, for its target.
            box.prompt_area.load_text(failed.prompt)
            box.set_target(failed.target)
        if event.session_id:
            self.reread_turn_session(event.session_id)

    @work(thread=True, group="compose-files")
    def find_new_session(self, session_id: str, select: bool) -> None:
        """Wait (up to :data:`NEW_FILE_WAIT_S`) for a new session's file, to list it."""
        from sessionscope.transcripts.files import SessionLookupError

        worker = get_current_worker()
        deadline = time.monotonic() + NEW_FILE_WAIT_S
        while not worker.is_cancelled:
            try:
                meta = self._find_session(session_id)
            except (SessionLookupError, OSError):
                meta = None
            if meta is not None:
                self.post_message(TurnSessionAppeared(meta, select))
                return
            if time.monotonic() > deadline:
                return
            time.sleep(0.1)

    def on_turn_session_appeared(self, message: TurnSessionAppeared) -> None:
        self.session_list.add_session(message.meta, select=message.select)
        self._say_counts()
        current = self.session_list.current
        self.live_turn.show_for(current.session_id if current else None)

    @work(thread=True, group="compose-files")
    def reread_turn_session(self, session_id: str) -> None:
        from sessionscope.transcripts.files import SessionLookupError

        try:
            meta = self._find_session(session_id)
        except (SessionLookupError, OSError):
            return
        if meta is not None:
            self.post_message(TurnSessionRead(meta))

    def _find_session(self, session_id: str) -> SessionMeta | None:
        """In a worker: a session's metadata read now, from its transcript file or the store's
        row (``None``: not there, or the store cannot be reached: the list says so)."""
        from sessionscope.transcripts.files import find_session_file

        store = self.context.store
        if store is None:
            return self.context.catalog.session_meta(
                find_session_file(self.context.config_dir, session_id)
            )
        from sessionscope.stores import StoreError

        try:
            return store.find(session_id)
        except StoreError:
            return None

    def on_turn_session_read(self, message: TurnSessionRead) -> None:
        """Show the transcript's real entries (with UUIDs) once the turn is over."""
        session_list = self.session_list
        current = session_list.current
        others = [s for s in session_list.sessions if s.session_id != message.meta.session_id]
        keep = current.session_id if current else message.meta.session_id
        state = self.live_turn.latest
        if current is not None and current.session_id == message.meta.session_id and state:
            # Reopened by the list's highlight below: select the turn's last entry there.
            self.initial_message = state.last_uuid
        session_list.set_sessions([message.meta, *others], select=keep)
        self._say_counts()

    # -- o: Claude Code itself -----------------------------------------------------------------

    def action_open_in_claude(self, fork: bool = False) -> None:
        from textual.app import SuspendNotSupported

        from sessionscope.agent.handoff import HandoffError, resume_command

        meta = self.session_list.current
        if meta is None:
            self.notify("Select a session to open in Claude Code", severity="warning")
            return
        if self.context.store is not None:
            self.notify(
                "Claude Code reads its own folder, not the store: c continues the session "
                "in the store",
                severity="warning",
            )
            return
        if self.turn is not None:
            self.notify("A reply is streaming: wait, or esc to interrupt", severity="warning")
            return
        try:
            command = resume_command(meta.session_id, fork=fork)
        except HandoffError as error:
            self.notify(str(error), severity="error", timeout=10)
            return
        cwd = meta.cwd if meta.cwd and Path(meta.cwd).is_dir() else None
        settings = self.compose_settings()
        env = {**os.environ, **settings.env, "CLAUDE_CONFIG_DIR": str(self.context.config_dir)}
        try:
            with self.app.suspend():
                done = subprocess.run(command, cwd=cwd, env=env, check=False)
        except SuspendNotSupported:
            self.notify(
                f"This terminal cannot hand over; run: {' '.join(command)}",
                severity="warning",
                timeout=15,
            )
            return
        except OSError as error:
            self.notify(f"Cannot start Claude Code: {error}", severity="error", timeout=10)
            return
        if done.returncode:
            self.notify(
                f"Claude Code exited with code {done.returncode}", severity="warning", timeout=10
            )
        else:
            self.notify("Back from Claude Code", timeout=4)
        self.load_sessions()

    def action_open_fork_in_claude(self) -> None:
        self.action_open_in_claude(fork=True)
