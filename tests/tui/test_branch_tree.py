"""The branch tree (``B`` and the palette): a session's rewind branches and its forks as one tree;
enter opens a session at the chosen branch's last message; the installed command in tmux."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Tree

from sessionscope.tui.screens.branches import BranchTreeScreen
from tests.helpers.pilot import settle
from tests.helpers.tmuxterm import Tmux, installed_sessionscope
from tests.tui.gallery import FORK, GALLERY, u


def tree_lines(app) -> list[str]:
    tree = app.screen.query_one(Tree)
    return [str(tree.get_node_at_line(n).label) for n in range(tree.last_line + 1)]


async def open_tree(app, pilot, session: str = GALLERY) -> None:
    await settle(app, pilot)
    assert app.main_screen.session_list.select_session(session)
    await settle(app, pilot)
    await pilot.press("B")
    await settle(app, pilot)
    assert isinstance(app.screen, BranchTreeScreen)


async def test_j_k_g_and_G_move_in_the_tree(make) -> None:
    """The list's keys move the tree's cursor too (only the arrows did)."""
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_tree(app, pilot)
        tree = app.screen.query_one(Tree)
        assert tree.cursor_line == 1
        await pilot.press("j")
        assert tree.cursor_line == 2
        await pilot.press("k", "k")
        assert tree.cursor_line == 0
        await pilot.press("G")
        assert tree.cursor_line == tree.last_line
        await pilot.press("g")
        assert tree.cursor_line == 0
        await pilot.press("j", "j", "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, BranchTreeScreen)
        assert app.main_screen.leaf_choice[GALLERY] == u(19)


async def test_the_trees_heading_keeps_its_two_lines_when_narrow(make) -> None:
    """At 80 columns a long title is cut with …: it wrapped, and pushed the line of keys off."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tree(app, pilot)
        info = app.screen.query_one("#branches-info")
        first, second = (info.render_line(y).text.rstrip() for y in (0, 1))
        assert first.startswith("Branches and forks of Why does") and first.endswith("…")
        assert second.startswith("2 sessions · enter opens a branch")


async def test_the_tree_shows_branches_and_forks_and_opens_one(make) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_tree(app, pilot)
        lines = tree_lines(app)
        assert lines[0].startswith("◆ Why does `orbit sync` fail on CI?")
        assert lines[1].startswith("● main branch · 5 messages · 01 Mar 09:35:00")
        assert lines[2] == (
            f"○ branch at {u(10)[:8]} · 12 messages · 01 Mar 09:20:30 · "
            "Could we cache the handshake instead?"
        )
        assert lines[3].startswith(f"◇ CI timeout (fork)  {FORK[:8]} · fork of {GALLERY[:8]}")
        assert lines[4].startswith("○ main branch · 2 messages")
        # The cursor starts on the branch on screen; down to the rewind branch, enter.
        assert app.screen.query_one(Tree).cursor_line == 1
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, BranchTreeScreen)
        assert app.main_screen.message_view.current_entry.uuid == u(19)
        assert app.main_screen.leaf_choice[GALLERY] == u(19)
        # Opened again: the branch on screen is marked, and the fork opens from its node.
        await pilot.press("B")
        await settle(app, pilot)
        lines = tree_lines(app)
        assert lines[1].startswith("○ main branch") and lines[2].startswith("● branch at")
        assert app.screen.query_one(Tree).cursor_line == 2
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.main_screen.opened.meta.session_id == FORK
        # Back on the main branch of the first session from the fork's tree.
        await pilot.press("B")
        await settle(app, pilot)
        await pilot.press("up", "up", "up", "enter")
        await settle(app, pilot)
        assert (
            app.main_screen.opened.meta.session_id == GALLERY
            and GALLERY not in app.main_screen.leaf_choice
        )
        assert (
            app.main_screen.message_view.current_entry.uuid
            == app.main_screen.opened.conversation.messages[-1].uuid
        )


async def test_escape_goes_back_and_the_key_is_in_help_and_the_palette(make) -> None:
    from sessionscope.tui.keys import binding_nodes
    from sessionscope.tui.palette import ActionsProvider
    from sessionscope.tui.screens.help import help_markdown

    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_tree(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, BranchTreeScreen)
        assert (
            app.main_screen.opened.meta.session_id == GALLERY
            and GALLERY not in app.main_screen.leaf_choice
        )
        assert "| `B` | The session's rewind branches and forks as a tree" in help_markdown(
            app, binding_nodes(app)
        )
        titles = [title for title, _, _ in ActionsProvider(app.screen).actions()]
        assert any(title.startswith("Branch tree") for title in titles)


def test_branch_tree_snapshot(make, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await open_tree(pilot.app, pilot)

    assert snap_compare(make(), terminal_size=(110, 20), run_before=run_before)


@pytest.mark.skipif(not shutil.which("tmux"), reason="tmux is not installed (.ci/run installs it)")
def test_installed_command_jumps_to_a_branch(gallery: Path, tmp_path: Path) -> None:
    env = {
        "CLAUDE_CONFIG_DIR": str(gallery),
        "SESSIONSCOPE_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "TERM": "xterm-256color",
        "TZ": "UTC",
    }
    exports = " ".join(f"{key}={value}" for key, value in env.items())
    terminal = Tmux(tmp_path)
    terminal.start(f"env {exports} {installed_sessionscope()} --session {GALLERY}", 120, 30)
    try:
        terminal.wait_for("5 messages")
        terminal.keys("B")
        terminal.wait_for("Could we cache the handshake instead?")
        terminal.keys("Down")
        terminal.keys("Enter")
        screen = terminal.wait_for(u(19))
        assert "Caching would hide real outages" in screen
        terminal.keys("q")
    finally:
        terminal.kill()


async def test_r_on_a_rewind_branch_replays_that_branch_from_the_message(make) -> None:
    """The branch chosen in the tree is the one replayed, from the selected message (it
    played the SDK's branch from its first message: the selected one is not on it)."""
    from sessionscope.tui.messages import ReplayLoaded
    from sessionscope.tui.screens.replay import ReplayScreen

    loaded: list[ReplayLoaded] = []
    app = make()
    hook = lambda m: loaded.append(m) if isinstance(m, ReplayLoaded) else None  # noqa: E731
    async with app.run_test(size=(120, 30), message_hook=hook) as pilot:
        await open_tree(app, pilot)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.main_screen.message_view.current_entry.uuid == u(19)
        app.main_screen.message_view.focus()
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, ReplayScreen)
        event = loaded[-1]
        played = [step.uuid for step in event.steps]
        assert played[event.start_at] == u(19)
        assert u(10) in played  # the branch with what it shares with the main one
