"""The metadata cache: one SQLite file in the user's cache folder.

One row per transcript file, keyed by its path and validated by its size, mtime (ns) and inode:
when all three still match, the stored :class:`SessionMeta` is the file's; when any differs,
the file is read again. A row holds two versions of the metadata: ``lite`` (the head and tail
read, what the SDK lists) and ``full`` (with the message count, which reads the whole file),
the latter only once somebody asked for it. A file that is no session (``read_session_meta``
gave ``None``) is remembered too (a ``None`` blob), so it is not read again either.

The cache is only ever an accelerator. A corrupt file is deleted and rebuilt; a database locked
by another process past a short wait, or a folder that cannot be written, leaves the store
*disabled* (every lookup misses, nothing is written) with the reason in :attr:`MetaStore.problem`.
None of these is ever an error for the caller. WAL mode lets several processes read while one
writes; writers wait for each other up to ``busy_timeout_ms``.

Beside the rows, a *listing* holds a whole answer of ``Catalog.refresh`` (the sessions in order,
forks inferred), stored with the walk it was made from: every file's path, size, mtime and
inode, in directory order. While a new walk gives the very same bytes, the listing is that walk's
answer, and a warm list is one walk, one comparison and one blob (see ``Catalog.refresh``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import zlib
from collections import namedtuple
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from .paths import CACHE_FILE_MODE, cache_dir, ensure_cache_dir

if TYPE_CHECKING:
    from ..transcripts.model import SessionMeta

DB_NAME = "catalog.sqlite3"

SCHEMA_VERSION = 6
"""Bump when the tables change."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS session_meta (
    path TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    counted INTEGER NOT NULL,
    lite BLOB,
    full BLOB
);
CREATE INDEX IF NOT EXISTS session_meta_by_root ON session_meta (root);
CREATE TABLE IF NOT EXISTS listing (
    root TEXT NOT NULL,
    project TEXT NOT NULL,
    counted INTEGER NOT NULL,
    paths BLOB NOT NULL,
    walk BLOB NOT NULL,
    sessions BLOB NOT NULL,
    PRIMARY KEY (root, project, counted)
);
CREATE TABLE IF NOT EXISTS listing_json (
    root TEXT NOT NULL,
    project TEXT NOT NULL,
    walk BLOB NOT NULL,
    json BLOB NOT NULL,
    PRIMARY KEY (root, project)
);
"""


def _reader_digest() -> str:
    """A digest of the transcripts package's source: metadata cached by an older reader (which
    may have extracted a field differently) is dropped when the reader changes."""
    package = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "transcripts"
    )
    digest = 0
    try:
        for name in sorted(os.listdir(package)):
            if name.endswith(".py"):
                with open(os.path.join(package, name), "rb") as source:
                    digest = zlib.crc32(source.read(), zlib.crc32(name.encode(), digest))
    except OSError:
        return "unknown"
    return f"{digest:08x}"


def cache_format() -> str:
    """What a cache file must have been written with to be used as it is (the digest covers
    ``transcripts/model.py``, hence ``SessionMeta``'s fields, which the blobs store in order,
    and ``transcripts/text.py``, which makes the stored JSON lines safe)."""
    from .sessions_json import JSON_FIELDS

    return f"{SCHEMA_VERSION}|{_reader_digest()}|{','.join(JSON_FIELDS)}"


class FileKey(namedtuple("FileKey", "size mtime_ns inode")):
    """What identifies one version of a file: if any part changes, the file is read again.
    (``collections.namedtuple``s here: ``typing`` costs the warm ``list`` 2 ms to import.)"""

    __slots__ = ()

    @classmethod
    def of(cls, stat: os.stat_result) -> FileKey:
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ino)


class CachedRow(namedtuple("CachedRow", "key counted lite full")):
    """One file's cached answer. ``key``: its :class:`FileKey`; ``counted``: it was read with
    ``count_messages`` (``full`` holds that answer); ``lite``: the encoded lite SessionMeta
    (:func:`encode_meta`), ``None`` for no session to the SDK, :data:`LITE_IS_FULL` (a counted
    row) for ``full`` without its counts (see :func:`decode_lite`); ``full``: the encoded
    SessionMeta with its message count (when ``counted``), ``None`` otherwise or when the file
    is no session even counted."""

    __slots__ = ()


def meta_fields() -> tuple[str, ...]:
    """SessionMeta's fields, in order: a blob stores their values as one JSON array. (The model
    and its dataclasses are imported on first use: ``list --json`` served from a listing never
    builds one.)"""
    global _META_FIELDS
    if _META_FIELDS is None:
        from dataclasses import fields

        from ..transcripts.model import SessionMeta

        _META_FIELDS = tuple(f.name for f in fields(SessionMeta))
    return _META_FIELDS


_META_FIELDS: tuple[str, ...] | None = None


def _dumps(value: object) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        # A lone surrogate (the SDK reads a "\\ud800" escape as one): orjson refuses it; the
        # standard library writes it as that escape.
        import json

        return json.dumps(value).encode()


def _loads(blob: bytes) -> list:
    try:
        return orjson.loads(blob)
    except orjson.JSONDecodeError:
        import json

        return json.loads(blob)


def encode_meta(meta: SessionMeta | None) -> bytes | None:
    if meta is None:
        return None
    return _dumps([getattr(meta, name) for name in meta_fields()])


def decode_meta(blob: bytes | None) -> SessionMeta | None:
    if blob is None:
        return None
    from ..transcripts.model import SessionMeta

    return SessionMeta(*_loads(blob))


LITE_IS_FULL = b""
"""``CachedRow.lite`` of a counted row whose lite answer is its counted one without the counts
(``sessions.lite_meta``): the same bytes are not stored twice (a cold list's 2,000 rows wrote
2.5 MB, enough for SQLite to checkpoint its log in the middle of the save: 21 -> 8 ms)."""


def decode_lite(row: CachedRow) -> SessionMeta | None:
    """The lite SessionMeta of a row (``sessions.lite_meta`` of its full one, if so stored)."""
    if row.lite == LITE_IS_FULL and row.full is not None:
        from ..transcripts.sessions import lite_meta

        return lite_meta(decode_meta(row.full))
    return decode_meta(row.lite)


def encode_listing(metas: Iterable[SessionMeta]) -> bytes:
    """A list of sessions as one blob (each one as :func:`encode_meta` stores it)."""
    names = meta_fields()
    return _dumps([[getattr(meta, name) for name in names] for meta in metas])


def decode_listing(blob: bytes) -> list[SessionMeta]:
    from ..transcripts.model import SessionMeta

    return [SessionMeta(*values) for values in _loads(blob)]


def _is_locked(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _remove_db_files(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


class MetaStore:
    """SessionMeta rows in SQLite; every method is safe to call from any thread."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, busy_timeout_ms: int = 1000
    ) -> None:
        self._path = os.fspath(path) if path is not None else os.path.join(cache_dir(), DB_NAME)
        self.busy_timeout_ms = busy_timeout_ms
        self.problem: str | None = None
        """Why the cache is disabled or was rebuilt, for a status line or a log; else ``None``."""
        self.rebuilt = False
        """The file was found corrupt (or of another format) and started afresh."""
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._open()

    # -- opening -----------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return self._conn is not None

    @property
    def path(self) -> Path:
        """The cache file."""
        return Path(self._path)

    def _connect(self) -> sqlite3.Connection:
        path = self._path
        ensure_cache_dir(os.path.dirname(path) or ".")
        if not os.path.exists(path):
            # Create it private before SQLite does (SQLite would use 0644 minus the umask);
            # SQLite gives its -wal and -shm files the database file's mode.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, CACHE_FILE_MODE))
        if (os.stat(path).st_mode & 0o777) != CACHE_FILE_MODE:
            os.chmod(path, CACHE_FILE_MODE)
        conn = sqlite3.connect(
            path,
            timeout=self.busy_timeout_ms / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            # A new cache's pages are 64 KiB (set before the file gets its first page; a no-op
            # on an existing one): a cold list writes about 4 MB of rows, listing and JSON,
            # in 16 times fewer pages (rows, listing and the checkpoint at close: 25 -> 13 ms).
            conn.execute("PRAGMA page_size=65536")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            wanted = cache_format()
            row = conn.execute("SELECT value FROM info WHERE key = 'format'").fetchone()
            if row is None or row[0] != wanted:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("DELETE FROM session_meta")
                conn.execute("DELETE FROM listing")
                conn.execute("DELETE FROM listing_json")
                conn.execute("INSERT OR REPLACE INTO info VALUES ('format', ?)", (wanted,))
                conn.execute("COMMIT")
                if row is not None:
                    self.rebuilt = True
        except BaseException:
            conn.close()
            raise
        return conn

    def _open(self) -> None:
        try:
            self._conn = self._connect()
        except sqlite3.Error as error:
            if _is_locked(error):
                self._disable(f"cache busy ({error}); listing without it")
            else:
                self._rebuild(f"cache unreadable ({error}); rebuilt")
        except OSError as error:
            self._disable(f"cache folder unusable ({error}); listing without it")

    def _rebuild(self, reason: str) -> None:
        """Delete a corrupt cache and start an empty one (or go without, if that fails)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.problem = reason
        self.rebuilt = True
        try:
            _remove_db_files(self._path)
            self._conn = self._connect()
        except (sqlite3.Error, OSError) as error:
            self._disable(f"{reason}; rebuilding failed ({error})")

    def _disable(self, reason: str) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.problem = reason

    def _failed(self, error: sqlite3.Error) -> None:
        """An operation failed: a lock leaves the cache as it is, anything else rebuilds it."""
        if _is_locked(error):
            self.problem = f"cache busy ({error}); skipped"
        else:
            self._rebuild(f"cache corrupt ({error}); rebuilt")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- rows --------------------------------------------------------------------------------

    def load(self, root: str) -> dict[str, CachedRow]:
        """Every row stored for files under ``root`` (a ``projects`` folder), by path."""
        with self._lock:
            if self._conn is None:
                return {}
            try:
                rows = self._conn.execute(
                    "SELECT path, size, mtime_ns, inode, counted, lite, full "
                    "FROM session_meta WHERE root = ?",
                    (root,),
                ).fetchall()
            except sqlite3.Error as error:
                self._failed(error)
                return {}
        return {
            path: CachedRow(FileKey(size, mtime_ns, inode), bool(counted), lite, full)
            for path, size, mtime_ns, inode, counted, lite, full in rows
        }

    def load_one(self, path: str) -> CachedRow | None:
        """The row of one file, if cached."""
        with self._lock:
            if self._conn is None:
                return None
            try:
                row = self._conn.execute(
                    "SELECT size, mtime_ns, inode, counted, lite, full "
                    "FROM session_meta WHERE path = ?",
                    (path,),
                ).fetchone()
            except sqlite3.Error as error:
                self._failed(error)
                return None
        if row is None:
            return None
        size, mtime_ns, inode, counted, lite, full = row
        return CachedRow(FileKey(size, mtime_ns, inode), bool(counted), lite, full)

    def save(self, root: str, rows: Iterable[tuple[str, CachedRow]]) -> bool:
        """Store (path, row) pairs in one transaction; False if the write was skipped."""
        values = [
            (path, root, *row.key, int(row.counted), row.lite, row.full) for path, row in rows
        ]
        if not values:
            return True
        return self._write(
            "INSERT OR REPLACE INTO session_meta "
            "(path, root, size, mtime_ns, inode, counted, lite, full) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )

    def forget(self, paths: Iterable[str]) -> bool:
        """Drop the rows of files that are gone."""
        values = [(path,) for path in paths]
        if not values:
            return True
        return self._write("DELETE FROM session_meta WHERE path = ?", values)

    # -- listings ----------------------------------------------------------------------------

    def listing_of_paths(
        self, root: str, project: str, counted: bool, paths: bytes
    ) -> bytes | None:
        """The stored sessions if the listing was made from these very files (``paths``:
        ``[path, project path]`` of every file in order, as JSON), changed since or not."""
        row = self._fetch(
            "SELECT sessions FROM listing "
            "WHERE root = ? AND project = ? AND counted = ? AND paths = ?",
            (root, project, int(counted), paths),
        )
        return None if row is None else row[0]

    def listing_for(self, root: str, project: str, counted: bool, walk: bytes) -> bytes | None:
        """The stored sessions if they answer this very ``walk``, else ``None``."""
        row = self._fetch(
            "SELECT sessions FROM listing "
            "WHERE root = ? AND project = ? AND counted = ? AND walk = ?",
            (root, project, int(counted), walk),
        )
        return None if row is None else row[0]

    def listing_json_for(self, root: str, project: str, walk: bytes) -> bytes | None:
        """The stored ``list --json`` lines (UTF-8) if they answer this very ``walk``."""
        row = self._fetch(
            "SELECT json FROM listing_json WHERE root = ? AND project = ? AND walk = ?",
            (root, project, walk),
        )
        return None if row is None else row[0]

    def save_listing(
        self, root: str, project: str, counted: bool, paths: bytes, walk: bytes, sessions: bytes
    ) -> bool:
        """Store the sessions that answer ``walk`` (replacing the previous listing). ``walk``
        is ``[path, project path, size, mtime_ns, inode]`` of every file in order, as JSON;
        ``paths`` the same without the last three."""
        return self._write(
            "INSERT OR REPLACE INTO listing (root, project, counted, paths, walk, sessions) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(root, project, int(counted), paths, walk, sessions)],
        )

    def save_listing_json(self, root: str, project: str, walk: bytes, json: bytes) -> bool:
        """Store the ``list --json`` lines that answer ``walk`` (replacing the previous ones)."""
        return self._write(
            "INSERT OR REPLACE INTO listing_json (root, project, walk, json) VALUES (?, ?, ?, ?)",
            [(root, project, walk, json)],
        )

    def _fetch(self, sql: str, parameters: tuple) -> tuple | None:
        with self._lock:
            if self._conn is None:
                return None
            try:
                return self._conn.execute(sql, parameters).fetchone()
            except sqlite3.Error as error:
                self._failed(error)
                return None

    def _write(self, sql: str, values: list[tuple]) -> bool:
        with self._lock:
            if self._conn is None:
                return False
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    self._conn.executemany(sql, values)
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as error:
                self._failed(error)
                return False
        return True
