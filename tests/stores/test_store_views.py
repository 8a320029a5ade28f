"""``--store`` on list, show, export, replay and fork: a pushed session looks exactly as it did
locally (real transcripts of the shared corpus and of the real CLI), through the same views."""

from __future__ import annotations

import asyncio
import json
import os
import stat

import pytest

from sessionscope import cli
from sessionscope.stores import PostgresSessionStore

FIELDS = (
    "session_id",
    "summary",
    "last_modified",
    "custom_title",
    "first_prompt",
    "git_branch",
    "cwd",
    "tag",
    "created_at",
    "message_count",
)
"""All but file_size (the bytes the store holds: a corrupt line is not kept). last_modified is
the file's time when pushed, not the push's."""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def listed(capsys, *argv: str) -> dict[str, dict]:
    status, out, err = run(capsys, "list", "--json", *argv)
    assert status == 0, err
    return {row["session_id"]: row for row in map(json.loads, out.splitlines())}


@pytest.fixture
def corpus_in_store(shared_corpus, pg_url, capsys):
    status, _out, err = run(
        capsys, "push", "--all", "--config-dir", str(shared_corpus), "--store", pg_url
    )
    assert status == 0, err
    # The local list's message counts come from the index.
    status, _out, err = run(capsys, "index", "--config-dir", str(shared_corpus))
    assert status == 0, err
    return shared_corpus, pg_url


def test_every_pushed_session_lists_as_it_did_locally(corpus_in_store, capsys) -> None:
    corpus, url = corpus_in_store
    local = listed(capsys, "--config-dir", str(corpus))
    stored = listed(capsys, "--store", url)
    assert sorted(stored) == sorted(local)
    for session_id, row in local.items():
        assert {f: stored[session_id][f] for f in FIELDS} == {f: row[f] for f in FIELDS}
    # The SDK's own store listing gets created_at or the title of some of these wrong; ours
    # is the local reading (checked above), whatever the SDK says.


def _without_line_numbers(text: str) -> str:
    """Output with line numbers left out (a corrupt line is not kept in the store, so the
    lines after it have other numbers there)."""
    import re

    if text.startswith("{"):
        rows = [json.loads(line) for line in text.splitlines()]
        return "\n".join(json.dumps({k: v for k, v in row.items() if k != "line"}) for row in rows)
    return re.sub(r"── line \d+ · ", "── ", text)


def test_show_through_the_store_is_show_of_the_file(corpus_in_store, capsys, monkeypatch) -> None:
    corpus, url = corpus_in_store
    local = listed(capsys, "--config-dir", str(corpus))
    compared = 0
    for session_id in local:
        _, every_line, _ = run(
            capsys, "show", session_id, "--all", "--json", "--config-dir", str(corpus)
        )
        rows = [json.loads(line) for line in every_line.splitlines()]
        corrupt = any("error" in row for row in rows)
        for extra in ([], ["--json"], ["--all", "--json"]):
            status, here, _ = run(capsys, "show", session_id, "--config-dir", str(corpus), *extra)
            monkeypatch.setenv("SESSIONSCOPE_STORE", url)
            status_store, there, err = run(capsys, "show", session_id, *extra)
            monkeypatch.delenv("SESSIONSCOPE_STORE")
            assert status_store == status == 0, err
            if "--all" in extra:
                # Every entry of the file, in order (a corrupt line is not kept in the store).
                def entries(text):
                    return [
                        row["entry"] for row in map(json.loads, text.splitlines()) if "entry" in row
                    ]

                assert entries(there) == entries(here)
            elif corrupt:
                assert _without_line_numbers(there) == _without_line_numbers(here)
            else:
                assert there == here
                compared += 1
            if extra == ["--json"]:
                assert len(there.splitlines()) == local[session_id]["message_count"]
    assert compared >= len(local)  # most files have no corrupt line: compared byte for byte


def test_the_mirror_is_private_and_fetches_only_new_rows(
    cli_transcripts, pg_url, capsys, monkeypatch
):
    from sessionscope.stores import mirror

    monkeypatch.setattr(mirror, "MIRROR_PAGE_ROWS", 3)  # several pages a session
    config = str(cli_transcripts.config_dir)
    assert run(capsys, "push", "--all", "--config-dir", config, "--store", pg_url)[0] == 0
    path = cli_transcripts.path(next(iter(cli_transcripts.sessions)))
    session_id, project = path.stem, path.parent.name
    status, first, _ = run(capsys, "show", session_id, "--json", "--store", pg_url)
    assert status == 0 and first
    cache = os.environ["SESSIONSCOPE_CACHE_DIR"]
    mirrored = [
        os.path.join(d, f) for d, _, fs in os.walk(cache) for f in fs if f.endswith(".jsonl")
    ]
    assert mirrored
    for file in mirrored:
        assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    main = next(f for f in mirrored if f.endswith(f"{project}/{session_id}.jsonl"))
    with open(main, "rb") as handle:
        assert handle.read() == path.read_bytes()
    # A line appended in the store (by another writer) shows up; the mirror grew by it alone.
    extra = {"type": "custom-title", "customTitle": "renamed elsewhere", "sessionId": session_id}
    key = {"project_key": project, "session_id": session_id}

    async def append():
        async with PostgresSessionStore(pg_url) as store:
            await store.append(key, [extra])

    asyncio.run(append())
    status, out, _ = run(capsys, "list", "--json", "--store", pg_url)
    row = next(r for r in map(json.loads, out.splitlines()) if r["session_id"] == session_id)
    assert row["custom_title"] == row["summary"] == "renamed elsewhere"
    run(capsys, "show", session_id, "--store", pg_url)
    with open(main, "rb") as handle:
        grown = handle.read()
    assert grown.startswith(path.read_bytes()) and grown.endswith(
        b'"renamed elsewhere","sessionId":"' + session_id.encode() + b'"}\n'
    )


def test_export_and_replay_read_the_store(cli_transcripts, pg_url, tmp_path, capsys) -> None:
    config = str(cli_transcripts.config_dir)
    assert run(capsys, "push", "--all", "--config-dir", config, "--store", pg_url)[0] == 0
    session_id = cli_transcripts.path(next(iter(cli_transcripts.sessions))).stem
    for form in ("md", "json"):
        status, here, _ = run(
            capsys, "export", session_id, "--format", form, "--config-dir", config
        )
        status_store, there, err = run(
            capsys, "export", session_id, "--format", form, "--store", pg_url
        )
        assert status == status_store == 0, err
        assert there == here


def test_fork_through_the_store_leaves_the_source_alone(cli_transcripts, pg_url, capsys) -> None:
    config = str(cli_transcripts.config_dir)
    assert run(capsys, "push", "--all", "--config-dir", config, "--store", pg_url)[0] == 0
    path = cli_transcripts.path(next(iter(cli_transcripts.sessions)))
    session_id, project = path.stem, path.parent.name
    key = {"project_key": project, "session_id": session_id}

    async def texts(k):
        async with PostgresSessionStore(pg_url) as store:
            return await store.load_texts(k)

    before = asyncio.run(texts(key))
    status, out, err = run(capsys, "fork", session_id, "--title", "store fork", "--store", pg_url)
    assert status == 0, err
    new_id = out.strip()
    assert asyncio.run(texts(key)) == before
    forked = asyncio.run(texts({**key, "session_id": new_id}))
    assert forked and any('"store fork"' in text for text in forked)
    rows = listed(capsys, "--store", pg_url)
    assert rows[new_id]["forked_from"] == session_id
    assert rows[new_id]["summary"] == "store fork"
    status, shown, _ = run(capsys, "show", new_id, "--json", "--store", pg_url)
    assert status == 0 and len(shown.splitlines()) == rows[new_id]["message_count"] > 0


def test_unknown_session_and_commands_without_store_support(pg_url, capsys) -> None:
    status, _, err = run(capsys, "show", "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9", "--store", pg_url)
    assert status == 1 and err.startswith("sessionscope: no session 0a1b2c3d")
    status, _, err = run(capsys, "show", "nope", "--store", pg_url)
    assert status == 1 and "not a session id" in err
    status, _, err = run(capsys, "index", "--store", pg_url)
    assert status == 1 and "works on local transcripts" in err and "leave out --store" in err


def test_the_kept_listing_follows_every_change(cli_transcripts, pg_url, capsys) -> None:
    import psycopg

    config = str(cli_transcripts.config_dir)
    assert run(capsys, "push", "--all", "--config-dir", config, "--store", pg_url)[0] == 0
    first = run(capsys, "list", "--json", "--store", pg_url)[1]
    assert run(capsys, "list", "--json", "--store", pg_url)[1] == first  # kept, the same
    session_id = json.loads(first.splitlines()[0])["session_id"]
    with psycopg.connect(pg_url, autocommit=True) as connection:
        # Another writer's count (no new entry, so no new write time) shows all the same.
        connection.execute(
            """UPDATE claude_session_store_sessions
            SET counts = jsonb_set(counts, '{message_count}', '9999')
            WHERE session_id = %s AND subpath = ''""",
            [session_id],
        )
    rows = listed(capsys, "--store", pg_url)
    assert rows[session_id]["message_count"] == 9999
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute(
            "DELETE FROM claude_session_store_sessions WHERE session_id = %s", [session_id]
        )
    assert session_id not in listed(capsys, "--store", pg_url)


def test_a_cache_folder_that_cannot_be_made_is_one_line(
    cli_transcripts, pg_url, tmp_path, capsys, monkeypatch
) -> None:
    config = str(cli_transcripts.config_dir)
    assert run(capsys, "push", "--all", "--config-dir", config, "--store", pg_url)[0] == 0
    session_id = cli_transcripts.path(next(iter(cli_transcripts.sessions))).stem
    taken = tmp_path / "a-file"
    taken.write_text("not a folder")
    monkeypatch.setenv("SESSIONSCOPE_CACHE_DIR", str(taken))
    for argv in (("show", session_id), ("export", session_id, "--format", "md"), ("stats",)):
        status, out, err = run(capsys, *argv, "--store", pg_url)
        assert status == 1 and out == ""
        assert err.startswith(f"sessionscope: cannot make the cache folder {taken}")
        assert err.count("\n") == 1
    assert taken.read_text() == "not a folder"


def test_keys_written_by_others_never_reach_the_terminal_raw(pg_url, capsys) -> None:
    """An SDK app (or a teammate sharing with you) writes any key: its session id is text
    from the store, made visible as transcript text is."""
    hostile = "cccccccc-0000-4000-8000-000000000003\x1b]52;c;QQ==\x07\x1b[2J"
    common = {"sessionId": hostile, "timestamp": "2026-03-01T00:00:00.000Z"}
    entries = [
        {**common, "type": "user", "uuid": "u1", "parentUuid": None,
         "message": {"role": "user", "content": "findme"}},
        {**common, "type": "assistant", "uuid": "a1", "parentUuid": "u1",
         "message": {"id": "m", "role": "assistant", "content": [{"type": "text", "text": "ok"}]}},
    ]  # fmt: skip

    async def write() -> None:
        async with PostgresSessionStore(pg_url) as store:
            await store.append({"project_key": "-w", "session_id": hostile}, entries)

    asyncio.run(write())
    for argv in (("list",), ("search", "findme")):
        status, out, err = run(capsys, *argv, "--store", pg_url)
        assert status == 0, err
        assert "cccccccc" in out and "\x1b" not in out and "\x07" not in out


def test_a_first_prompt_past_64_kib_is_titled_as_locally(tmp_path, pg_url, capsys) -> None:
    """The SDK's read finds no title in the first 64 KiB; the local list takes the first
    message's text instead, and so must the store's (not "(no prompt yet)")."""
    from tests.helpers.entries import SESSION_ID, assistant, dumps, user

    config = tmp_path / "claude"
    folder = config / "projects" / "-w"
    folder.mkdir(parents=True)
    lines = [user("u1", None, "long " + "x" * 70_000), assistant("a1", "u1", "ok")]
    (folder / f"{SESSION_ID}.jsonl").write_bytes(b"".join(dumps(line) + b"\n" for line in lines))
    assert run(capsys, "index", "--config-dir", str(config))[0] == 0
    local = listed(capsys, "--config-dir", str(config))[SESSION_ID]
    assert local["summary"].startswith("long xxx")
    assert run(capsys, "push", "--all", "--config-dir", str(config), "--store", pg_url)[0] == 0
    stored = listed(capsys, "--store", pg_url)[SESSION_ID]
    assert stored["summary"] == local["summary"]
    status, out, _ = run(capsys, "list", "--store", pg_url)
    assert "long xxx" in out and "(no prompt yet)" not in out
    for where in (("--config-dir", str(config)), ("--store", pg_url)):
        status, out, err = run(capsys, "search", "ok", "--json", *where)
        assert status == 0, err
        assert json.loads(out)["title"] == local["summary"], where


def test_index_with_the_store_from_the_environment_says_what_to_unset(
    pg_url, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("SESSIONSCOPE_STORE", pg_url)
    status, _, err = run(capsys, "index")
    assert status == 1 and "works on local transcripts" in err
    assert "unset SESSIONSCOPE_STORE" in err and "leave out --store" not in err


def test_a_pushed_session_is_as_old_as_its_file(tmp_path, pg_url, capsys) -> None:
    """Pushing old sessions is not activity: the store lists each with its file's time, in
    that order, until something is written to it through the store (a rename: then, as a
    rename of the file does, the write's time)."""
    import time

    from tests.helpers.entries import assistant, dumps, user

    config = tmp_path / "claude"
    folder = config / "projects" / "-w"
    folder.mkdir(parents=True)
    old, older = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    when = {old: 1_775_000_000, older: 1_770_000_000}  # 2026-03-31, 2026-02-02 (seconds)
    for session_id, seconds in when.items():
        path = folder / f"{session_id}.jsonl"
        lines = [user("u1", None, f"hello from {session_id[:4]}"), assistant("a1", "u1", "hi")]
        path.write_bytes(
            b"".join(dumps({**line, "sessionId": session_id}) + b"\n" for line in lines)
        )
        os.utime(path, (seconds, seconds))
    assert run(capsys, "push", "--all", "--config-dir", str(config), "--store", pg_url)[0] == 0
    status, out, err = run(capsys, "list", "--json", "--store", pg_url)
    assert status == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(row["session_id"], row["last_modified"]) for row in rows] == [
        (old, when[old] * 1000),
        (older, when[older] * 1000),
    ]
    before = time.time() * 1000
    assert run(capsys, "rename", older, "renamed", "--store", pg_url)[0] == 0
    rows = [
        json.loads(line)
        for line in run(capsys, "list", "--json", "--store", pg_url)[1].splitlines()
    ]
    assert rows[0]["session_id"] == older and rows[0]["last_modified"] >= before - 1000


def test_a_push_records_the_file_time_a_store_made_before_lacks(tmp_path, pg_url, capsys) -> None:
    """Sessions pushed by a version that kept no file time list with their push's time; the
    next push, with nothing new to send, records it (and adds no entry)."""
    import psycopg

    from tests.helpers.entries import assistant, dumps, user

    config = tmp_path / "claude"
    folder = config / "projects" / "-w"
    folder.mkdir(parents=True)
    session_id = "33333333-3333-4333-8333-333333333333"
    path = folder / f"{session_id}.jsonl"
    lines = [user("u1", None, "an old session"), assistant("a1", "u1", "hi")]
    path.write_bytes(b"".join(dumps({**line, "sessionId": session_id}) + b"\n" for line in lines))
    os.utime(path, (1_770_000_000, 1_770_000_000))
    push = ("push", "--all", "--config-dir", str(config), "--store", pg_url)
    assert run(capsys, *push)[0] == 0
    with psycopg.connect(pg_url, autocommit=True) as connection:  # as an older version left it
        connection.execute(
            "UPDATE claude_session_store_sessions SET pushed = pushed - 'file_mtime' - 'at'"
        )
    [row] = [
        json.loads(line)
        for line in run(capsys, "list", "--json", "--store", pg_url)[1].splitlines()
    ]
    assert row["last_modified"] != 1_770_000_000_000
    status, _out, err = run(capsys, *push)
    assert status == 0 and "0 new entries" in err, err
    [row] = [
        json.loads(line)
        for line in run(capsys, "list", "--json", "--store", pg_url)[1].splitlines()
    ]
    assert row["last_modified"] == 1_770_000_000_000
