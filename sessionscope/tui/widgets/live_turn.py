"""The turn in progress, above the prompt box: it runs the turn (one at a time, through the
SDK, in an async worker) and shows its status line, the prompt, the reply as it streams, tool
calls and results, API retries and a failure, all as inert text. Tool permissions are asked in
a dialog.

When the turn ends the message pane shows the transcript's real entries (with their UUIDs); this
panel then keeps only its status line (done / interrupted / failed, duration and cost) and, after
a failure, the message saying why.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from rich.text import Text
from textual import work
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from sessionscope.agent.compose import (
    ApiRetried,
    BlockReceived,
    ComposeTurn,
    PermissionDecision,
    PermissionRequest,
    SessionAssigned,
    SessionPermissions,
    TextStreamed,
    ThinkingStreamed,
    ToolResultReceived,
    TurnEvent,
    TurnFailed,
    TurnFinished,
    TurnTarget,
)
from sessionscope.agent.settings import ComposeSettings
from sessionscope.transcripts.text import inert
from sessionscope.tui.messages import TurnEventArrived

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


def _import_sdk() -> None:
    import claude_agent_sdk  # noqa: F401 - imported off the event loop: it takes over a second


class LiveTurn(Widget):
    """Runs the latest turn and shows its :class:`TurnState` while the session it writes to is
    the selected one (hidden otherwise, and when there is none)."""

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

    class SessionCreated(Message):
        """The running turn writes to a new session (a new one, or a fork)."""

        def __init__(self, session_id: str) -> None:
            super().__init__()
            self.session_id = session_id

    class TurnEnded(Message):
        """The running turn is over (done, interrupted or failed)."""

        def __init__(self, session_id: str | None, failed: ComposeTurn | None = None) -> None:
            super().__init__()
            self.session_id = session_id
            """The session it wrote to, if it got that far."""
            self.failed = failed
            """The turn, when it failed (its prompt may be sent again)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.turn: ComposeTurn | None = None
        """The running turn, if any."""
        self.latest: TurnState | None = None
        """The latest turn's state (kept once it is over)."""
        self.selected: str | None = None
        """The session selected in the list: the panel shows only with its turn's session."""
        self.permissions = SessionPermissions()
        """The tools allowed for the rest of this run ("always" in the permission dialog)."""

    def start(self, prompt: str, target: TurnTarget, settings: ComposeSettings) -> ComposeTurn:
        """Send ``prompt`` to ``target``; the reply streams into the panel."""
        turn = ComposeTurn(
            prompt,
            target,
            settings,
            on_event=lambda event: self.post_message(TurnEventArrived(turn, event)),
            ask=self.ask_permission,
            permissions=self.permissions,
        )
        self.turn = turn
        state = TurnState(target=target.describe(), prompt=prompt)
        state.session_id = None if target.fork else target.session_id
        self.latest = state
        self.show_for(self.selected)
        self.run_turn(turn)
        return turn

    @work(exclusive=False, group="compose")
    async def run_turn(self, turn: ComposeTurn) -> None:
        # The SDK is imported off the loop the first time (over a second), so the app stays live.
        await asyncio.to_thread(_import_sdk)
        await turn.run()

    def interrupt(self) -> None:
        """Interrupt the running turn (what it wrote so far stays)."""
        if self.turn is not None:
            self.run_worker(self.turn.interrupt(), group="interrupt", exclusive=True)

    async def ask_permission(self, request: PermissionRequest) -> PermissionDecision:
        """``can_use_tool``: a dialog; the turn waits for the answer."""
        from sessionscope.tui.screens.permission import PermissionScreen

        answered: asyncio.Future[PermissionDecision] = asyncio.get_running_loop().create_future()

        def decided(decision: PermissionDecision | None) -> None:
            if not answered.done():
                answered.set_result(decision or PermissionDecision.DENY)

        label = self.latest.target if self.latest else ""
        self.app.push_screen(PermissionScreen(request, label), callback=decided)
        return await answered

    def on_turn_event_arrived(self, message: TurnEventArrived) -> None:
        event = message.event
        mine = message.turn is self.turn
        if not mine and not isinstance(event, TurnFinished):
            return
        if mine and self.latest is not None:
            self.latest.apply(event)
        if isinstance(event, SessionAssigned) and message.turn.target.session_id != (
            event.session_id
        ):
            self.post_message(self.SessionCreated(event.session_id))
        if isinstance(event, TurnFinished) and mine:
            self.turn = None
            failed = message.turn if event.failed and not event.interrupted else None
            self.post_message(self.TurnEnded(event.session_id, failed))
        self.show_for(self.selected)
        if self.state is not None:
            self.update_state()

    def show_for(self, session_id: str | None) -> None:
        """``session_id`` is selected: show the latest turn if it writes there (or to a new
        session not listed yet)."""
        self.selected = session_id
        state = self.latest
        mine = state is not None and state.session_id in (None, session_id)
        self.state = state if mine else None

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
