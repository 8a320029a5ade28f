"""The installed ``sessionscope --store URL`` in a real terminal (tmux): the store's sessions
listed, one opened, search in the server, and quit; the password never on screen."""

from __future__ import annotations

import shlex
import shutil

import pytest

from sessionscope import cli
from tests.helpers.tmuxterm import Tmux, installed_sessionscope
from tests.tui.gallery import write_gallery

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def tmux(tmp_path):
    session = Tmux(tmp_path)
    yield session
    session.kill()


def test_the_installed_command_explores_a_store(tmux, pg_url, tmp_path, capsys) -> None:
    config = write_gallery(tmp_path / "claude")
    assert cli.main(["push", "--all", "--config-dir", str(config), "--store", pg_url]) == 0
    capsys.readouterr()
    command = shlex.quote(installed_sessionscope())
    script = (
        f"SESSIONSCOPE_CACHE_DIR={shlex.quote(str(tmp_path / 'cache'))} "
        f"CLAUDE_CONFIG_DIR={shlex.quote(str(tmp_path / 'empty'))} "
        f"SESSIONSCOPE_STORE={shlex.quote(pg_url)} {command}; echo EXITED; sleep 60"
    )
    tmux.start(f"sh -c {shlex.quote(script)}", width=120, height=36)
    screen = tmux.wait_for("4 sessions · 2 projects")
    assert "Release checklist" in screen or "release" in screen.lower()
    tmux.keys("C-f")
    tmux.wait_for("search every message")
    tmux.keys("decisions freeze", literal=True)
    screen = tmux.wait_for("00000000-0000-4000-8000-000000000402")
    tmux.keys("Enter")
    screen = tmux.wait_for("44444444-4444-4444-8444-444444444444")
    tmux.keys("q")
    screen = tmux.wait_for("EXITED")
    assert "Traceback" not in screen
    assert pg_url.split(":")[2].split("@")[0] not in screen  # the password is never shown
