"""Where sessionscope keeps its cache, created private to the user."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_FILE_MODE = 0o600
"""Cache files hold transcript titles and prompts: only their owner may read them."""
CACHE_DIR_MODE = 0o700


def cache_dir() -> Path:
    """``$SESSIONSCOPE_CACHE_DIR``, else ``$XDG_CACHE_HOME/sessionscope``, else
    ``~/.cache/sessionscope``. Not created here (see :func:`ensure_cache_dir`)."""
    explicit = os.environ.get("SESSIONSCOPE_CACHE_DIR")
    if explicit:
        return Path(os.path.expanduser(explicit))
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = os.path.expanduser(xdg) if xdg and os.path.isabs(os.path.expanduser(xdg)) else None
    return Path(base or os.path.join(os.path.expanduser("~"), ".cache")) / "sessionscope"


def ensure_cache_dir(folder: str | os.PathLike[str] | None = None) -> str | os.PathLike[str]:
    """Create the cache folder (mode 0700) if it is missing and return it.

    A folder that already exists keeps its mode: it may be one the user chose and shares.
    Raises ``OSError`` when it cannot be created.
    """
    folder = folder or cache_dir()
    if not os.path.isdir(folder):
        # Parents with the usual mode, the folder itself with ours (as Path.mkdir does).
        os.makedirs(folder, mode=CACHE_DIR_MODE, exist_ok=True)
        # mkdir's mode is filtered by the umask; make it exact.
        os.chmod(folder, CACHE_DIR_MODE)
    return folder
