"""A stored session mirrored into the user's cache as JSONL, for the file machinery to read.

``show``, ``export``, ``replay``, ``fork``'s choice of a fork point and the explorer read
transcripts from files (byte offsets, the SDK's semantics, tolerant of bad lines). Rather than a
second reading path for the store, a session opened from the store is written into a
CLAUDE_CONFIG_DIR-shaped folder in the cache (``projects/<project_key>/<id>.jsonl`` and its
subagents; folders 0700, files 0600), each entry's text as the store keeps it, which is the line
it was. The next time only the rows after the last one mirrored are fetched (by sequence); a
mirror whose file does not end where its record says (a crash mid-write), or whose key was
deleted and written again in the store, is made again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..index.paths import CACHE_DIR_MODE, CACHE_FILE_MODE, cache_dir, ensure_cache_dir
from .postgres import PostgresSessionStore, StoreError

MIRROR_PAGE_ROWS = 5000
"""Rows fetched at a time."""

STATE_FILE = "mirror.json"
"""Per mirror root: for each key, the store's key id, the last sequence and the file size."""


@dataclass
class Mirrored:
    """A session mirrored: the config folder to read it from, and its main transcript."""

    config_dir: Path
    path: Path
    project_key: str


def mirror_root(store: PostgresSessionStore, role: str) -> Path:
    """The cache folder that mirrors ``store`` as seen by ``role`` (one per server, database,
    table and role: what one role may read is not another's)."""
    identity = json.dumps([store.display_url, store.table, role])
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return cache_dir() / "stores" / digest


def private_dirs(root: Path, folder: Path) -> None:
    """``folder`` and its parents up to ``root``, each 0700; a :class:`StoreError` saying
    which when one cannot be made (the cache folder is a file, or not writable)."""
    try:
        ensure_cache_dir()
        missing = []
        current = folder
        while not current.exists():
            missing.append(current)
            if current == root.parent:
                break
            current = current.parent
        for path in reversed(missing):
            path.mkdir(mode=CACHE_DIR_MODE, exist_ok=True)
            os.chmod(path, CACHE_DIR_MODE)
    except OSError as error:
        raise StoreError(
            f"cannot make the cache folder {error.filename or folder}: {error.strerror or error} "
            "(set SESSIONSCOPE_CACHE_DIR to a folder of yours)"
        ) from None


def _key_file(root: Path, project_key: str, session_id: str, subpath: str) -> Path:
    folder = root / "projects" / project_key
    if not subpath:
        return folder / f"{session_id}.jsonl"
    return folder / session_id / f"{subpath}.jsonl"


def _safe_name(name: str) -> bool:
    return bool(name) and "/" not in name and name not in (".", "..") and "\x00" not in name


def _safe_subpath(subpath: str) -> bool:
    return all(_safe_name(part) for part in subpath.split("/"))


class SessionNotInStore(LookupError):
    """No session by that id that this role may read."""


async def mirror_session(store: PostgresSessionStore, session_id: str) -> Mirrored:
    """Bring the mirror of ``session_id`` (main transcript and subagents) up to date with the
    store, fetching only rows not mirrored yet; where to read it."""
    role = (await store._select("SELECT current_user"))[0][0]
    root = mirror_root(store, role)
    keys = await store._select(
        f"""SELECT id, project_key, subpath FROM {store._sessions}
        WHERE session_id = %s ORDER BY (subpath = '') DESC, mtime DESC""",
        [session_id],
    )
    mains = [(key_id, project) for key_id, project, subpath in keys if not subpath]
    if not mains:
        raise SessionNotInStore(f"no session {session_id} in the store {store.display_url}")
    main_id, project_key = mains[0]
    if not _safe_name(project_key):
        raise SessionNotInStore(f"session {session_id} has an unusable project key in the store")
    wanted = [(main_id, "")] + [
        (key_id, subpath)
        for key_id, project, subpath in keys
        if subpath and project == project_key and _safe_subpath(subpath)
    ]
    state_path = root / STATE_FILE
    try:
        state = json.loads(state_path.read_text())
    except (OSError, ValueError):
        state = {}
    for key_id, subpath in wanted:
        path = _key_file(root, project_key, session_id, subpath)
        name = f"{project_key}/{session_id}/{subpath}"
        record = state.get(name)
        try:
            size = path.stat().st_size
        except OSError:
            size = -1
        if not record or record.get("key") != key_id or record.get("size") != size:
            record = {"key": key_id, "seq": 0, "size": 0}
            start_over = True
        else:
            start_over = False
        # Page by page: a 100 MB session is never held whole in memory.
        key = {"project_key": project_key, "session_id": session_id, "subpath": subpath}
        seq, size = record["seq"], record["size"]
        while True:
            rows = await store.load_rows(key, seq, MIRROR_PAGE_ROWS)
            if rows is None or (not rows and not start_over):
                break
            private_dirs(root, path.parent)
            data = b"".join(text.encode() + b"\n" for _seq, text in rows)
            flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if start_over else os.O_APPEND)
            descriptor = os.open(path, flags, CACHE_FILE_MODE)
            os.fchmod(descriptor, CACHE_FILE_MODE)
            with os.fdopen(descriptor, "ab") as handle:
                handle.write(data)
            start_over = False
            seq, size = (rows[-1][0] if rows else seq), size + len(data)
            if len(rows) < MIRROR_PAGE_ROWS:
                break
        if (seq, size) != (record["seq"], record["size"]) or name not in state:
            state[name] = {"key": key_id, "seq": seq, "size": size}
            _write_state(root, state_path, state)
    return Mirrored(root, _key_file(root, project_key, session_id, ""), project_key)


async def mirror_newest(
    store: PostgresSessionStore, project_key: str, session_id: str, budget: int
) -> Path | None:
    """The newest entries of a session's main transcript, at least ``budget`` bytes of them,
    written as JSONL to ``tails/<session id>.jsonl`` beside the mirror (0600), for a big
    session to show its newest messages before it is mirrored whole; ``None``: not in the
    store."""
    role = (await store._select("SELECT current_user"))[0][0]
    root = mirror_root(store, role)
    key = {"project_key": project_key, "session_id": session_id}
    texts = await store.newest_texts(key, budget)
    if texts is None or not _safe_name(session_id):
        return None
    folder = root / "tails"
    private_dirs(root, folder)
    path = folder / f"{session_id}.jsonl"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, CACHE_FILE_MODE)
    os.fchmod(descriptor, CACHE_FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(b"".join(text.encode() + b"\n" for text in texts))
    return path


def _write_state(root: Path, state_path: Path, state: dict) -> None:
    private_dirs(root, root)
    temporary = state_path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, CACHE_FILE_MODE)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(state, handle)
    os.replace(temporary, state_path)


async def list_sessions(
    store: PostgresSessionStore,
    project_key: str | None = None,
    *,
    session_id: str | None = None,
    since: int | None = None,
    foreign: set[str] | None = None,
) -> list:
    """The session list of a store (:class:`SessionMeta`, newest first; of one project, or the
    one session, or those written after the write time ``since``), as the local list gives it. A session whose message count is missing or out
    of date (written by an SDK app, a fork, or appended to since) is mirrored and counted by
    the local reader, and the count recorded in the store (for sessions of one's own). The ids
    of the sessions listed that another role wrote are added to ``foreign``."""
    from ..transcripts.sessions import read_session_meta

    sessions = []
    for meta, stale, own in await store.list_all(project_key, session_id, since):
        if not own and foreign is not None:
            foreign.add(meta.session_id)
        if stale:
            try:
                mirrored = await mirror_session(store, meta.session_id)
            except SessionNotInStore:
                continue  # deleted meanwhile
            counted = read_session_meta(mirrored.path)
            if counted is not None:
                meta.message_count = counted.message_count
                meta.root_uuid = counted.root_uuid
                meta.forked_from = counted.forked_from
                counts = {
                    "message_count": counted.message_count,
                    "root_uuid": counted.root_uuid,
                    "forked_from": counted.forked_from,
                }
                if not counted.listed_by_sdk:  # no title in its first 64 KiB: as locally
                    meta.summary = counts["summary"] = counted.summary
                key = {"project_key": meta.project, "session_id": meta.session_id}
                await store.record_counts(key, counts)
        if meta.summary or meta.message_count:
            sessions.append(meta)
    return sessions


async def list_json_lines(
    store: PostgresSessionStore, project_key: str | None, json_line_of
) -> str:
    """``list --json``'s lines for a store. The last listing is kept in the mirror folder with
    the store's fingerprint of it (:meth:`PostgresSessionStore.list_fingerprint`), and written
    again as it is while the fingerprint is the same: one query instead of 20,000 rows to
    decode and format. ``json_line_of(meta)`` is ``list --json``'s line of one session.

    Text, not bytes: ``asyncio.run`` puts the SIGINT handler back at its end, and the signal
    module then formats the repr of the handler it replaces, which holds the main task and
    its result; ``reprlib`` cuts text short, and copies bytes whole (20,000 lines: 0.1 to
    0.3 s)."""
    role, fingerprint, stale = await store.list_fingerprint(project_key)
    root = mirror_root(store, role)
    name = hashlib.sha256((project_key or "").encode()).hexdigest()[:16]
    cache = root / f"list-{name}.jsonl"
    header = f"{fingerprint}\n".encode()
    if not stale:
        try:
            with open(cache, "rb") as handle:
                if handle.readline() == header:
                    return handle.read().decode()
        except OSError:
            pass
    data = "".join(json_line_of(meta) + "\n" for meta in await list_sessions(store, project_key))
    encoded = data.encode("utf-8", "surrogateescape")
    if stale:  # counts were recorded meanwhile: the fingerprint moved
        _role, fingerprint, stale = await store.list_fingerprint(project_key)
    if not stale:
        private_dirs(root, root)
        temporary = cache.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, CACHE_FILE_MODE)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(f"{fingerprint}\n".encode() + encoded)
        os.replace(temporary, cache)
    return encoded.decode()
