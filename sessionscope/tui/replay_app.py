"""The small app behind ``sessionscope replay ID``: one replay screen, and out when it closes."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from textual.app import App

from sessionscope.replay.player import DEFAULT_MAX_GAP
from sessionscope.replay.steps import Step
from sessionscope.tui.screens.replay import ReplayScreen


class ReplayApp(App[None]):
    """Hosts a :class:`ReplayScreen`; leaving the replay leaves the app."""

    ENABLE_COMMAND_PALETTE = False
    TITLE = "sessionscope replay"

    def __init__(
        self,
        steps: Sequence[Step],
        *,
        title: str = "",
        speed: float = 1.0,
        max_gap: float = DEFAULT_MAX_GAP,
        start_at: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._screen_args = dict(
            title=title, speed=speed, max_gap=max_gap, start_at=start_at, clock=clock
        )
        self._steps = list(steps)

    def on_mount(self) -> None:
        self.push_screen(ReplayScreen(self._steps, **self._screen_args), lambda _: self.exit())
