"""Opening transcript files safely (standard library only: imported on the quick paths)."""

from __future__ import annotations

import errno
import os
import stat

__all__ = ["open_regular"]


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
