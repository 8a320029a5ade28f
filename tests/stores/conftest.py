"""The PostgreSQL server the store tests share: one cluster for the whole test session
(``tests/helpers/pgserver.py``), a fresh database for each test that asks for one."""

from __future__ import annotations

import itertools

import pytest

from tests.helpers.pgserver import PostgresServer, why_unavailable

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server():
    """A running PostgreSQL server (skips the test with the reason when there is none)."""
    reason = why_unavailable()
    if reason:
        pytest.skip(reason)
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """The superuser's URL of a new empty database, this test's own."""
    return pg_server.create_database(f"test_{next(_database_numbers)}")


@pytest.fixture(scope="session")
def store_corpus(tmp_path_factory: pytest.TempPathFactory):
    """150 generated sessions, about 24 MB (forks, rewinds, compaction, subagents, torn and
    bad lines: ``benchmarks/corpus.py``), made once; read-only: copy it to change it."""
    from tests.index.conftest import _corpus_module

    corpus = _corpus_module()
    root = tmp_path_factory.mktemp("store-corpus") / "claude"
    params = corpus.CorpusParams(seed=15, sessions=150, total_mb=24, big_mb=0, projects=6)
    corpus.ensure_corpus(params, root=root, quiet=True)
    return root


def dump_store(url: str, table: str = "claude_session_store") -> dict:
    """Everything a store holds but its clocks and row ids: by key, the key's sizes, list
    fields, counts, summary and push progress, and its entries' texts in order."""
    import psycopg

    dumped = {}
    with psycopg.connect(url) as connection:
        keys = connection.execute(
            f"""SELECT id, project_key, session_id, subpath, size, meta, counts, summary, pushed
            FROM "{table}_sessions" """
        ).fetchall()
        for key_id, project, session, subpath, *rest in keys:
            texts = connection.execute(
                f'SELECT entry::text FROM "{table}" WHERE key_id = %s ORDER BY seq', [key_id]
            ).fetchall()
            dumped[(project, session, subpath)] = (*rest, [text for (text,) in texts])
    return dumped
