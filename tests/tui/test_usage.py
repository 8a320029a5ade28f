"""Tokens and cost in the explorer: each API response's tokens on the header of its last entry,
the session's own totals beside its id, and the usage screen (``$``) that opens a session."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import UTC
from pathlib import Path

import pytest
from textual.widgets import DataTable, Sparkline, Static

from sessionscope.transcripts.usage import SYNTHETIC_MODEL, cost_text
from sessionscope.tui.render import BlockRenderer, Palette
from sessionscope.tui.screens.usage import UsageScreen
from tests.helpers.pilot import settle
from tests.tui.gallery import FORK, GALLERY, NOTES, u
from tests.tui.test_tmux import COMMAND, tmux, wait_for


def visible(strips) -> str:
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def test_response_tokens_show_once_and_the_session_total_beside_its_id(make) -> None:
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main_screen.session_list.select_session(GALLERY)
        await settle(app, pilot)
        source = app.main_screen.message_view.source
        renderer = BlockRenderer(app.console, Palette(), UTC)
        shown: dict[str, list[bool]] = {}
        for index in range(len(source)):
            entry = source.entry(index)
            if entry.type != "assistant":
                continue
            text = visible(source.render(index, 110, False, renderer).strips)
            shown.setdefault(entry.message_id, []).append("10 in · 20 out" in text)
        # Every response shows its tokens once, on its last entry.
        assert shown and all(flags.count(True) == 1 and flags[-1] for flags in shown.values())
        assert any(len(flags) > 1 for flags in shown.values())
        info = str(app.query_one("#session-info", Static).render())
        totals = app.main_screen.session_usage[GALLERY]
        assert totals.responses >= len(shown)  # its subagent's responses count too
        assert f" messages · {totals.tokens} tokens · {cost_text(totals)}" in info


async def test_a_narrow_pane_puts_the_tokens_under_the_uuid(make) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.main_screen.session_list.select_session(GALLERY)
        await settle(app, pilot)
        source = app.main_screen.message_view.source
        renderer = BlockRenderer(app.console, Palette(), UTC)
        index = max(i for i in range(len(source)) if source.ends_response(i))
        lines = visible(source.render(index, 60, False, renderer).strips).splitlines()
        assert source.entry(index).uuid in lines[0] + lines[1]
        assert "10 in · 20 out" in "\n".join(lines[1:3])


def test_a_synthetic_reply_shows_no_tokens(make) -> None:
    from sessionscope.tui.render import _usage_of

    assert _usage_of({"message": {"model": SYNTHETIC_MODEL, "usage": {"input_tokens": 0}}}) is None
    assert _usage_of({"message": {"model": "m", "usage": {"input_tokens": 1}}}) == {
        "input_tokens": 1
    }
    assert _usage_of(None) is None


async def test_the_usage_screen_counts_every_session_and_opens_one(make) -> None:
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main_screen.session_list.select_session(NOTES)
        await settle(app, pilot)
        await pilot.press("dollar_sign")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, UsageScreen)
        summary = str(screen.query_one("#usage-summary", Static).render())
        assert summary.startswith("All sessions: ") and "prices of " in summary
        assert any(screen.query_one("#usage-chart", Sparkline).data)
        sessions = screen.query_one("#usage-sessions", DataTable)
        keys = [row.value for row in sessions.rows]
        assert GALLERY in keys and FORK not in keys  # the fork answered nothing itself
        sessions.move_cursor(row=keys.index(GALLERY))
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, UsageScreen)
        assert app.main_screen.session_list.current.session_id == GALLERY
        assert app.focused is app.main_screen.message_view


async def test_j_k_g_and_G_move_in_the_dearest_sessions(make) -> None:
    """The list's keys move in the usage screen's sessions too (only the arrows did)."""
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("dollar_sign")
        await settle(app, pilot)
        sessions = app.screen.query_one("#usage-sessions", DataTable)
        assert sessions.row_count > 1 and sessions.cursor_row == 0
        await pilot.press("j")
        assert sessions.cursor_row == 1
        await pilot.press("k")
        assert sessions.cursor_row == 0
        await pilot.press("G")
        assert sessions.cursor_row == sessions.row_count - 1
        await pilot.press("g")
        assert sessions.cursor_row == 0


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_usage_tables_show_every_column_at_any_width(make, size) -> None:
    """Side by side the project and model tables need 110 columns: in a narrower terminal they
    are one under the other, each as wide as the screen (at 80 columns their tokens were cut
    to their first digit, their costs off the screen)."""
    app = make()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("dollar_sign")
        await settle(app, pilot)
        for name in ("#usage-projects", "#usage-models"):
            table = app.screen.query_one(name, DataTable)
            assert table.row_count
            assert table.virtual_size.width <= table.scrollable_content_region.width, name


def test_usage_screen_snapshot(make, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("dollar_sign")
        await settle(pilot.app, pilot)

    assert snap_compare(make(), terminal_size=(120, 36), run_before=run_before)


@pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)
@pytest.mark.skipif(not COMMAND.exists(), reason=f"{COMMAND} is not installed")
def test_installed_command_shows_tokens_and_the_usage_screen(gallery: Path, tmp_path: Path) -> None:
    socket = f"sessionscope-test-{uuid.uuid4().hex[:8]}"
    env = {
        "CLAUDE_CONFIG_DIR": str(gallery),
        "SESSIONSCOPE_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "TERM": "xterm-256color",
        "TZ": "UTC",
    }
    exports = " ".join(f"{key}={value}" for key, value in env.items())
    command = f"env {exports} {COMMAND} --session {GALLERY} --message {u(10)}"
    tmux(socket, "new-session", "-d", "-s", "app", "-x", "120", "-y", "36", command)
    try:
        wait_for(socket, lambda s: "10 in · 20 out" in s)
        tmux(socket, "send-keys", "-t", "app", "$")
        # The totals line comes first, the tables once they are filled.
        wait_for(socket, lambda s: "All sessions:" in s and "Dearest sessions" in s)
        wait_for(socket, lambda s: "claude-sonnet-4-5" in s and "Release checklist" in s)
        tmux(socket, "send-keys", "-t", "app", "Down", "Enter")  # the second dearest
        wait_for(socket, lambda s: "Dearest sessions" not in s and "22222222-" in s)
        tmux(socket, "send-keys", "-t", "app", "q")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)


async def test_a_big_session_is_counted_once_the_screen_settles(make, monkeypatch) -> None:
    """A big transcript's count waits COUNT_AFTER (its first moves come first), then runs."""
    import time

    from sessionscope.tui.screens import main

    monkeypatch.setattr(main, "BIG_TRANSCRIPT_BYTES", 0)
    monkeypatch.setattr(main, "COUNT_AFTER", 2.0)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main_screen.session_list.select_session(GALLERY)
        await settle(app, pilot)
        assert GALLERY not in app.main_screen.session_usage  # not yet: the timer runs
        deadline = time.monotonic() + 10
        while GALLERY not in app.main_screen.session_usage and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert app.main_screen.session_usage[GALLERY].responses > 0
