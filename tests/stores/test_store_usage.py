"""Token usage through a store: ``stats --store`` and the explorer's usage screen count every
transcript the role may read, exactly as the same transcripts count locally, and count again
only what changed (a real PostgreSQL server, generated transcripts with forks, subagents and
torn lines)."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from sessionscope import cli
from sessionscope.stores import PostgresSessionStore
from sessionscope.stores.explorer import StoreExplorer


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def stats(capsys, *argv: str) -> list[dict]:
    """``stats --json`` rows, each cost compared to a few micro-dollars (a sum's last digit
    depends on the order the responses were added in)."""
    status, out, err = run(capsys, "stats", "--json", *argv)
    assert status == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    for row in rows:
        if row["cost_usd"] is not None:
            row["cost_usd"] = pytest.approx(row["cost_usd"], abs=5e-6)
    return rows


@pytest.fixture
def pushed(store_corpus: Path, pg_url: str, capsys, tmp_path: Path):
    """A copy of the generated corpus, pushed whole into a new store."""
    config = tmp_path / "claude"
    shutil.copytree(store_corpus, config)
    status, _out, err = run(capsys, "push", "--all", "--config-dir", str(config), "--store", pg_url)
    assert status == 0, err
    return config, pg_url


def test_stats_through_the_store_are_the_local_stats(pushed, capsys) -> None:
    config, url = pushed
    for by in ("session", "model", "day", "project"):
        local = stats(capsys, "--by", by, "--config-dir", str(config))
        stored = stats(capsys, "--by", by, "--store", url)
        assert stored == local, by
    total = stats(capsys, "--config-dir", str(config))
    assert total[0]["responses"] > 100  # the corpus has usage to count
    assert stats(capsys, "--store", url) == total


def test_only_a_changed_transcript_is_counted_again(pushed, capsys, monkeypatch) -> None:
    config, url = pushed
    before = stats(capsys, "--by", "session", "--store", url)
    session = max(before, key=lambda row: row["responses"])["key"]
    fetched: list[list[int]] = []
    reading = PostgresSessionStore.usage_lines

    async def counted(self, key_ids, head):
        fetched.append(list(key_ids))
        return await reading(self, key_ids, head)

    monkeypatch.setattr(PostgresSessionStore, "usage_lines", counted)
    assert stats(capsys, "--by", "session", "--store", url) == before
    assert fetched == []  # every key was current in the cache

    entry = {
        "type": "assistant",
        "uuid": "0f0f0f0f-1111-4111-8111-111111111111",
        "sessionId": session,
        "cwd": "/w",
        "timestamp": "2099-01-01T00:00:00.000Z",
        "message": {
            "role": "assistant",
            "id": "msg_appended_in_the_store",
            "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": "one more answer"}],
            "usage": {"input_tokens": 1000, "output_tokens": 7},
        },
    }

    async def append():
        async with PostgresSessionStore(url) as store:
            (project,) = [
                row[1] for row in (await store.usage_keys())[1] if row[2] == session and not row[3]
            ]
            await store.append({"project_key": project, "session_id": session}, [entry])

    asyncio.run(append())
    after = {row["key"]: row for row in stats(capsys, "--by", "session", "--store", url)}
    assert [len(ids) for ids in fetched] == [1]  # that session's main transcript alone
    was = {row["key"]: row for row in before}[session]
    assert after[session]["responses"] == was["responses"] + 1
    assert after[session]["input_tokens"] == was["input_tokens"] + 1000
    assert after[session]["output_tokens"] == was["output_tokens"] + 7
    assert {k: v for k, v in after.items() if k != session} == {
        k: v for k, v in {row["key"]: row for row in before}.items() if k != session
    }


def test_a_store_that_does_not_answer_is_one_line(capsys) -> None:
    status, out, err = run(capsys, "stats", "--store", "postgresql://nobody@127.0.0.1:1/none")
    assert status == 2 and out == ""
    assert err.startswith("sessionscope: ") and err.count("\n") == 1


async def test_the_explorers_usage_screen_counts_every_stored_session(pushed, capsys) -> None:
    from sessionscope.tui.app import make_app
    from sessionscope.tui.screens.usage import UsageScreen

    config, url = pushed
    (total,) = stats(capsys, "--config-dir", str(config))
    explorer = StoreExplorer(url)
    assert explorer.connect() == ""
    try:
        app = make_app(explorer.config_dir, store=explorer)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(200):
                if app.main_screen.session_list.sessions:
                    break
                await pilot.pause(0.05)
            await pilot.press("$")
            for _ in range(400):
                screen = app.screen
                if isinstance(screen, UsageScreen) and "All sessions" in str(
                    screen.query_one("#usage-summary").render()
                ):
                    break
                await pilot.pause(0.05)
            # Nothing was opened (no session is mirrored): the count is the store's.
            summary = str(app.screen.query_one("#usage-summary").render())
            assert f"{total['responses']:,} responses" in summary
    finally:
        explorer.close()
