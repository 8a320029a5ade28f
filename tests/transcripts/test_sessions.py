"""Session metadata: what the SDK lists, plus message counts and fork parents."""

from __future__ import annotations

from sessionscope.transcripts.files import SessionLookupError, find_session_file
from sessionscope.transcripts.sessions import list_sessions, read_session_meta
from tests.helpers.entries import assistant, dumps, user

A = "aaaaaaaa-0000-4000-8000-000000000001"
B = "bbbbbbbb-0000-4000-8000-000000000002"
C = "cccccccc-0000-4000-8000-000000000003"
D = "dddddddd-0000-4000-8000-000000000004"


def _queued(minute: int) -> dict:
    """The line the CLI writes first, stamped when the file is made."""
    return {"type": "queue-operation", "timestamp": f"2026-01-01T00:{minute:02d}:00.000Z"}


def _turns(*uuids: str) -> list[dict]:
    lines, parent = [], None
    for number, uuid in enumerate(uuids):
        kind = user if number % 2 == 0 else assistant
        lines.append(kind(uuid, parent, f"message {uuid}"))
        parent = uuid
    return lines


def test_cli_forks_get_their_parent(write_transcript, isolated_user_dirs):
    # A is the original; B was forked from A after two messages; C from B; D from A after one.
    write_transcript([_queued(0), *_turns("m1", "m2", "m3", "m4")], session_id=A)
    write_transcript([_queued(5), *_turns("m1", "m2", "b3", "b4")], session_id=B)
    write_transcript([_queued(9), *_turns("m1", "m2", "b3", "c4")], session_id=C)
    write_transcript([_queued(7), *_turns("m1", "d2")], session_id=D)
    metas = {meta.session_id: meta for meta in list_sessions(isolated_user_dirs)}
    assert metas[A].forked_from is None
    assert metas[B].forked_from == A
    assert metas[C].forked_from == B
    assert metas[D].forked_from == A
    assert {meta.root_uuid for meta in metas.values()} == {"m1"}


def test_sdk_fork_says_its_parent(write_transcript):
    lines = _turns("f1", "f2")
    for line in lines:
        line["forkedFrom"] = {"sessionId": A, "messageUuid": "x"}
    path = write_transcript(lines, session_id=B)
    meta = read_session_meta(path)
    assert meta.forked_from == A and meta.message_count == 2


def test_sessions_the_sdk_does_not_list(write_transcript, tmp_path):
    sidechain = write_transcript([user("s1", None, "x", isSidechain=True)], session_id=A)
    assert read_session_meta(sidechain) is None
    metadata_only = write_transcript([{"type": "mode", "mode": "normal"}], session_id=B)
    assert read_session_meta(metadata_only) is None
    assert read_session_meta(tmp_path / "not-a-uuid.jsonl") is None
    assert read_session_meta(tmp_path / f"{C}.jsonl") is None  # missing


def test_find_session_file_says_what_is_wrong(write_transcript, isolated_user_dirs, tmp_path):
    path = write_transcript(_turns("m1"), session_id=A)
    assert find_session_file(isolated_user_dirs, A) == path
    assert find_session_file(isolated_user_dirs, f"  {A}\n") == path
    for bad, message in [
        ("", "not a session id"),
        ("x" * 36, "not a session id"),
        (f"{A}/../x", "not a session id"),
        (B, f"no session {B} under"),
    ]:
        try:
            find_session_file(isolated_user_dirs, bad)
        except SessionLookupError as error:
            assert message in str(error)
        else:
            raise AssertionError(f"{bad!r} was accepted")
    try:
        find_session_file(tmp_path / "absent", A)
    except SessionLookupError as error:
        assert "does not exist" in str(error)


def test_session_the_sdk_drops_but_has_messages_is_listed(write_transcript, monkeypatch):
    from claude_agent_sdk import get_session_info

    long_prompt = "please read this: " + "x" * 70_000
    path = write_transcript([user("u1", None, long_prompt), assistant("a1", "u1", "ok")])
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(path.parents[2]))
    assert get_session_info(path.name[:-6]) is None  # the SDK leaves it out
    meta = read_session_meta(path)
    assert meta is not None and not meta.listed_by_sdk
    assert meta.message_count == 2
    assert meta.summary.startswith("please read this: xxx") and len(meta.summary) == 201
    assert read_session_meta(path, count_messages=False) is None


def test_running_session_with_torn_tail_is_listed(write_transcript, monkeypatch):
    from claude_agent_sdk import get_session_info

    path = write_transcript(_turns("m1", "m2"))
    with open(path, "ab") as handle:
        handle.write(b'{"type":"user","uuid":"m3","message":{"content":"half wr')
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(path.parents[2]))
    meta = read_session_meta(path)
    info = get_session_info(path.name[:-6])
    assert meta.listed_by_sdk and meta.summary == info.summary == "message m1"
    assert meta.message_count == 2 and meta.file_size == info.file_size


def test_invalid_utf8_line_costs_that_line_only(write_transcript, monkeypatch, capsys):
    """The SDK's get_session_messages raises on such a file; list_sessions lists it."""
    import pytest
    from claude_agent_sdk import get_session_info, get_session_messages

    from sessionscope import cli

    path = write_transcript(
        [*_turns("m1", "m2"), b'{"type":"user","text":"\xc3\x28"}', user("m3", "m2")]
    )
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(path.parents[2]))
    session_id = path.name[:-6]
    with pytest.raises(UnicodeDecodeError):
        get_session_messages(session_id)
    info = get_session_info(session_id)
    meta = read_session_meta(path)
    assert (meta.summary, meta.file_size, meta.created_at) == (
        info.summary,
        info.file_size,
        info.created_at,
    )
    assert meta.message_count == 3
    assert cli.main(["show", session_id, "--all"]) == 0
    out = capsys.readouterr().out
    assert "line 3 · BAD LINE: invalid UTF-8 at byte 24" in out
    assert "\\xc3(" in out


def test_project_with_git_worktrees_lists_as_the_sdk(tmp_path, isolated_user_dirs, monkeypatch):
    import shutil
    import subprocess

    import pytest
    from claude_agent_sdk import list_sessions as sdk_list_sessions

    from sessionscope.transcripts.files import sanitize_path

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo, worktree = tmp_path / "repo", tmp_path / "repo-feature"
    repo.mkdir()
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-C", str(repo)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    (repo / "f").write_text("x")
    subprocess.run([*git, "add", "f"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], check=True)
    subprocess.run([*git, "worktree", "add", "-q", "-b", "feature", str(worktree)], check=True)
    projects = isolated_user_dirs / "projects"
    for folder, session_id, minute in ((repo, A, 1), (worktree, B, 2), (tmp_path / "other", C, 3)):
        target = projects / sanitize_path(str(folder.resolve()))
        target.mkdir(parents=True)
        lines = [_queued(minute), *_turns(f"{session_id[:4]}1", f"{session_id[:4]}2")]
        for line in lines:
            line.pop("cwd", None)  # so the SDK falls back to the project path for cwd
        (target / f"{session_id}.jsonl").write_bytes(b"".join(dumps(x) + b"\n" for x in lines))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(isolated_user_dirs))
    for directory in (repo, worktree):
        ours = list_sessions(isolated_user_dirs, str(directory))
        sdk = sdk_list_sessions(directory=str(directory))
        assert sorted(m.session_id for m in ours) == sorted(i.session_id for i in sdk) == [A, B]
        assert sorted((m.session_id, m.cwd) for m in ours) == sorted(
            (i.session_id, i.cwd) for i in sdk
        )


def test_same_session_in_two_folders_newest_wins_as_in_the_sdk(
    write_transcript, isolated_user_dirs, monkeypatch
):
    import os

    from claude_agent_sdk import list_sessions as sdk_list_sessions

    old = write_transcript(_turns("o1", "o2"), session_id=A, project="-old")
    new = write_transcript(_turns("n1"), session_id=A, project="-new")
    write_transcript(_turns("x1"), session_id=B, project="-old")
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_000_500, 1_700_000_500))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(isolated_user_dirs))
    ours = list_sessions(isolated_user_dirs)
    sdk = sdk_list_sessions()
    assert [(m.session_id, m.summary) for m in ours] == [(i.session_id, i.summary) for i in sdk]
    assert [(m.session_id, m.summary, m.path) for m in ours][1] == (A, "message n1", str(new))
