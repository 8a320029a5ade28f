"""A throwaway PostgreSQL server for the tests and benchmarks: Debian's ``initdb`` and
``pg_ctl`` (``/usr/lib/postgresql/*/bin``) in a temporary folder, listening on 127.0.0.1 at a
free port, with password (SCRAM) authentication for every TCP connection.

initdb refuses to run as root, so as root both run as the ``postgres`` user (``runuser``), and
the temporary folder belongs to that user. The superuser's password is random; roles made with
:meth:`PostgresServer.create_role` have the passwords given.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

SERVER_USER = "postgres"
"""The system user the server runs as when we are root (Debian's package makes it)."""


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has initdb and pg_ctl, or None."""
    found = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        folder = Path(initdb).parent
        version = folder.parent.name
        if (folder / "pg_ctl").exists() and version.split(".")[0].isdigit():
            found.append((int(version.split(".")[0]), folder))
    return max(found)[1] if found else None


def why_unavailable() -> str | None:
    """Why no server can be started here, or None when one can."""
    if find_bin_dir() is None:
        return "PostgreSQL's server is not installed (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One cluster in a temporary folder. ``start()``/``stop()``/``restart()``; ``url()``."""

    def __init__(self, *, durable: bool = False) -> None:
        """``durable``: PostgreSQL's own defaults (fsync on) instead of the tests' quick
        settings; the benchmarks measure that."""
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise RuntimeError(why_unavailable() or "no PostgreSQL")
        self.bin_dir = bin_dir
        self.durable = durable
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="sessionscope-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = _free_port()
        self.superuser = "postgres"
        self.password = secrets.token_hex(12)
        if self.as_root:
            owner = pwd.getpwnam(SERVER_USER)
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        os.chmod(self.folder, 0o700)
        password_file = self.folder / "pw"
        password_file.write_text(self.password + "\n")
        if self.as_root:
            os.chown(password_file, owner.pw_uid, owner.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            self.superuser,
            f"--pwfile={password_file}",
            "--auth-host=scram-sha-256",
            "--auth-local=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        password_file.unlink()
        self.running = False

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.folder)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed: {result.stderr.strip()}\n{log}")

    def start(self) -> None:
        # Durability is not what the tests measure: no fsync, so a test run stays quick.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder}"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start")
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.running = False

    def restart(self) -> None:
        """Stop and start again (every connection is cut), on the same port."""
        self.stop()
        self.start()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, user: str | None = None, password: str | None = None, db: str = "postgres"):
        """A libpq URL; the superuser's when no ``user`` is given. ``password=""`` leaves the
        password out (for tests of PGPASSWORD and ~/.pgpass)."""
        if user is None:
            user, password = self.superuser, self.password
        auth = quote(user, safe="")
        if password:
            auth += ":" + quote(password, safe="")
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{db}"

    def sql(self, statement: str, db: str = "postgres") -> list[tuple]:
        """Run one statement as the superuser (autocommit); its rows, if any."""
        import psycopg

        with psycopg.connect(self.url(db=db), autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def create_database(self, name: str) -> str:
        """A new empty database; its superuser URL."""
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(db=name)

    def create_role(self, name: str, password: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(password)
                )
            )

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def dump_store(url: str, table: str = "claude_session_store") -> dict:
    """Everything a store holds but its clocks and row ids: by key, the key's sizes, list
    fields, counts, summary and push progress (less the write time it was made at), and its
    entries' texts in order."""
    import psycopg

    dumped = {}
    with psycopg.connect(url) as connection:
        keys = connection.execute(
            f"""SELECT id, project_key, session_id, subpath, size, meta, counts, summary,
                pushed - 'at'
            FROM "{table}_sessions" """
        ).fetchall()
        for key_id, project, session, subpath, *rest in keys:
            texts = connection.execute(
                f'SELECT entry::text FROM "{table}" WHERE key_id = %s ORDER BY seq', [key_id]
            ).fetchall()
            dumped[(project, session, subpath)] = (*rest, [text for (text,) in texts])
    return dumped
