"""The installed ``sessionscope`` command in a real terminal (tmux): open a session, compose,
and see the reply on screen — the real bundled CLI against the fake Messages API."""

from __future__ import annotations

import shlex
import shutil
import time

import pytest

from tests.helpers import fakeapi
from tests.helpers.tmuxterm import Tmux, installed_sessionscope

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def tmux(tmp_path):
    session = Tmux(tmp_path)
    yield session
    session.kill()


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


def test_reply_from_an_older_answer_in_a_real_terminal(
    tmux, fake_api, cli_transcripts_copy, tmp_path
):
    """``c`` on an older answer: the box says the reply starts a new branch before Enter; the
    reply streams into the new session, the source is untouched."""
    from tests.helpers.realcli import PROMPTS

    copy = cli_transcripts_copy
    main = copy.sessions["main"]
    at = copy.messages["end_of_turn_1"]
    source = copy.path("main")
    before = source.read_bytes()
    existing = set(source.parent.glob("*.jsonl"))
    fake_api.reply(fakeapi.text("Branched in tmux from the first answer."), when="from here")
    env = {**fake_api.env(str(copy.config_dir)), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = (
        f"env {assignments} {shlex.quote(installed_sessionscope())} "
        f"--config-dir {shlex.quote(str(copy.config_dir))} --session {main} --message {at}"
    )
    tmux.start(command)
    tmux.wait_for(at)
    tmux.wait_for("compose → to")
    tmux.keys("c")
    tmux.wait_for(f"new branch from {at[:8]} of {main[:8]}")
    tmux.keys("from here", literal=True)
    tmux.keys("Enter")
    screen = tmux.wait_for("Branched in tmux from the first answer.")
    tmux.wait_for("✓ done")
    assert "Traceback" not in screen
    tmux.keys("Escape")
    tmux.keys("q")
    assert source.read_bytes() == before
    (branch,) = set(source.parent.glob("*.jsonl")) - existing
    text = branch.read_text(encoding="utf-8")
    assert "Branched in tmux from the first answer." in text and PROMPTS["tools"] not in text


def test_quitting_mid_reply_asks_and_the_reply_so_far_is_kept(
    tmux, fake_api, cli_transcripts_copy, tmp_path
):
    """q while a reply streams asks first; y stops the reply as esc does (Claude Code writes
    what arrived) and quits."""
    import threading

    copy = cli_transcripts_copy
    session_id = copy.sessions["notes"]
    release = threading.Event()  # never set: the reply is surely still streaming
    fake_api.reply(fakeapi.text("Streamed so far, " * 30, chunk=10, hold=release), when="long one")
    env = {**fake_api.env(str(copy.config_dir)), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    tmux.start(
        f"env {assignments} {shlex.quote(installed_sessionscope())} "
        f"--config-dir {shlex.quote(str(copy.config_dir))} --session {session_id}"
    )
    tmux.wait_for("compose → to")
    before = copy.path("notes").read_bytes()
    tmux.keys("c")
    tmux.wait_for("^n New session")
    tmux.keys("long one", literal=True)
    tmux.keys("Enter")
    tmux.wait_for("Streamed so far,")
    tmux.keys("Tab")  # out of the compose box, where q is a letter
    tmux.keys("q")
    screen = tmux.wait_for("Stop and quit (y)")
    assert f"A reply is still streaming → to {session_id[:8]}" in screen
    tmux.keys("y")
    deadline = time.monotonic() + 30
    while "main" in tmux.run("list-sessions") and time.monotonic() < deadline:
        time.sleep(0.2)
    release.set()
    written = copy.path("notes").read_bytes()[len(before) :].decode()
    assert "long one" in written and "Streamed so far," in written
    assert "[Request interrupted by user]" in written
