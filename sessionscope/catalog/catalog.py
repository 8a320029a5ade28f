"""The session list, served from the metadata cache and kept true by stat-ing the files.

:meth:`Catalog.cached_sessions` answers from the cache alone (it lists the project folders but
opens and stats no transcript): what a screen shows at once. :meth:`Catalog.refresh` stats
every transcript, reads again only the files whose size, mtime or inode changed (and the new
ones), forgets the files that are gone, and returns the list: what ``sessionscope list`` prints
and what a worker runs after the first paint.

Either gives exactly what ``transcripts.sessions.list_sessions`` gives (same sessions, same
fields, same order): the files come from the same ``session_files``, the order from the same
``order_sessions``, and each file's metadata from the same ``read_session_meta`` — read now or
read earlier and cached for this very version of the file.
"""

from __future__ import annotations

import os
from collections import namedtuple
from collections.abc import Callable
from pathlib import Path

import orjson

from ..transcripts.model import SessionMeta
from ..transcripts.sessions import (
    infer_forks,
    order_sessions,
    projects_dir,
    read_session_meta,
    session_files,
)
from .store import (
    LITE_IS_FULL,
    CachedRow,
    FileKey,
    MetaStore,
    decode_listing,
    decode_lite,
    decode_meta,
    encode_listing,
    encode_meta,
)

ReadMeta = Callable[..., "SessionMeta | None"]


class Refresh:
    """What one refresh found. (A plain class: ``list`` never imports dataclasses.)"""

    __slots__ = ("removed", "reread", "sessions")

    def __init__(
        self,
        sessions: list[SessionMeta],
        reread: list[str] | None = None,
        removed: list[str] | None = None,
    ) -> None:
        self.sessions = sessions
        """The listing, newest first."""
        self.reread: list[str] = reread or []
        """Files read (new, changed since they were cached, or never counted before)."""
        self.removed: list[str] = removed or []
        """Cached files that are gone."""

    @property
    def changed(self) -> bool:
        return bool(self.reread or self.removed)


class _Walk(namedtuple("_Walk", "project paths keys blob")):
    """One look at the files to list: what a stored listing is checked against.

    ``project``: the project filter (``""``: every project); ``paths``: ``(path, project
    path)`` of every file, in directory order; ``keys``: each file's size, mtime and inode
    (``None``: it could not be stat-ed); ``blob``: all of it as JSON, or ``None`` when a file
    could not be stat-ed. (A ``collections.namedtuple``: ``typing`` costs the warm ``list``
    2 ms to import.)"""

    __slots__ = ()


class Catalog:
    """Session metadata for one Claude config folder, through a :class:`MetaStore`.

    ``read_meta`` replaces ``read_session_meta`` (same signature): tests wrap the real one to
    see which files are read.
    """

    def __init__(
        self,
        config_dir: Path | str,
        *,
        store: MetaStore | None = None,
        read_meta: ReadMeta | None = None,
    ) -> None:
        self._config_dir = os.path.abspath(config_dir)
        self.root = str(projects_dir(self._config_dir))
        """The cache's key for this config folder's rows (absolute, as are the file paths)."""
        self.store = store if store is not None else MetaStore()
        self._read_meta = read_meta or read_session_meta

    @property
    def config_dir(self) -> Path:
        """The config folder, absolute."""
        return Path(self._config_dir)

    # -- the list ------------------------------------------------------------------------------

    def cached_sessions(
        self, project: str | None = None, *, count_messages: bool = True
    ) -> list[SessionMeta]:
        """The list as the cache last saw it, at once: files not cached yet are left out and
        changed files show their cached version. :meth:`refresh` makes it true."""
        paths = session_files(self._config_dir, project)
        stored = self.store.listing_of_paths(
            self.root, project or "", count_messages, orjson.dumps(paths)
        )
        if stored is not None:
            # The same files as the last refresh (changed or not): its answer, forks inferred.
            return decode_listing(stored)
        rows = self.store.load(self.root)
        metas = []
        for path, project_path in paths:
            row = rows.get(path)
            if row is None:
                continue
            # Not counted yet: the lite values, until a refresh counts them.
            meta = decode_meta(row.full) if count_messages and row.counted else decode_lite(row)
            if meta is not None:
                metas.append(_with_project_path(meta, project_path))
        return order_sessions(metas)

    def refresh(self, project: str | None = None, *, count_messages: bool = True) -> Refresh:
        """Stat every transcript; read only the new and changed ones; return the true list.

        With ``count_messages`` (the default) every session has its ``message_count``, which
        reads a whole file the first time; without, only the head and tail of new and changed
        files are read (what the SDK's ``list_sessions`` reads).

        When the walk (every file's path, project, size, mtime and inode, in order) is byte
        for byte the one the stored listing was made from, that listing is the answer: nothing
        else is looked at. Anything else (a file touched, added, removed or renamed, another
        project filter, another cache format) goes through the rows, file by file, and stores
        the new listing.
        """
        walk = self._walk(project)
        stored = self._stored_listing(walk, count_messages)
        if stored is not None:
            return Refresh(decode_listing(stored))
        return self._refresh_walked(walk, count_messages)

    def json_lines(self, project: str | None = None) -> bytes:
        """The true list now as ``sessionscope list --json`` prints it (every message counted),
        in UTF-8: one JSON object a line, each ending in a newline. Stored with the listing, so
        an unchanged walk costs one blob."""
        walk = self._walk(project)
        if walk.blob is not None:
            text = self.store.listing_json_for(self.root, walk.project, walk.blob)
            if text is not None:
                return text
        from .sessions_json import sessions_json

        stored = self._stored_listing(walk, True)
        if stored is not None:
            sessions = decode_listing(stored)
        else:
            sessions = self._refresh_walked(walk, True).sessions
        text = sessions_json(sessions).encode()
        if walk.blob is not None:
            self.store.save_listing_json(self.root, walk.project, walk.blob, text)
        return text

    def _walk(self, project: str | None) -> _Walk:
        """Every session file to list, stat-ed (see :class:`_Walk`)."""
        paths = session_files(self._config_dir, project)
        stat = os.stat
        files: list[tuple[str, str | None, int, int, int]] = []
        keys: list[FileKey | None] = []
        for path, project_path in paths:
            try:
                status = stat(path)
            except OSError:
                keys.append(None)  # unreadable or vanished: read_session_meta decides
                continue
            key = (status.st_size, status.st_mtime_ns, status.st_ino)
            keys.append(key)  # type: ignore[arg-type]  # compares equal to its FileKey
            files.append((path, project_path, *key))
        # A file that cannot be stat-ed is read on every refresh: no listing then.
        blob = orjson.dumps(files) if len(files) == len(paths) else None
        return _Walk(project or "", paths, keys, blob)

    def _stored_listing(self, walk: _Walk, count_messages: bool) -> bytes | None:
        """The stored sessions, if they answer this very walk."""
        if walk.blob is None:
            return None
        return self.store.listing_for(self.root, walk.project, count_messages, walk.blob)

    def _refresh_walked(self, walk: _Walk, count_messages: bool) -> Refresh:
        """The list through the rows, stored as the listing of this walk."""
        result = self._refresh_rows(walk.project or None, count_messages, walk.paths, walk.keys)
        if walk.blob is not None:
            self.store.save_listing(
                self.root,
                walk.project,
                count_messages,
                orjson.dumps(walk.paths),
                walk.blob,
                encode_listing(result.sessions),
            )
        return result

    def _refresh_rows(
        self,
        project: str | None,
        count_messages: bool,
        paths: list[tuple[str, str | None]],
        keys: list[FileKey | None],
    ) -> Refresh:
        """The list from the cached rows of unchanged files and reads of the others."""
        cached = self.store.load(self.root)
        files: list[tuple[str, str | None, SessionMeta | None]] = []
        misses: list[tuple[str, FileKey | None]] = []
        for (path, project_path), key in zip(paths, keys, strict=True):
            row = cached.get(path)
            if row is not None and row.key == key and (row.counted or not count_messages):
                files.append(
                    (
                        path,
                        project_path,
                        decode_meta(row.full) if count_messages else decode_lite(row),
                    )
                )
            else:
                # The key is taken before the read: a file appended to meanwhile has a newer
                # key by the next refresh, so it is read again then.
                files.append((path, project_path, None))
                misses.append((path, None if key is None else FileKey(*key)))
        read = self._read_many(misses, count_messages)
        metas: list[SessionMeta] = []
        to_save: list[tuple[str, CachedRow]] = []
        for path, project_path, meta in files:
            if path in read:
                meta, row = read[path]
                if row is not None:
                    to_save.append((path, row))
            if meta is not None:
                metas.append(_with_project_path(meta, project_path))
        reread = [path for path, _ in misses]
        seen = {path for path, _ in paths}
        removed = [] if project else sorted(path for path in cached if path not in seen)
        self.store.save(self.root, to_save)
        self.store.forget(removed)
        sessions = order_sessions(metas)
        if count_messages:
            infer_forks(sessions)
        return Refresh(sessions, reread, removed)

    def _read_many(
        self, misses: list[tuple[str, FileKey | None]], count_messages: bool
    ) -> dict[str, tuple[SessionMeta | None, CachedRow | None]]:
        """Read the files that missed the cache, one by one."""
        return {path: _read(path, key, count_messages, self._read_meta) for path, key in misses}

    def _read(
        self, path: str, key: FileKey | None, count_messages: bool
    ) -> tuple[SessionMeta | None, CachedRow | None]:
        return _read(path, key, count_messages, self._read_meta)

    def list_sessions(
        self, project: str | None = None, *, count_messages: bool = True
    ) -> list[SessionMeta]:
        """The true list now (a :meth:`refresh`)."""
        return self.refresh(project, count_messages=count_messages).sessions

    def session_meta(self, path: Path | str, *, count_messages: bool = True) -> SessionMeta | None:
        """One file's metadata, from the cache when it is unchanged, else read (and cached)."""
        path = os.path.abspath(path)
        try:
            key = FileKey.of(os.stat(path))
        except OSError:
            key = None
        row = self.store.load_one(path) if key is not None else None
        if row is not None and row.key == key and (row.counted or not count_messages):
            return decode_meta(row.full) if count_messages else decode_lite(row)
        meta, row = self._read(path, key, count_messages)
        if row is not None and os.path.dirname(os.path.dirname(path)) == self.root:
            self.store.save(self.root, [(path, row)])
        return meta


def _read(
    path: str, key: FileKey | None, count_messages: bool, read_meta: ReadMeta = read_session_meta
) -> tuple[SessionMeta | None, CachedRow | None]:
    """Read one file: its metadata as asked, and the row to cache (``None`` if unstat-able).
    A count reads the file once: its lite metadata is the counted one's without the counts
    (``sessions.lite_meta``: none for a session only a count lists), stored as such. The real
    reader takes the path as it is (a string); a test's reader gets a Path."""
    given = path if read_meta is read_session_meta else Path(path)
    if count_messages:
        meta = read_meta(given, None, count_messages=True)
        if key is None:
            return meta, None
        lite = LITE_IS_FULL if meta is not None and meta.listed_by_sdk else None
        return meta, CachedRow(key, True, lite, encode_meta(meta))
    meta = read_meta(given, None, count_messages=False)
    if key is None:
        return meta, None
    return meta, CachedRow(key, False, encode_meta(meta), None)


def _with_project_path(meta: SessionMeta, project_path: str | None) -> SessionMeta:
    """Metadata is cached as read without a project path; the SDK uses the project's working
    directory as ``cwd`` only when the file names none."""
    if meta.cwd is None and project_path:
        meta.cwd = project_path
    return meta
