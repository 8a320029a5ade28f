"""``sessionscope push``: local sessions into a real PostgreSQL store — what the SDK reads back,
idempotence, a kill midway, corrupt and torn lines, the hook, the store being away."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from claude_agent_sdk import (
    get_session_messages,
    get_session_messages_from_store,
    get_subagent_messages,
    get_subagent_messages_from_store,
    import_session_to_store,
    list_subagents,
)

from sessionscope import cli
from sessionscope.stores import PostgresSessionStore
from tests.helpers.pgserver import dump_store

ROOT = Path(__file__).resolve().parents[2]


def push(*argv: str) -> int:
    return cli.main(["push", *argv])


def lines_of(path: Path) -> list[str]:
    """The lines push keeps: complete, non-blank, JSON objects."""
    kept = []
    data = path.read_bytes()
    for line in data[: data.rfind(b"\n") + 1].split(b"\n"):
        if not line.strip():
            continue
        try:
            if isinstance(json.loads(line), dict):
                kept.append(line.decode())
        except ValueError:
            pass
    return kept


def test_the_sdk_reads_what_push_wrote(cli_transcripts, pg_url, capsys) -> None:
    config = cli_transcripts.config_dir
    assert push("--all", "--store", pg_url, "--config-dir", str(config)) == 0
    out = capsys.readouterr()
    assert "pushed" in out.err and "new entries" in out.err

    async def check() -> int:
        checked = 0
        async with PostgresSessionStore(pg_url) as store:
            for path in sorted(config.glob("projects/*/*.jsonl")):
                session_id, project_key = path.stem, path.parent.name
                scoped = store.for_project(project_key)
                key = {"project_key": project_key, "session_id": session_id}
                assert await store.load_texts(key) == lines_of(path)
                with cli_transcripts.use():
                    local = get_session_messages(session_id)
                    agents = list_subagents(session_id)
                stored = await get_session_messages_from_store(scoped, session_id)
                assert [m.uuid for m in stored] == [m.uuid for m in local]
                assert [m.message for m in stored] == [m.message for m in local]
                subkeys = await store.list_subkeys(key)
                assert sorted(k.rsplit("agent-", 1)[1] for k in subkeys) == sorted(agents)
                for agent in agents:
                    with cli_transcripts.use():
                        local_agent = get_subagent_messages(session_id, agent)
                    stored_agent = await get_subagent_messages_from_store(scoped, session_id, agent)
                    assert [m.uuid for m in stored_agent] == [m.uuid for m in local_agent]
                checked += 1 + len(agents)
        return checked

    checked = asyncio.run(check())
    assert checked >= len(cli_transcripts.sessions) + 1  # the subagent's transcript too


def test_a_second_push_adds_only_what_is_new(cli_transcripts, tmp_path, pg_url, capsys) -> None:
    copy = cli_transcripts.copy_to(tmp_path / "claude").config_dir
    assert push("--all", "--store", pg_url, "--config-dir", str(copy)) == 0
    first = dump_store(pg_url)
    capsys.readouterr()
    assert push("--all", "--store", pg_url, "--config-dir", str(copy)) == 0
    assert "0 new entries" in capsys.readouterr().err
    assert dump_store(pg_url) == first
    # Append a line (a tag, which has no uuid) and push again: exactly that line is added.
    path = next(copy.glob("projects/*/*.jsonl"))
    tag = json.dumps(
        {"type": "tag", "tag": "pushed", "sessionId": path.stem}, separators=(",", ":")
    )
    with path.open("a") as handle:
        handle.write(tag + "\n")
    assert push(path.stem, "--store", pg_url, "--config-dir", str(copy)) == 0
    assert f"{path.stem}  +1 entries" in capsys.readouterr().out
    key = (path.parent.name, path.stem, "")
    after = dump_store(pg_url)
    assert after[key][-1] == first[key][-1] + [tag]
    assert after[key][1]["tag"] == "pushed"  # the list fields follow


def test_sessions_pushed_together_equal_each_pushed_alone(
    cli_transcripts, pg_server, capsys
) -> None:
    """Several sessions go out on several connections at once; a session named twice is pushed
    once. The store ends up as when each is pushed on its own, one after the other."""
    config = str(cli_transcripts.config_dir)
    ids = [path.stem for path in sorted(cli_transcripts.config_dir.glob("projects/*/*.jsonl"))]
    assert len(ids) >= 2
    together = pg_server.create_database("pushed_together")
    assert push(*ids, ids[0], "--store", together, "--config-dir", config) == 0
    out = capsys.readouterr()
    assert [line.split()[0] for line in out.out.splitlines()] == ids  # in the order given
    alone = pg_server.create_database("pushed_alone")
    for session_id in ids:
        assert push(session_id, "--store", alone, "--config-dir", config) == 0
    assert dump_store(together) == dump_store(alone)


def test_a_corrupt_line_is_skipped_and_reported_not_the_session(
    cli_transcripts, tmp_path, pg_url, capsys
) -> None:
    copy = cli_transcripts.copy_to(tmp_path / "claude")
    path = copy.path(next(iter(copy.sessions)))
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(2, '{"type":"user","uuid":"broken", "message": {\n')
    lines.insert(4, "[1, 2, 3]\n")
    path.write_text("".join(lines))
    with copy.use(), pytest.raises(json.JSONDecodeError):  # what the SDK's import does
        asyncio.run(import_session_to_store(path.stem, PostgresSessionStore(pg_url)))
    assert push(path.stem, "--store", pg_url, "--config-dir", str(copy.config_dir)) == 0
    err = capsys.readouterr().err
    assert f"{path.stem}: line 3 skipped: not JSON" in err
    assert f"{path.stem}: line 5 skipped: not a JSON object (list)" in err
    assert "2 line(s) skipped" in err
    stored = dump_store(pg_url)[(path.parent.name, path.stem, "")][-1]
    assert stored == lines_of(path) and len(stored) == len(lines) - 2


def test_what_push_reports_reaches_stderr_when_stdout_has_no_reader(
    cli_transcripts, tmp_path, pg_url
) -> None:
    """`push --all | head -0`: the reader of stdout is gone before the first line; the lines
    skipped and the summary still go to stderr (they were lost with it)."""
    copy = cli_transcripts.copy_to(tmp_path / "claude")
    path = copy.path(next(iter(copy.sessions)))
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(2, "[1, 2, 3]\n")
    path.write_text("".join(lines))
    read_end, write_end = os.pipe()
    os.close(read_end)  # no reader: the first write to stdout fails (EPIPE)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "sessionscope", "push", "--all"]
            + ["--store", pg_url, "--config-dir", str(copy.config_dir)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 0, result.stderr
    assert f"{path.stem}: line 3 skipped: not a JSON object (list)" in result.stderr
    assert "1 line(s) skipped" in result.stderr and "Traceback" not in result.stderr
    assert "BrokenPipeError" not in result.stderr


def test_a_torn_last_line_waits_for_its_newline(tmp_path, pg_url, capsys) -> None:
    folder = tmp_path / "claude" / "projects" / "-w"
    folder.mkdir(parents=True)
    session = "5a3c2f6e-64d3-4b8e-9f49-4a4b0c1d2e3f"
    path = folder / f"{session}.jsonl"
    first = json.dumps({"type": "user", "uuid": "u1", "message": {"content": "hi"}})
    second = json.dumps({"type": "assistant", "uuid": "a1", "parentUuid": "u1"})
    path.write_text(first + "\n" + second[:20])
    store = ["--store", pg_url, "--config-dir", str(tmp_path / "claude")]
    assert push(session, *store) == 0
    assert dump_store(pg_url)[("-w", session, "")][-1] == [first]
    path.write_text(first + "\n" + second + "\n")
    assert push(session, *store) == 0
    assert dump_store(pg_url)[("-w", session, "")][-1] == [first, second]


def test_killed_midway_then_rerun_equals_one_clean_push(store_corpus, pg_server) -> None:
    killed_url = pg_server.create_database("killed_push")
    clean_url = pg_server.create_database("clean_push")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "sessionscope", "push", "--all", "--config-dir"]
    command.append(str(store_corpus))
    # The tables first, so that progress can be watched.
    asyncio.run(PostgresSessionStore(killed_url).list_sessions("x"))
    process = subprocess.Popen([*command, "--store", killed_url], env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    with psycopg.connect(killed_url, autocommit=True) as connection:
        while time.monotonic() < deadline and process.poll() is None:
            rows = connection.execute("SELECT count(*) FROM claude_session_store").fetchone()[0]
            if rows > 5000:
                break
            time.sleep(0.02)
    assert process.poll() is None, "push finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = dump_store(killed_url)
    rerun = subprocess.run([*command, "--store", killed_url], env=env, capture_output=True)
    assert rerun.returncode == 0, rerun.stderr
    clean = subprocess.run([*command, "--store", clean_url], env=env, capture_output=True)
    assert clean.returncode == 0, clean.stderr
    whole = dump_store(clean_url)
    assert 0 < sum(len(v[-1]) for v in partial.values()) < sum(len(v[-1]) for v in whole.values())
    assert dump_store(killed_url) == whole


def test_hook_pushes_the_session_named_on_stdin(cli_transcripts, pg_url, monkeypatch, capsys):
    import io

    path = cli_transcripts.path(next(iter(cli_transcripts.sessions)))
    hook = {
        "session_id": path.stem,
        "transcript_path": str(path),
        "cwd": "/somewhere",
        "hook_event_name": "Stop",
    }
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(hook)))
    config = ["--config-dir", str(cli_transcripts.config_dir)]  # as the CLI running the hook
    assert push("--hook", "--store", pg_url, *config) == 0
    assert f"{path.stem}  +" in capsys.readouterr().out
    assert (path.parent.name, path.stem, "") in dump_store(pg_url)
    monkeypatch.setattr(sys, "stdin", io.StringIO("not json"))
    assert push("--hook", "--store", pg_url) == 1
    assert "--hook: stdin is not JSON" in capsys.readouterr().err


def test_no_store_or_an_unreachable_one_is_one_line_and_status_2(
    cli_transcripts, pg_server, monkeypatch, capsys
) -> None:
    monkeypatch.delenv("SESSIONSCOPE_STORE", raising=False)
    config = ["--config-dir", str(cli_transcripts.config_dir)]
    assert push("--all", *config) == 2
    assert capsys.readouterr().err == (
        "sessionscope: no store: pass --store URL or set SESSIONSCOPE_STORE\n"
    )
    wrong = pg_server.url("postgres", "not-the-password")
    assert push("--all", "--store", wrong, *config) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "password authentication failed" in err
    assert "not-the-password" not in err
    with socket_closed_port() as port:
        monkeypatch.setenv("SESSIONSCOPE_STORE", f"postgresql://me:pw@127.0.0.1:{port}/x")
        assert push("--all", *config) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"sessionscope: store postgresql://me@127.0.0.1:{port}/x: cannot connect")
    assert err.count("\n") == 1
    # A URL that is no URL cannot be connected to either: the same status.
    for url in ("notaurl", "postgresql://alice:pw@[bad/db"):
        assert push("--all", "--store", url, *config) == 2
        err = capsys.readouterr().err
        assert "cannot connect" in err and err.count("\n") == 1 and ":pw@" not in err


class socket_closed_port:
    """A loopback port nothing listens on."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def __exit__(self, *exc) -> None:
        pass


def test_push_needs_something_to_push(pg_url, capsys) -> None:
    assert push("--store", pg_url) == 1
    assert "nothing to push" in capsys.readouterr().err


def test_a_file_that_fails_to_read_is_reported_and_the_others_pushed(
    tmp_path, pg_url, capsys
) -> None:
    folder = tmp_path / "claude" / "projects" / "-w"
    folder.mkdir(parents=True)
    good = "5a3c2f6e-64d3-4b8e-9f49-4a4b0c1d2e3f"
    line = json.dumps({"type": "user", "uuid": "u1", "message": {"content": "hi"}})
    (folder / f"{good}.jsonl").write_text(line + "\n")
    bad = "6b4d3a7f-75e4-4c9f-8a5a-5b5c1d2e3f40"
    # Opens, then every read fails (EIO), even as root: a disk that cannot be read.
    (folder / f"{bad}.jsonl").symlink_to("/proc/self/mem")
    status = push("--all", "--store", pg_url, "--config-dir", str(tmp_path / "claude"))
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    assert f"{bad}: cannot read " in err
    assert dump_store(pg_url)[("-w", good, "")][-1] == [line]


@pytest.mark.parametrize(
    "named",
    [
        "/etc/passwd",
        "{outside}",  # a session-named file outside projects/
        "{other}",  # another session's file
        "{config}/projects/{folder}/../../{session}.jsonl",  # out of projects/ by '..'
        "{config}/projects/{session}.jsonl",  # projects/ itself holds no sessions
    ],
)
def test_hook_pushes_only_the_session_file_under_projects(
    cli_transcripts, pg_url, tmp_path, named
) -> None:
    """The hook's transcript_path must be its session's file under the config dir's projects/:
    anything else is refused in one line with status 1 (a Stop hook's 2 would keep Claude
    going), and nothing is pushed."""
    from benchmarks.replay_bytes import sessionscope_command

    roles = iter(cli_transcripts.sessions)
    path, other = cli_transcripts.path(next(roles)), cli_transcripts.path(next(roles))
    outside = tmp_path / path.name
    outside.write_bytes(path.read_bytes())
    transcript = named.format(
        outside=outside,
        other=other,
        config=cli_transcripts.config_dir,
        folder=path.parent.name,
        session=path.stem,
    )
    hook = {"session_id": path.stem, "transcript_path": transcript, "hook_event_name": "Stop"}
    assert cli.main(["store", "init", pg_url]) == 0
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(cli_transcripts.config_dir)}
    run = subprocess.run(
        [*sessionscope_command(), "push", "--hook", "--store", pg_url],
        input=json.dumps(hook).encode(),
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 1
    assert run.stderr.decode() == (
        f"sessionscope: --hook: {transcript} is not session {path.stem}'s transcript under "
        f"{cli_transcripts.config_dir / 'projects'}; not pushed\n"
    )
    assert dump_store(pg_url) == {}


def test_hook_run_by_hand_on_a_terminal_says_so_instead_of_waiting(isolated_user_dirs) -> None:
    """stdin a terminal: reading the hook's JSON would wait for ctrl+d, saying nothing."""
    import pty

    from benchmarks.replay_bytes import sessionscope_command

    controller, terminal = pty.openpty()
    try:
        run = subprocess.run(
            [*sessionscope_command(), "push", "--hook", "--store", "postgresql://a@127.0.0.1:1/b"],
            stdin=terminal,
            capture_output=True,
            timeout=30,
        )
    finally:
        os.close(controller)
        os.close(terminal)
    assert run.returncode == 1
    assert run.stderr.decode() == (
        "sessionscope: --hook reads the JSON Claude Code gives a hook on stdin; by hand, name "
        "the sessions to push (push ID... or --all)\n"
    )


def test_push_all_of_one_project(cli_transcripts, pg_url, capsys) -> None:
    """``push --all --project PATH`` pushes that project's sessions only (--project was taken
    and every session pushed)."""
    config = ["--config-dir", str(cli_transcripts.config_dir), "--store", pg_url]
    notes = cli_transcripts.path("notes").parent.name
    assert push("--all", "--project", str(cli_transcripts.projects["notes"]), *config) == 0
    assert {project for project, _session, _sub in dump_store(pg_url)} == {notes}
    assert push("--all", "--project=/no/such/project", *config) == 1
    assert capsys.readouterr().err.endswith(
        "sessionscope: no sessions for project /no/such/project\n"
    )
