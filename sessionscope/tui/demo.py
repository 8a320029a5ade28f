"""The bundled demo transcripts, copied to a private folder before the app sees them.

Forks and renames write beside the transcripts: the copy keeps them out of the installed package.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

DEMO_TREE = Path(__file__).resolve().parents[1] / "demo"
"""The package's demo folder: a CLAUDE_CONFIG_DIR-shaped tree with ``projects/``."""


def has_transcripts(config_dir: Path) -> bool:
    """True if ``config_dir/projects`` holds at least one ``*.jsonl`` file one level down."""
    projects = Path(config_dir) / "projects"
    try:
        for folder in projects.iterdir():
            if folder.is_dir() and any(folder.glob("*.jsonl")):
                return True
    except OSError:
        return False
    return False


def prepare_demo(keep: bool = False) -> Path:
    """A fresh private copy of the demo tree (mode 0700); removed at exit unless ``keep``."""
    source = DEMO_TREE / "projects"
    if not source.is_dir():
        raise FileNotFoundError(f"the demo transcripts are missing from {DEMO_TREE}")
    target = Path(tempfile.mkdtemp(prefix="sessionscope-demo-"))
    shutil.copytree(source, target / "projects")
    if not keep:
        atexit.register(shutil.rmtree, target, True)
    return target
