"""Faults: the server restarted or gone while in use. Reconnect on the next action, no
crash, nothing lost."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from sessionscope.stores import PostgresSessionStore, StoreUnavailable
from tests.helpers.pgserver import dump_store

ROOT = Path(__file__).resolve().parents[2]


def test_a_push_rides_out_a_server_restart(store_corpus, pg_server) -> None:
    restarted_url = pg_server.create_database("restarted_push")
    clean_url = pg_server.create_database("clean_push_2")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "sessionscope", "push", "--all"]
    command += ["--config-dir", str(store_corpus)]
    asyncio.run(PostgresSessionStore(restarted_url).list_sessions("x"))
    process = subprocess.Popen(
        [*command, "--store", restarted_url], env=env, stderr=subprocess.PIPE
    )
    with psycopg.connect(restarted_url, autocommit=True) as connection:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if connection.execute("SELECT count(*) FROM claude_session_store").fetchone()[0]:
                break
            time.sleep(0.02)
    assert process.poll() is None, "push finished before the restart"
    pg_server.restart()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert subprocess.run([*command, "--store", clean_url], env=env).returncode == 0
    assert dump_store(restarted_url) == dump_store(clean_url)


def test_a_server_gone_then_back(pg_server, pg_url) -> None:
    key = {"project_key": "p", "session_id": "s"}

    async def scenario():
        async with PostgresSessionStore(pg_url) as store:
            await store.append(key, [{"type": "x", "n": 1}])
            await asyncio.to_thread(pg_server.stop)
            try:
                with pytest.raises(StoreUnavailable) as gone:
                    await store.append(key, [{"type": "x", "n": 2}])
                message = str(gone.value)
                assert "\n" not in message and pg_server.password not in message
                assert message.startswith("store postgresql://postgres@127.0.0.1:")
            finally:
                await asyncio.to_thread(pg_server.start)
            await store.append(key, [{"type": "x", "n": 3}])
            return await store.load(key)

    started = time.monotonic()
    assert asyncio.run(scenario()) == [{"type": "x", "n": 1}, {"type": "x", "n": 3}]
    assert time.monotonic() - started < 30
