"""The search screen: ctrl+f, results as you type, enter opens the session at that message,
f forks there, a bad query says so, typed text stays text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sessionscope.tui.screens.search import SearchScreen
from tests.helpers.pilot import settle
from tests.helpers.tmuxterm import Tmux, installed_sessionscope
from tests.tui.gallery import NOTES, NOTES_PROJECT, u


async def searched(app, pilot, text: str) -> SearchScreen:
    await settle(app, pilot)
    await pilot.press("ctrl+f")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    for key in text:
        await pilot.press(key if key != " " else "space")
    await settle(app, pilot)
    return screen


async def test_ctrl_f_finds_and_enter_opens_the_session_at_the_message(make) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.main_screen.session_list.current.session_id != NOTES
        screen = await searched(app, pilot, "decisions freeze")
        assert [(hit.session_id, hit.uuid) for hit in screen.hits] == [(NOTES, u(402))]
        hit = screen.hits[0]
        assert hit.snippet[slice(*hit.highlights[0])].lower() in ("decisions", "freeze")
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, SearchScreen)
        assert app.main_screen.session_list.current.session_id == NOTES
        assert app.main_screen.message_view.current_entry.uuid == u(402)
        assert app.focused is app.main_screen.message_view


async def test_typed_keys_are_text_and_a_bad_query_is_one_line(make) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await searched(app, pilot, 'f/ "flaky')
        assert screen.query_one("#search-query").value == 'f/ "flaky'
        assert not app.main_screen.forking
        status = str(screen.query_one("#search-status").render())
        assert "quote is not closed" in status
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SearchScreen)


async def test_no_index_to_search_is_said_and_the_list_still_shows(
    make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be\n")
    monkeypatch.setenv("SESSIONSCOPE_CACHE_DIR", str(not_a_folder))
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await searched(app, pilot, "decisions")
        status = str(screen.query_one("#search-status").render())
        assert "cannot search: index folder unusable" in status, status
        assert str(not_a_folder) in status
        await pilot.press("escape")
        await pilot.pause()
        assert app.main_screen.session_list.sessions  # read from the files themselves


async def test_down_then_f_forks_the_session_at_the_hit(make, gallery: Path) -> None:
    app = make()
    before = set((gallery / "projects" / NOTES_PROJECT).glob("*.jsonl"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await searched(app, pilot, "decisions")
        assert screen.hits and screen.hits[0].uuid == u(402)
        await pilot.press("down", "f")
        await settle(app, pilot)
        new = set((gallery / "projects" / NOTES_PROJECT).glob("*.jsonl")) - before
        assert len(new) == 1  # the SDK's fork_session wrote the fork, ending at that message
        lines = [json.loads(line) for line in new.pop().read_text().splitlines()]
        ends = [line["forkedFrom"] for line in lines if "forkedFrom" in line]
        assert ends[-1] == {"sessionId": NOTES, "messageUuid": u(402)}


@pytest.mark.parametrize("size", [(80, 24)])
def test_snapshot_search_screen(make, snap_compare, size) -> None:
    async def run_before(pilot) -> None:
        await searched(pilot.app, pilot, "flaky")

    assert snap_compare(make(), run_before=run_before, terminal_size=size)


@pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)
def test_installed_command_searches_and_opens_a_hit(gallery: Path, tmp_path: Path) -> None:
    """In a real terminal: ctrl+f, a query typed, enter: the hit's session is open at that
    message, its UUID on screen."""
    term = Tmux(tmp_path)
    env = {
        "CLAUDE_CONFIG_DIR": str(gallery),
        "SESSIONSCOPE_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "TERM": "xterm-256color",
        "TZ": "UTC",
    }
    exports = " ".join(f"{key}={value}" for key, value in env.items())
    term.start(f"env {exports} {installed_sessionscope()}", width=120, height=40)
    try:
        term.wait_for("orbit")
        term.keys("C-f")
        term.wait_for("search every message")
        term.keys("freeze the API", literal=True)
        term.wait_for("1 message")
        assert u(402) in term.screen()
        term.keys("Enter")
        term.wait_for(NOTES)
        screen = term.wait_for("Three decisions")
        assert u(402) in screen and "search every message" not in screen
    finally:
        term.kill()
