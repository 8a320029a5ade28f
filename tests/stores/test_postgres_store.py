"""PostgresSessionStore against a real server: the SDK's conformance kit, and what the kit
does not check (exact text, order, idempotent uuids, the SDK's readers on top)."""

from __future__ import annotations

import asyncio
import itertools

import psycopg
import pytest
from claude_agent_sdk import (
    fork_session_via_store,
    get_session_messages_from_store,
    list_sessions_from_store,
)
from claude_agent_sdk.testing import run_session_store_conformance

from sessionscope import cli
from sessionscope.stores import PostgresSessionStore, display_url
from tests.helpers.pgserver import dump_store

_tables = itertools.count(1)


async def test_passes_the_sdk_conformance_kit(pg_url) -> None:
    made: list[PostgresSessionStore] = []

    def make_store() -> PostgresSessionStore:
        store = PostgresSessionStore(pg_url, table=f"conformance_{next(_tables)}")
        made.append(store)
        return store

    try:
        await run_session_store_conformance(make_store)
    finally:
        for store in made:
            await store.close()
    assert len(made) >= 14  # every contract ran, optional ones included


async def test_entries_come_back_as_written_in_order(pg_url) -> None:
    key = {"project_key": "p", "session_id": "s"}
    # Key order, spacing and escapes are kept byte for byte (json, not jsonb), and so is
    # \u0000, which jsonb refuses.
    texts = [
        '{"type":"user","uuid":"u1","z":1,"a":{"y":2,"b":3}}',
        '{"uuid":"u2", "type":"assistant","text":"nul \\u0000 and \\ud83d\\ude00"}',
        '{"type":"custom-title","customTitle":"t"}',
    ]
    async with PostgresSessionStore(pg_url) as store:
        assert await store.append_texts(key, [text.encode() for text in texts], None) == 3
        assert await store.load_texts(key) == texts
        loaded = await store.load(key)
    assert loaded[1]["text"] == "nul \x00 and \U0001f600"
    assert [entry["type"] for entry in loaded] == ["user", "assistant", "custom-title"]


async def test_uuid_is_the_idempotency_key_and_other_entries_are_kept(pg_url) -> None:
    key = {"project_key": "p", "session_id": "s"}
    one = {"type": "user", "uuid": "u1", "n": 1}
    title = {"type": "custom-title", "customTitle": "again"}
    async with PostgresSessionStore(pg_url) as store:
        await store.append(key, [one, title])
        await store.append(key, [one, {**one, "uuid": "u2"}, title])
        assert await store.load(key) == [one, title, {**one, "uuid": "u2"}, title]
        # The same uuid in another session, or in a subagent transcript, is another entry.
        await store.append({**key, "session_id": "t"}, [one])
        await store.append({**key, "subpath": "subagents/agent-1"}, [one])
        assert await store.load({**key, "session_id": "t"}) == [one]


async def test_mtime_grows_with_every_append(pg_url) -> None:
    key = {"project_key": "p", "session_id": "s"}
    async with PostgresSessionStore(pg_url) as store:
        seen = []
        for n in range(5):
            await store.append(key, [{"type": "x", "n": n}])
            seen.append((await store.list_sessions("p"))[0]["mtime"])
    assert seen == sorted(set(seen))


async def test_the_sdk_reads_and_forks_through_it(pg_url) -> None:
    session = "0b7c2f6e-64d3-4b8e-9f49-4a4b0c1d2e3f"
    u1, a1 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    common = {"sessionId": session, "cwd": "/w", "isSidechain": False}
    entries = [
        {
            **common,
            "type": "user",
            "uuid": u1,
            "parentUuid": None,
            "timestamp": "2026-01-01T10:00:00.000Z",
            "message": {"role": "user", "content": "hello store"},
        },
        {
            **common,
            "type": "assistant",
            "uuid": a1,
            "parentUuid": u1,
            "timestamp": "2026-01-01T10:00:01.000Z",
            "message": {
                "role": "assistant",
                "id": "m1",
                "content": [{"type": "text", "text": "hi"}],
            },
        },
    ]
    async with PostgresSessionStore(pg_url) as store:
        scoped = store.for_project("-w")
        await store.append({"project_key": "-w", "session_id": session}, entries)
        messages = await get_session_messages_from_store(scoped, session)
        assert [m.uuid for m in messages] == [u1, a1]
        listed = await list_sessions_from_store(scoped)
        assert [info.session_id for info in listed] == [session]
        assert listed[0].first_prompt == "hello store"
        fork = await fork_session_via_store(scoped, session, up_to_message_id=a1, title="f")
        forked = await get_session_messages_from_store(scoped, fork.session_id)
        assert len(forked) == 2 and forked[0].uuid != u1
        # The source is never changed.
        assert await store.load({"project_key": "-w", "session_id": session}) == entries


async def test_a_restarted_server_is_reconnected_on_the_next_call(pg_server, pg_url) -> None:
    key = {"project_key": "p", "session_id": "s"}
    async with PostgresSessionStore(pg_url) as store:
        await store.append(key, [{"type": "x", "n": 1}])
        await asyncio.to_thread(pg_server.restart)
        await store.append(key, [{"type": "x", "n": 2}])
        assert await store.load(key) == [{"type": "x", "n": 1}, {"type": "x", "n": 2}]


def test_passwords_never_show(pg_server) -> None:
    assert display_url("postgresql://alice:s3cret@h:5/db") == "postgresql://alice@h:5/db"
    assert display_url("host=h password=s3cret user=a") == "host=h password=*** user=a"
    store = PostgresSessionStore(pg_server.url("postgres", "s3cret-wrong"))
    assert "s3cret" not in repr(store)
    with pytest.raises(Exception) as caught:
        asyncio.run(store.list_sessions("p"))
    assert "s3cret" not in str(caught.value)
    assert "password authentication failed" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://alice:s3cret@[bad/db",  # an IPv6 host not closed: urlsplit refuses it
        "postgresql://alice:s3cret@[::1/db?sslmode=disable",
        "postgresql://alice:s3%63ret@[bad/db",  # the password as written is "s3%63ret"
    ],
)
def test_a_malformed_url_is_one_line_without_its_password(url, capsys) -> None:
    assert "s3cret" not in display_url(url) and "s3%63ret" not in display_url(url)
    assert cli.main(["list", "--store", url]) == 2  # like any store that cannot be reached
    err = capsys.readouterr().err
    assert err.startswith("sessionscope: store postgresql://alice@[")
    assert err.count("\n") == 1 and "s3cret" not in err and "s3%63ret" not in err


def test_bad_table_names_are_refused(pg_url) -> None:
    with pytest.raises(ValueError, match="table name"):
        PostgresSessionStore(pg_url, table='x"; DROP TABLE y; --')
    with psycopg.connect(pg_url) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


async def test_nul_and_lone_surrogates_in_a_first_prompt_do_not_stop_append(pg_url) -> None:
    key = {"project_key": "p", "session_id": "s"}
    prompt = {
        "type": "user",
        "uuid": "u1",
        "timestamp": "2026-01-01T10:00:00.000Z",
        "message": {"role": "user", "content": "a\x00b \ud800 c"},
    }
    async with PostgresSessionStore(pg_url) as store:
        await store.append(key, [prompt])
        assert await store.load(key) == [prompt]
        [summary] = await store.list_session_summaries("p")
    assert "\x00" not in str(summary["data"])


async def test_delete_leaves_no_entry_behind(pg_url) -> None:
    key = {"project_key": "p", "session_id": "s"}
    async with PostgresSessionStore(pg_url) as store:
        await store.append(key, [{"type": "x", "n": 1}])
        await store.append({**key, "subpath": "subagents/agent-1"}, [{"type": "x", "n": 2}])
        await store.append({**key, "session_id": "kept"}, [{"type": "x", "n": 3}])
        await store.delete(key)
    assert {key: entries for key, (*_, entries) in dump_store(pg_url).items()} == {
        ("p", "kept", ""): ['{"type":"x","n":3}']
    }
