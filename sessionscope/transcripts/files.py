"""Finding and opening transcript files (standard library only: imported on the quick paths).

``sessionscope list`` served from the metadata cache walks the session files and imports nothing
else of ``transcripts``; :mod:`.sessions` re-exports these names.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata

TYPE_CHECKING = False  # not typing's: importing typing costs the warm list 2 ms
if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "open_regular",
    "path_text",
    "projects_dir",
    "session_file_paths",
    "validate_session_id",
]

_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
"""The SDK's pattern (``[0-9a-f]`` with ``re.IGNORECASE``), spelt out: it matches exactly the
same strings (no other character folds to ``a``-``f``) four times faster, and a list checks
every file name."""


def path_text(path: str | os.PathLike[str]) -> str:
    """``str(Path(path))``, without building a Path where it would change nothing (a path
    ``os.path.abspath`` gave, one a walk joined): no empty or ``.`` part, no trailing
    separator, no ``..`` part (which Path keeps and ``os.path.normpath`` would remove)."""
    text = os.fspath(path)
    if os.sep == "/" and text and os.path.normpath(text) == text and ".." not in text.split("/"):
        return text
    from pathlib import Path

    return str(Path(text))


def validate_session_id(session_id: str) -> str | None:
    """``session_id`` if it is a UUID (any case), else ``None`` (as the SDK)."""
    return session_id if _UUID_RE.match(session_id) else None


def projects_dir(config_dir: str | os.PathLike[str]) -> Path:
    """``<config_dir>/projects``, NFC-normalised as the SDK does."""
    from pathlib import Path

    return Path(projects_folder(config_dir))


def projects_folder(config_dir: str | os.PathLike[str]) -> str:
    """:func:`projects_dir` as a string (a warm ``list`` does not import pathlib)."""
    return path_text(os.path.join(unicodedata.normalize("NFC", os.fspath(config_dir)), "projects"))


def _session_names_in(folder: str | os.PathLike[str]) -> list[str]:
    """``<uuid>.jsonl`` names in one project folder, in directory order (as the SDK)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [name for name in names if name.endswith(".jsonl") and validate_session_id(name[:-6])]


def session_file_paths(
    config_dir: str | os.PathLike[str], project: str | None = None
) -> list[tuple[str, str | None]]:
    """``sessions.session_files`` as strings: the metadata cache walks 2,000 files on every
    list, and building a ``Path`` for each costs more than stat-ing it."""
    if project:
        from .sessions import _project_folders

        folders = [(str(folder), path) for folder, path in _project_folders(config_dir, project)]
    else:
        projects = projects_folder(config_dir)
        try:
            with os.scandir(projects) as entries:
                names = [entry.name for entry in entries if entry.is_dir()]
        except OSError:
            names = []
        folders = [(os.path.join(projects, name), "") for name in names]
    # os.path.join(folder, name) for a name from listdir (no separator in it), without a call
    # per file.
    return [
        (prefix + name, project_path or None)
        for folder, project_path in folders
        for prefix in (os.path.join(folder, ""),)
        for name in _session_names_in(folder)
    ]


def open_regular(path: str | os.PathLike[str]) -> int:
    """Open a file for reading and return its descriptor, refusing anything but a regular file.

    A named pipe or a device named ``<uuid>.jsonl`` would block the open or never end a read:
    it is opened without blocking and refused with ``OSError``, like an unreadable file.
    """
    fd = os.open(os.fspath(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise OSError(errno.EINVAL, kind, os.fspath(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd
