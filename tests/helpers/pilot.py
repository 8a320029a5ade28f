"""Helpers for driving the explorer in pilot tests: wait for its workers, read what it shows."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable

from textual.strip import Strip
from textual.worker import WorkerCancelled

from sessionscope.tui.widgets.message_view import MessageView


async def settle(app, pilot) -> None:
    """Wait until no worker runs (a cancelled exclusive one is fine), the messages they posted
    handled: start-up's workers start one another (the counted list after the first, the SDK's
    import once the first session is painted)."""
    for _ in range(10):
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.workers:
            await pilot.pause()
            if not app.workers:
                return


async def wait_for(
    pilot, condition: Callable[[], object], what: str, timeout: float = 20.0
) -> None:
    """Pause until ``condition()`` is true; fail after ``timeout`` seconds saying ``what``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def strips_text(strips: Iterable[Strip]) -> str:
    """The text of drawn lines, one a line."""
    return "\n".join(strip.text for strip in strips)


def block_text(view: MessageView, index: int) -> str:
    """The text of block ``index`` as the pane renders it at its width."""
    return strips_text(view.rendered(index).strips)


def uuids(view: MessageView) -> list[str | None]:
    """The UUIDs of the pane's blocks, in order."""
    return [view.source.entry(i).uuid for i in range(view.block_count)]
