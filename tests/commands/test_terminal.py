"""The installed ``sessionscope replay`` on a real pseudo-terminal, under several TERMs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.replay_bytes import run_in_pty, sessionscope_command
from tests.helpers.sample import HOSTILE_ID, SAMPLE_ID


def _env(config_dir: Path, term: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(config_dir.parent),
        "TERM": term,
        "LANG": "C.UTF-8",
        "CLAUDE_CONFIG_DIR": str(config_dir),
    }


@pytest.mark.parametrize("term", ["xterm", "screen", "tmux-256color", "linux"])
def test_replay_runs_and_restores_the_terminal(
    term: str, sample_session: Path, isolated_user_dirs: Path
) -> None:
    run = run_in_pty(
        [*sessionscope_command(), "replay", SAMPLE_ID, "--speed", "16"],
        env=_env(isolated_user_dirs, term),
        duration=5.0,
    )
    text = run.output.decode("utf-8", errors="replace")
    assert run.exit_status == 0, text[-2000:]
    assert "Why does the parser fail on empty lines?" in text
    assert "Added `test_empty_line`" in text  # at 16x the whole sample plays in 5 s
    assert "■ end 8/8" in text
    # Left the alternate screen and showed the cursor again, after the last paint.
    tail = text[text.rindex("■ end 8/8") :]
    assert "\x1b[?1049l" in tail and "\x1b[?25h" in tail


def test_transcript_escape_sequences_never_reach_the_terminal(
    hostile_session: Path, isolated_user_dirs: Path
) -> None:
    run = run_in_pty(
        [*sessionscope_command(), "replay", HOSTILE_ID, "--speed", "16"],
        env=_env(isolated_user_dirs, "xterm"),
        duration=4.0,
    )
    assert run.exit_status == 0
    assert b"\x1b]52;" not in run.output  # no clipboard write from the transcript
    assert b"\x1b]0;title" not in run.output  # no window title
    assert b"\x1b[31mred" not in run.output and b"\xc2\x9b" not in run.output
    text = run.output.decode("utf-8", errors="replace")
    assert "␛]52;c;ZXZpbA==␇" in text and "␛[31mred" in text


def test_a_paused_replay_sends_nothing(sample_session: Path, isolated_user_dirs: Path) -> None:
    run = run_in_pty(
        [*sessionscope_command(), "replay", SAMPLE_ID],
        env=_env(isolated_user_dirs, "xterm"),
        duration=4.0,
        keys=[(0.5, b" ")],
        ready_marker=b"1/8",
    )
    assert run.exit_status == 0
    assert "❚❚".encode() in run.output
    # Once the pause was drawn, nothing at all until q.
    assert run.bytes_between(run.ready_at + 1.5, run.ready_at + 4.0) == 0


@pytest.mark.parametrize("term", ["xterm", "screen", "tmux-256color", "linux"])
def test_the_explorer_runs_and_restores_the_terminal(
    term: str, sample_session: Path, isolated_user_dirs: Path
) -> None:
    run = run_in_pty(
        [*sessionscope_command()],
        env=_env(isolated_user_dirs, term),
        duration=1.5,
        ready_marker=b"1 session",
    )
    text = run.output.decode("utf-8", errors="replace")
    assert run.exit_status == 0, text[-2000:]
    assert "Why does the parser fail" in text
    tail = text[text.rindex("1 session") :]
    assert "\x1b[?1049l" in tail and "\x1b[?25h" in tail


def test_replay_from_a_message_on_another_rewind_branch_plays_that_branch(
    tmp_path: Path, isolated_user_dirs: Path
) -> None:
    """u(19) answers the prompt the user went back and asked instead: --from finds it there."""
    from tests.tui.gallery import GALLERY, u, write_gallery

    config = write_gallery(tmp_path / "claude")
    command = ["--config-dir", str(config), "replay", GALLERY, "--from", u(19), "--speed", "64"]
    run = run_in_pty(
        [*sessionscope_command(), *command], env=_env(isolated_user_dirs, "xterm"), duration=4.0
    )
    text = run.output.decode("utf-8", errors="replace")
    assert run.exit_status == 0, text[-2000:]
    assert "Could we cache the handshake instead?" in text
    assert "Caching would hide real outages" in text
