"""Token usage of every transcript in a store, counted as local transcripts are
(``transcripts.usage``: the same reading of the same lines) and kept per key in the mirror
folder's usage cache (``index.usage_cache``): a key is counted again only when its size or
write time moved (an append moves both)."""

from __future__ import annotations

import os

from ..index.usage_cache import CACHE_NAME, CachedUsage, read_cache, write_cache
from ..transcripts.usage import FileUsage, usage_of_lines
from .mirror import mirror_root, private_dirs
from .postgres import PostgresSessionStore

BATCH_KEYS = 200
"""Keys whose lines are fetched in one query."""

HEAD_ENTRIES = 8
"""A transcript's first entries read whatever they hold (its session, folder and start time
are in them), as a file's first lines are."""


def key_name(project_key: str, session_id: str, subpath: str) -> str:
    """A stored transcript's name in the usage cache and in its :class:`FileUsage`: its key
    as a path, ``project/session[/subpath]``."""
    return "/".join(part for part in (project_key, session_id, subpath) if part)


async def store_usage(store: PostgresSessionStore) -> list[FileUsage]:
    """The usage of every transcript of ``store`` this role may read (subagents' belong to
    their session, as locally), from the cache where it is current."""
    role, keys = await store.usage_keys()
    root = mirror_root(store, role)
    cache_path = os.path.join(root, CACHE_NAME)
    rows = read_cache(cache_path)
    kept: dict[str, CachedUsage] = {}
    todo: list[tuple] = []
    for key_id, project_key, session_id, subpath, size, mtime in keys:
        name = key_name(project_key, session_id, subpath)
        identity = (key_id, size, mtime)
        row = rows.get(name)
        if row is not None and tuple(row.identity) == identity:
            kept[name] = row
        else:
            todo.append((name, identity, key_id, project_key, session_id))
    for start in range(0, len(todo), BATCH_KEYS):
        batch = todo[start : start + BATCH_KEYS]
        lines = await store.usage_lines([key_id for _n, _i, key_id, _p, _s in batch], HEAD_ENTRIES)
        for name, identity, key_id, project_key, session_id in batch:
            usage = usage_of_lines(lines.get(key_id, []), name, session_id, project_key)
            kept[name] = CachedUsage(identity, usage)
    if todo or len(kept) != len(rows):
        private_dirs(root, root)
        write_cache(cache_path, kept)
    return [row.usage for row in kept.values()]
