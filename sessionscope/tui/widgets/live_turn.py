"""The turn in progress, above the compose box: its status line, the prompt, the reply as it
streams, tool calls and results, API retries and a failure, all as inert text.

When the turn ends the message pane shows the transcript's real entries (with their UUIDs); this
panel then keeps only its status line (done / interrupted / failed, duration and cost) and, after
a failure, the message saying why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from sessionscope.agent.compose import (
    ApiRetried,
    BlockReceived,
    SessionAssigned,
    TextStreamed,
    ThinkingStreamed,
    ToolResultReceived,
    TurnEvent,
    TurnFailed,
    TurnFinished,
)
from sessionscope.transcripts.text import inert

MAX_LINES = 400
"""Lines kept of a streamed reply (the transcript has all of it)."""


@dataclass
class TurnState:
    """What the panel shows about one turn."""

    target: str
    prompt: str
    started: float = field(default_factory=time.monotonic)
    session_id: str | None = None
    lines: list[tuple[str, str]] = field(default_factory=list)
    """(style, text) lines: finished blocks, tool calls, results, retries."""
    streaming: str = ""
    """Text of the block streaming now."""
    thinking: str = ""
    retry: str = ""
    """The latest API retry, while the CLI retries."""
    failure: str = ""
    finished: TurnFinished | None = None
    last_uuid: str | None = None
    """The newest transcript entry the turn reported (selected when the pane reloads)."""

    def add(self, style: str, text: str) -> None:
        self.lines.append((style, inert(text)))
        del self.lines[:-MAX_LINES]

    def apply(self, event: TurnEvent) -> None:
        if isinstance(event, SessionAssigned):
            self.session_id = event.session_id
        elif isinstance(event, TextStreamed):
            self.streaming += event.text
            self.retry = ""
        elif isinstance(event, ThinkingStreamed):
            self.thinking += event.text
            self.retry = ""
        elif isinstance(event, BlockReceived):
            self.retry = ""
            if not event.subagent and event.uuid:
                self.last_uuid = event.uuid
            prefix = "  [subagent] " if event.subagent else ""
            if event.kind == "text":
                self.streaming = ""
                self.add("", prefix + event.text)
            elif event.kind == "thinking":
                self.thinking = ""
                self.add("italic dim", prefix + "✻ " + event.text)
            else:
                self.add("bold yellow", f"{prefix}⚙ {event.tool_name}: {event.text}")
        elif isinstance(event, ToolResultReceived):
            if not event.subagent and event.uuid:
                self.last_uuid = event.uuid
            first = event.text.strip().splitlines()[0] if event.text.strip() else "(no output)"
            prefix = "  [subagent] " if event.subagent else ""
            style = "red" if event.is_error else "dim"
            self.add(style, f"{prefix}  ↳ {first[:200]}")
        elif isinstance(event, ApiRetried):
            self.retry = event.describe()
            self.add("yellow", "↻ " + self.retry)
        elif isinstance(event, TurnFailed):
            self.failure = inert(event.message)
        elif isinstance(event, TurnFinished):
            self.finished = event
            self.streaming = self.thinking = self.retry = ""

    def status(self, now: float | None = None) -> tuple[str, str]:
        """The status line and its style."""
        done = self.finished
        if done is None:
            elapsed = (now or time.monotonic()) - self.started
            extra = f" · {self.retry}" if self.retry else ""
            return f"● running {elapsed:.1f} s → {self.target}{extra} · esc interrupts", "bold"
        seconds = f"{done.duration_ms / 1000:.1f} s" if done.duration_ms is not None else ""
        cost = f" · ${done.cost_usd:.4f}" if done.cost_usd else ""
        where = f" · {done.session_id[:8]}" if done.session_id else ""
        if done.failed:
            return f"✗ failed {seconds}{where}", "bold red"
        if done.interrupted:
            return f"■ interrupted {seconds}{cost}{where}", "bold yellow"
        return f"✓ done {seconds}{cost}{where}", "bold green"


class LiveTurn(Widget):
    """Shows a :class:`TurnState`; hidden when there is none."""

    DEFAULT_CSS = """
    LiveTurn {
        height: auto;
        max-height: 45%;
        padding: 0 1;
        background: $boost;
        display: none;
        &.-visible { display: block; }
        &.-finished { max-height: 4; }
    }
    """

    state: reactive[TurnState | None] = reactive(None, always_update=True, layout=True)
    """The turn shown (``None``: hide the panel)."""

    def on_mount(self) -> None:
        self.set_interval(0.5, self._tick)

    def _tick(self) -> None:
        if self.state is not None and self.state.finished is None:
            self.refresh()

    def watch_state(self, state: TurnState | None) -> None:
        self.set_class(state is not None, "-visible")
        self.set_class(state is not None and state.finished is not None, "-finished")

    def update_state(self) -> None:
        """The state object changed in place."""
        self.mutate_reactive(LiveTurn.state)

    @property
    def status_text(self) -> str:
        return self.state.status()[0] if self.state else ""

    def render(self) -> Text:
        state = self.state
        if state is None:
            return Text("")
        status, style = state.status()
        text = Text(no_wrap=False)
        text.append(status + "\n", style=style)
        if state.finished is None:
            # Show the tail: the panel is at most ~45% of the screen; the newest lines matter.
            budget = max(4, int(self.app.size.height * 0.45) - 3)
            body: list[tuple[str, str]] = list(state.lines)
            if state.thinking:
                body += [("italic dim", "✻ " + line) for line in inert(state.thinking).splitlines()]
            if state.streaming:
                streamed = inert(state.streaming).splitlines() or [""]
                streamed[-1] += "▌"
                body += [("", line) for line in streamed]
            first_prompt_line = state.prompt.splitlines()[0] if state.prompt else ""
            text.append("› " + inert(first_prompt_line) + "\n", style="bold cyan")
            for line_style, line in body[-budget:]:
                text.append(line + "\n", style=line_style)
        if state.failure:
            text.append(state.failure + "\n", style="red")
        return text
