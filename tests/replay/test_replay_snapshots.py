"""Snapshots of the replay screen at 80×24: full colour, 16 colours, and NO_COLOR."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from sessionscope.replay.steps import load_steps
from sessionscope.tui.replay_app import ReplayApp

from .test_replay_screen import FakeClock

# Show the whole sample up to the second prompt, paused, so the picture holds every kind of
# message (prompt, thinking, typed text, tool call, tool result, a cut gap) and the status line.
KEYS = ["right_square_bracket", "space"]


class SixteenColourReplayApp(ReplayApp):
    """Screenshots as a 16-colour terminal (TERM=xterm, linux, screen) shows them."""

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        width, height = self.size
        console = Console(
            width=width,
            height=height,
            file=io.StringIO(),
            force_terminal=True,
            color_system="standard",
            record=True,
            legacy_windows=False,
            safe_box=False,
        )
        console.print(
            self.screen._compositor.render_update(
                full=True, screen_stack=self._background_screens, simplify=simplify
            )
        )
        return console.export_svg(title=title or self.title)


def test_replay_80x24(sample_session: Path, snap_compare) -> None:
    app = ReplayApp(load_steps(sample_session), title="sample", clock=FakeClock())
    assert snap_compare(app, press=KEYS, terminal_size=(80, 24))


def test_replay_80x24_16_colours(sample_session: Path, snap_compare) -> None:
    app = SixteenColourReplayApp(load_steps(sample_session), title="sample", clock=FakeClock())
    assert snap_compare(app, press=KEYS, terminal_size=(80, 24))


def test_replay_80x24_no_color(
    sample_session: Path, snap_compare, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = ReplayApp(load_steps(sample_session), title="sample", clock=FakeClock())
    assert app.no_color
    assert snap_compare(app, press=KEYS, terminal_size=(80, 24))
