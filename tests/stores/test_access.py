"""Row-level security with two real roles with passwords: each sees its own sessions and those
shared with it, nothing else; what is only shared can be read and forked, never written."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from pathlib import Path

import psycopg
import pytest

from sessionscope import cli
from sessionscope.stores import NotYourSession, PostgresSessionStore

_people = itertools.count(1)

ALICE_SESSION = "aaaaaaaa-0000-4000-8000-000000000001"
ALICE_OTHER = "aaaaaaaa-0000-4000-8000-000000000002"
BOB_SESSION = "bbbbbbbb-0000-4000-8000-000000000001"


def write_session(config: Path, project: str, session_id: str, prompt: str) -> Path:
    folder = config / "projects" / project
    folder.mkdir(parents=True, exist_ok=True)
    common = {"sessionId": session_id, "cwd": "/w", "isSidechain": False, "gitBranch": "main"}
    lines = [
        {
            **common,
            "type": "user",
            "uuid": f"{session_id[:8]}-1111-4111-8111-111111111111",
            "parentUuid": None,
            "timestamp": "2026-01-01T10:00:00.000Z",
            "message": {"role": "user", "content": prompt},
        },
        {
            **common,
            "type": "assistant",
            "uuid": f"{session_id[:8]}-2222-4222-8222-222222222222",
            "parentUuid": f"{session_id[:8]}-1111-4111-8111-111111111111",
            "timestamp": "2026-01-01T10:00:01.000Z",
            "message": {
                "role": "assistant",
                "id": f"msg_{session_id[:8]}",
                "content": [{"type": "text", "text": "done"}],
            },
        },
    ]
    path = folder / f"{session_id}.jsonl"
    path.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines))
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def listed_ids(capsys, url: str) -> set[str]:
    status, out, err = run(capsys, "list", "--json", "--store", url)
    assert status == 0, err
    return {json.loads(line)["session_id"] for line in out.splitlines()}


@pytest.fixture
def team(pg_server, pg_url, tmp_path, capsys):
    """A store made by its admin, and two people with their own roles and sessions pushed."""
    number = next(_people)
    assert run(capsys, "store", "init", pg_url)[0] == 0
    db = pg_url.rsplit("/", 1)[1]
    people = {}
    for name, sessions in (
        ("alice", [("-w-app", ALICE_SESSION, "alice's app"), ("-w-lab", ALICE_OTHER, "lab")]),
        ("bob", [("-w-app", BOB_SESSION, "bob's work")]),
    ):
        role, password = f"{name}_{number}", f"pw-{name}-{number}!"
        pg_server.create_role(role, password)
        config = tmp_path / name
        for project, session_id, prompt in sessions:
            write_session(config, project, session_id, prompt)
        url = pg_server.url(role, password, db)
        status, _, err = run(capsys, "push", "--all", "--config-dir", str(config), "--store", url)
        assert status == 0, err
        people[name] = (role, password, url, config)
    return people


def test_each_role_sees_its_own_and_what_is_shared_with_it(team, capsys) -> None:
    alice, bob = team["alice"], team["bob"]
    assert listed_ids(capsys, alice[2]) == {ALICE_SESSION, ALICE_OTHER}
    assert listed_ids(capsys, bob[2]) == {BOB_SESSION}
    # One project: by its folder name, or by the working directory it is named after.
    for project in ("--project=-w-lab", "--project=/w/lab"):
        status, out, _ = run(capsys, "list", "--json", project, "--store", alice[2])
        assert [json.loads(line)["session_id"] for line in out.splitlines()] == [ALICE_OTHER]
    # Not even by id, nor by SQL.
    status, _, err = run(capsys, "show", ALICE_SESSION, "--store", bob[2])
    assert status == 1 and "no session" in err
    with psycopg.connect(bob[2]) as connection:
        keys = connection.execute("SELECT session_id FROM claude_session_store_sessions").fetchall()
        assert keys == [(BOB_SESSION,)]
        assert connection.execute("SELECT count(*) FROM claude_session_store").fetchone()[0] == 2
    # One project shared, then all of them, then taken back.
    assert run(capsys, "store", "share", bob[0], "--project=-w-app", "--store", alice[2])[0] == 0
    assert listed_ids(capsys, bob[2]) == {BOB_SESSION, ALICE_SESSION}
    assert run(capsys, "store", "share", bob[0], "--store", alice[2])[0] == 0
    assert listed_ids(capsys, bob[2]) == {BOB_SESSION, ALICE_SESSION, ALICE_OTHER}
    status, out, _ = run(capsys, "store", "shares", "--store", bob[2])
    assert f"{alice[0]} -> {bob[0]}  (all projects)" in out
    status, shown, _ = run(capsys, "show", ALICE_OTHER, "--json", "--store", bob[2])
    assert status == 0 and len(shown.splitlines()) == 2
    assert listed_ids(capsys, alice[2]) == {ALICE_SESSION, ALICE_OTHER}  # nothing of bob's
    status, out, _ = run(capsys, "store", "unshare", bob[0], "--store", alice[2])
    assert out == "removed 1 share(s)\n"
    run(capsys, "store", "unshare", bob[0], "--project=-w-app", "--store", alice[2])
    assert listed_ids(capsys, bob[2]) == {BOB_SESSION}


def test_a_project_is_shared_by_its_working_directory_as_list_names_it(team, capsys) -> None:
    """``list --project /w/lab`` lists the project folder -w-lab: ``store share --project
    /w/lab`` shares that very project, rather than one no session is in."""
    alice, bob = team["alice"], team["bob"]
    status, out, err = run(
        capsys, "store", "share", bob[0], "--project=/w/lab", "--store", alice[2]
    )
    assert status == 0, err
    assert out == f"{bob[0]} may now read your sessions of project -w-lab\n"
    assert listed_ids(capsys, bob[2]) == {BOB_SESSION, ALICE_OTHER}
    status, out, _ = run(capsys, "store", "shares", "--store", alice[2])
    assert out == f"{alice[0]} -> {bob[0]}  -w-lab\n"
    status, out, _ = run(
        capsys, "store", "unshare", bob[0], "--project=/w/lab", "--store", alice[2]
    )
    assert out == "removed 1 share(s)\n"
    assert listed_ids(capsys, bob[2]) == {BOB_SESSION}


def test_a_shared_session_is_forked_never_written_in_place(team, capsys) -> None:
    alice, bob = team["alice"], team["bob"]
    run(capsys, "store", "share", bob[0], "--store", alice[2])
    key = {"project_key": "-w-app", "session_id": ALICE_SESSION}

    async def append_as_bob():
        async with PostgresSessionStore(bob[2]) as store:
            await store.append(key, [{"type": "user", "uuid": "intruder", "message": {}}])

    # A resume in place (the SDK appending the new turn under the same key) is refused.
    with pytest.raises(NotYourSession, match="belongs to another role"):
        asyncio.run(append_as_bob())
    for argv in (["rename", ALICE_SESSION, "mine now"], ["tag", ALICE_SESSION, "x"]):
        status, _, err = run(capsys, *argv, "--store", bob[2])
        assert status == 1 and "belongs to another role" in err
    status, _, err = run(capsys, "delete", ALICE_SESSION, "--yes", "--store", bob[2])
    assert status == 1 and "belongs to another role" in err
    # Pushing a copy of it is refused too, and said.
    write_session(bob[3], "-w-app", ALICE_SESSION, "a copy")
    status, _, err = run(
        capsys, "push", ALICE_SESSION, "--config-dir", str(bob[3]), "--store", bob[2]
    )
    assert status == 1 and "from another role; not pushed" in err
    # Forking it is fine: the fork is bob's, alice never sees it.
    status, out, err = run(capsys, "fork", ALICE_SESSION, "--store", bob[2])
    assert status == 0, err
    fork_id = out.strip()
    assert fork_id in listed_ids(capsys, bob[2])
    assert fork_id not in listed_ids(capsys, alice[2])
    with psycopg.connect(alice[2]) as connection:
        rows = connection.execute(
            "SELECT count(*) FROM claude_session_store_sessions WHERE session_id = %s", [fork_id]
        ).fetchone()
        assert rows == (0,)
    # alice's session is as it was, and alice may still change it.
    status, shown, _ = run(capsys, "show", ALICE_SESSION, "--json", "--store", alice[2])
    assert "intruder" not in shown and len(shown.splitlines()) == 2
    status, out, err = run(capsys, "rename", ALICE_SESSION, "renamed by alice", "--store", alice[2])
    assert status == 0, err
    status, out, _ = run(capsys, "list", "--json", "--store", bob[2])
    titles = {
        json.loads(line)["session_id"]: json.loads(line)["summary"] for line in out.splitlines()
    }
    assert titles[ALICE_SESSION] == "renamed by alice"
    status, out, err = run(capsys, "delete", ALICE_OTHER, "--yes", "--store", alice[2])
    assert status == 0, err
    assert ALICE_OTHER not in listed_ids(capsys, bob[2])


def test_passwords_from_pgpassword_and_pgpass_never_shown(
    team, pg_server, tmp_path, monkeypatch, capsys
):
    role, password, url, _ = team["alice"]
    bare = url.replace(":" + password.replace("!", "%21"), "")
    assert password not in bare and "%21" not in bare
    monkeypatch.setenv("PGPASSWORD", password)
    assert listed_ids(capsys, bare) == {ALICE_SESSION, ALICE_OTHER}
    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{pg_server.port}:*:{role}:{password}\n")
    os.chmod(pgpass, 0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert listed_ids(capsys, bare) == {ALICE_SESSION, ALICE_OTHER}
    monkeypatch.delenv("PGPASSFILE")
    # A wrong password: one line, exit 2, the URL shown without it.
    wrong = pg_server.url(role, "Wrong-Secret-123", url.rsplit("/", 1)[1])
    for argv in (["list"], ["show", ALICE_SESSION], ["push", "--all"], ["store", "shares"]):
        status, out, err = run(capsys, *argv, "--store", wrong)
        assert status == 2, argv
        assert err.count("\n") == 1 and "password authentication failed" in err
        assert "Wrong-Secret-123" not in out + err
        assert f"postgresql://{role}@127.0.0.1:{pg_server.port}/" in err


def test_a_role_that_cannot_create_the_tables_is_told_who_can(pg_server, pg_url, capsys):
    number = next(_people)
    role, password = f"carol_{number}", "pw-carol"
    pg_server.create_role(role, password)
    url = pg_server.url(role, password, pg_url.rsplit("/", 1)[1])
    status, _, err = run(capsys, "list", "--store", url)
    assert status == 2 and err.count("\n") == 1
    assert "store init" in err and "permission denied for schema public" in err


def test_sharing_with_oneself_is_refused(team, capsys) -> None:
    alice = team["alice"]
    for project in ([], ["--project=-w-app"]):
        status, out, err = run(capsys, "store", "share", alice[0], *project, "--store", alice[2])
        assert (status, out) == (1, "")
        assert err == (
            f"sessionscope: you are {alice[0]}: your sessions are yours already; "
            "share them with another role\n"
        )
    status, out, _ = run(capsys, "store", "shares", "--store", alice[2])
    assert out == ""
