"""A real terminal for end-to-end tests: one tmux server on a private socket, one window."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


class Tmux:
    """A private tmux server (its socket in ``folder``) running one window named ``window``."""

    def __init__(self, folder: Path, window: str = "main") -> None:
        self.base = ["tmux", "-S", str(Path(folder) / "tmux.sock")]
        self.window = window

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, timeout=30, check=False
        )
        return done.stdout

    def start(self, command: str, width: int = 120, height: int = 40) -> None:
        """The window, ``width`` × ``height``, running ``command`` (no tmux config read).

        The server starts without ``COLUMNS`` and ``LINES`` (a test run may have set them), so
        that the program in the window takes the window's size."""
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        subprocess.run(
            [
                *self.base,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                self.window,
                "-x",
                str(width),
                "-y",
                str(height),
                command,
            ],
            check=True,
            timeout=30,
            env=env,
        )

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.window)

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.window, *(["-l"] if literal else []), *keys)

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


def installed_sessionscope() -> str:
    """The ``sessionscope`` command installed beside this Python."""
    command = Path(sys.executable).parent / "sessionscope"
    assert command.exists(), f"the sessionscope command is not installed beside {sys.executable}"
    return str(command)
