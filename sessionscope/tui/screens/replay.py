"""The replay screen: a session played back message by message at its recorded pace.

Read-only. The pace comes from :class:`sessionscope.replay.player.Player`, which reads an
injectable clock; this screen only asks it where it is ten times a second and changes what
differs. Over a slow link that matters: a tick that changes nothing sends nothing, a typed
character repaints one message, and the status line repaints only when its text changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from sessionscope.replay.player import DEFAULT_MAX_GAP, Frame, Player, cut_label
from sessionscope.replay.steps import Step
from sessionscope.transcripts.content import OTHER, TEXT, THINKING, TOOL_RESULT, TOOL_USE, Part
from sessionscope.transcripts.text import inert

MAX_MOUNTED = 120
"""Messages kept on screen; older ones are dropped from the top (a replay looks forward)."""

TOOL_LINES = 6
"""Lines of a tool call, tool result or thinking block shown before "… N more lines"."""


def _clip(text: str, lines: int) -> str:
    rows = text.split("\n")
    if len(rows) <= lines:
        return text
    return "\n".join(rows[:lines]) + f"\n… {len(rows) - lines} more lines"


def _clock_time(recorded_at: float | None, *, date: bool = False) -> str:
    if recorded_at is None:
        return "--:--:--"
    moment = datetime.fromtimestamp(recorded_at, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")


def _compact_input(part: Part) -> str:
    """A tool call's input on as few lines as reads well."""
    value = part.tool_input
    if isinstance(value, dict) and all(
        isinstance(v, str | int | float | bool) for v in value.values()
    ):
        return "  ".join(
            f"{key}={inert(str(val), keep_newlines=False)}" for key, val in value.items()
        )
    return part.body


def render_part(part: Part, typed: int | None = None) -> Content:
    """One content block as terminal content; ``typed`` cuts assistant text to that length."""
    if part.kind == TEXT:
        body = part.body
        if typed is not None and typed < len(body):
            body = body[:typed]
            # Whole words appear, as a person reads them (and fewer repaints change anything).
            space = body.rfind(" ")
            if space > 0 and typed - space < 24:
                body = body[:space]
        return Content(inert(body))
    if part.kind == THINKING:
        return Content.assemble(
            ("thinking ", "$text-muted bold"),
            (inert(_clip(part.body, TOOL_LINES)), "$text-muted italic"),
        )
    if part.kind == TOOL_USE:
        return Content.assemble(
            ("→ ", "$warning"),
            (inert(part.name or "?", keep_newlines=False), "$warning bold"),
            " ",
            inert(_clip(_compact_input(part), TOOL_LINES)),
        )
    if part.kind == TOOL_RESULT:
        label = "← error " if part.is_error else "← result "
        style = "$error bold" if part.is_error else "$warning"
        body = part.body.strip("\n") or "(empty)"
        return Content.assemble((label, style), (inert(_clip(body, TOOL_LINES)), "$text-muted"))
    name = inert(part.name or "block", keep_newlines=False)
    assert part.kind == OTHER
    return Content.assemble((f"[{name}] ", "$text-muted"), inert(_clip(part.body, 3)))


ROLE_STYLES = {
    "user": "$success bold",
    "assistant": "$accent bold",
    "tool result": "$warning",
    "meta": "$text-muted",
    "summary": "$text-muted",
}


def render_step(step: Step, *, cut: str | None = None, typed: int | None = None) -> Content:
    """A message's header (who, when, UUID) and its parts."""
    message = step.message
    pieces: list[Content | str | tuple[str, str]] = []
    if cut:
        pieces += [(cut, "$text-muted italic"), "\n"]
    if step.agent:
        pieces += [(f"↳ {inert(step.agent, keep_newlines=False)}  ", "$secondary bold")]
    pieces += [
        (message.role, ROLE_STYLES.get(message.role, "bold")),
        ("  " + _clock_time(step.recorded_at), "$text-muted"),
        ("  " + inert(message.uuid or "no uuid", keep_newlines=False), "$text-muted"),
    ]
    remaining = typed
    for part in message.parts:
        if part.kind == TEXT and remaining is not None:
            shown = render_part(part, remaining)
            remaining = max(0, remaining - len(part.body) - 1)
        else:
            shown = render_part(part)
        pieces += ["\n", shown]
    return Content.assemble(*pieces)


class ReplayStatus(Widget):
    """One line: play state, message n of N, recorded time, speed, a progress bar.

    It repaints only when what it shows changes (its text, or a cell of the bar), never merely
    because the replay moved: over SSH each repaint of this line costs ~250 bytes.
    """

    DEFAULT_CSS = """
    ReplayStatus { height: 1; background: $panel; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.line = ""
        """The status text left of the bar."""
        self.progress = 0.0
        """0.0–1.0: how far the replay is."""
        self._drawn: tuple[str, int, int] | None = None

    def _bar_width(self, width: int) -> int:
        return max(0, width - len(self.line) - 3)

    def show(self, line: str, progress: float) -> None:
        """Set the text and progress; repaint only if the line would look different."""
        self.line, self.progress = line, progress
        width = self.size.width
        bar = self._bar_width(width)
        key = (line, width, round(progress * bar))
        if key != self._drawn:
            self._drawn = key
            self.refresh()

    def render(self) -> Content:
        width = self.size.width
        left = f" {self.line} "
        bar_width = self._bar_width(width)
        if bar_width < 8:
            return Content(left[:width])
        filled = round(self.progress * bar_width)
        return Content.assemble(
            left, ("━" * filled, "$accent"), ("─" * (bar_width - filled), "$text-muted"), " "
        )


class ReplayScreen(Screen[None]):
    """Plays ``steps`` at their recorded pace. ``clock`` is injectable for tests."""

    CSS_PATH = "replay.tcss"
    AUTO_FOCUS = "#replay-log"

    BINDINGS = [
        Binding("space", "toggle_pause", "Pause/play", id="replay.pause", tooltip="Pause or play"),
        Binding(
            "full_stop",
            "step_forward",
            "Step",
            id="replay.step",
            tooltip="Show the next message and pause",
        ),
        Binding(
            "comma",
            "step_back",
            "Back",
            id="replay.back",
            tooltip="Hide the last message and pause",
        ),
        Binding(
            "plus,equals_sign", "faster", "Faster", id="replay.faster", tooltip="Double the speed"
        ),
        Binding("minus", "slower", "Slower", id="replay.slower", tooltip="Halve the speed"),
        Binding(
            "right_square_bracket",
            "next_turn",
            "Next prompt",
            id="replay.next_turn",
            tooltip="Jump to the next prompt the user typed",
        ),
        Binding("q,escape", "leave", "Leave", id="replay.leave", tooltip="Leave the replay"),
    ]

    TICK_SECONDS = 0.1
    """How often the screen asks the player where it is."""

    TYPING_SECONDS = 0.25
    """Typed text is repainted at most this often (each repaint resends the whole message)."""

    def __init__(
        self,
        steps: Sequence[Step],
        *,
        title: str = "",
        speed: float = 1.0,
        max_gap: float = DEFAULT_MAX_GAP,
        start_at: int = 0,
        clock: Callable[[], float] = time.monotonic,
        autoplay: bool = True,
    ) -> None:
        super().__init__()
        self.steps = list(steps)
        self.session_title = title
        self.player = Player(
            self.steps,
            speed=speed,
            max_gap=max_gap,
            clock=clock,
            start_at=start_at,
        )
        self._autoplay = autoplay
        self._mounted: list[tuple[int, int | None, Static]] = []
        """(step index, typed chars or None when complete, widget) for each message shown."""
        self._frame: Frame | None = None
        """The frame on screen."""
        self._typing_painted_at = float("-inf")

    def compose(self) -> ComposeResult:
        title = inert(self.session_title or "replay", keep_newlines=False)
        yield Static(Content.assemble(("replay ", "$accent bold"), title), id="replay-title")
        yield VerticalScroll(id="replay-log", can_focus=True)
        yield ReplayStatus(id="replay-status")
        yield Static(
            Content.assemble(
                ("space", "bold"),
                " pause  ",
                (". ,", "bold"),
                " step  ",
                ("+ -", "bold"),
                " speed  ",
                ("]", "bold"),
                " next prompt  ",
                ("q", "bold"),
                " leave",
            ),
            id="replay-keys",
        )

    def on_mount(self) -> None:
        if not self._autoplay:
            self.player.playing = False
        self.tick()
        self.set_interval(self.TICK_SECONDS, self.tick, name="replay-tick")

    # -- drawing ---------------------------------------------------------------------------------

    def tick(self) -> None:
        """Read the clock and show what changed."""
        self._show(self.player.tick())

    def _show(self, frame: Frame, *, now: bool = False) -> None:
        previous = self._frame
        if frame != previous:
            still_typing = (
                previous is not None
                and frame.complete == previous.complete
                and frame.typing_chars is not None
                and previous.typing_chars is not None
            )
            clock = self.player.clock()
            if now or not still_typing or clock - self._typing_painted_at >= self.TYPING_SECONDS:
                self._frame = frame
                self._typing_painted_at = clock
                self._sync_messages(frame)
        self._sync_status(frame)

    def _step_content(self, index: int, typed: int | None) -> Content:
        cut = None
        if index and self.player.gap_is_cut(index):
            cut = cut_label(self.player.recorded_gaps[index])
        return render_step(self.steps[index], cut=cut, typed=typed)

    def _sync_messages(self, frame: Frame) -> None:
        log = self.query_one("#replay-log", VerticalScroll)
        wanted: list[tuple[int, int | None]] = [(i, None) for i in range(frame.complete)]
        if frame.typing_chars is not None:
            wanted.append((frame.complete, frame.typing_chars))
        wanted = wanted[-MAX_MOUNTED:]
        first = wanted[0][0] if wanted else 0
        # Both lists hold consecutive steps; line up their first ones, then compare in place.
        while self._mounted and self._mounted[0][0] < first:
            self._mounted.pop(0)[2].remove()  # scrolled out of the window
        if self._mounted and self._mounted[0][0] > first:
            for _, _, widget in self._mounted:  # stepped back past the window: rebuild
                widget.remove()
            self._mounted.clear()
        while len(self._mounted) > len(wanted):
            self._mounted.pop()[2].remove()  # stepped back
        changed = False
        for position, (index, typed) in enumerate(wanted):
            if position < len(self._mounted):
                mounted_index, mounted_typed, widget = self._mounted[position]
                if mounted_typed != typed:
                    widget.update(self._step_content(index, typed))
                    self._mounted[position] = (index, typed, widget)
                    changed = True
                continue
            step = self.steps[index]
            classes = "replay-step -" + step.message.role.replace(" ", "-")
            if step.agent:
                classes += " -subagent"
            widget = Static(self._step_content(index, typed), classes=classes)
            if typed is not None:
                self._reserve_height(widget, index, log)
            self._mounted.append((index, typed, widget))
            log.mount(widget)
            changed = True
        if changed:
            log.scroll_end(animate=False, immediate=False)

    SUBAGENT_INDENT = 4
    """Cells a subagent's message is indented by (margin, border and padding in replay.tcss)."""

    def _reserve_height(self, widget: Static, index: int, log: VerticalScroll) -> None:
        """Give a message being typed the height it will end with, at once.

        Otherwise each typed line would grow it and scroll the whole log, resending the screen;
        this way the log scrolls once and each repaint covers that message only.
        """
        width = log.scrollable_content_region.width
        if self.steps[index].agent:
            width -= self.SUBAGENT_INDENT
        if width > 0:
            full = self._step_content(index, None)
            widget.styles.min_height = full.get_height(widget.styles, width)

    def on_resize(self) -> None:
        # Reserved heights were measured at the old width.
        for _, typed, widget in self._mounted:
            if typed is None:
                widget.styles.min_height = None

    def _sync_status(self, frame: Frame) -> None:
        player = self.player
        total = len(self.steps)
        shown = frame.complete + (1 if frame.typing_chars is not None else 0)
        if total == 0:
            state = "empty session"
        elif player.finished:
            state = "■ end"
        elif player.playing:
            state = "▶"
        else:
            state = "❚❚"
        speed = f"{player.speed:g}×"
        line = f"{state} {shown}/{total}  {_clock_time(frame.recorded_at, date=True)}  {speed}"
        self.query_one(ReplayStatus).show(line, player.progress())

    def shown(self) -> list[tuple[str | None, int | None]]:
        """(message UUID, characters typed or ``None`` when complete) for each message on screen."""
        return [(self.steps[index].message.uuid, typed) for index, typed, _ in self._mounted]

    @property
    def status_line(self) -> str:
        """The status text (play state, n/N, recorded time, speed), as shown."""
        return self.query_one(ReplayStatus).line

    # -- actions ---------------------------------------------------------------------------------

    def _after_control(self) -> None:
        self._show(self.player.frame(), now=True)

    def action_toggle_pause(self) -> None:
        self.player.toggle_pause()
        self._after_control()

    def action_step_forward(self) -> None:
        self.player.step_forward()
        self._after_control()

    def action_step_back(self) -> None:
        self.player.step_back()
        self._after_control()

    def action_faster(self) -> None:
        self.player.faster()
        self._after_control()

    def action_slower(self) -> None:
        self.player.slower()
        self._after_control()

    def action_next_turn(self) -> None:
        self.player.next_user_turn()
        self._after_control()

    def action_leave(self) -> None:
        self.dismiss(None)
