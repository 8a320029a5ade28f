"""``sessionscope list`` and ``show``: output, and one clear line for every kind of bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sessionscope import cli
from tests.helpers.entries import SESSION_ID, assistant, dumps, user
from tests.helpers.sdkparity import SDK_FIELDS

OTHER_ID = "99999999-8888-4777-8666-555555555555"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def conversation():
    return [
        user("u1", None, "first \x1b[31mred\x1b[0m question"),
        assistant("a1", "u1", "an answer"),
        b"{not json at all",
        user("u2", "a1", "second"),
        assistant("a2", "u2", "done", message_id="msg_2"),
    ]


def test_list_json_has_the_sdk_fields_and_ours(write_transcript, capsys):
    write_transcript(conversation())
    status, out, err = run(capsys, "list", "--json")
    assert status == 0 and err == ""
    assert json.loads(out)["message_count"] is None  # not counted until indexed
    assert run(capsys, "index")[0] == 0
    status, out, err = run(capsys, "list", "--json")
    assert status == 0 and err == ""
    (line,) = out.splitlines()
    record = json.loads(line)
    assert list(record) == [*SDK_FIELDS, "message_count", "forked_from"]
    assert record["session_id"] == SESSION_ID
    assert record["message_count"] == 4
    assert record["summary"] == "first \x1b[31mred\x1b[0m question"
    assert "\x1b" not in out  # escaped as \u001b in the JSON


def test_list_table_is_inert_and_newest_first(write_transcript, capsys):
    old = write_transcript(conversation())
    os.utime(old, (1_600_000_000, 1_600_000_000))
    write_transcript([user("n1", None, "newer one")], session_id=OTHER_ID)
    status, out, _err = run(capsys, "list")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("MODIFIED")
    assert OTHER_ID in lines[1] and SESSION_ID in lines[2]
    assert "\x1b" not in out and "␛[31mred" in lines[2]


def test_list_table_cuts_a_wide_title_at_the_terminal_width(write_transcript, capsys, monkeypatch):
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    write_transcript(
        [user("w1", None, "日本語のタイトルはとても長いので端末の幅で切られるべきです" * 3)]
    )
    status, out, _err = run(capsys, "list")
    assert status == 0
    row = out.splitlines()[1]
    assert row.endswith("…") and cell_len(row) == 80  # a CJK character takes two columns


def test_list_project_filter(write_transcript, capsys, tmp_path):
    write_transcript(conversation())
    write_transcript([user("n1", None, "elsewhere")], session_id=OTHER_ID, project="-other")
    status, out, _ = run(capsys, "list", "--json", "--project=-other")
    assert status == 0
    assert [json.loads(line)["session_id"] for line in out.splitlines()] == [OTHER_ID]
    status, out, _ = run(capsys, "list", "--json", "--project", "/work/project")
    assert [json.loads(line)["session_id"] for line in out.splitlines()] == [SESSION_ID]
    status, out, err = run(capsys, "list", "--project", str(tmp_path / "nothing-here"))
    assert status == 0 and out.count("\n") == 1
    assert err == f"sessionscope: no sessions for project {tmp_path / 'nothing-here'}\n"


def test_list_survives_bad_files(write_transcript, capsys, isolated_user_dirs):
    write_transcript(conversation())
    folder = isolated_user_dirs / "projects" / "-work-project"
    (folder / "22222222-2222-4222-8222-222222222222.jsonl").mkdir()  # a directory named x.jsonl
    (folder / "33333333-3333-4333-8333-333333333333.jsonl").symlink_to(folder / "missing")
    loop = folder / "44444444-4444-4444-8444-444444444444.jsonl"
    loop.symlink_to(loop)  # reading it fails (ELOOP), even as root
    (folder / "55555555-5555-4555-8555-555555555555.jsonl").write_bytes(b"")
    (folder / "66666666-6666-4666-8666-666666666666.jsonl").write_bytes(b"\xff\xfe\x00garbage\n")
    (folder / "not-a-uuid.jsonl").write_bytes(dumps(user("x", None)) + b"\n")
    (isolated_user_dirs / "projects" / "stray-file.jsonl").write_bytes(b"{}")
    status, out, err = run(capsys, "list", "--json")
    assert status == 0 and err == ""
    assert [json.loads(line)["session_id"] for line in out.splitlines()] == [SESSION_ID]


def test_show_json_gives_the_conversation(write_transcript, capsys):
    write_transcript(conversation())
    status, out, err = run(capsys, "show", SESSION_ID, "--json")
    assert status == 0 and err == ""
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["uuid"], r["parent_uuid"], r["type"]) for r in records] == [
        ("u1", None, "user"),
        ("a1", "u1", "assistant"),
        ("u2", "a1", "user"),
        ("a2", "u2", "assistant"),
    ]
    assert records[0]["timestamp"] == "2026-01-01T00:00:00.000Z"
    assert records[0]["message"]["content"] == "first \x1b[31mred\x1b[0m question"
    assert "\x1b" not in out


def test_show_text_is_inert_and_mentions_skipped_lines(write_transcript, capsys):
    write_transcript(conversation())
    status, out, err = run(capsys, "show", SESSION_ID)
    assert status == 0
    assert "first ␛[31mred␛[0m question" in out and "\x1b" not in out
    assert "1 unreadable line(s) skipped (see --all)" in err


def test_show_of_a_session_without_messages_says_so(write_transcript, capsys):
    """An empty file, or one with only metadata (a session started and left): the output was
    empty, with nothing said."""
    write_transcript([])
    status, out, err = run(capsys, "show", SESSION_ID)
    assert status == 0 and out == ""
    assert err == f"sessionscope: no messages in {SESSION_ID}.jsonl\n"
    write_transcript([{"type": "file-history-snapshot", "messageId": "m1", "snapshot": {}}])
    status, out, err = run(capsys, "show", SESSION_ID)
    assert status == 0 and out == ""
    assert "no messages in" in err and "(1 other entries: see --all)" in err


def test_show_all_reports_bad_lines_and_torn_tail(write_transcript, capsys):
    lines = conversation() + [b"\x1b]0;pwned\x07 \xff\x00"]
    path = write_transcript(lines)
    with open(path, "ab") as handle:
        handle.write(b'{"type":"user","uuid":"half')
    status, out, _ = run(capsys, "show", SESSION_ID, "--all")
    assert status == 0
    assert "line 3 · BAD LINE: not JSON" in out
    assert "line 6 · BAD LINE: contains NUL bytes" in out
    assert "␛]0;pwned␇ \\xff␀" in out
    assert "line 7 · not yet written (27 bytes, no newline)" in out
    assert "\x1b" not in out and "\x00" not in out
    status, out, _ = run(capsys, "show", SESSION_ID, "--all", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3, 4, 5, 6, 7]
    assert records[2]["error"].startswith("not JSON") and records[2]["raw"] == "{not json at all"
    assert records[0]["entry"]["uuid"] == "u1"
    assert records[6]["torn_tail"] is True


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "nope"], "not a session id: 'nope'"),
        (["show", "../../etc/passwd"], "not a session id"),
        (["show", OTHER_ID], f"no session {OTHER_ID}"),
    ],
)
def test_show_bad_ids(write_transcript, capsys, argv, message):
    write_transcript(conversation())
    status, out, err = run(capsys, *argv)
    assert status == 1 and out == ""
    assert err.startswith("sessionscope: ") and message in err
    assert err.count("\n") == 1


def test_missing_or_broken_config_dir(capsys, tmp_path):
    for command in (["list"], ["show", SESSION_ID]):
        status, _out, err = run(capsys, "--config-dir", str(tmp_path / "absent"), *command)
        assert status == 1 and "no Claude config folder at" in err and err.count("\n") == 1
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "projects").write_text("not a folder")
    status, _out, err = run(capsys, "list", "--config-dir", str(tmp_path / "cfg"))
    assert status == 1 and "is not a folder" in err


def test_show_unreadable_session_file(capsys, isolated_user_dirs):
    folder = isolated_user_dirs / "projects" / "-p"
    folder.mkdir()
    loop = folder / f"{SESSION_ID}.jsonl"
    loop.symlink_to(loop)
    status, _out, err = run(capsys, "show", SESSION_ID)
    assert status == 1 and err.count("\n") == 1 and "no session" in err


@pytest.mark.parametrize("argv", [("list",), ("list", "--json"), ("show", SESSION_ID)])
def test_output_with_no_reader_ends_quietly(write_transcript, isolated_user_dirs, argv):
    """`sessionscope list | head -0`: status 0, and nothing on stderr (no traceback, no
    "Exception ignored" from Python's last flush)."""
    write_transcript(conversation())
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "sessionscope", *argv],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=dict(os.environ, CLAUDE_CONFIG_DIR=str(isolated_user_dirs)),
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (0, b"")


def test_end_to_end_through_python_m(write_transcript, isolated_user_dirs):
    write_transcript(conversation())
    env = dict(os.environ, CLAUDE_CONFIG_DIR=str(isolated_user_dirs))
    listed = subprocess.run(
        [sys.executable, "-m", "sessionscope", "list", "--json"],
        capture_output=True,
        env=env,
        check=True,
    )
    assert json.loads(listed.stdout)["session_id"] == SESSION_ID
    shown = subprocess.run(
        [sys.executable, "-m", "sessionscope", "show", SESSION_ID, "--json"],
        capture_output=True,
        env=env,
        check=True,
    )
    assert [json.loads(x)["uuid"] for x in shown.stdout.splitlines()] == ["u1", "a1", "u2", "a2"]
    bad = subprocess.run(
        [sys.executable, "-m", "sessionscope", "show", "not-an-id"],
        capture_output=True,
        env=env,
    )
    assert bad.returncode == 1 and bad.stdout == b""
    assert bad.stderr.decode().startswith("sessionscope: not a session id")
    assert b"Traceback" not in bad.stderr


def test_show_all_shortens_a_huge_bad_line(write_transcript, capsys):
    huge = b"\x1b[2J" + b"q" * 1_000_000
    write_transcript([user("u1", None), huge])
    status, out, _ = run(capsys, "show", SESSION_ID, "--all")
    assert status == 0
    bad = out.split("BAD LINE", 1)[1]
    assert "… (1000004 bytes)" in bad and len(bad) < 1000
    assert "\x1b" not in out and "␛[2J" in bad


def test_named_pipe_and_device_named_like_sessions_do_not_hang(
    write_transcript, capsys, isolated_user_dirs
):
    write_transcript(conversation())
    folder = isolated_user_dirs / "projects" / "-work-project"
    os.mkfifo(folder / f"{OTHER_ID}.jsonl")  # opening it for reading would block
    (folder / "77777777-7777-4777-8777-777777777777.jsonl").symlink_to("/dev/zero")
    status, out, err = run(capsys, "list", "--json")
    assert status == 0 and err == ""
    assert [json.loads(line)["session_id"] for line in out.splitlines()] == [SESSION_ID]
    for session_id in (OTHER_ID, "77777777-7777-4777-8777-777777777777"):
        status, out, err = run(capsys, "show", session_id)
        assert status == 1 and f"no session {session_id}" in err


@pytest.mark.parametrize("argv", [("index",), ("search", "answer"), ("stats",), ("list", "--json")])
def test_a_symlink_loop_named_like_a_session_costs_that_file_only(
    write_transcript, capsys, isolated_user_dirs, argv
):
    write_transcript(conversation())
    folder = isolated_user_dirs / "projects" / "-work-project"
    loop = folder / f"{OTHER_ID}.jsonl"
    loop.symlink_to(loop)  # stat-ing it fails (ELOOP), even as root
    looped_folder = isolated_user_dirs / "projects" / "-looped"
    looped_folder.symlink_to(looped_folder)  # a project folder that is a loop
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    assert "Traceback" not in err and OTHER_ID not in out


def test_a_lone_surrogate_is_indexed_and_found(write_transcript, capsys):
    """JSON allows "\\ud800" (a lone surrogate, as the SDK reads it), UTF-8 does not: the
    index, search and its JSON must not stop at it."""
    lone = json.dumps(user("u1", None, "lone \ud800 surrogate")).encode()  # ensure_ascii: \ud800
    call = assistant(
        "a1", "u1", content=[{"type": "tool_use", "id": "t1", "name": "Ba\udc00sh", "input": {}}]
    )
    write_transcript([lone, json.dumps(call).encode()])
    status, out, err = run(capsys, "index")
    assert status == 0, err
    for argv in (("search", "surrogate"), ("search", "surrogate", "--json")):
        status, out, err = run(capsys, *argv)
        assert status == 0 and err == ""
        assert "u1" in out and "\ud800" not in out
    status, out, err = run(capsys, "search", "tool:Ba", "--json")
    assert status == 0 and err == ""


def test_a_session_id_in_two_projects_gives_each_hit_once_with_its_own_title(
    write_transcript, capsys
):
    write_transcript([user("u1", None, "alpha words here"), assistant("a1", "u1", "alpha")])
    write_transcript(
        [user("u2", None, "beta words there"), assistant("a2", "u2", "beta")], project="-other"
    )
    assert run(capsys, "index")[0] == 0
    for query in (f"session:{SESSION_ID[:8]}", "words"):
        status, out, err = run(capsys, "search", query, "--json")
        assert status == 0 and err == ""
        hits = [json.loads(line) for line in out.splitlines()]
        assert sorted(hit["uuid"] for hit in hits) == (
            ["a1", "a2", "u1", "u2"] if query.startswith("session:") else ["u1", "u2"]
        )
        for hit in hits:
            want = "alpha words here" if hit["project"] == "-work-project" else "beta words there"
            assert hit["title"] == want


@pytest.mark.parametrize("query", ["answer", "role:assistant"])
def test_a_limit_beyond_64_bits_is_as_good_as_no_limit(write_transcript, capsys, query):
    write_transcript(conversation())
    status, out, err = run(capsys, "search", query, "--limit", str(10**20), "--json")
    assert status == 0 and err == ""
    assert out and out == run(capsys, "search", query, "--limit", "100", "--json")[1]


def test_uuids_and_times_from_a_transcript_are_inert_in_search_and_markdown(
    write_transcript, capsys
):
    """A transcript's uuid and timestamp are its text too: never sent to the terminal raw."""
    hostile = "\x1b]52;c;QQ==\x07\x1b[2J"
    write_transcript(
        [
            user(f"u1{hostile}", None, "findme please", timestamp=f"{hostile}2026"),
            assistant(f"a1{hostile}", f"u1{hostile}", "findme too"),
        ]
    )
    for argv in (("search", "findme"), ("export", SESSION_ID, "--format", "md")):
        status, out, err = run(capsys, *argv)
        assert status == 0, err
        assert "findme" in out and "\x1b" not in out and "\x07" not in out
        assert "u1␛]52;c;QQ==␇␛[2J" in out


def test_an_error_line_is_inert(write_transcript, capsys):
    write_transcript(conversation())
    status, _out, err = run(capsys, "fork", SESSION_ID, "--at", "a1\x1b[2J\x1b]52;c;QQ==\x07")
    assert status == 1 and err.count("\n") == 1
    assert "\x1b" not in err and "\x07" not in err and "a1␛[2J" in err
