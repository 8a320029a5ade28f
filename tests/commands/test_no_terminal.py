"""The explorer and ``replay`` started with no terminal (a script, cron, ``ssh host cmd``)
say so in one line and exit 2 at once, instead of waiting for keys that never come."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest

from benchmarks.replay_bytes import sessionscope_command
from tests.helpers.sample import SAMPLE_ID

NO_TERMINAL = "sessionscope: {what} needs a terminal; for scripts use list/show/search/export\n"


@pytest.mark.parametrize(
    ("arguments", "what"),
    [([], "the explorer"), (["--demo"], "the explorer"), (["replay", SAMPLE_ID], "replay")],
)
@pytest.mark.parametrize("missing", ["stdin", "stdout", "both"])
def test_no_terminal_is_one_line_and_exit_2(
    sample_session: Path, arguments: list[str], what: str, missing: str
) -> None:
    controller, terminal = pty.openpty()
    try:
        run = subprocess.run(
            [*sessionscope_command(), *arguments],
            stdin=subprocess.DEVNULL if missing in ("stdin", "both") else terminal,
            stdout=subprocess.PIPE if missing in ("stdout", "both") else terminal,
            stderr=subprocess.PIPE,
            env={**os.environ, "TERM": "xterm"},
            timeout=30,
        )
    finally:
        os.close(controller)
        os.close(terminal)
    assert run.returncode == 2
    assert run.stderr.decode() == NO_TERMINAL.format(what=what)
    assert run.stdout in (b"", None)


def test_bad_input_is_still_said_first(isolated_user_dirs: Path) -> None:
    """Without a terminal, a wrong session id is still the error the user sees."""
    run = subprocess.run(
        [*sessionscope_command(), "replay", "not-an-id"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
    )
    assert run.returncode == 1
    assert "not a session id" in run.stderr.decode()
