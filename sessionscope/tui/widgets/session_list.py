"""The session list: every project, grouped, newest first, forks nested; drawn line by line.

Rows have fixed heights (a project heading is one line, a session two), so the list is a
``ScrollView`` with ``render_line`` and costs the same with 20 or 20,000 sessions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sessionscope.transcripts.meta import SessionMeta, session_title
from sessionscope.transcripts.text import inert
from sessionscope.tui.linemap import LineMap
from sessionscope.tui.sessions_model import (
    Haystacks,
    ListRows,
    Row,
    filter_sessions,
    format_age,
)

ROW_HEIGHT = {"project": 1, "session": 2}
"""Lines each kind of row takes."""


class SessionList(ScrollView, can_focus=True):
    """Sessions grouped by project, with a cursor that only lands on sessions."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "session-list--project",
        "session-list--count",
        "session-list--title",
        "session-list--fork",
        "session-list--meta",
        "session-list--branch",
        "session-list--live",
        "session-list--cursor",
        "session-list--placeholder",
    }

    DEFAULT_CSS = """
    SessionList {
        background: $surface;
        overflow-x: hidden;
        & > .session-list--project { color: $accent; text-style: bold; }
        & > .session-list--count { color: $text-muted; }
        & > .session-list--title { color: $text; }
        & > .session-list--fork { color: $warning; }
        & > .session-list--meta { color: $text-muted; }
        & > .session-list--branch { color: $success; }
        & > .session-list--live { color: $success; text-style: bold; }
        & > .session-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .session-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .session-list--placeholder { color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j,down", "cursor_down", "Next", id="session-next", tooltip="Next session", show=False
        ),
        Binding(
            "k,up",
            "cursor_up",
            "Previous",
            id="session-previous",
            tooltip="Previous session",
            show=False,
        ),
        Binding(
            "g,home", "first", "First", id="session-first", tooltip="First session", show=False
        ),
        Binding("G,end", "last", "Last", id="session-last", tooltip="Last session", show=False),
        Binding("pagedown", "page_down", "Page down", id="session-page-down", show=False),
        Binding("pageup", "page_up", "Page up", id="session-page-up", show=False),
        Binding("enter", "choose", "Open", id="session-open", tooltip="Read the selected session"),
    ]

    cursor: reactive[int] = reactive(-1, init=False)
    """Index into ``rows`` of the selected session; -1 when none."""

    class Highlighted(Message):
        """The cursor moved to another session."""

        def __init__(self, session_list: SessionList, meta: SessionMeta) -> None:
            super().__init__()
            self.session_list = session_list
            self.meta = meta

        @property
        def control(self) -> SessionList:
            return self.session_list

    class Chosen(Message):
        """``enter`` on a session."""

        def __init__(self, session_list: SessionList, meta: SessionMeta) -> None:
            super().__init__()
            self.session_list = session_list
            self.meta = meta

        @property
        def control(self) -> SessionList:
            return self.session_list

    def __init__(
        self,
        *,
        now_ms: Callable[[], int] | None = None,
        placeholder: str = "Reading sessions…",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.now_ms = now_ms or (lambda: int(time.time() * 1000))
        self.placeholder = placeholder
        self.sessions: list[SessionMeta] = []
        self.query_text = ""
        self._haystacks: Haystacks = {}
        """What the filter matches in each session, kept between keystrokes."""
        self._list = ListRows([])
        """The rows, kept a project at a time (a change builds its project's rows again)."""
        self._map = LineMap([])
        self.live: set[str] = set()
        """Ids of the sessions whose transcript was written in the last seconds (marked ●)."""
        self._styles: dict[str, Style] = {}
        """The Rich styles lines are drawn with, looked up once per style change (the
        widget's own took a tenth of a millisecond a line, a third of drawing it)."""

    # -- data ----------------------------------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        return self._list.rows

    def set_sessions(
        self,
        sessions: list[SessionMeta],
        *,
        select: str | None = None,
        rows: ListRows | None = None,
    ) -> None:
        """Replace the sessions; keep the selected one (or select ``select``). ``rows``:
        ``ListRows(sessions)`` made already (by a worker), used while nothing is filtered."""
        keep = select or (self.current.session_id if self.current else None)
        self.sessions = list(sessions)
        if rows is None or self.query_text.strip():
            rows = ListRows(self.sessions, self.query_text, self._haystacks)
        self._show(rows, keep)

    def add_session(self, meta: SessionMeta, *, select: bool = True) -> None:
        """Add or replace one session (a fork, a new session) and optionally select it."""
        others = [s for s in self.sessions if s.session_id != meta.session_id]
        self.sessions = [meta, *others]
        current = self.current
        keep = meta.session_id if select else current.session_id if current else None
        if select and self.query_text and not filter_sessions([meta], self.query_text):
            self.query_text = ""  # the filter would hide it
            self._show(ListRows(self.sessions, "", self._haystacks), keep)
            return
        self._list.change([meta], [])
        self._show(self._list, keep)

    def remove_session(self, session_id: str) -> None:
        """Drop one session (deleted); the cursor moves to its neighbour."""
        position = self._list.position(session_id)
        neighbour = None
        if position >= 0:
            following = self._next_session(position, 1)
            if following < 0:
                following = self._next_session(position, -1)
            neighbour = self.rows[following].meta if following >= 0 else None
        self.sessions = [s for s in self.sessions if s.session_id != session_id]
        self._list.change([], [session_id])
        self._show(self._list, neighbour.session_id if neighbour is not None else None)

    def update_sessions(self, metas: list[SessionMeta]) -> None:
        """Replace listed sessions' metadata in place (their message counts were read later;
        sessions not listed are left out); the cursor stays where it is."""
        fresh = {
            meta.session_id: meta
            for meta in metas
            if self._list.get(meta.session_id) not in (None, meta)
        }
        if not fresh:
            return
        self.sessions = [fresh.get(meta.session_id, meta) for meta in self.sessions]
        self._list.replace(list(fresh.values()))
        self.refresh()

    def apply_changes(self, listed: list[SessionMeta], gone: list[str]) -> None:
        """Sessions written, created or deleted while the app runs (a live update). A session
        already listed is updated where it is; new ones join their project and deleted ones
        go, the others keeping their order. Only the projects changed have their rows built
        again. The selected session stays selected without being opened again (a
        ``Highlighted`` only when it was deleted: its neighbour is selected)."""
        changed = [meta for meta in listed if self._list.get(meta.session_id) != meta]
        gone = [session_id for session_id in gone if self._list.get(session_id) is not None]
        if not changed and not gone:
            return
        added = [meta for meta in changed if self._list.get(meta.session_id) is None]
        if not added and not gone:
            self.update_sessions(changed)
            return
        current = self.current
        if current is not None and current.session_id in gone:
            self.update_sessions(changed)
            for session_id in gone:
                self.remove_session(session_id)  # the neighbour is selected and opened
            self.add_sessions(added)
            return
        if len(added) == len(changed) and not gone:
            self.sessions = [*added, *self.sessions]
        else:
            fresh = {meta.session_id: meta for meta in changed}
            dropped = set(gone)
            kept = [
                fresh.get(s.session_id, s) for s in self.sessions if s.session_id not in dropped
            ]
            self.sessions = [*added, *kept]
        self._list.change(changed, gone)
        target = self._list.position(current.session_id) if current is not None else -1
        if target < 0:
            self._show(self._list, None)  # nothing was selected: select as a new list does
            return
        self._measure_rows()
        # The same session, maybe on another row: selected again without a Highlighted.
        self.set_reactive(SessionList.cursor, target)
        self._scroll_to_row(target)
        self.refresh()

    def add_sessions(self, metas: list[SessionMeta]) -> None:
        """Add sessions without selecting them (the selection stays, and is not opened again)."""
        if metas:
            self.apply_changes(metas, [])

    def set_live(self, live: set[str]) -> None:
        """Mark the sessions written to in the last seconds."""
        if live != self.live:
            self.live = set(live)
            self.refresh()

    def set_query(self, query: str) -> None:
        """Filter as the user types (fuzzy over title, project, branch, tag and id)."""
        self.query_text = query
        current = self.current
        self._show(
            ListRows(self.sessions, query, self._haystacks),
            current.session_id if current else None,
        )

    def _measure_rows(self) -> None:
        self._map = LineMap([ROW_HEIGHT[row.kind] for row in self.rows])
        self.virtual_size = Size(self.scrollable_content_region.width, self._map.total)

    def _show(self, rows: ListRows, keep: str | None) -> None:
        """Show ``rows``, the cursor on session ``keep`` (else the first session)."""
        self._list = rows
        self._measure_rows()
        target = rows.position(keep) if keep else -1
        if target < 0:
            target = self._next_session(-1, 1)
        self.set_reactive(SessionList.cursor, -1)
        self.cursor = target
        self.refresh()

    @property
    def current(self) -> SessionMeta | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor].meta
        return None

    def select_session(self, session_id: str) -> bool:
        position = self._list.position(session_id)
        if position >= 0:
            self.cursor = position
        return position >= 0

    # -- cursor --------------------------------------------------------------------------------

    def _next_session(self, start: int, step: int) -> int:
        index = start + step
        while 0 <= index < len(self.rows):
            if self.rows[index].kind == "session":
                return index
            index += step
        return -1

    def watch_cursor(self, old: int, new: int) -> None:
        if new < 0 or new >= len(self.rows):
            self.refresh()
            return
        self._scroll_to_row(new)
        self.refresh()
        meta = self.rows[new].meta
        if meta is not None and old != new:
            self.post_message(self.Highlighted(self, meta))

    def _scroll_to_row(self, index: int) -> None:
        """Scroll so row ``index`` (and the project heading just above it) is on screen."""
        start = self._map.start(index)
        height = self._map.height(index)
        # Show the project heading above the first session of a group too.
        if index > 0 and self.rows[index - 1].kind == "project":
            start, height = self._map.start(index - 1), height + 1
        view = self.scrollable_content_region.height
        if view <= 0:
            return  # no size yet (a list set as the screen mounts): on_resize scrolls
        top = round(self.scroll_y)
        if start < top:
            self.scroll_to(y=start, animate=False, force=True)
        elif start + height > top + view:
            self.scroll_to(y=start + height - view, animate=False, force=True)

    def _move(self, step: int, count: int = 1) -> None:
        index = self.cursor
        for _ in range(count):
            following = self._next_session(index, step)
            if following < 0:
                break
            index = following
        if index >= 0:
            self.cursor = index

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_first(self) -> None:
        self.cursor = self._next_session(-1, 1)

    def action_last(self) -> None:
        self.cursor = self._next_session(len(self.rows), -1)

    def action_page_down(self) -> None:
        self._move(1, max(1, self.scrollable_content_region.height // 2))

    def action_page_up(self) -> None:
        self._move(-1, max(1, self.scrollable_content_region.height // 2))

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self, self.current))

    def on_click(self, event: events.Click) -> None:
        if not self.rows:
            return
        index, _ = self._map.block_at(round(self.scroll_y) + event.y)
        if self.rows[index].kind == "session":
            self.cursor = index
            if event.chain > 1:
                self.action_choose()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self._map.total)
        if 0 <= self.cursor < len(self.rows):
            self._scroll_to_row(self.cursor)

    # -- drawing -------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        # Called on a change of theme or of the focus too (the cursor's colours follow it).
        super().notify_style_update()
        self._styles.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            if name == "base":
                style = self.rich_style
            elif name == "cursor":
                style = self.get_component_rich_style("session-list--cursor")
            else:
                style = self.get_component_rich_style(f"session-list--{name}", partial=True)
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._style("base")
        if not self.rows:
            if y == 1:
                message = (
                    f"No session matches {inert(self.query_text)!r}"
                    if self.query_text and self.sessions
                    else self.placeholder
                )
                text = Text(" " + message, style=self._style("placeholder"))
                text.truncate(width, overflow="ellipsis")
                # apply_style: NO_COLOR's filter fails on a segment without a style.
                strip = Strip(text.render(self.app.console)).crop_extend(0, width, base)
                return strip.apply_style(base)
            return Strip.blank(width, base)
        line = round(self.scroll_y) + y
        if line >= self._map.total:
            return Strip.blank(width, base)
        index, within = self._map.block_at(line)
        row = self.rows[index]
        text = self._row_text(row, within, width)
        strip = Strip(text.render(self.app.console)).crop_extend(0, width, None)
        if index == self.cursor:
            cursor = self._style("cursor")
            strip = Strip(
                [
                    Segment(seg.text, cursor + seg.style if seg.style else cursor, seg.control)
                    for seg in strip
                ],
                strip.cell_length,
            )
        return strip.apply_style(base)

    def _row_text(self, row: Row, within: int, width: int) -> Text:
        if row.kind == "project":
            text = Text.assemble(
                (" ▾ ", self._style("project")),
                (row.label, self._style("project")),
                (f" {row.count}", self._style("count")),
            )
        else:
            meta = row.meta
            assert meta is not None
            indent = "   " + "  " * row.depth
            if within == 0:
                marker = ("↳ ", self._style("fork")) if row.depth else ("", Style())
                live = ("● ", self._style("live")) if meta.session_id in self.live else ""
                text = Text.assemble(
                    indent, marker, live, (session_title(meta), self._style("title"))
                )
            else:
                bits: list[tuple[str, Style] | str] = [
                    indent + ("  " if row.depth else ""),
                    (format_age(self.now_ms(), meta.last_modified), self._style("meta")),
                ]
                if meta.git_branch:
                    bits += [
                        (" · ", self._style("meta")),
                        (inert(meta.git_branch), self._style("branch")),
                    ]
                if meta.message_count is not None:
                    bits.append((f" · {meta.message_count} msgs", self._style("meta")))
                if meta.tag:
                    bits.append((f" · #{inert(meta.tag)}", self._style("fork")))
                bits.append((f" · {meta.session_id[:8]}", self._style("meta")))
                text = Text.assemble(*bits)
        text.no_wrap = True
        text.truncate(width, overflow="ellipsis")
        return text
