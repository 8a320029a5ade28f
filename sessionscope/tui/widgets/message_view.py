"""The message pane: a virtual list of blocks of different heights, drawn one line at a time.

Nothing here is a widget per message. A ``BlockSource`` says how many blocks there are and
renders any one of them to ``Strip``s; a ``LineMap`` keeps every block's height (estimated until
the block is first drawn) and where it starts; ``render_line`` finds the block on a line by
bisection and returns one cached strip. Only the blocks near the view are ever read from disk
(``reader.load_entry``) or rendered, so a session of 40,000 messages costs what one screen does.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import tzinfo
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sessionscope.tui.linemap import LineMap

if TYPE_CHECKING:
    from sessionscope.transcripts.model import Entry
    from sessionscope.tui.images import ImageDecoded, ImageStore
    from sessionscope.tui.render import BlockRenderer, Palette, Rendered
    from sessionscope.tui.sources import BlockSource

GUTTER = 2
"""Columns left of every block: the cursor bar and a space."""
_GUTTER_SELECTED = Segment("▌ ")
"""The cursor bar (its colour is the cursor style, applied with the line's)."""
_GUTTER_PLAIN = Segment(" " * GUTTER)
CACHE_BLOCKS = 600
"""Rendered blocks kept; beyond this the least recently drawn are rendered again when needed."""
LOOKAHEAD = 0.5
"""Fraction of a screen measured below the view, so the next `j` rarely meets an estimate."""


class MessageView(ScrollView, can_focus=True):
    """Blocks from a ``BlockSource`` with a selected-block cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "message-view--user",
        "message-view--assistant",
        "message-view--tool",
        "message-view--time",
        "message-view--uuid",
        "message-view--dim",
        "message-view--thinking",
        "message-view--error",
        "message-view--separator",
        "message-view--hint",
        "message-view--cursor",
        "message-view--cursor-header",
        "message-view--placeholder",
    }

    DEFAULT_CSS = """
    MessageView {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
        & > .message-view--user { color: $secondary; text-style: bold; }
        & > .message-view--assistant { color: $primary; text-style: bold; }
        & > .message-view--tool { color: $warning; text-style: bold; }
        & > .message-view--time { color: $text-muted; }
        & > .message-view--uuid { color: $success; }
        & > .message-view--dim { color: $text-muted; }
        & > .message-view--thinking { color: $text-muted; text-style: italic; }
        & > .message-view--error { color: $error; }
        & > .message-view--separator { color: $accent; }
        & > .message-view--hint { color: $text-muted; text-style: italic; }
        & > .message-view--cursor { color: $text-muted; }
        &:focus > .message-view--cursor { color: $accent; }
        & > .message-view--cursor-header { background: $block-cursor-blurred-background; }
        &:focus > .message-view--cursor-header { background: $block-cursor-blurred-background; }
        & > .message-view--placeholder { color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j,down", "cursor_down", "Next", id="message-next", tooltip="Next message", show=False
        ),
        Binding(
            "k,up",
            "cursor_up",
            "Previous",
            id="message-previous",
            tooltip="Previous message",
            show=False,
        ),
        Binding(
            "g,home", "first", "First", id="message-first", tooltip="First message", show=False
        ),
        Binding("G,end", "last", "Last", id="message-last", tooltip="Last message", show=False),
        Binding("pagedown,space", "page_down", "Page down", id="message-page-down", show=False),
        Binding("pageup", "page_up", "Page up", id="message-page-up", show=False),
        Binding(
            "enter",
            "activate",
            "Expand",
            id="message-expand",
            tooltip="Expand or collapse the selected message; open a subagent's transcript",
        ),
    ]

    cursor: reactive[int] = reactive(-1, init=False, always_update=True)
    """Index of the selected block; -1 when there is none."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    """The height of every block: it changes each time a block is measured, which moves the
    scrollbar and nothing else (the pane's size does not depend on it). Textual's own
    declaration lays out the whole screen again on every change."""

    class CursorMoved(Message):
        """The selected block changed."""

        def __init__(self, view: MessageView, index: int, entry: Entry | None) -> None:
            super().__init__()
            self.view = view
            self.index = index
            self.entry = entry

        @property
        def control(self) -> MessageView:
            return self.view

    class SubagentRequested(Message):
        """``enter`` on a Task/Agent tool call: its subagent's transcript was asked for."""

        def __init__(self, view: MessageView, entry: Entry, tool_use: dict) -> None:
            super().__init__()
            self.view = view
            self.entry = entry
            self.tool_use = tool_use

        @property
        def control(self) -> MessageView:
            return self.view

    def __init__(
        self,
        *,
        tz: tzinfo | None = None,
        placeholder: str = "",
        images: ImageStore | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.tz = tz
        self.placeholder = placeholder
        self.images = images
        """Where pictures of image blocks come from; ``None``: their labels only."""
        self.source: BlockSource | None = None
        self._map = LineMap([])
        self._expanded: set[int] = set()
        self._cache: OrderedDict[int, tuple[int, bool, Rendered]] = OrderedDict()
        self._renderer: BlockRenderer | None = None
        self._measured_width = 0
        self._measuring = False
        self._lines: dict[int, dict[tuple[int, bool], Strip]] = {}
        """Finished lines (gutter, text, styles) of the rendered blocks, by block, then by (line
        in block, selected): a repaint after a cursor step or a scroll is mostly lookups."""
        self._region_key: tuple[object, ...] = ()
        self._region = None
        self._styles: dict[str, Style] = {}
        """Rich styles for ``render_line``, looked up once per style change (a lookup costs
        more than drawing the line)."""
        self.partial = False
        """Only the newest messages of the session are shown yet; the whole follows."""
        self.asked_end: str | None = None
        """``"first"`` or ``"last"`` when the latest move asked for an end of the session (``g``,
        ``G``): on a partial view, that end is only known once the whole session is shown."""

    # -- public --------------------------------------------------------------------------------

    def show(
        self,
        source: BlockSource | None,
        *,
        select: int | None = None,
        placeholder: str = "",
        partial: bool = False,
    ) -> None:
        """Show ``source``, selecting block ``select`` (default: the last block); ``partial``:
        it is the newest part of a session whose whole follows."""
        if not partial or getattr(source, "path", None) != getattr(self.source, "path", None):
            self.asked_end = None
        self.partial = partial
        carried = self._carried_blocks(source)
        self.source = source
        self.placeholder = placeholder
        self._expanded.clear()
        self._cache.clear()
        self._lines.clear()
        count = len(source) if source is not None else 0
        width = self._content_width()
        self._measured_width = width
        self._map = LineMap(self._estimates(source, width) if source else [])
        for index, cached in carried.items():
            if cached[0] == width:
                self._cache[index] = cached
                self._map.set_height(index, len(cached[2].strips))
        self._update_virtual_size()
        self.scroll_to(y=0, animate=False, force=True)
        if count:
            target = count - 1 if select is None else max(0, min(select, count - 1))
            self.cursor = target
        else:
            self.cursor = -1
        self.refresh()

    def grow(self, source: BlockSource, *, follow: bool) -> None:
        """Show ``source``, the same session after its file grew (a live update): what is on
        screen stays where it is, the selected message stays selected, unfolded blocks stay
        unfolded. With ``follow`` (the reader was at the last block) the last block is
        selected and shown, as ``tail -f`` does."""
        old = self.source
        if old is None or getattr(old, "path", None) != getattr(source, "path", None):
            self.show(source, partial=False)
            return
        entry = self.current_entry
        top = round(self.scroll_y)
        offset = self._map.start(self.cursor) - top if 0 <= self.cursor < len(self._map) else 0
        expanded_uuids = {
            found.uuid
            for found in (old.entry(index) for index in self._expanded)
            if found is not None and found.uuid
        }
        carried = self._carried_blocks(source, keep_expanded=True)
        self.source = source
        self.partial = False
        self._lines.clear()
        self._cache.clear()
        width = self._content_width()
        self._measured_width = width
        self._map = LineMap(self._estimates(source, width))
        positions = getattr(source, "position_of_uuid", {})
        self._expanded = {positions[uuid] for uuid in expanded_uuids if uuid in positions}
        for index, cached in carried.items():
            if cached[0] == width and cached[1] == (index in self._expanded):
                self._cache[index] = cached
                self._map.set_height(index, len(cached[2].strips))
        self._update_virtual_size()
        count = len(source)
        if not count:
            self.cursor = -1
            self.refresh()
            return
        if follow or entry is None:
            self.cursor = count - 1  # watch_cursor scrolls to the bottom
            self.refresh()
            return
        position = positions.get(entry.uuid) if entry.uuid else None
        if position is None:
            # A row without a UUID (the raw view's bad lines): rows only ever follow it.
            position = min(self.cursor, count - 1)
        # The selected block keeps its place on screen; nothing else moves with it.
        self.set_reactive(MessageView.cursor, position)
        self._measure(position)
        self._update_virtual_size()
        self.scroll_to(y=max(0, self._map.start(position) - offset), animate=False, force=True)
        self._measure_view()
        self.refresh()

    def _carried_blocks(
        self, source: BlockSource | None, *, keep_expanded: bool = False
    ) -> dict[int, tuple[int, bool, Rendered]]:
        """Blocks already rendered that the new source shows too, by their new index: the same
        lines of the same file (the whole of a big session after its newest messages, another
        branch, the file after a new turn) look the same, so they are not rendered again.
        Unfolded blocks are left out unless ``keep_expanded``."""
        old = self.source
        if source is None or old is None or type(old) is not type(source):
            return {}
        if getattr(old, "path", None) != getattr(source, "path", None):
            return {}
        positions = getattr(source, "position_of_uuid", None)
        if not positions:
            return {}
        # A block that shows its line number (the raw view) looks the same only if numbered
        # the same (the newest messages of a big file are numbered from where they start).
        numbered = getattr(source, "shows_line_numbers", True)
        carried: dict[int, tuple[int, bool, Rendered]] = {}
        old_ends = getattr(old, "ends_response", None)
        new_ends = getattr(source, "ends_response", None)
        for index, cached in self._cache.items():
            if cached[1] and not keep_expanded:
                continue  # expanded: every block starts collapsed again
            entry = old.entry(index)
            if entry is None or not entry.uuid:
                continue
            new_index = positions.get(entry.uuid)
            if new_index is None:
                continue
            new_entry = source.entry(new_index)
            if (
                new_entry is not None
                and (new_entry.offset, new_entry.length) == (entry.offset, entry.length)
                and (not numbered or new_entry.line_no == entry.line_no)
                # The response's tokens are shown on its last entry: one more entry of the
                # same response moves them.
                and (old_ends is None or old_ends(index) == new_ends(new_index))
            ):
                carried[new_index] = cached
        return carried

    @property
    def content_width(self) -> int:
        """Columns a block is rendered in (the view less the scrollbar and the gutter)."""
        return self._content_width()

    @staticmethod
    def _estimates(source: BlockSource, width: int) -> list[int]:
        """Every block's estimated height; from the source's own list when it keeps one (made
        off the main thread for a big session)."""
        estimates = getattr(source, "estimates", None)
        if estimates is not None:
            return estimates(width)  # LineMap copies it
        return [source.estimate(i, width) for i in range(len(source))]

    @property
    def current_entry(self) -> Entry | None:
        if self.source is None or not 0 <= self.cursor < len(self.source):
            return None
        return self.source.entry(self.cursor)

    @property
    def block_count(self) -> int:
        return len(self.source) if self.source is not None else 0

    def is_expanded(self, index: int) -> bool:
        return index in self._expanded

    def select(self, index: int) -> None:
        if self.block_count:
            self.cursor = max(0, min(index, self.block_count - 1))

    def block_start(self, index: int) -> int:
        """The line block ``index`` starts at, in the pane's whole height."""
        return self._map.start(index)

    @property
    def rendered_blocks(self) -> set[int]:
        """The blocks whose rendering is kept (those drawn lately, and the ones around them)."""
        return set(self._cache)

    def copy_selected_uuid(self) -> None:
        """Copy the selected entry's UUID to the clipboard (OSC 52, so it works over SSH)."""
        entry = self.current_entry
        if entry is None or not entry.uuid:
            self.notify("The selected entry has no UUID", severity="warning")
            return
        self.app.copy_to_clipboard(entry.uuid)
        self.notify(f"Copied {entry.uuid}")

    # -- drawing -------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._renderer = None
        self._styles.clear()
        self._lines.clear()
        self._cache.clear()

    def _on_focus(self, event: events.Focus) -> None:
        self._styles.clear()  # the cursor's colours depend on :focus
        self._lines.clear()
        super()._on_focus(event)

    def _on_blur(self, event: events.Blur) -> None:
        self._styles.clear()
        self._lines.clear()
        super()._on_blur(event)

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            if name == "base":
                style = self.rich_style
            else:
                style = self.get_component_rich_style(f"message-view--{name}")
            self._styles[name] = style
        return style

    def _palette(self) -> Palette:
        from sessionscope.tui.render import Palette

        def style(name: str) -> Style:
            return self.get_component_rich_style(f"message-view--{name}", partial=True)

        return Palette(
            user=style("user"),
            assistant=style("assistant"),
            tool=style("tool"),
            time=style("time"),
            uuid=style("uuid"),
            dim=style("dim"),
            thinking=style("thinking"),
            error=style("error"),
            separator=style("separator"),
            hint=style("hint"),
        )

    @property
    def renderer(self) -> BlockRenderer:
        if self._renderer is None:
            # Imported with the first block drawn: the list's first paint does not need it.
            from sessionscope.tui.render import BlockRenderer

            pictures = None
            if self.images is not None and self.images.mode != "off":
                from sessionscope.tui.images import Pictures

                pictures = Pictures(self.images, self.post_message)
            self._renderer = BlockRenderer(self.app.console, self._palette(), self.tz, pictures)
        return self._renderer

    def on_image_decoded(self, event: ImageDecoded) -> None:
        """A picture is ready: the blocks that showed its label are drawn again."""
        waiting = [index for index, cached in self._cache.items() if event.key in cached[2].waiting]
        if not waiting or self.source is None:
            return
        top = round(self.scroll_y)
        shift = 0
        for index in waiting:
            del self._cache[index]
            self._forget_lines(index)
            start, before = self._map.start(index), self._map.height(index)
            self._measure(index)
            if start < top:
                shift += self._map.height(index) - before  # what is on screen stays put
        self._update_virtual_size()
        if shift:
            self.set_scroll(None, max(0, top + shift))
        self.refresh()

    def _view_width(self) -> int:
        """``scrollable_content_region.width``, computed once per size (it is asked for on
        every line drawn, twice, and finding the pane's region takes longer than drawing a
        line; the gutter is stable, so only the size changes it)."""
        key = (self.outer_size, self.styles.scrollbar_gutter, self.show_vertical_scrollbar)
        if key != self._region_key:
            self._region_key = key
            self._region = self.scrollable_content_region
        return self._region.width

    def _content_width(self) -> int:
        return max(20, self._view_width() - GUTTER)

    def rendered(self, index: int) -> Rendered:
        """Block ``index`` rendered at the pane's width (kept for the blocks drawn lately)."""
        assert self.source is not None
        width = self._content_width()
        expanded = index in self._expanded
        cached = self._cache.get(index)
        if cached is not None and cached[0] == width and cached[1] == expanded:
            self._cache.move_to_end(index)
            return cached[2]
        rendered = self.source.render(index, width, expanded, self.renderer)
        self._cache[index] = (width, expanded, rendered)
        self._forget_lines(index)
        while len(self._cache) > CACHE_BLOCKS:
            self._forget_lines(self._cache.popitem(last=False)[0])
        return rendered

    def _forget_lines(self, index: int) -> None:
        self._lines.pop(index, None)

    def _measure(self, index: int) -> bool:
        """Render block ``index`` and record its real height; True if the map changed."""
        return self._map.set_height(index, len(self.rendered(index).strips))

    def _update_virtual_size(self) -> None:
        size = Size(self.scrollable_content_region.width, self._map.total)
        if self.virtual_size != size:
            self.virtual_size = size
            # What the layout would have done for a scroll view: the scrollbar's size and
            # place, and the scroll position kept within the new height.
            self._scroll_update(size)

    def _measure_view(self, *, upward: bool = False) -> None:
        """Measure every block on screen (and a little below) before it is drawn."""
        if self.source is None or not len(self._map) or self._measuring:
            return
        self._measuring = True
        try:
            height = max(1, self.scrollable_content_region.height)
            top = round(self.scroll_y)
            anchor, within = self._map.block_at(top)
            changed = False
            anchor_before = self._map.height(anchor)
            index = anchor
            limit = top + height + int(height * LOOKAHEAD)
            while index < len(self._map) and self._map.start(index) < limit:
                if not self._map.is_measured(index):
                    changed |= self._measure(index)
                index += 1
            if changed:
                self._update_virtual_size()
                if upward and within > 0:
                    # Scrolling up into a block drawn for the first time: keep what was below
                    # it where it was.
                    delta = self._map.height(anchor) - anchor_before
                    if delta:
                        self.set_scroll(None, max(0, top + delta))
                self.refresh()
        finally:
            self._measuring = False

    def _remeasure_all_if_resized(self) -> None:
        width = self._content_width()
        if self.source is None or width == self._measured_width:
            return
        self._measured_width = width
        self._cache.clear()
        self._lines.clear()
        self._map = LineMap(self._estimates(self.source, width))
        self._update_virtual_size()
        if self.cursor >= 0:
            self._scroll_to_block(self.cursor, top=True)

    def on_resize(self, event: events.Resize) -> None:
        self._remeasure_all_if_resized()
        self._update_virtual_size()
        self._measure_view()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._measure_view(upward=new_value < old_value)

    def render_line(self, y: int) -> Strip:
        width = self._view_width()
        base = self._style("base")
        if self.source is None or not len(self._map):
            if y == 1 and self.placeholder:
                text = Segment("  " + self.placeholder, self._style("placeholder"))
                return Strip([text]).crop_extend(0, width, base).apply_style(base)
            return Strip.blank(width, base)
        top = round(self.scroll_y)
        line = top + y
        if line >= self._map.total:
            return Strip.blank(width, base)
        pinned = self._pinned_header_line(top, y)
        if pinned is not None:
            return self._strip(self.cursor, pinned, True, width, pinned=True)
        index, within = self._map.block_at(line)
        return self._strip(index, within, index == self.cursor, width)

    def _pinned_header_line(self, top: int, y: int) -> int | None:
        """The line of the selected block's header drawn on row ``y``, if it is pinned there.

        When the selected block starts above the view and some of it is still on screen, its
        header (role, time, UUID) is drawn over its own first visible lines, so that which
        message is selected is always on screen. With fewer of its lines left than the header
        has, the header's last lines are the ones shown (the UUID is last in a narrow pane).
        """
        cursor = self.cursor
        if not 0 <= cursor < len(self._map):
            return None
        start = self._map.start(cursor)
        visible = start + self._map.height(cursor) - top
        if start >= top or visible <= 0:
            return None
        header = self.rendered(cursor).header
        shown = min(header, visible)
        return y + header - shown if y < shown else None

    def _strip(
        self, index: int, within: int, selected: bool, width: int, *, pinned: bool = False
    ) -> Strip:
        """Line ``within`` of block ``index``, with the gutter and the cursor's styles."""
        base = self._style("base")
        rendered = self.rendered(index)  # a cache hit, or the block's lines are forgotten
        lines = self._lines.setdefault(index, {})
        key = (within, "pinned" if pinned else selected)
        finished = lines.get(key)
        if finished is not None and finished.cell_length == width:
            return finished
        if len(rendered.strips) != self._map.height(index):
            # Drawn before it was measured (a scrollbar drag): fix the map after this frame.
            self.call_after_refresh(self._measure_view)
        # One Strip made from plain segments (every Strip keeps seven caches of its own: a
        # join, a crop and two styles as Strips cost more than the rest of a cursor step).
        segments = [_GUTTER_SELECTED if selected else _GUTTER_PLAIN]
        length = GUTTER
        if within < len(rendered.strips):
            source_line = rendered.strips[within]
            segments.extend(source_line)
            length += source_line.cell_length
        if length < width:
            segments.append(Segment(" " * (width - length)))
        elif length > width:
            segments = Segment.adjust_line_length(segments, width)
        header = selected and (within == 0 or pinned)
        style = base + self._style("cursor-header") if header else base
        segments = [
            Segment(text, style + segment_style if segment_style else style, control)
            for text, segment_style, control in segments
        ]
        if selected:
            segments[0] = Segment(segments[0].text, style + self._style("cursor"))
        strip = Strip(segments, width)
        lines[key] = strip
        return strip

    # -- cursor --------------------------------------------------------------------------------

    def _scroll_to_block(
        self, index: int, *, top: bool = False, bottom: bool = False, full: bool = True
    ) -> bool:
        """Scroll so block ``index`` is on screen, measuring it first. With ``full=False`` the
        caller repaints what changed itself when nothing moved (a cursor step)."""
        if not 0 <= index < len(self._map):
            return False
        height = max(1, self.scrollable_content_region.height)
        changed = self._measure(index)
        if bottom:
            # Measure upwards a screen's worth so the last page is laid out for real.
            covered, cursor = self._map.height(index), index - 1
            while cursor >= 0 and covered < height:
                changed |= self._measure(cursor)
                covered += self._map.height(cursor)
                cursor -= 1
        if changed:
            self._update_virtual_size()
        start = self._map.start(index)
        end = start + self._map.height(index)
        current = round(self.scroll_y)
        if bottom:
            target = max(0, end - height)
        elif top or start < current:
            target = start
        elif end > current + height:
            target = min(start, end - height)
        else:
            target = current
        if target != current:
            self.scroll_to(y=target, animate=False, force=True)
        total = self._map.total
        self._measure_view()
        if full or changed or target != current or total != self._map.total:
            self.refresh()
            return True
        return False

    def validate_cursor(self, value: int) -> int:
        count = self.block_count
        if not count:
            return -1
        return max(0, min(value, count - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        if new < 0:
            return
        last = new == self.block_count - 1 and new != 0
        if not self._scroll_to_block(new, bottom=last and old != new - 1, full=False):
            # Nothing moved: repaint only the two blocks whose cursor bar changed.
            self._refresh_block(old)
            self._refresh_block(new)
        self.post_message(self.CursorMoved(self, new, self.current_entry))

    def _refresh_block(self, index: int) -> None:
        if 0 <= index < len(self._map):
            self.refresh_lines(self._map.start(index), self._map.height(index))

    def action_cursor_down(self) -> None:
        self.asked_end = None
        if self.cursor < self.block_count - 1:
            self.cursor += 1

    def action_cursor_up(self) -> None:
        self.asked_end = None
        if self.cursor > 0:
            self.cursor -= 1

    def action_first(self) -> None:
        self.asked_end = "first"
        if self.block_count:
            self.cursor = 0

    def action_last(self) -> None:
        self.asked_end = "last"
        if self.block_count:
            self.cursor = self.block_count - 1

    def action_page_down(self) -> None:
        self.asked_end = None
        if not self.block_count:
            return
        height = max(1, self.scrollable_content_region.height)
        target = round(self.scroll_y) + height
        if target >= self.max_scroll_y:
            self.cursor = self.block_count - 1
            return
        self.scroll_to(y=target, animate=False, force=True, immediate=True)
        self._measure_view()
        # The cursor moves only when its block is left behind: paging through a block taller
        # than the pane keeps it selected (its header pinned on top).
        first = self._map.block_at(round(self.scroll_y))[0]
        if first > self.cursor:
            self.cursor = first

    def action_page_up(self) -> None:
        self.asked_end = None
        if not self.block_count:
            return
        height = max(1, self.scrollable_content_region.height)
        target = max(0, round(self.scroll_y) - height)
        if target == 0:
            self.cursor = 0
            return
        self.scroll_to(y=target, animate=False, force=True, immediate=True)
        self._measure_view(upward=True)
        first = self._map.block_at(round(self.scroll_y))[0]
        if first < self.cursor:
            self.cursor = first

    def action_activate(self) -> None:
        if self.source is None or self.cursor < 0:
            return
        entry = self.source.entry(self.cursor)
        if entry is not None and entry.type == "assistant" and "tool_use" in entry.role_blocks:
            from sessionscope.tui.render import subagent_tool_use

            tool_use = subagent_tool_use(self.source.load(self.cursor))
            if tool_use is not None:
                self.post_message(self.SubagentRequested(self, entry, tool_use))
                return
        self.toggle(self.cursor)

    def toggle(self, index: int) -> None:
        """Expand or collapse block ``index``."""
        if self.source is None or not 0 <= index < self.block_count:
            return
        if index in self._expanded:
            self._expanded.discard(index)
        elif self.rendered(index).expandable:
            self._expanded.add(index)
        else:
            return
        self._map.forget(index, self.source.estimate(index, self._content_width()))
        self._scroll_to_block(index)

    def on_click(self, event: events.Click) -> None:
        if not self.block_count:
            return
        self.asked_end = None
        index, _ = self._map.block_at(round(self.scroll_y) + event.y)
        self.cursor = index
