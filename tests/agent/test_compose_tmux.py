"""The installed ``sessionscope`` command in a real terminal (tmux): open a session, compose,
and see the reply on screen — the real bundled CLI against the fake Messages API."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import fakeapi

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """One tmux server on a private socket, one window running a command."""

    def __init__(self, name: str) -> None:
        self.base = ["tmux", "-L", name]

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, timeout=30, check=False
        )
        return done.stdout

    def start(self, command: str, width: int = 120, height: int = 40) -> None:
        subprocess.run(
            [
                *self.base,
                "new-session",
                "-d",
                "-s",
                "main",
                "-x",
                str(width),
                "-y",
                str(height),
                command,
            ],
            check=True,
            timeout=30,
        )

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "main")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", "main", *(["-l"] if literal else []), *keys)

    def wait_for(self, text: str, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def kill(self) -> None:
        self.run("kill-server")


@pytest.fixture
def tmux(tmp_path):
    session = Tmux(f"sessionscope-test-{tmp_path.name}")
    yield session
    session.kill()


def installed_sessionscope() -> str:
    command = Path(sys.executable).parent / "sessionscope"
    assert command.exists(), f"the sessionscope command is not installed beside {sys.executable}"
    return str(command)


def test_compose_in_a_real_terminal(tmux, fake_api, cli_transcripts_copy, tmp_path):
    copy = cli_transcripts_copy
    session_id = copy.sessions["notes"]
    fake_api.reply(fakeapi.text("Reply seen in tmux: rotate the keys."), when="tmux check")
    env = {**fake_api.env(str(copy.config_dir)), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = (
        f"env {assignments} {shlex.quote(installed_sessionscope())} "
        f"--config-dir {shlex.quote(str(copy.config_dir))} --session {session_id}"
    )
    tmux.start(command)
    tmux.wait_for(session_id[:8])
    tmux.wait_for("Summarise my todo list.")
    tmux.wait_for("compose → to")
    tmux.keys("c")
    tmux.wait_for("^n New session")  # the compose box has the focus (its keys in the footer)
    tmux.keys("tmux check", literal=True)
    tmux.wait_for("tmux check")
    tmux.keys("Enter")
    tmux.wait_for("● running")
    screen = tmux.wait_for("Reply seen in tmux: rotate the keys.")
    tmux.wait_for("✓ done")
    assert "Traceback" not in screen
    tmux.keys("Escape")
    tmux.keys("q")
    deadline = time.monotonic() + 20
    while "main" in tmux.run("list-sessions") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert b"Reply seen in tmux" in copy.path("notes").read_bytes()


def test_o_hands_the_session_to_claude_code_and_comes_back(
    tmux, fake_api, cli_transcripts_copy, tmp_path
):
    import json

    copy = cli_transcripts_copy
    session_id = copy.sessions["notes"]
    # Claude Code's first-run screens would otherwise come first (and check the network).
    settings = copy.config_dir / ".claude.json"
    state = json.loads(settings.read_text()) if settings.exists() else {}
    settings.write_text(json.dumps({**state, "hasCompletedOnboarding": True}))
    env = {**fake_api.env(str(copy.config_dir)), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    env["PATH"] = "/usr/bin:/bin"  # no claude on PATH: the CLI bundled in the SDK is used
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    tmux.start(
        f"env {assignments} {shlex.quote(installed_sessionscope())} "
        f"--config-dir {shlex.quote(str(copy.config_dir))} --session {session_id}"
    )
    tmux.wait_for("Summarise my todo list.")
    before = copy.path("notes").read_bytes()
    tmux.keys("o")
    # Claude Code itself now owns the terminal, in the session's folder.
    screen = tmux.wait_for("Accessing workspace")
    assert str(copy.projects["notes"]) in screen
    # Its default answer, "No, exit", ends Claude Code (it may take a moment to read keys).
    deadline = time.monotonic() + 60
    while "Accessing workspace" in tmux.screen() and time.monotonic() < deadline:
        tmux.keys("Enter")
        time.sleep(2)
    screen = tmux.wait_for("Claude Code exited with code 1")
    assert "Summarise my todo list." in screen, "sessionscope is back on the same session"
    assert copy.path("notes").read_bytes() == before
    tmux.keys("q")
