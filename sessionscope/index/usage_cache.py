"""Every transcript's token usage, each file read once and then only when it changes.

Pure: no Textual, no SDK. Each file's :class:`~sessionscope.transcripts.usage.FileUsage` is kept
in one MessagePack file in the user's cache folder (mode 0600), keyed by path and valid while the
file's size, mtime and inode are the same; a file that changed is read again alone. (The
incremental index (``index.index``) can hold these per-file rows later: the counting is
``transcripts.usage``'s, on one file at a time.)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zlib

import msgspec

from ..transcripts.files import projects_dir, transcript_files
from ..transcripts.usage import FileUsage, file_identity, read_file_usage
from .paths import CACHE_FILE_MODE, cache_dir, ensure_cache_dir

CACHE_NAME = "usage.msgpack"


class CachedUsage(msgspec.Struct, array_like=True, gc=False):
    """One transcript's usage, with the identity it was counted at (a file's inode, size and
    mtime; a stored transcript's key id, size and write time)."""

    identity: tuple[int, int, int]
    usage: FileUsage


class _CacheFile(msgspec.Struct, gc=False):
    """The cache file: its format, and every file's row by path."""

    format: str
    rows: dict[str, CachedUsage]


def _format() -> str:
    """Rows written by another version of the counting code are not used."""
    from ..transcripts import usage

    with open(usage.__file__, "rb") as source:
        return f"1|{zlib.crc32(source.read()):08x}"


def collect_usage(
    config_dir: str | os.PathLike[str], *, cache_path: str | None = None
) -> list[FileUsage]:
    """The usage of every transcript under ``config_dir``, from the cache where it is current.

    The cache is rewritten only when a file was read; an unreadable or corrupt cache is read
    around (every file read again), never an error.
    """
    cache_path = cache_path or os.path.join(cache_dir(), CACHE_NAME)
    rows = read_cache(cache_path)
    inside = str(projects_dir(config_dir)) + os.sep
    changed = False
    result: list[FileUsage] = []
    kept: dict[str, CachedUsage] = {}
    for path, session_id, project in transcript_files(config_dir):
        try:
            identity = file_identity(path)
        except OSError:
            continue
        row = rows.get(path)
        if row is None or tuple(row.identity) != identity:
            try:
                usage = read_file_usage(path, session_id, project)
            except OSError:
                continue
            row = CachedUsage(identity, usage)
            changed = True
        kept[path] = row
        result.append(row.usage)
    if changed or len(kept) != sum(path.startswith(inside) for path in rows):
        write_cache(cache_path, _merged(rows, kept, inside))
    return result


def read_cache(cache_path: str) -> dict[str, CachedUsage]:
    """The usage rows of the cache file at ``cache_path`` by name; none when it is missing,
    unreadable, corrupt or written by another version of the counting code."""
    with contextlib.suppress(OSError, msgspec.DecodeError, msgspec.ValidationError):
        with open(cache_path, "rb") as handle:
            stored = msgspec.msgpack.decode(handle.read(), type=_CacheFile)
        if stored.format == _format():
            return stored.rows
    return {}


def write_cache(cache_path: str, rows: dict[str, CachedUsage]) -> None:
    """Write the cache file (0600) through a temporary file and a rename; a failure leaves
    the old one."""
    _write(cache_path, _CacheFile(_format(), rows))


def _merged(
    rows: dict[str, CachedUsage], kept: dict[str, CachedUsage], inside: str
) -> dict[str, CachedUsage]:
    """The rows to store: this walk's (of the files ``inside`` this config folder's
    projects), and other config folders' rows as they were, but of files that are gone (a
    ``--config-dir`` used once would stay in the file for good)."""
    merged = {
        path: row
        for path, row in rows.items()
        if not path.startswith(inside) and os.path.exists(path)
    }
    merged.update(kept)
    return merged


def _write(cache_path: str, cache: _CacheFile) -> None:
    """Write through a temporary file and a rename; a failure leaves the old cache."""
    folder = os.path.dirname(cache_path)
    try:
        ensure_cache_dir(folder)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".usage.", suffix=".part")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), CACHE_FILE_MODE)
            handle.write(msgspec.msgpack.encode(cache))
        os.replace(temporary, cache_path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def session_usage_files(session_path: str, index=None) -> list[FileUsage]:
    """The usage of one session's files (its transcript and its subagents'), read directly.
    ``index`` is the session file's ``TranscriptIndex`` when the caller has it (inline
    subagents are found from it instead of reading the file again)."""
    from ..transcripts.subagents import list_subagents

    session_id = os.path.basename(session_path)[: -len(".jsonl")]
    project = os.path.basename(os.path.dirname(session_path))
    found = [read_file_usage(session_path, session_id, project)]
    for sub in list_subagents(session_path, index):
        if sub.layout != "inline":
            with contextlib.suppress(OSError):
                found.append(read_file_usage(sub.path, session_id, project))
    return found
