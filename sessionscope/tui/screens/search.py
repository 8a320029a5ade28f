"""The search screen (``ctrl+f``): every message of every transcript, ranked as you type.

Each hit shows its session's title and project, the message's role, time and UUID, and a
snippet with the matches highlighted. ``enter`` opens the session at that message (selected,
its header on screen); ``f`` forks the session there. Searching runs in a thread worker (the
index's SQLite), one query at a time: a newer keystroke makes the older answer moot. While the
index is being built (the app's first build, in the background) a bar shows how far it got,
and the answer is asked again as it grows.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerCancelled, WorkerFailed, get_current_worker

from sessionscope.index import Index
from sessionscope.index.query import QueryError, parse_query
from sessionscope.index.search import Hit
from sessionscope.transcripts.files import home_as_tilde
from sessionscope.transcripts.text import inert

SEARCH_LIMIT = 20
"""Hits shown for one query."""

ANSWER_WAIT = 0.05
"""Seconds a key waits for its answer before its echo is painted alone (a slow query's hits
follow it)."""


async def _finished(worker: Worker) -> None:
    """Once ``worker`` is done (finished, cancelled for a newer query, or failed: the app
    hears of a failure from Textual)."""
    with suppress(WorkerCancelled, WorkerFailed):
        await worker.wait()


@dataclass(frozen=True, slots=True)
class SearchChoice:
    """What the screen is dismissed with: the hit to open, and whether to fork there."""

    session_id: str
    uuid: str
    agent_id: str | None
    fork: bool = False


class SearchInput(Input):
    """The query box: every printable key is text; ``down`` goes to the hits."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "to_hits", "To the hits", id="search-to-hits", show=False),
    ]

    _waiter: asyncio.Future | None = None
    """Until the search for the latest text is done (kept: the loop holds tasks weakly)."""

    virtual_size = Reactive(Size(0, 0))
    """The box's text width (``Input`` scrolls along it). Not a layout: ``Input`` sets it at
    every key, and with a layout of the screen each key repainted every hit on it."""

    async def on_input_changed(self, event: Input.Changed) -> None:
        # The box's own handler, before the box paints its new text: the hits are asked for,
        # and the paint held a moment for them, so that an answer in time shows with the key's
        # echo in one frame. (A frame for the echo alone puts the next one, the hits, 17 to 33
        # ms later: Textual paints at most 60 frames a second.)
        screen = self.screen
        assert isinstance(screen, SearchScreen)
        self._waiter = asyncio.ensure_future(_finished(screen.ask(event.value)))
        with self.app.batch_update():
            await asyncio.wait([self._waiter], timeout=ANSWER_WAIT)

    def action_to_hits(self) -> None:
        self.screen.query_one(OptionList).focus()


class SearchScreen(Screen[SearchChoice | None]):
    """Search every message; dismissed with the hit chosen (or ``None``)."""

    BINDING_GROUP_TITLE = "Search"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="search-back", tooltip="Back to the sessions"),
        Binding(
            "f",
            "fork",
            "Fork here",
            id="search-fork",
            tooltip="Fork the hit's session at that message",
        ),
        Binding("slash", "to_query", "Query", id="search-query", show=False),
    ]

    # Every size fixed (no ``auto``): a key typed, or an answer shown, then repaints the box,
    # the status line and the hits without laying the screen out again.
    DEFAULT_CSS = """
    SearchScreen > Vertical { height: 1fr; }
    SearchScreen #search-query { margin: 0 0; width: 1fr; height: 3; }
    SearchScreen #search-status { width: 1fr; height: 1; padding: 0 1; color: $text-muted; }
    SearchScreen #search-progress { height: 1; padding: 0 1; }
    SearchScreen #search-progress.-done { display: none; }
    SearchScreen OptionList { width: 1fr; height: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    class Answered(Message):
        """A query's hits (or why it cannot be asked), from the search worker."""

        def __init__(self, text: str, hits: list[Hit], error: str = "") -> None:
            super().__init__()
            self.text = text
            self.hits = hits
            self.error = error

    def __init__(self, index: Index, tz: tzinfo | None = None, query: str = "") -> None:
        super().__init__()
        self.index = index
        self.tz = tz
        self.initial_query = query
        self.hits: list[Hit] = []
        self.answered = ""
        """The query whose answer is on screen."""
        self._building_seen: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield SearchInput(
                value=self.initial_query,
                placeholder='search every message: words "phrases" prefix* project: role: tool: ...',
                id="search-query",
            )
            yield ProgressBar(id="search-progress", show_eta=False)
            yield Static("", id="search-status")
            yield OptionList(id="search-hits")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SearchInput).focus()
        self._watch_build()
        self.set_interval(0.5, self._watch_build)
        if self.initial_query:
            self.ask(self.initial_query)

    # -- asking -------------------------------------------------------------------------------

    @on(Input.Submitted, "#search-query")
    def _query_submitted(self) -> None:
        hits = self.query_one(OptionList)
        if self.hits:
            self._choose(hits.highlighted or 0, fork=False)

    @work(thread=True, exclusive=True, group="search")
    def ask(self, text: str) -> None:
        """Search in a thread (the index's SQLite); a newer query makes this one's answer moot."""
        if not text.strip():
            self.post_message(self.Answered(text, []))
            return
        try:
            query = parse_query(text)
        except QueryError as error:
            self.post_message(self.Answered(text, [], str(error)))
            return
        try:
            hits = self.index.search(query, SEARCH_LIMIT, catch_up=False)
        except Exception as error:  # no index, a store that is down: said, the screen stays
            self.post_message(self.Answered(text, [], f"cannot search: {error}"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Answered(text, hits))

    def ask_again(self) -> None:
        """The index has new messages: ask the query on screen again."""
        value = self.query_one(SearchInput).value
        if value.strip():
            self.ask(value)

    def on_search_screen_answered(self, event: Answered) -> None:
        if event.text != self.query_one(SearchInput).value:
            return  # typed on since
        same_query = event.text == self.answered
        self.answered = event.text
        status = self.query_one("#search-status", Static)
        options = self.query_one(OptionList)
        if event.error:
            status.update(Text(f"⚠ {event.error}", style="bold"), layout=False)
            return
        # The same query asked again (the index grew): the hit the user is on stays highlighted.
        was = options.highlighted
        kept = (
            self.hits[was].uuid if same_query and was is not None and was < len(self.hits) else None
        )
        self.hits = event.hits
        # Replaced in one go: cleared first, the list would lose its scroll bar and get it back
        # (two layouts of the screen at every key).
        options.set_options([Option(self._hit_text(hit)) for hit in event.hits])
        if event.hits:
            uuids = [hit.uuid for hit in event.hits]
            options.highlighted = uuids.index(kept) if kept in uuids else 0
        if not event.text.strip():
            status.update("", layout=False)
        else:
            many = f"{len(event.hits)}{'+' if len(event.hits) == SEARCH_LIMIT else ''}"
            status.update(
                f"{many} message{'s' if len(event.hits) != 1 else ''} · enter opens · ↓ then f forks there",
                layout=False,
            )

    def _hit_text(self, hit: Hit) -> Content:
        when = ""
        if hit.timestamp:
            try:
                moment = datetime.fromisoformat(hit.timestamp.replace("Z", "+00:00"))
                when = moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                when = inert(hit.timestamp[:16], keep_newlines=False)
        title = inert(hit.title or "(untitled)", keep_newlines=False, keep_tabs=False)
        # Named as the list names it: the working directory (``~`` for home), else the folder.
        project = inert(
            home_as_tilde(hit.cwd) if hit.cwd else hit.project, keep_newlines=False, keep_tabs=False
        )
        # Three lines, each cut at the list's width (``text-wrap: nowrap``); what the first
        # two hold fits in 80 columns: a subagent's message names its agent on the first.
        if hit.agent_id:
            agent = f"  agent {inert(hit.agent_id, keep_newlines=False, keep_tabs=False)[:12]}"
            title_chars, project_chars = 28, 16
        else:
            agent, title_chars, project_chars = "", 40, 20
        snippet = hit.snippet
        parts: list[str | tuple[str, str]] = [
            (title[:title_chars] + ("…" if len(title) > title_chars else ""), "bold"),
            (
                f"  {project if len(project) <= project_chars else '…' + project[1 - project_chars :]}",
                "dim",
            ),
            (agent, "italic"),
            "\n",
            (hit.uuid or "", "dim"),
            (f"  {hit.role:<9}  {when}", "italic"),
            "\n",
        ]
        at = 0
        for start, end in hit.highlights:
            parts += [snippet[at:start], (snippet[start:end], "reverse bold")]
            at = end
        parts.append(snippet[at:])
        return Content.assemble(*parts, strip_control_codes=False)

    # -- the index being built ------------------------------------------------------------------

    def _watch_build(self) -> None:
        """Show the first build's progress; ask again as it grows (more hits may be in)."""
        bar = self.query_one(ProgressBar)
        progress = self.index.progress
        if progress is None:
            bar.add_class("-done")
            return
        done, total = progress
        building = total > 0 and done < total
        bar.set_class(not building, "-done")
        if building:
            bar.update(total=total, progress=done)
        if progress != self._building_seen:
            changed = self._building_seen is not None
            self._building_seen = progress
            value = self.query_one(SearchInput).value
            if changed and value.strip():
                self.ask(value)

    # -- choosing -------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#search-hits")
    def _hit_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_index, fork=False)

    def _choose(self, position: int, *, fork: bool) -> None:
        if not 0 <= position < len(self.hits):
            return
        hit = self.hits[position]
        if hit.uuid is None:
            self.notify("This message has no UUID to open", severity="warning")
            return
        self.dismiss(SearchChoice(hit.session_id, hit.uuid, hit.agent_id, fork=fork))

    def action_fork(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._choose(options.highlighted, fork=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Printable keys typed in the box are text: "f" and "/" act only on the hits.
        if action in ("fork", "to_query"):
            return not isinstance(self.focused, Input)
        return True

    def action_to_query(self) -> None:
        self.query_one(SearchInput).focus()

    def action_back(self) -> None:
        self.dismiss(None)
