"""The test server itself: a real PostgreSQL on loopback, password authentication."""

from __future__ import annotations

import psycopg
import pytest


def test_server_answers_on_loopback_with_a_password(pg_server, pg_url) -> None:
    with psycopg.connect(pg_url) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        listen = connection.execute("SHOW listen_addresses").fetchone()[0]
    assert version.split(".")[0].isdigit()
    assert listen == "127.0.0.1"
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(pg_server.url("postgres", "wrong"))


def test_each_test_gets_its_own_database(pg_server, pg_url) -> None:
    with psycopg.connect(pg_url) as connection:
        connection.execute("CREATE TABLE mine (n int)")
    other = pg_server.create_database("another_one")
    with psycopg.connect(other) as connection:
        tables = connection.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'mine'")
        assert tables.fetchone()[0] == 0
