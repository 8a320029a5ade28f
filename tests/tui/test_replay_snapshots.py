"""Snapshots of the replay screen at 80×24: full colour, 16 colours, and NO_COLOR."""

from __future__ import annotations

import io
import os
import types
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.color import ColorSystem
from rich.console import Console

from sessionscope.replay.steps import load_steps
from sessionscope.tui.replay_app import ReplayApp
from tests.tui.test_replay_screen import FakeClock

# Show the whole sample up to the second prompt, paused, so the picture holds every kind of
# message (prompt, thinking, typed text, tool call, tool result, a cut gap) and the status line.
KEYS = ["right_square_bracket", "space"]


def sixteen_colour_screenshot(app, *, title: str | None = None, simplify: bool = False) -> str:
    """``App.export_screenshot`` as a 16-colour terminal (TERM=xterm, linux, screen) shows it."""
    width, height = app.size
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
        app.screen._compositor.render_update(
            full=True, screen_stack=app._background_screens, simplify=simplify
        )
    )
    return console.export_svg(title=title or app.title)


def in_sixteen_colours(app):
    """The app, with its screenshots taken in 16 colours."""
    app.export_screenshot = types.MethodType(sixteen_colour_screenshot, app)
    return app


def test_replay_80x24(sample_session: Path, snap_compare) -> None:
    app = ReplayApp(load_steps(sample_session), title="sample", clock=FakeClock())
    assert snap_compare(app, press=KEYS, terminal_size=(80, 24))


def test_replay_80x24_16_colours(sample_session: Path, snap_compare) -> None:
    app = in_sixteen_colours(
        ReplayApp(load_steps(sample_session), title="sample", clock=FakeClock())
    )
    assert snap_compare(app, press=KEYS, terminal_size=(80, 24))


def test_replay_80x24_no_color(
    sample_session: Path, snap_compare, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = ReplayApp(load_steps(sample_session), title="sample", clock=FakeClock())
    assert app.no_color
    assert snap_compare(app, press=KEYS, terminal_size=(80, 24))


# The explorer itself, at the size and in the colours an SSH session may have.
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def _explorer(config_dir: Path):
    from sessionscope.tui.app import make_app

    # Ages in the list count from the file times: pin them, so the picture never drifts.
    pinned = NOW.timestamp() - 3600
    for path in (config_dir / "projects").glob("*/*.jsonl"):
        os.utime(path, (pinned, pinned))

    return make_app(config_dir, clock=lambda: NOW, tz=UTC)


async def _settled(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def _screen_segments(app):
    """Every segment the screen would send, with its style, after the app's filters."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console = Console(width=app.size.width, file=io.StringIO(), force_terminal=True)
    return [seg for seg in console.render(update) if seg.text.strip() and not seg.control]


def _unreadable_in_16_colours(segments) -> list[str]:
    """Text whose colour and background fall on the same of the 16 colours (it would vanish)."""
    bad = []
    for seg in segments:
        style = seg.style
        if style is None or style.color is None or style.bgcolor is None or style.reverse:
            continue
        fg = style.color.downgrade(ColorSystem.STANDARD)
        bg = style.bgcolor.downgrade(ColorSystem.STANDARD)
        if fg == bg:
            bad.append(seg.text)
    return bad


def _coloured(segments) -> list[str]:
    """Text drawn in a colour that is not a grey (NO_COLOR allows shades of grey only)."""
    out = []
    for seg in segments:
        for colour in (seg.style.color, seg.style.bgcolor) if seg.style else ():
            if colour is None or colour.triplet is None:
                continue
            red, green, blue = colour.triplet
            if max(red, green, blue) - min(red, green, blue) > 8:
                out.append(seg.text)
    return out


async def test_explorer_and_replay_read_in_16_colours_and_no_color(
    sample_session: Path, isolated_user_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for no_color in (False, True):
        if no_color:
            monkeypatch.setenv("NO_COLOR", "1")
        app = _explorer(isolated_user_dirs)
        async with app.run_test(size=(80, 24)) as pilot:
            await _settled(pilot)
            for screen_name in ("explorer", "replay"):
                if screen_name == "replay":
                    await pilot.press("r")
                    await _settled(pilot)
                    await pilot.press("right_square_bracket", "space")
                    await pilot.pause()
                segments = _screen_segments(app)
                text = "".join(seg.text for seg in segments)
                assert "Why does the parser fail" in text, screen_name
                assert _unreadable_in_16_colours(segments) == [], screen_name
                if no_color:
                    assert _coloured(segments) == [], screen_name
