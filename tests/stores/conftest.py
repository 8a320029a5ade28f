"""The PostgreSQL server the store tests share: one cluster for the whole test session
(``tests/pgserver.py``), a fresh database for each test that asks for one."""

from __future__ import annotations

import itertools

import pytest

from tests.pgserver import PostgresServer, why_unavailable

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
