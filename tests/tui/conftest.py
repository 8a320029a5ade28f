"""Fixtures for the TUI tests: the gallery transcripts, a fixed clock and zone, an app factory."""

from __future__ import annotations

import shutil
from datetime import UTC
from pathlib import Path

import pytest

from tests.tui.gallery import NOW, write_gallery


@pytest.fixture
def gallery(tmp_path: Path) -> Path:
    """A config folder holding the gallery transcripts."""
    return write_gallery(tmp_path / "claude")


@pytest.fixture
def make(gallery: Path):
    """``make(**kwargs)``: the app on the gallery with the fixed clock and UTC."""
    from sessionscope.tui.app import make_app

    def factory(config_dir: Path | None = None, **kwargs):
        kwargs.setdefault("clock", lambda: NOW)
        kwargs.setdefault("tz", UTC)
        return make_app(config_dir or gallery, **kwargs)

    return factory


@pytest.fixture
def corpus_copy(shared_corpus: Path, tmp_path: Path) -> Path:
    """A writable copy of the shared corpus (forks write beside the transcripts)."""
    target = tmp_path / "corpus"
    shutil.copytree(shared_corpus / "projects", target / "projects", copy_function=shutil.copyfile)
    for folder in (target / "projects").rglob("*"):
        if folder.is_dir():
            folder.chmod(0o755)
    (target / "projects").chmod(0o755)
    return target
