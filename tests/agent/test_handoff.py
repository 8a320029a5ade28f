"""``o``: the command that opens a session in Claude Code, run for real (print mode) against the
fake API so we know the real CLI accepts it."""

from __future__ import annotations

import os
import subprocess

import pytest

from sessionscope.agent.handoff import HandoffError, bundled_cli, claude_executable, resume_command
from tests.helpers import fakeapi


def test_bundled_cli_is_used_when_none_is_on_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert claude_executable() == str(bundled_cli())
    fake = tmp_path / "claude"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert claude_executable() == str(fake)


def test_no_cli_anywhere_is_a_clear_error(monkeypatch, tmp_path):
    import sessionscope.agent.handoff as handoff

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(handoff, "bundled_cli", lambda: None)
    with pytest.raises(HandoffError, match="not installed"):
        claude_executable()


@pytest.mark.parametrize("fork", [False, True])
def test_resume_command_continues_the_session(fake_api, cli_transcripts_copy, fork):
    copy = cli_transcripts_copy
    session_id = copy.sessions["notes"]
    command = resume_command(session_id, fork=fork, executable=str(bundled_cli()))
    assert command[1:3] == ["--resume", session_id] and ("--fork-session" in command) == fork
    fake_api.reply(fakeapi.text("Picked up where we left off."), when="handoff check")
    before = copy.path("notes").read_bytes()
    done = subprocess.run(
        [*command, "-p", "handoff check"],
        cwd=copy.projects["notes"],
        env={**os.environ, **fake_api.env(str(copy.config_dir))},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Picked up where we left off." in done.stdout
    after = copy.path("notes").read_bytes()
    if fork:
        assert after == before
    else:
        assert after.startswith(before) and b"handoff check" in after[len(before) :]
    sent = fake_api.message_requests[-1]
    assert "Summarise my todo list." in str(sent.messages)
