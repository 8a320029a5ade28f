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
    from tests.helpers.corpus import generate_corpus

    root = tmp_path_factory.mktemp("store-corpus") / "claude"
    return generate_corpus(root, seed=15, sessions=150, total_mb=24, big_mb=0, projects=6)
