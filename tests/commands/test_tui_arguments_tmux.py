"""The explorer's own arguments, in a real terminal (tmux): what the command line accepts is
what the explorer opens."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

from tests.helpers.tmuxterm import Tmux, installed_sessionscope
from tests.tui.gallery import FORK, u, write_gallery

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_ids_pasted_with_spaces_open_that_session_and_message(tmp_path: Path) -> None:
    """A pasted id often brings a space along: the command line took ' ID ' and the explorer
    then said 'No session  ID  here' and 'Message … is not in this conversation'."""
    config = write_gallery(tmp_path / "claude")
    env = {
        "CLAUDE_CONFIG_DIR": str(config),
        "SESSIONSCOPE_CACHE_DIR": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
    }
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    arguments = f"--session {shlex.quote(f' {FORK} ')} --message {shlex.quote(f' {u(302)} ')}"
    tmux = Tmux(tmp_path)
    tmux.start(f"env {assignments} {shlex.quote(installed_sessionscope())} {arguments}")
    try:
        screen = tmux.wait_for(f"compose → to {FORK[:8]}", timeout=30)
        assert "▌ assistant" in screen and u(302) in screen  # selected
        assert "No session" not in screen and "is not in" not in screen
    finally:
        tmux.kill()
