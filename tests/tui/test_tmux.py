"""The installed ``sessionscope`` command in a real terminal (tmux): open a session, fork with
``f``, read the screen, check the new file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.tui.gallery import GALLERY, PROJECT, u

COMMAND = Path(sys.executable).parent / "sessionscope"


def tmux(socket: str, *args: str) -> str:
    result = subprocess.run(
        ["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=20
    )
    return result.stdout


def wait_for(socket: str, predicate, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux(socket, "capture-pane", "-p", "-t", "app")
        if predicate(screen):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"timed out; the screen was:\n{screen}")


@pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)
@pytest.mark.skipif(not COMMAND.exists(), reason=f"{COMMAND} is not installed")
def test_installed_command_opens_a_session_and_forks_it(gallery: Path, tmp_path: Path) -> None:
    socket = f"sessionscope-test-{uuid.uuid4().hex[:8]}"
    source = gallery / "projects" / PROJECT / f"{GALLERY}.jsonl"
    before = source.read_bytes()
    existing = set(source.parent.glob("*.jsonl"))
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
    tmux(socket, "new-session", "-d", "-s", "app", "-x", "100", "-y", "30", command)
    try:
        screen = wait_for(socket, lambda s: u(10) in s and "Fork" in s)
        assert "orbit" in screen  # the session list
        tmux(socket, "send-keys", "-t", "app", "f")
        screen = wait_for(socket, lambda s: "Forked →" in s)
        (new_path,) = set(source.parent.glob("*.jsonl")) - existing
        new_id = new_path.stem
        lines = [json.loads(line) for line in new_path.read_text().splitlines()]
        ends = [line["forkedFrom"]["messageUuid"] for line in lines if "forkedFrom" in line]
        assert ends[-1] == u(10)
        assert source.read_bytes() == before
        # The fork is selected and shown: its id is in the pane's header.
        assert new_id in screen
        tmux(socket, "send-keys", "-t", "app", "q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "app" in tmux(socket, "list-sessions", "-F", "#S"):
            time.sleep(0.2)
        assert "app" not in tmux(socket, "list-sessions", "-F", "#S")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)
