"""The index's SQLite file: opened private, rebuilt when corrupt, skipped when locked.

The file lives in the user's cache folder (``paths.cache_dir()``), mode 0600 (it holds every
word of every transcript). A file that is not a database, or one of another format, is deleted
and built again; a database locked by another process past a wait, or one that cannot be
written where it is (a full disk), leaves the operation undone (it is tried again next time).
None is an error for the caller: :attr:`Database.problem` says what happened, for a status
line.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from .paths import CACHE_FILE_MODE, cache_dir, ensure_cache_dir

__all__ = ["DB_NAME", "Database"]

DB_NAME = "index.sqlite3"

WAL_LIMIT_BYTES = 16 << 20
"""The size the write-ahead log is cut back to once its pages are in the file."""

SCHEMA_VERSION = 2
"""Bump when the tables change."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    root TEXT NOT NULL,
    project TEXT NOT NULL,
    session_id TEXT,
    agent_id TEXT,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    indexed_to INTEGER NOT NULL,
    line_count INTEGER NOT NULL,
    ends_open INTEGER NOT NULL,
    tail BLOB NOT NULL,
    meta BLOB,
    title TEXT,
    git_branch TEXT,
    tag TEXT,
    cwd TEXT
);
CREATE INDEX IF NOT EXISTS files_by_root ON files (root, path, size, mtime_ns, inode);
CREATE TABLE IF NOT EXISTS folders (
    path TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS folders_by_root ON folders (root);
CREATE TABLE IF NOT EXISTS listings (
    root TEXT NOT NULL,
    project TEXT NOT NULL,
    made_from BLOB NOT NULL,
    text BLOB NOT NULL,
    PRIMARY KEY (root, project)
);
CREATE INDEX IF NOT EXISTS files_by_session ON files (root, session_id, agent_id);
CREATE TABLE IF NOT EXISTS entries (
    file_id INTEGER NOT NULL,
    first_entry INTEGER NOT NULL,
    entries BLOB NOT NULL,
    PRIMARY KEY (file_id, first_entry)
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id INTEGER NOT NULL,
    uuid TEXT,
    type TEXT NOT NULL,
    role TEXT NOT NULL,
    timestamp TEXT,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    tools TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_file ON messages (file_id);
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5 (
    text, content='', tokenize='unicode61 remove_diacritics 2'
);
"""
"""``files``: one row a transcript (sessions and subagents), with the file's size, mtime and
inode when last read, how far it was read (``indexed_to``: whole lines only), the last bytes
read (``tail``: a file whose bytes there changed was rewritten) and its list fields (``meta``,
JSON; ``NULL`` for no session; the ones search filters on and shows also in columns of their
own; ``files_by_root`` holds what a catch-up compares, so it reads no row). ``folders``:
the mtime of every folder the last walk of a root listed (``0``: too recent to trust), so that a
catch-up walks again only when one changed. ``listings``: the last ``list --json`` of a root
(and ``--project``), with what it was made from (``Index.listing``). ``entries``: a file's light entries (MessagePack), for the chain walk after an append; a
table of their own, so that listing the files never reads past them; one row, or, while a big
file is read a piece at a time, a row a piece (``first_entry``: the index of its first). ``messages``: one row a
user or assistant entry, where its line is (``offset``,
``length``) and the fields search filters on; ``messages_fts`` its words, by the same rowid. The
full-text table keeps no copy of the text (``content=''``): snippets are read back from the
transcript, and so are the words of a message that goes while its line is still there (SQLite
before 3.43 deletes from such a table only given the text: ``index._drop_messages``). The words
of a file gone or rewritten behind the index's back stay until the next compaction, matched by
no ``messages`` row: ``AUTOINCREMENT`` keeps their rowids from being given to new messages."""

T = TypeVar("T")


def _source_digest() -> str:
    """A digest of the code that decides what is stored (the ``transcripts`` package, and the
    index's reading and table code): what an older reader stored may differ (a field
    read another way), so a change of it starts the index afresh. (Searching is not in it.)"""
    here = Path(__file__).resolve().parent
    sources = sorted((here.parent / "transcripts").glob("*.py"))
    sources += [here / name for name in ("db.py", "index.py")]
    digest = 0
    for path in sources:
        with contextlib.suppress(OSError):
            digest = zlib.crc32(path.read_bytes(), zlib.crc32(path.name.encode(), digest))
    return f"{digest:08x}"


def index_format() -> str:
    return f"{SCHEMA_VERSION}|{_source_digest()}"


def _is_locked(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


UNWRITABLE = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")
"""SQLite's errors (and their extended codes) that say the file cannot be written or read
where it is (a full disk, a read-only or failing one), not that it is corrupt: deleting it
would lose the index for nothing (a full disk then filled up again, and deleted again)."""


def _is_unwritable(error: sqlite3.Error) -> bool:
    return (getattr(error, "sqlite_errorname", None) or "").startswith(UNWRITABLE)


def _remove_db_files(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def _in_read(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """``work(conn)`` in a read transaction: its reads see one state of the file."""
    conn.execute("BEGIN")
    try:
        return work(conn)
    finally:
        conn.execute("COMMIT")


class Database:
    """The index file, for the threads of a process. Writes go through one connection, a
    thread at a time (a lock; a :meth:`batch` holds it for its writes). A read never waits for
    a write: while one holds the write connection, a read from another thread goes through a
    connection of its own (SQLite's WAL gives it what was committed when it began)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, busy_ms: int = 5000):
        self.path = Path(path) if path is not None else cache_dir() / DB_NAME
        self.busy_ms = busy_ms
        self.problem: str | None = None
        """Why the index was rebuilt or an operation skipped; else ``None``."""
        self.rebuilt = False
        """The file was corrupt or of another format and was started afresh."""
        self.unwritten = False
        """A write could not be made where the file is (a full disk...): the index lags."""
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._batching = False
        self._writer: int | None = None
        """The thread writing (holding the lock to write): its reads see its writes."""
        self._readers: list[sqlite3.Connection] = []
        """Read connections not in use (one is taken for each read, and given back)."""
        self._readers_lock = threading.Lock()
        self._generation = 0
        """Bumped when the connections are closed (a rebuild, :meth:`close`): a read
        connection taken out before is closed when it is given back."""
        try:
            self._conn = self._connect()
        except sqlite3.Error as error:
            if _is_locked(error):
                self.problem = f"index busy ({error})"
            elif _is_unwritable(error):
                self.problem = f"index unusable ({error})"
            else:
                self._rebuild(f"index unreadable ({error}); rebuilt")
        except OSError as error:
            self.problem = f"index folder unusable ({error})"

    @property
    def enabled(self) -> bool:
        return self._conn is not None

    def _connect(self) -> sqlite3.Connection:
        path = str(self.path)
        ensure_cache_dir(self.path.parent)
        if not os.path.exists(path):
            # Created private before SQLite does (it would use 0644 minus the umask); SQLite
            # gives its -wal and -shm files the database file's mode.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, CACHE_FILE_MODE))
        if (os.stat(path).st_mode & 0o777) != CACHE_FILE_MODE:
            os.chmod(path, CACHE_FILE_MODE)
        conn = sqlite3.connect(
            path, timeout=self.busy_ms / 1000, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # The write-ahead log is reused, never shrunk, while the file is open: without a
            # limit it keeps the size of the biggest transaction since (a VACUUM's: the file's).
            conn.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
            wanted = index_format()
            try:
                row = conn.execute("SELECT value FROM info WHERE key = 'format'").fetchone()
            except sqlite3.OperationalError:  # no such table: a new file
                row = None
            if row is None or row[0] != wanted:
                # The old tables' pages are freed without zeros written over each first (this
                # SQLite's default: 1 s for a 150 MB index, before the explorer's first paint),
                # and the file is written anew without them below; deleting zeroes them again
                # after (a deleted session's words do not stay in the file).
                (secure,) = conn.execute("PRAGMA secure_delete").fetchone()
                conn.execute("PRAGMA secure_delete = 0")
                conn.execute("BEGIN IMMEDIATE")
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name IN ('info', 'files', 'folders', 'listings', 'entries', 'messages', "
                    "'messages_fts')"
                ).fetchall():
                    conn.execute(f"DROP TABLE {name}")
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                # Merge the full-text segments 8 at a time, not 4: a first build spends less
                # time merging, and queries stay as quick.
                conn.execute(
                    "INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 8)"
                )
                conn.execute("INSERT INTO info VALUES ('format', ?)", (wanted,))
                conn.execute("COMMIT")
                conn.execute(f"PRAGMA secure_delete = {int(secure)}")
                if row is not None:
                    self.rebuilt = True
                    # The dropped tables' pages would stay in the file as free pages: an index
                    # of another format left the file at the bigger of the two sizes. Nothing
                    # is in it yet, so this is quick. Should another process's write be in the
                    # way, it is skipped (the build then fills the free pages first).
                    with contextlib.suppress(sqlite3.OperationalError):
                        conn.execute("VACUUM")
        except BaseException:
            conn.close()
            raise
        return conn

    def _rebuild(self, reason: str) -> None:
        """Delete a corrupt index and start an empty one (or go without, if that fails)."""
        self._close_connections()
        self.problem = reason
        self.rebuilt = True
        try:
            _remove_db_files(str(self.path))
            self._conn = self._connect()
        except (sqlite3.Error, OSError) as error:
            self.problem = f"{reason}; rebuilding failed ({error})"

    def run(self, work: Callable[[sqlite3.Connection], T], default: T, *, write: bool = False) -> T:
        """``work(connection)``: when it writes, in a transaction (inside a :meth:`batch`, the
        batch's: a write that fails takes the batch's writes back with it); when it reads, in
        a read transaction of its own (the writing thread's reads: with its writes), on the
        write connection when no write holds it, else beside it on a connection of its own.
        ``default`` when the index is unusable or locked (the reason in :attr:`problem`); a
        corrupt file is rebuilt."""
        me = threading.get_ident()
        if write or self._writer == me:
            self._lock.acquire()
        elif not self._lock.acquire(blocking=False):
            return self._read(work, default)
        try:
            if self._conn is None:
                return default
            conn = self._conn
            writer, self._writer = self._writer, me
            try:
                if not write:
                    return work(conn) if conn.in_transaction else _in_read(conn, work)
                if self._batching:
                    return self._in_batch(conn, work)
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                return result
            except sqlite3.Error as error:
                self._failed(error)
                return default
            finally:
                self._writer = writer
        finally:
            self._lock.release()

    @staticmethod
    def _in_batch(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return work(conn)
        except BaseException:
            # No savepoint for each write: the full-text table writes its pending words out
            # as a new segment at every savepoint. The batch's transaction goes instead, and
            # a new one starts.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute("BEGIN IMMEDIATE")
            raise

    def _read(self, work: Callable[[sqlite3.Connection], T], default: T) -> T:
        generation = self._generation
        if self._conn is None:
            return default
        conn: sqlite3.Connection | None = None
        try:
            with self._readers_lock:
                conn = self._readers.pop() if self._readers else None
            if conn is None:
                # The file as it is: never one created here (a rebuild may be deleting it).
                conn = sqlite3.connect(
                    f"{Path(os.path.abspath(self.path)).as_uri()}?mode=rw",
                    uri=True,
                    timeout=self.busy_ms / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                )
            return _in_read(conn, work)
        except sqlite3.Error as error:
            if conn is not None:
                conn.close()
                conn = None
            with self._lock:
                if generation == self._generation and self._conn is not None:
                    self._failed(error)
            return default
        finally:
            if conn is not None:
                with self._readers_lock:
                    if generation == self._generation:
                        self._readers.append(conn)
                        conn = None
                if conn is not None:
                    conn.close()

    def _failed(self, error: sqlite3.Error) -> None:
        if _is_locked(error):
            self.problem = f"index busy ({error}); skipped"
        elif _is_unwritable(error):
            self.problem = f"index not written ({error}); skipped"
            self.unwritten = True
        else:
            self._batching = False
            self._rebuild(f"index corrupt ({error}); rebuilt")

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Writes made meanwhile (by this thread; other writers wait) share one transaction:
        many small files are written in a fraction of the time. Each write is whole or not
        there: one that fails takes the batch's earlier writes with it (they are made again by
        the next catch-up), and the batch goes on in a new transaction."""
        with self._lock:
            if self._conn is None or self._batching:
                yield
                return
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                self._failed(error)
                yield
                return
            self._batching = True
            writer, self._writer = self._writer, threading.get_ident()
            try:
                yield
            finally:
                self._batching = False
                self._writer = writer
                if self._conn is not None and self._conn.in_transaction:
                    try:
                        self._conn.execute("COMMIT")
                    except sqlite3.Error as error:
                        self._failed(error)

    def vacuum(self) -> None:
        """Give the file's free pages back (``VACUUM``: the file written anew, about a second
        for a 150 MB index), and empty the write-ahead log it went through (it would keep
        the size of the whole file). Busy (another process writing): skipped, as any write."""
        with self._lock:
            if self._conn is None or self._batching:
                return
            try:
                self._conn.execute("VACUUM")
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as error:
                self._failed(error)

    def rows(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """Every row of a query (``[]`` when the index is unusable)."""
        return self.run(lambda conn: conn.execute(sql, parameters).fetchall(), [])

    def _close_connections(self) -> None:
        """Close the write connection and the read connections not in use (those in use are
        closed when given back: they are of an older generation)."""
        with self._readers_lock:
            self._generation += 1
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self._close_connections()
