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


# --- The fake Messages API and transcripts written by the real CLI (helper "agent") ----------
# tests/fakeapi.py is the server; tests/realcli.py drives the bundled CLI through the SDK.


@pytest.fixture
def fake_api():
    """A started fake Messages API for one test: script it with ``fake_api.reply(...)`` and pass
    ``fake_api.env(config_dir)`` as ``ClaudeAgentOptions.env``. Stopped after the test."""
    from tests.fakeapi import FakeMessagesAPI

    with FakeMessagesAPI() as api:
        yield api


@pytest.fixture(scope="session")
def cli_transcripts(tmp_path_factory: pytest.TempPathFactory):
    """Transcripts the real Claude Code CLI wrote against the fake API, made once per test
    session (see ``tests.realcli.build_cli_transcripts`` for the roles). Read-only: call
    ``cli_transcripts.copy_to(tmp_path / "claude")`` before forking, renaming, tagging or
    deleting."""
    import asyncio

    from tests.realcli import build_cli_transcripts

    base = tmp_path_factory.mktemp("cli-transcripts")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLAUDE_CONFIG_DIR", str(base / "claude"))
        return asyncio.run(build_cli_transcripts(base))


@pytest.fixture
def cli_transcripts_copy(cli_transcripts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A writable copy of ``cli_transcripts``; CLAUDE_CONFIG_DIR points at it."""
    copy = cli_transcripts.copy_to(tmp_path / "cli-claude")
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(copy.config_dir))
    return copy
