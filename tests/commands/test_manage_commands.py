"""``sessionscope rename / tag / delete``: through the SDK (its list_sessions sees each change),
``--json`` lines, one clear line for a bad or unknown id, and delete's question on a terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from claude_agent_sdk import list_sessions

from sessionscope.cli import main
from tests.helpers.sample import SAMPLE_ID


def _sdk_info(session_id: str):
    return {info.session_id: info for info in list_sessions()}.get(session_id)


def _one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    return captured.err


def test_rename_prints_a_line_or_json_and_the_sdk_sees_it(sample_session: Path, capsys) -> None:
    assert main(["rename", SAMPLE_ID, "Parser: empty lines"]) == 0
    assert capsys.readouterr().out == f"renamed {SAMPLE_ID} to 'Parser: empty lines'\n"
    assert _sdk_info(SAMPLE_ID).custom_title == "Parser: empty lines"
    assert main(["rename", SAMPLE_ID, "  second  ", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "session_id": SAMPLE_ID,
        "custom_title": "second",
    }
    assert _sdk_info(SAMPLE_ID).custom_title == "second"
    assert main(["rename", SAMPLE_ID, "   "]) == 1
    assert "a title cannot be empty" in _one_error_line(capsys)


def test_tag_sets_and_an_empty_tag_clears(sample_session: Path, capsys) -> None:
    assert main(["tag", SAMPLE_ID, "bug", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"session_id": SAMPLE_ID, "tag": "bug"}
    assert _sdk_info(SAMPLE_ID).tag == "bug"
    assert main(["tag", SAMPLE_ID, ""]) == 0
    assert capsys.readouterr().out == f"cleared the tag of {SAMPLE_ID}\n"
    assert _sdk_info(SAMPLE_ID).tag is None
    assert main(["tag", SAMPLE_ID, "", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"session_id": SAMPLE_ID, "tag": None}


@pytest.mark.parametrize("command", [["rename", "x", "t"], ["tag", "x", "t"], ["delete", "x"]])
def test_bad_and_unknown_ids_are_one_line(
    command: list[str], isolated_user_dirs: Path, sample_session: Path, capsys
) -> None:
    name, _, *rest = command
    assert main([name, "not-a-uuid", *rest, "--yes"] if name == "delete" else command) == 1
    assert "not a session id" in _one_error_line(capsys)
    unknown = "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9"
    arguments = [name, unknown, *rest] + (["--yes"] if name == "delete" else [])
    assert main(arguments) == 1
    assert f"no session {unknown}" in _one_error_line(capsys)
    assert sample_session.exists()


def test_a_missing_config_folder_is_one_line(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nowhere"
    assert main(["--config-dir", str(missing), "tag", SAMPLE_ID, "x"]) == 1
    assert "no Claude config folder" in _one_error_line(capsys)


def test_delete_with_yes_removes_it_and_its_subagents(sample_session: Path, capsys) -> None:
    subagents = sample_session.parent / SAMPLE_ID / "subagents"
    subagents.mkdir(parents=True)
    (subagents / "agent-a1.jsonl").write_bytes(b'{"type":"user"}\n')
    assert main(["delete", SAMPLE_ID, "--yes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "session_id": SAMPLE_ID,
        "deleted": True,
        "path": str(sample_session),
    }
    assert not sample_session.exists() and not subagents.parent.exists()
    assert _sdk_info(SAMPLE_ID) is None


def test_delete_refuses_without_yes_when_stdin_is_not_a_terminal(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sessionscope", "delete", SAMPLE_ID],
        input="y\n",
        capture_output=True,
        text=True,
        env={**os.environ, "CLAUDE_CONFIG_DIR": str(isolated_user_dirs)},
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"sessionscope: not deleting {SAMPLE_ID}: stdin is not a terminal to ask on; pass --yes\n"
    )
    assert sample_session.exists()


def _run_on_a_terminal(arguments: list[str], answer: str, config_dir: Path) -> tuple[int, str]:
    """Run the command with a pseudo-terminal as stdin, stdout and stderr; answer the question."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "sessionscope", *arguments],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "CLAUDE_CONFIG_DIR": str(config_dir)},
        close_fds=True,
    )
    os.close(follower)
    output = b""
    answered = False
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if not answered and b"[y/N]" in output:
            os.write(leader, answer.encode() + b"\n")
            answered = True
        if process.poll() is not None and not ready:
            break
    os.close(leader)
    return process.wait(timeout=10), output.decode("utf-8", "replace")


def test_delete_asks_on_a_terminal_naming_the_session(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    status, output = _run_on_a_terminal(["delete", SAMPLE_ID], "n", isolated_user_dirs)
    assert status == 1
    assert "Delete 'Why does the parser fail on empty lines?'" in output
    assert f"({SAMPLE_ID}, 8 messages)? This cannot be undone. [y/N]" in output
    assert "kept it" in output
    assert sample_session.exists()

    status, output = _run_on_a_terminal(["delete", SAMPLE_ID], "y", isolated_user_dirs)
    assert status == 0, output
    assert f"deleted {SAMPLE_ID}" in output
    assert not sample_session.exists()


def test_a_session_in_two_projects_is_chosen_with_project(
    sample_session: Path, isolated_user_dirs: Path, capsys
) -> None:
    """A copied project: every command that takes one session id refuses to guess, names both
    folders, and acts on the one --project names (a folder name or a working directory)."""
    twin = isolated_user_dirs / "projects" / "-other" / sample_session.name
    twin.parent.mkdir()
    shutil.copyfile(sample_session, twin)
    commands = [
        ["show", SAMPLE_ID],
        ["fork", SAMPLE_ID],
        ["export", SAMPLE_ID, "--format", "md"],
        ["replay", SAMPLE_ID],
        ["rename", SAMPLE_ID, "t"],
        ["tag", SAMPLE_ID, "t"],
        ["delete", SAMPLE_ID, "--yes"],
        ["push", SAMPLE_ID, "--store", "postgresql://me@127.0.0.1:1/nowhere"],
    ]
    for command in commands:
        assert main(command) == 1, command
        assert _one_error_line(capsys) == (
            f"sessionscope: session {SAMPLE_ID} is in 2 projects: -home-ada-parser, -other; "
            "choose with --project=NAME\n"
        )
    before, twin_before = sample_session.read_bytes(), twin.read_bytes()
    assert main(["show", SAMPLE_ID, "--project=-other"]) == 0
    assert "Why does the parser fail on empty lines?" in capsys.readouterr().out
    assert main(["fork", SAMPLE_ID, "--project=-other"]) == 0
    new_id = capsys.readouterr().out.strip()
    assert (twin.parent / f"{new_id}.jsonl").exists()
    assert main(["rename", SAMPLE_ID, "the twin", "--project", str(twin.parent)]) == 1
    assert f"no project {twin.parent}" in _one_error_line(capsys)  # not a working directory
    assert main(["rename", SAMPLE_ID, "the twin", "--project=-other"]) == 0
    assert main(["tag", SAMPLE_ID, "mine", "--project", "/home/ada/parser"]) == 0
    capsys.readouterr()
    assert b'"customTitle":"the twin"' in twin.read_bytes()
    assert b'"tag":"mine"' in sample_session.read_bytes()
    assert sample_session.read_bytes().startswith(before)
    assert twin.read_bytes().startswith(twin_before)
    assert main(["delete", SAMPLE_ID, "--yes", "--project=-other"]) == 0
    assert capsys.readouterr().out.startswith(f"deleted {SAMPLE_ID} ({twin})")
    assert not twin.exists() and sample_session.exists()
    assert main(["show", SAMPLE_ID, "--project=-other"]) == 1
    assert f"no session {SAMPLE_ID} in project -other" in _one_error_line(capsys)
    assert main(["show", SAMPLE_ID]) == 0  # one copy left: no choice to make
    capsys.readouterr()
    unreachable = "postgresql://me@127.0.0.1:1/nowhere"  # refused before connecting
    assert main(["show", SAMPLE_ID, "--project=-other", "--store", unreachable]) == 1
    assert "--project chooses among local project folders" in _one_error_line(capsys)
