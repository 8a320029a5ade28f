"""The one index of every transcript: list fields, message counts, full-text search.

Each transcript is read once, then only what was appended (:meth:`Index.catch_up`): a file that
grew is read from where the index stopped (whole lines only: a torn or unterminated last line
waits for its newline), a file rewritten or cut short (its last indexed bytes differ, another
inode, a smaller size) is read again whole, a file that is gone is forgotten. A file with more
than :data:`PIECE_BYTES` to read is read and written a piece at a time, each piece read on from
the one before as an append is. What is written is committed every :data:`BATCH_SECONDS`, so an
interrupted build keeps what it did and goes on from there (from within a file too).

What a file's read gives, with one parse of each line (``reader.index_transcript``'s ``each``):

- its light entries (kept as MessagePack), from which the conversation's chain gives the message
  count after each append, without reading the file again;
- its list fields (the SDK's head and tail read, ``sessions.read_lite_meta``) and the counts;
- every user and assistant entry's words (``transcripts.content.searchable_text``) in an FTS5 table, with the
  entry's UUID, type, role, time, tools and byte range (the snippet is read back from there).

Subagent transcripts (``<session>/subagents/agent-*.jsonl``, and older ``agent-*.jsonl`` beside
the sessions) are indexed for search under their session's id.

A catch-up of many bytes (a first build) has another process read the files (the same
:func:`_read`) while this one writes what was read: reading is Python and holds the
interpreter, writing is mostly SQLite, so the two take a core each (:func:`_read_all`).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import orjson

from ..transcripts.files import (
    open_regular,
    projects_dir,
    session_files,
    session_of_path,
    transcript_files,
)
from ..transcripts.lines import load_json
from ..transcripts.meta import SessionMeta, as_json, session_title
from ..transcripts.sessions import add_counts, infer_forks, order_sessions, read_lite_meta
from .db import Database

if TYPE_CHECKING:
    import msgspec

    from ..transcripts.model import Entry, TranscriptIndex
    from .query import Query
    from .search import Hit

# Reading a transcript (reader, content, msgspec for the entries) and searching (query, search)
# are imported where they are used: a listing from the index, or a search when no file
# changed, needs none of them.

__all__ = ["Index", "IndexUnusable", "Progress"]

Progress = Callable[[int, int], None]
"""``progress(done, total)``: files caught up so far, of those that needed it."""

TAIL_CHECK = 64
"""Bytes before the place a file was read to, kept to notice a rewrite of the same size or
more."""

BATCH_SECONDS = 0.5
"""How long a catch-up writes in one transaction before it commits (and lets others in)."""

READ_ELSEWHERE_FROM = 64 << 20
"""Bytes to read from which a catch-up has another process read while it writes (a first
build): starting that process takes about a quarter of a second, reading 64 MB here about
half a second. A smaller catch-up reads here."""

CHUNK_BYTES = 2 << 20
"""Bytes of transcripts the reading process is given at a time."""

BACKGROUND_NICENESS = 10
"""How much nicer than the process that starts it the reading process runs (and, in the
explorer, the thread that writes a first build: ``tui.screens.main.in_background``): on two
cores the build shares a core with the screen, and at equal priority a key waited for half of
it."""

AHEAD_BYTES = 4 << 20
"""How far the reading process may get ahead of the writing (bytes of transcripts; what it
read waits in memory)."""

PIECE_BYTES = 16 << 20
"""A read of a file stops after this many bytes (and the rest of their last line), and is
written before the next piece is read on from there, as an append is: what reading gives is
about the size of its text, and no process holds more than a piece's (a piece's light entries
go in a row of their own until the file is read to its end). A file with a piece or more to
read is read by the writing process, even in a first build: handing its read over would hold
it in both processes at once."""

COMPACT_FROM = 50_000
"""Forgotten messages below this many never start a compaction."""

SHRINK_FROM_SHARE = 0.1
"""The share of the index file's pages free from which a catch-up shrinks the file."""

SHRINK_FROM_PAGES = 2048
"""Free pages (of 4 KiB) below which the file is never shrunk: 8 MB are not worth a rewrite."""

REWORD_MESSAGES = 500
"""Messages a compaction gives their words back at a time (between two looks at the clock)."""

FIRST_SHOWN = 200
"""Sessions read first, the newest, when many are not in the index yet (a first start): a
screen of them shows while the others are read (20,000 take seconds)."""

COUNTED_SECONDS = 1.0
"""How often a list that catches up says which sessions it has counted so far."""

_META_FIELDS = tuple(f.name for f in fields(SessionMeta))


def _dumps(value: object) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # a lone surrogate (the SDK reads a "\\ud800" escape as one)
        import json

        return json.dumps(value).encode()


def encode_meta(meta: SessionMeta | None) -> bytes | None:
    return None if meta is None else _dumps([getattr(meta, name) for name in _META_FIELDS])


def decode_meta(blob: bytes | None) -> SessionMeta | None:
    return None if blob is None else SessionMeta(*load_json(blob))


RECENT_NS = 2_000_000_000
"""A folder's mtime this close to a walk is not trusted to show every entry (see
``Index._transcripts``)."""


def _mtime_ns(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def _changed(conn: sqlite3.Connection) -> None:
    """Count a change of the files' rows (what a kept listing was made from)."""
    conn.execute(
        "INSERT INTO info VALUES ('generation', '1') "
        "ON CONFLICT (key) DO UPDATE SET value = value + 1"
    )


def _key(status: os.stat_result) -> tuple[int, int, int]:
    return status.st_size, status.st_mtime_ns, status.st_ino


def _read_tail(path: str, end: int) -> bytes:
    """The :data:`TAIL_CHECK` bytes before ``end``."""
    start = max(0, end - TAIL_CHECK)
    fd = open_regular(path)
    try:
        return os.pread(fd, end - start, start)
    finally:
        os.close(fd)


class _Row(NamedTuple):
    """What the index knows of one file."""

    id: int
    size: int
    mtime_ns: int
    inode: int
    indexed_to: int
    line_count: int
    ends_open: bool
    tail: bytes

    @property
    def key(self) -> tuple[int, int, int]:
        return self.size, self.mtime_ns, self.inode


class IndexUnusable(Exception):
    """The index file cannot be used (its folder unusable, held by another process): why."""


class Index:
    """The index of one Claude config folder's transcripts, in one SQLite file that several
    config folders (and processes) share. Safe to use from several threads."""

    def __init__(self, config_dir: str | os.PathLike[str], *, db: Database | None = None):
        self.config_dir = Path(os.path.abspath(config_dir))
        self.root = str(projects_dir(self.config_dir))
        """The ``files.root`` of this config folder's rows."""
        self.db = db if db is not None else Database()
        self.progress: tuple[int, int] | None = None
        """``(done, total)`` files of the catch-up running or last run (``None``: none yet);
        another thread may read it to show how far a build got."""

    # -- which files -----------------------------------------------------------------------------

    # -- catching up -----------------------------------------------------------------------------

    def catch_up(
        self,
        path: str | os.PathLike[str],
        session_id: str | None = None,
        read: TranscriptIndex | None = None,
    ) -> bool:
        """Bring one file's rows up to date with the file; ``True`` if anything changed.

        Cheap when nothing changed (a ``stat`` and a row), and reads only the bytes appended
        when it grew: what a watcher calls when a file changes. ``session_id`` is the session a
        subagent transcript belongs to (else its name, or its entries, say). ``read``: the
        file as the caller has read it already (the explorer's open session): when it holds
        just what the index reaches, the session's messages are counted from it (its
        conversation built already) instead of from the entries stored. Nothing is read when
        there is no index to write to (:attr:`Database.enabled`)."""
        if not self.db.enabled:
            return False
        job = self._job(os.path.abspath(path), session_id, read)
        changed = False
        while job is not None:
            written, job = self._write_piece(job, _read(job, self.root))
            changed = changed or written
        return changed

    def _job(
        self, path: str, session_id: str | None, read: TranscriptIndex | None = None
    ) -> _Job | None:
        """What reading ``path`` needs from the index (``None``: it has the file as it is)."""
        try:
            status = os.stat(path)
        except OSError:
            status = None

        def work(conn: sqlite3.Connection) -> tuple[_Row | None, bool, list[bytes] | None]:
            row = _row_of(conn, path)  # and its entries, in the same read
            current = status is None or (row is not None and row.key == _key(status))
            return row, current, None if current else _base_of(conn, path, status, row, grown=True)

        row, current, base = self.db.run(work, (None, False, None))
        if status is None:
            return _Job(path, session_id, None, row, None) if row is not None else None
        if current:
            return None
        return _Job(path, session_id or session_of_path(path), status, row, base, read)

    def catch_up_all(
        self, progress: Progress | None = None, *, stop: Callable[[], bool] | None = None
    ) -> int:
        """Catch up every transcript of the config folder, oldest first (so that newer
        messages get higher rowids: search ranks a common word's newest matches first), and
        forget the rows of files that are gone; returns how many files were read. ``stop()``,
        asked after each file, ends the catch-up there when true (what was read is kept: the
        next one goes on from there)."""
        if not self.db.enabled:  # nothing to write to: reading every file would be for nothing
            return 0
        self._upkeep(stop if stop is not None else lambda: False)
        known = {
            path: (size, mtime_ns, inode)
            for path, size, mtime_ns, inode in self.db.rows(
                "SELECT path, size, mtime_ns, inode FROM files WHERE root = ?", (self.root,)
            )
        }
        files, folders = self._transcripts(known)
        todo: list[tuple[float, str, str | None]] = []
        to_read = 0  # bytes: all of a new or rewritten file, what was appended to one that grew
        for path, session_id in files:
            stored = known.pop(path, None)
            try:
                key = _key(os.stat(path))
            except OSError:
                continue
            if stored != key:
                todo.append((key[1], path, session_id))
                grew = stored is not None and stored[2] == key[2] and key[0] > stored[0]
                to_read += key[0] - stored[0] if grew else key[0]
        self.forget(known)  # the files that are gone
        todo.sort()
        self.progress = (0, len(todo))
        if progress is not None:
            progress(0, len(todo))
        if not todo:
            if folders is not None:
                self._note_folders(folders, len(files))
            return 0
        jobs = (self._job(path, session_id) for _when, path, session_id in todo)
        reads = _read_all(jobs, self.root, elsewhere=to_read >= READ_ELSEWHERE_FROM)
        done = 0
        stopped = stop if stop is not None else lambda: False
        later: _Job | None = None  # the next piece of a file read a piece at a time
        try:
            while done < len(todo) and not stopped():
                started = time.monotonic()
                # A batch at a time: one transaction for many small files (the full-text
                # index writes its segments once a transaction), short enough not to keep
                # others waiting long.
                with self.db.batch():
                    while done < len(todo):
                        if later is not None:
                            job, later = later, None
                            read = _read(job, self.root)
                        else:
                            job, read = next(reads)
                        if job is not None:
                            later = self._write_piece(job, read)[1]
                        job = read = None  # not held while the next piece is read
                        if later is None:
                            done += 1
                            self.progress = (done, len(todo))
                            if progress is not None:
                                progress(done, len(todo))
                        if time.monotonic() - started >= BATCH_SECONDS or stopped():
                            break
        finally:
            reads.close()
        if folders is not None:
            self._note_folders(folders, len(files))
        return done

    def _transcripts(
        self, known: dict[str, tuple[int, int, int]]
    ) -> tuple[list[tuple[str, str | None]], list[tuple] | None]:
        """``(path, session id)`` of every transcript, and the folders to note once each has
        its row (``None``: nothing to note). The files the index has (``known``; a
        session id is then the path's: ``transcripts.files.session_of_path``) when no folder
        the last walk listed has changed since (their mtimes say so, a stat each); else a walk
        of the folders (``transcripts.files.transcript_files``)."""
        listed = self.db.rows("SELECT path, mtime_ns FROM folders WHERE root = ?", (self.root,))
        noted = self.db.rows("SELECT value FROM info WHERE key = ?", (f"files:{self.root}",))
        if (
            listed
            and noted == [(str(len(known)),)]
            and all(_mtime_ns(path) == mtime_ns for path, mtime_ns in listed)
        ):
            return [(path, None) for path in known], None
        started = time.time_ns()
        folders: dict[str, int] = {}
        files = [(path, sid) for path, sid, _ in transcript_files(self.config_dir, folders)]
        # An mtime from the last moments may not show an entry added in the same clock tick
        # (file times are coarse): such a folder is listed again next time.
        trusted = started - RECENT_NS
        return files, [(path, self.root, t if t < trusted else 0) for path, t in folders.items()]

    def _note_folders(self, folders: list[tuple], files: int) -> None:
        """Note the folders a walk listed, and how many files it found, when each of them has
        its row (the next catch-up trusts them only while the index has that many files)."""

        def work(conn: sqlite3.Connection) -> None:
            (have,) = conn.execute(
                "SELECT count(*) FROM files WHERE root = ?", (self.root,)
            ).fetchone()
            conn.execute("DELETE FROM folders WHERE root = ?", (self.root,))
            if have == files:
                conn.executemany("INSERT OR REPLACE INTO folders VALUES (?, ?, ?)", folders)
                conn.execute(
                    "INSERT OR REPLACE INTO info VALUES (?, ?)", (f"files:{self.root}", str(files))
                )

        self.db.run(work, None, write=True)

    def forget(self, paths: Iterable[str]) -> bool:
        """Drop the rows of these files, and their messages' words: a file still there as the
        index read it gives its words back to delete them (:func:`_drop_messages`); the words
        of a file that is gone stay, matched by no message, until compaction."""
        paths = list(paths)
        if not paths:
            return False

        def work(conn: sqlite3.Connection) -> bool:
            for path in paths:
                row = conn.execute(
                    "SELECT id, size, mtime_ns, inode FROM files WHERE path = ?", (path,)
                ).fetchone()
                if row is None:
                    continue
                file_id, *key = row
                try:
                    unchanged = _key(os.stat(path)) == tuple(key)
                except OSError:
                    unchanged = False
                _drop_file(conn, file_id, path if unchanged else None)
            return True

        return self.db.run(work, False, write=True)

    def forget_session(self, session_id: str) -> bool:
        """Drop a session's files (its own and its subagents') and their words, before the
        files go: what deletes a session calls, so that no word of it stays in the index."""
        return self.forget(
            path
            for (path,) in self.db.rows(
                "SELECT path FROM files WHERE root = ? AND session_id = ?", (self.root, session_id)
            )
        )

    def _forget_gone_roots(self) -> None:
        """Forget what the index holds of other config folders that are gone (a
        ``--config-dir`` used once, a removed container's): no catch-up of theirs will, and
        their rows and words would stay in the file."""
        gone = [
            root
            for (root,) in self.db.rows("SELECT DISTINCT root FROM files")
            if root != self.root and not os.path.isdir(root)
        ]
        for root in gone:
            self.forget(
                path for (path,) in self.db.rows("SELECT path FROM files WHERE root = ?", (root,))
            )

            def work(conn: sqlite3.Connection, root: str = root) -> None:
                conn.execute("DELETE FROM folders WHERE root = ?", (root,))
                conn.execute("DELETE FROM listings WHERE root = ?", (root,))
                conn.execute("DELETE FROM info WHERE key = ?", (f"files:{root}",))

            self.db.run(work, None, write=True)

    def _upkeep(self, stop: Callable[[], bool]) -> None:
        """What a catch-up does first: a compaction if it is due, the rows of other config
        folders that are gone forgotten, and the file shrunk when a good share of it is free
        pages (what was forgotten, deleted or compacted away: SQLite reuses such pages, but
        never gives them back by itself)."""
        self._compact_if_needed(stop)
        self._forget_gone_roots()
        if stop():
            return
        pages = self.db.rows("SELECT * FROM pragma_page_count, pragma_freelist_count")
        if pages and pages[0][1] >= max(SHRINK_FROM_PAGES, pages[0][0] * SHRINK_FROM_SHARE):
            self.db.vacuum()

    def _compact_if_needed(self, stop: Callable[[], bool]) -> None:
        """Start the words afresh when the forgotten messages' words outnumber the live ones
        (a deleted or rewritten transcript's words stay in the full-text table, unmatched),
        and give every message of every config folder its words back, read from its line
        (the full-text table can only be emptied whole). The files' rows stay: nothing is
        read again but the message lines. A compaction commits every :data:`BATCH_SECONDS`
        (messages not given their words back yet are not found meanwhile) and ends early
        when ``stop()`` is true: the next catch-up goes on with it."""
        # Read first, so that a catch-up with nothing to compact takes no write lock.
        if not self.db.run(_compaction_due, False):
            return
        if not self.db.run(_start_compaction, False, write=True):
            return
        finished = False
        while not finished and not stop():
            started = time.monotonic()
            with self.db.batch():
                # ``True`` too when the index is unusable or busy: the next catch-up goes on.
                while not (finished := self.db.run(_reword, True, write=True)):
                    if time.monotonic() - started >= BATCH_SECONDS:
                        break

    def read_before(self, path: str | os.PathLike[str]) -> TranscriptIndex | None:
        """What the index read of a transcript, as the ``base`` that
        ``reader.index_transcript`` reads on from (only what was appended since is read then):
        ``None`` when the index has not read it or it was rewritten since."""
        import msgspec

        from ..transcripts.model import Entry, TranscriptIndex

        path = os.path.abspath(path)
        try:
            status = os.stat(path)
        except OSError:
            return None

        def work(conn: sqlite3.Connection) -> tuple[_Row | None, list[bytes] | None]:
            row = _row_of(conn, path)  # and its entries, in the same read
            return row, _base_of(conn, path, status, row, grown=False)

        row, blobs = self.db.run(work, (None, None))
        if row is None or blobs is None:
            return None
        try:
            entries = [
                entry
                for piece in blobs
                for entry in msgspec.msgpack.decode(piece, type=list[Entry])
            ]
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None  # the file is read whole instead
        return TranscriptIndex(
            path=path,
            size=row.indexed_to,
            mtime=status.st_mtime,
            entries=entries,
            line_count=row.line_count,
            ends_open=bool(row.ends_open),
        )

    def _write_piece(self, job: _Job, read: _Read | None) -> tuple[bool, _Job | None]:
        """:meth:`_write`, and the job of the file's next piece when this read stopped short of
        its end (:data:`PIECE_BYTES`): to be read as an append is, from the light entries
        just written (a file rewritten meanwhile is read again from the start)."""
        written = self._write(job, read)
        if written is None:  # another process wrote the file's row meanwhile: on from there
            return False, self._job(job.path, job.session_id, job.read)
        if not written or read is None or not read.partial:
            return written, None
        return written, self._job(job.path, job.session_id, job.read)

    def _write(self, job: _Job, read: _Read | None) -> bool | None:
        """Store what was read of a file (``None``: it could not be read: forget it). Nothing
        is written, and ``None`` returned, when the file's row is no longer the one the read
        started from: another process (the explorer, a command) wrote it meanwhile."""
        if read is None:
            return self.forget([job.path])
        row, found, again = job.row, read.found, read.again

        def work(conn: sqlite3.Connection) -> bool | None:
            if _row_of(conn, job.path) != row:
                return None
            if row is not None and job.base is None:  # read again whole: its bytes changed
                _drop_messages(conn, row.id, 0, None)
            elif row is not None and again is not None:  # a last line read again: its bytes
                _drop_messages(conn, row.id, again, job.path)  # are as before (_base checked)
            if row is None:
                file_id = conn.execute(
                    "INSERT INTO files (path, root, project, session_id, agent_id, size, "
                    "mtime_ns, inode, indexed_to, line_count, ends_open, tail, meta, "
                    "title, git_branch, tag, cwd) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (job.path, *read.values),
                ).lastrowid
            else:
                file_id = row.id
                conn.execute(
                    "UPDATE files SET root = ?, project = ?, session_id = ?, agent_id = ?, "
                    "size = ?, mtime_ns = ?, inode = ?, indexed_to = ?, line_count = ?, "
                    "ends_open = ?, tail = ?, meta = ?, title = ?, git_branch = ?, "
                    "tag = ?, cwd = ? WHERE id = ?",
                    (*read.values, file_id),
                )
            if row is not None:
                conn.execute(
                    "DELETE FROM entries WHERE file_id = ? AND first_entry >= ?",
                    (file_id, read.first_entry),
                )
            conn.execute(
                "INSERT INTO entries (file_id, first_entry, entries) VALUES (?, ?, ?)",
                (file_id, read.first_entry, read.entries),
            )
            _changed(conn)
            if not found:
                return True
            # Rowids given here (after the highest ever given: sqlite_sequence), so that the
            # messages and their words go in with one statement each.
            last = conn.execute(
                "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'messages'"
            ).fetchone()[0]
            ids = range(last + 1, last + 1 + len(found))
            conn.executemany(
                "INSERT INTO messages (id, file_id, uuid, type, role, timestamp, offset, "
                "length, tools) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(rowid, file_id, *message[:7]) for rowid, message in zip(ids, found, strict=True)],
            )
            conn.executemany(
                "INSERT INTO messages_fts (rowid, text) VALUES (?, ?)",
                [(rowid, message[7]) for rowid, message in zip(ids, found, strict=True)],
            )
            return True

        return self.db.run(work, False, write=True)

    # -- the list ---------------------------------------------------------------------------------

    def _stored(self) -> dict[str, tuple[tuple[int, int, int], bytes | None]]:
        # Nearly every row is wanted: read in the table's order they come twice as quick as
        # through an index (a lookup a row; 4 against 8.7 ms for 2,000 sessions).
        rows = self.db.rows(
            "SELECT path, size, mtime_ns, inode, meta FROM files NOT INDEXED "
            "WHERE root = ? AND agent_id IS NULL",
            (self.root,),
        )
        return {path: ((size, mtime, inode), meta) for path, size, mtime, inode, meta in rows}

    def cached_sessions(
        self,
        project: str | None = None,
        *,
        first: Callable[[list[SessionMeta]], None] | None = None,
    ) -> list[SessionMeta]:
        """Every session, at once: as the index last saw it (no file it has is stat-ed), and a
        session file it has not read yet (new since, a first start, a first build stopped
        midway, a big file read a piece at a time) from its head and tail, as the SDK lists it
        (no count yet). When more than :data:`FIRST_SHOWN` files are to be read so, the
        newest of them are read first, and ``first`` is given the list with them."""
        return self._cached(project, read_unindexed=True, first=first)

    def _cached(
        self,
        project: str | None,
        *,
        read_unindexed: bool,
        first: Callable[[list[SessionMeta]], None] | None = None,
    ) -> list[SessionMeta]:
        stored = self._stored()
        metas: list[SessionMeta] = []
        unindexed: list[tuple[str, str]] = []
        for path, project_path in session_files(self.config_dir, project):
            found = stored.get(path)
            if found is not None and found[1] is not None:
                meta = decode_meta(found[1])
                if meta is not None:
                    metas.append(_with_project_path(meta, project_path))
            # No fields: no row yet, or a big file read a piece at a time (a small one with a
            # row and no fields is no session: a file without a prompt, left out as the SDK
            # leaves it out, and not read again at each start).
            elif read_unindexed and (found is None or found[0][0] >= PIECE_BYTES):
                unindexed.append((path, project_path))

        def read(files: list[tuple[str, str]]) -> None:
            for path, project_path in files:
                meta = read_lite_meta(path, project_path)
                if meta is not None:
                    metas.append(_with_project_path(meta, project_path))

        if first is not None and len(unindexed) > FIRST_SHOWN:
            unindexed.sort(key=lambda file: _mtime_ns(file[0]), reverse=True)
            read(unindexed[:FIRST_SHOWN])
            first(_ordered(list(metas)))
            unindexed = unindexed[FIRST_SHOWN:]
        read(unindexed)
        return _ordered(metas)

    def list_sessions(
        self,
        project: str | None = None,
        *,
        count_messages: bool = True,
        counted: Callable[[list[SessionMeta]], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> list[SessionMeta]:
        """Every session now, newest first, with the SDK's fields. With ``count_messages`` the
        index catches up first (each file read once, then only what changed), so every session
        has its count; meanwhile, every :data:`COUNTED_SECONDS`, ``counted`` is given the
        sessions counted so far; ``stop`` may end the catch-up early
        (:meth:`catch_up_all`). Without, nothing is indexed: a file the index has as it is now
        is listed from its row (count included), any other from its head and tail (the SDK's
        read; ``message_count`` is ``None``: not counted yet)."""
        if count_messages:
            said = time.monotonic()

            def progress(done: int, total: int) -> None:
                nonlocal said
                if done < total and time.monotonic() - said >= COUNTED_SECONDS:
                    # Those counted so far: the others are listed already (their heads and
                    # tails), and reading those again each time would slow the build.
                    counted(self._cached(project, read_unindexed=False))
                    said = time.monotonic()

            self.catch_up_all(None if counted is None else progress, stop=stop)
        return self._sessions_of(self._session_keys(project))

    def _session_keys(self, project: str | None) -> list[tuple[str, str, tuple[int, int, int]]]:
        """``(path, project path, key)`` of each session file there now (size, mtime, inode)."""
        keyed = []
        for path, project_path in session_files(self.config_dir, project):
            try:
                keyed.append((path, project_path, _key(os.stat(path))))
            except OSError:
                continue  # gone or unreadable: no session to list
        return keyed

    def _sessions_of(self, keyed: list[tuple[str, str, tuple[int, int, int]]]) -> list[SessionMeta]:
        """The sessions of these files, newest first: from the index's row when it has the file
        as it is (``key``), else from its head and tail."""
        stored = self._stored()
        metas = []
        for path, project_path, key in keyed:
            found = stored.get(path)
            if found is not None and found[0] == key:
                meta = decode_meta(found[1])
            else:
                meta = read_lite_meta(path, project_path)
            if meta is not None:
                metas.append(_with_project_path(meta, project_path))
        return _ordered(metas)

    def listing(self, project: str | None = None) -> bytes:
        """What ``sessionscope list --json`` writes: :meth:`list_sessions` (without counting),
        one JSON object a line (``transcripts.meta.as_json``), in UTF-8. The index keeps the last one
        made, with what it was made from (each session file's size, mtime and inode, and how
        many times the files' rows had changed): while all of that is the same, it is written
        again as it is, and no session's fields are decoded or encoded."""
        keyed = self._session_keys(project)
        made_from = _dumps([self._generation(), [(path, *key) for path, _, key in keyed]])
        scope = project or ""
        kept = self.db.rows(
            "SELECT made_from, text FROM listings WHERE root = ? AND project = ?",
            (self.root, scope),
        )
        if kept and kept[0][0] == made_from:
            return kept[0][1]
        text = "".join(as_json(meta) + "\n" for meta in self._sessions_of(keyed)).encode()

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO listings VALUES (?, ?, ?, ?)",
                (self.root, scope, made_from, text),
            )

        self.db.run(work, None, write=True)
        return text

    def _generation(self) -> int:
        rows = self.db.rows("SELECT value FROM info WHERE key = 'generation'")
        return int(rows[0][0]) if rows else 0

    def session_meta(
        self, path: str | os.PathLike[str], *, count_messages: bool = True
    ) -> SessionMeta | None:
        """One session's fields now (after a fork, a rename...), its file caught up first."""
        path = os.path.abspath(path)
        if not count_messages:
            return read_lite_meta(path)
        self.catch_up(path)
        rows = self.db.rows("SELECT meta FROM files WHERE path = ?", (path,))
        if rows:
            return decode_meta(rows[0][0])
        from ..transcripts.sessions import read_session_meta

        return read_session_meta(path)  # the index is unusable: read it here

    # -- search ---------------------------------------------------------------------------------

    def search(self, query: Query | str, limit: int = 20, *, catch_up: bool = True) -> list[Hit]:
        """The best ``limit`` messages for ``query`` (a string is parsed: ``QueryError`` if it
        cannot be), best first; the index catches up on changed files first.
        :class:`IndexUnusable` when there is no index to search."""
        from .query import parse_query
        from .search import search

        if isinstance(query, str):
            query = parse_query(query)
        if not self.db.enabled:
            raise IndexUnusable(self.db.problem or "the index cannot be used")
        if catch_up:
            self.catch_up_all()
        return search(self.db, query, self.root, limit)

    def close(self) -> None:
        self.db.close()


class _Job(NamedTuple):
    """One file to read: where it is, what the index has of it."""

    path: str
    session_id: str | None
    status: os.stat_result | None
    """``None``: the file is gone."""
    row: _Row | None
    base: list[bytes] | None
    """The light entries read before (MessagePack, a row's at a time), when the file only grew
    since (then only the rest is read)."""
    read: TranscriptIndex | None = None
    """The file as the caller read it already (:meth:`Index.catch_up`)."""


class _Read(NamedTuple):
    """What reading a file gave: its row's values, its messages, and where a last line read
    before without its newline starts (its old message goes: it was read again)."""

    values: tuple
    entries: bytes
    """Light entries (MessagePack): those read now, while a big file is read a piece at a
    time; else the whole file's."""
    first_entry: int
    """The index of the first of ``entries``: they replace the file's from there."""
    found: list[tuple]
    again: int | None
    partial: bool
    """The read stopped at :data:`PIECE_BYTES`: the file goes on (the row's ``size`` is where
    it stopped, so that the next catch-up reads on from there if this one does not)."""


def _read(job: _Job, root: str) -> _Read | None:
    """Read what is new in a file (no index access: it runs in the reading process of a first
    build as here); ``None`` when it is gone or cannot be read."""
    if job.status is None:
        return None
    try:
        return _read_file(job, root)
    except OSError:
        return None


def _read_chunk(jobs: list[_Job | None], root: str) -> list[_Read | None]:
    return [None if job is None else _read(job, root) for job in jobs]


def _reading_process() -> None:
    """A reading process leaves ``ctrl+c`` to the process that started it (which stops the
    pool), rather than each printing its own traceback; and it yields a core to the process
    that started it (the explorer's screen, the writing that is the build's critical path)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(BACKGROUND_NICENESS)


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (once a process) with the real standard error:
    the tracker is handed ``sys.stderr``'s file descriptor, and in a running Textual app
    ``sys.stderr`` captures prints and has none (-1: starting the tracker fails)."""
    import sys
    from multiprocessing import resource_tracker

    captured = sys.stderr
    sys.stderr = sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


def _row_of(conn: sqlite3.Connection, path: str) -> _Row | None:
    found = conn.execute(
        "SELECT id, size, mtime_ns, inode, indexed_to, line_count, ends_open, tail "
        "FROM files WHERE path = ?",
        (path,),
    ).fetchone()
    return _Row(*found) if found else None


def _base_of(
    conn: sqlite3.Connection, path: str, status: os.stat_result, row: _Row | None, *, grown: bool
) -> list[bytes] | None:
    """The light entries read of the file before (MessagePack, a row's at a time), if it only
    grew since (or, with ``grown`` false, is as it was then or grew)."""
    # Appending makes a file longer: one of the same size with another mtime was rewritten.
    if row is None or (grown and status.st_size == row.indexed_to):
        return None
    if not _read_as_before(path, status, row.inode, row.indexed_to, row.tail):
        return None
    blobs = conn.execute(
        "SELECT entries FROM entries WHERE file_id = ? ORDER BY first_entry", (row.id,)
    ).fetchall()
    return [blob for (blob,) in blobs] if blobs else None


def _read_all(
    jobs: Iterator[_Job | None], root: str, *, elsewhere: bool
) -> Generator[tuple[_Job | None, _Read | None], None, None]:
    """Each job (``None``: nothing to read) with what reading it gave, in order: read here,
    or, ``elsewhere`` on a machine of more than one core, by another process while the
    caller writes what was read before (:data:`CHUNK_BYTES` of files at a time, up to
    :data:`AHEAD_BYTES` ahead; a file with :data:`PIECE_BYTES` or more to read is read here)."""
    if not elsewhere or (os.cpu_count() or 1) < 2:
        for job in jobs:
            yield job, None if job is None else _read(job, root)
        return
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    _start_resource_tracker()
    # Spawned, not forked: the explorer builds its index in a thread of a running app.
    reader = ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn"), initializer=_reading_process
    )
    # Chunks of jobs in order, with their bytes and the reading process's future (``None``:
    # to be read here).
    ahead: deque[tuple[list[_Job | None], int, Future | None]] = deque()
    given = 0  # bytes of the chunks ahead given to the reading process

    def give(chunk: list[_Job | None], size: int) -> None:
        nonlocal given
        ahead.append((chunk, size, reader.submit(_read_chunk, chunk, root)))
        given += size

    def first() -> Iterator[tuple[_Job | None, _Read | None]]:
        nonlocal given
        chunk, size, future = ahead.popleft()
        if future is None:  # read one by one: a read is held only by the caller
            return ((job, None if job is None else _read(job, root)) for job in chunk)
        given -= size
        return zip(chunk, future.result(), strict=True)

    try:
        chunk: list[_Job | None] = []
        size = 0
        for job in jobs:
            job_size = _bytes_to_read(job)
            if job_size >= PIECE_BYTES:
                if chunk:
                    give(chunk, size)
                    chunk, size = [], 0
                ahead.append(([job], job_size, None))
            else:
                chunk.append(job)
                size += job_size
                if size >= CHUNK_BYTES:
                    give(chunk, size)
                    chunk, size = [], 0
            while given > AHEAD_BYTES:
                yield from first()
        if chunk:
            give(chunk, size)
        while ahead:
            yield from first()
    finally:
        reader.shutdown(wait=True, cancel_futures=True)


def _bytes_to_read(job: _Job | None) -> int:
    if job is None or job.status is None:
        return 0
    return job.status.st_size - (job.row.indexed_to if job.base is not None else 0)


def _read_file(job: _Job, root: str) -> _Read:
    import msgspec

    from ..transcripts.content import searchable_text
    from ..transcripts.model import Entry, TranscriptIndex
    from ..transcripts.reader import index_transcript

    path, row = job.path, job.row
    # The light entries read before, left encoded (``Raw``): a piece of a big file needs only
    # their number and bytes; all of them are decoded only to count the messages at the end.
    kept: list[msgspec.Raw] = []
    start = line_no = 0
    again = None
    if job.base is not None and row is not None:
        kept = [
            raw for blob in job.base for raw in msgspec.msgpack.decode(blob, type=list[msgspec.Raw])
        ]
        start, line_no = row.indexed_to, row.line_count
        if row.ends_open and kept:
            # A last line without its newline, read last time, is read again with what
            # follows: its old message goes.
            again = start = msgspec.msgpack.decode(kept.pop(), type=Entry).offset
            line_no -= 1

    @functools.cache
    def read_before() -> list[Entry]:
        """The entries read before, decoded (but one read again)."""
        if not kept or job.base is None:
            return []
        decoded = [msgspec.msgpack.decode(blob, type=list[Entry]) for blob in job.base]
        return [entry for entries in decoded for entry in entries][: len(kept)]

    found: list[tuple] = []
    tool_names: dict[str, str] = {}
    unnamed: list[tuple[int, Entry]] = []
    """Tool results (their place in ``found``) with a call not in this read."""

    def each(entry: Entry, value: dict) -> None:
        if entry.type not in ("user", "assistant"):
            return
        role, text, tools = searchable_text(value)
        for call_id, name in zip(entry.tool_use_ids, tools, strict=False):
            tool_names[call_id] = name
        if role == "tool":
            tools = [tool_names[i] for i in entry.tool_result_ids if i in tool_names]
            if len(tools) < len(entry.tool_result_ids):
                unnamed.append((len(found), entry))
        found.append(
            (
                entry.uuid,
                entry.type,
                role,
                entry.timestamp,
                entry.offset,
                entry.length,
                " ".join(tools),
                text,
            )
        )

    index = index_transcript(
        path, start, counted_before=(line_no, len(kept)), each=each, limit=PIECE_BYTES
    )
    if unnamed and kept:  # results of calls made before this read (an append, a piece)
        calls = {i for _, entry in unnamed for i in entry.tool_result_ids} - tool_names.keys()
        tool_names.update(_tool_names(path, kept, calls))
        for place, entry in unnamed:
            tools = " ".join(tool_names[i] for i in entry.tool_result_ids if i in tool_names)
            found[place] = (*found[place][:6], tools, found[place][7])
    # Pieces of a line found torn after they were given are not in the index.
    read_now = {entry.offset for entry in index.entries}
    found = [message for message in found if message[4] in read_now]
    session_id = job.session_id
    if session_id is None:
        session_id = next(
            (e.session_id for e in (*read_before(), *index.entries) if e.session_id), None
        )
    folder = os.path.dirname(path)
    is_session = os.path.basename(path)[:-6] == session_id
    meta = None
    if is_session and not index.partial:  # a session's fields and counts once it is all read
        lite = read_lite_meta(path, keep_unsummarized=True)
        if lite is not None:
            read = job.read
            if not (
                read is not None
                and not read.partial
                and (read.size, read.line_count, read.ends_open)
                == (index.size, index.line_count, index.ends_open)
                and len(read.entries) == len(kept) + len(index.entries)
            ):
                read = TranscriptIndex(
                    path=path,
                    size=index.size,
                    mtime=0.0,
                    entries=[*read_before(), *index.entries],
                    line_count=index.line_count,
                    ends_open=index.ends_open,
                )
            meta = add_counts(lite, read)
    elif not is_session:  # a subagent: <project>/<session>/subagents/... or <project>/agent-*
        while os.path.dirname(folder) != root and folder != os.path.dirname(folder):
            folder = os.path.dirname(folder)
    values = (
        root,
        os.path.basename(folder),
        session_id,
        None if is_session else os.path.basename(path)[len("agent-") : -len(".jsonl")],
        index.size if index.partial else job.status.st_size,
        job.status.st_mtime_ns,
        job.status.st_ino,
        index.size,
        index.line_count,
        int(index.ends_open),
        _read_tail(path, index.size),
        encode_meta(meta),
        session_title(meta) if meta else None,
        meta.git_branch if meta else None,
        meta.tag if meta else None,
        meta.cwd if meta else None,
    )
    if index.partial and again is None:  # a piece: its entries in a row of their own
        first_entry, entries = len(kept), msgspec.msgpack.encode(index.entries)
    else:  # the file's entries in one row
        first_entry, entries = 0, msgspec.msgpack.encode([*kept, *index.entries])
    return _Read(values, entries, first_entry, found, again, index.partial)


def _tool_names(path: str, kept: list[msgspec.Raw], calls: set[str]) -> dict[str, str]:
    """The names of these tool calls, made by entries read before (``kept``, encoded): the
    latest decoded first, until each call is found (a result follows its call closely), and
    their lines read back."""
    import msgspec

    from ..transcripts.content import searchable_text
    from ..transcripts.model import Entry
    from ..transcripts.reader import load_entries

    callers = []
    wanted = set(calls)
    for raw in reversed(kept):
        entry = msgspec.msgpack.decode(raw, type=Entry)
        if wanted.intersection(entry.tool_use_ids):
            callers.append(entry)
            wanted.difference_update(entry.tool_use_ids)
            if not wanted:
                break
    names = {}
    for entry, value in zip(callers, load_entries(path, callers), strict=True):
        if value is not None:
            names.update(zip(entry.tool_use_ids, searchable_text(value)[2], strict=False))
    return {call_id: name for call_id, name in names.items() if call_id in calls}


def _read_as_before(
    path: str, status: os.stat_result, inode: int, indexed_to: int, tail: bytes
) -> bool:
    """The file's bytes up to ``indexed_to`` are still those the index read: the same file
    (``inode``), as long or longer, with the same last bytes there (``tail``). A file gone
    since ``status`` was taken (or unreadable now) is not."""
    if status.st_ino != inode or status.st_size < indexed_to:
        return False
    try:
        return _read_tail(path, indexed_to) == tail
    except OSError:
        return False


def _drop_file(conn: sqlite3.Connection, file_id: int, source: str | None) -> None:
    """Drop a file's rows, and its messages' words (:func:`_drop_messages`)."""
    _drop_messages(conn, file_id, 0, source)
    conn.execute("DELETE FROM entries WHERE file_id = ?", (file_id,))
    conn.execute("DELETE FROM files WHERE id = ?", (file_id,))
    _changed(conn)


def _unworded(conn: sqlite3.Connection) -> tuple[int, int]:
    """``(after, to)``: the messages whose rowid is above ``after`` and at most ``to`` have no
    words yet (a compaction is giving them back); ``(0, 0)`` when none."""
    row = conn.execute("SELECT value FROM info WHERE key = 'unworded'").fetchone()
    if row is None:
        return 0, 0
    after, to = row[0].split()
    return int(after), int(to)


def _compaction_due(conn: sqlite3.Connection) -> bool:
    """Whether a compaction is under way, or due: the forgotten messages more than
    :data:`COMPACT_FROM` and than the live ones."""
    if conn.execute("SELECT 1 FROM info WHERE key = 'unworded'").fetchone():
        return True
    row = conn.execute("SELECT value FROM info WHERE key = 'forgotten'").fetchone()
    forgotten = int(row[0]) if row else 0
    # Counted only past the floor: counting every message takes a few milliseconds.
    return (
        forgotten > COMPACT_FROM
        and forgotten > conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    )


def _start_compaction(conn: sqlite3.Connection) -> bool:
    """Empty the full-text table if a compaction is due (:func:`_compaction_due`); ``True`` if
    one is under way now. Asked again in the write's transaction: another process may have
    started one since this one looked (emptying the table again would take the words it gave
    back since)."""
    if conn.execute("SELECT 1 FROM info WHERE key = 'unworded'").fetchone():
        return True
    if not _compaction_due(conn):
        return False
    conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')")
    conn.execute("DELETE FROM info WHERE key = 'forgotten'")
    (last,) = conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()
    conn.execute("INSERT INTO info VALUES ('unworded', ?)", (f"0 {last}",))
    return True


def _reword(conn: sqlite3.Connection) -> bool:
    """Give the next :data:`REWORD_MESSAGES` messages of a compaction their words back, read
    from their lines; a file whose lines are no longer as the index read them is dropped (its
    catch-up reads it again). ``True`` when every message has its words."""
    after, to = _unworded(conn)
    rows = conn.execute(
        "SELECT id, file_id, offset, length FROM messages WHERE id > ? AND id <= ? "
        "ORDER BY id LIMIT ?",
        (after, to, REWORD_MESSAGES),
    ).fetchall()
    if not rows:
        conn.execute("DELETE FROM info WHERE key = 'unworded'")
        return True
    by_file: dict[int, list[tuple[int, int, int]]] = {}
    for rowid, file_id, offset, length in rows:
        by_file.setdefault(file_id, []).append((rowid, offset, length))
    dropped = []
    for file_id, messages in by_file.items():
        row = conn.execute(
            "SELECT path, inode, indexed_to, tail FROM files WHERE id = ?", (file_id,)
        ).fetchone()
        words = None
        if row is not None:
            path, inode, indexed_to, tail = row
            try:
                if _read_as_before(path, os.stat(path), inode, indexed_to, tail):
                    words = _read_back(path, messages)
            except OSError:
                pass  # gone or unreadable: dropped
        if words is None:
            dropped.append(file_id)
        else:
            conn.executemany("INSERT INTO messages_fts (rowid, text) VALUES (?, ?)", words)
    conn.execute("UPDATE info SET value = ? WHERE key = 'unworded'", (f"{rows[-1][0]} {to}",))
    for file_id in dropped:
        _drop_file(conn, file_id, None)
    return False


def _drop_messages(conn: sqlite3.Connection, file_id: int, start: int, source: str | None) -> None:
    """Drop a file's messages from byte ``start`` on, and their words. The full-text table
    keeps no text (``content=''``), so deleting words takes the text they were made of: read
    back from ``source`` (the transcript, given only when its bytes there are still those the
    index read). Without it, or when a line cannot be read back, the words stay, matched by no
    message (search joins every match to its message), and are counted for compaction.
    Messages a compaction has not given their words back yet have none to delete."""
    rows = conn.execute(
        "SELECT id, offset, length FROM messages WHERE file_id = ? AND offset >= ?",
        (file_id, start),
    ).fetchall()
    if not rows:
        return
    after, to = _unworded(conn)
    worded = [row for row in rows if not after < row[0] <= to]
    words = _read_back(source, worded) if source is not None and worded else None
    if words is None:
        _note_forgotten(conn, len(worded))
    else:
        conn.executemany(
            "INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', ?, ?)", words
        )
    conn.execute("DELETE FROM messages WHERE file_id = ? AND offset >= ?", (file_id, start))


def _read_back(path: str, rows: list[tuple[int, int, int]]) -> list[tuple[int, str]] | None:
    """``(rowid, text)`` of each message ``(rowid, offset, length)``, its text as indexed
    (``content.searchable_text`` of its line); ``None`` if any cannot be read."""
    from ..transcripts.content import searchable_text
    from ..transcripts.lines import parse_line

    words = []
    try:
        fd = open_regular(path)
    except OSError:
        return None
    try:
        for rowid, offset, length in rows:
            value, _error = parse_line(os.pread(fd, length, offset))
            if not isinstance(value, dict):
                return None
            words.append((rowid, searchable_text(value)[1]))
    except OSError:
        return None
    finally:
        os.close(fd)
    return words


def _note_forgotten(conn: sqlite3.Connection, count: int) -> None:
    if count > 0:
        conn.execute(
            "INSERT INTO info (key, value) VALUES ('forgotten', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
            (count,),
        )


def _ordered(metas: list[SessionMeta]) -> list[SessionMeta]:
    """The list's order: newest first, forks placed."""
    sessions = order_sessions(metas)
    infer_forks(sessions)
    return sessions


def _with_project_path(meta: SessionMeta, project_path: str | None) -> SessionMeta:
    """The SDK uses the project's working directory as ``cwd`` only when the file names none."""
    if meta.cwd is None and project_path:
        meta.cwd = project_path
    return meta
