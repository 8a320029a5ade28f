"""Shared fixtures. Every test runs with its own empty Claude config and cache folders, so the
user's real ``~/.claude`` and cache are never read or written by the suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _find_shared_corpus() -> Path | None:
    """``$SESSIONSCOPE_CORPUS``, else the nearest ``shared/corpus`` beside an ancestor folder."""
    env = os.environ.get("SESSIONSCOPE_CORPUS")
    if env:
        return Path(env) if Path(env, "projects").is_dir() else None
    for folder in PROJECT_ROOT.parents:
        candidate = folder / "shared" / "corpus"
        if (candidate / "projects").is_dir():
            return candidate
    return None


SHARED_CORPUS = _find_shared_corpus()
"""The read-only corpus of real transcripts (a CLAUDE_CONFIG_DIR-shaped tree), when present."""


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """An empty CLAUDE_CONFIG_DIR and cache dir for each test."""
    base = tmp_path_factory.mktemp("user")
    config_dir = base / "claude"
    (config_dir / "projects").mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("SESSIONSCOPE_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "xdg-cache"))
    return config_dir


@pytest.fixture
def shared_corpus() -> Path:
    """The shared corpus folder; the test is skipped when it is absent."""
    if SHARED_CORPUS is None:
        pytest.skip("../shared/corpus is not here (set SESSIONSCOPE_CORPUS to use one)")
    return SHARED_CORPUS
