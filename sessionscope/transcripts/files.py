"""Finding and opening transcript files (standard library only)."""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from pathlib import Path

__all__ = [
    "open_regular",
    "projects_dir",
    "validate_session_id",
]

_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
"""The SDK's pattern (``[0-9a-f]`` with ``re.IGNORECASE``), spelt out: it matches exactly the
same strings (no other character folds to ``a``-``f``)."""


def validate_session_id(session_id: str) -> str | None:
    """``session_id`` if it is a UUID (any case), else ``None`` (as the SDK)."""
    return session_id if _UUID_RE.match(session_id) else None


def projects_dir(config_dir: str | os.PathLike[str]) -> Path:
    """``<config_dir>/projects``, NFC-normalised as the SDK does."""
    return Path(unicodedata.normalize("NFC", os.fspath(config_dir))) / "projects"


def _session_names_in(folder: str | os.PathLike[str]) -> list[str]:
    """``<uuid>.jsonl`` names in one project folder, in directory order (as the SDK)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [name for name in names if name.endswith(".jsonl") and validate_session_id(name[:-6])]


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
