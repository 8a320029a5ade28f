"""An SDK app with ``session_store=PostgresSessionStore(...)``: the real Claude Code CLI (bundled
in the SDK wheel) against the fake Messages API mirrors its turns into a real PostgreSQL store,
and a second machine (an empty config folder) resumes the session from the store."""

from __future__ import annotations

import asyncio
import json

from claude_agent_sdk import get_session_messages_from_store

from sessionscope import cli
from sessionscope.stores import PostgresSessionStore
from tests.helpers import fakeapi
from tests.helpers.realcli import make_project, run_session, session_file


async def test_an_sdk_app_mirrors_into_the_store_and_resumes_from_it(
    fake_api, pg_url, tmp_path, capsys
) -> None:
    project = make_project(tmp_path / "work" / "teal", {"notes.txt": "teal\n"})
    fake_api.reply(fakeapi.text("Noted: teal."), when="remember the word teal")
    fake_api.reply(fakeapi.text("The word was teal."), when="which word")
    store = PostgresSessionStore(pg_url)
    machine_a = tmp_path / "machine-a"
    session_id, _ = await run_session(
        fake_api, machine_a, project, ["remember the word teal"], session_store=store
    )
    local = session_file(machine_a, session_id)
    project_key = local.parent.name
    key = {"project_key": project_key, "session_id": session_id}
    stored = await store.load(key)
    local_entries = [json.loads(line) for line in local.read_text().splitlines() if line.strip()]
    # The CLI mirrors the conversation's entries, in order (it keeps some bookkeeping of its
    # own, such as request shapes and costs, in the local file only).
    remaining = iter(local_entries)
    assert all(any(entry == local_entry for local_entry in remaining) for entry in stored)
    uuids = [e["uuid"] for e in local_entries if e.get("type") in ("user", "assistant")]
    assert [e["uuid"] for e in stored if e.get("type") in ("user", "assistant")] == uuids

    # Machine B has no transcript at all: the SDK loads the session from the store.
    machine_b = tmp_path / "machine-b"
    await run_session(
        fake_api,
        machine_b,
        project,
        ["which word did I ask you to remember?"],
        session_store=store,
        resume=session_id,
    )
    resumed = fake_api.message_requests[-1]
    assert "remember the word teal" in json.dumps(resumed.messages)  # the history came along
    messages = await get_session_messages_from_store(store.for_project(project_key), session_id)
    texts = json.dumps([m.message for m in messages])
    assert "Noted: teal." in texts and "The word was teal." in texts
    await store.close()

    # The same session through sessionscope's views of the store.
    # (in a thread: the commands run their own event loop)
    assert await asyncio.to_thread(cli.main, ["list", "--json", "--store", pg_url]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    row = next(r for r in rows if r["session_id"] == session_id)
    assert row["first_prompt"] == "remember the word teal"
    assert row["message_count"] == len(messages)
    assert await asyncio.to_thread(cli.main, ["show", session_id, "--store", pg_url]) == 0
    assert "The word was teal." in capsys.readouterr().out
