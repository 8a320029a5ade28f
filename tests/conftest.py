"""Shared fixtures. Every test runs with its own empty Claude config and cache folders, so the
user's real ``~/.claude`` and cache are never read or written by the suite."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
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


@pytest.fixture(scope="module")
def browser():
    """A real headless chromium (playwright), shared by the tests that drive ``serve`` or read
    exported HTML; skips when there is none (``.ci/run`` installs it)."""
    from tests.helpers.browser import launch_browser

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = launch_browser(playwright)
        try:
            yield launched
        finally:
            launched.close()


# --- The fake Messages API and transcripts written by the real CLI (helper "agent") ----------
# tests/helpers/fakeapi.py is the server; tests/helpers/realcli.py drives the bundled CLI through the SDK.


@pytest.fixture
def fake_api():
    """A started fake Messages API for one test: script it with ``fake_api.reply(...)`` and pass
    ``fake_api.env(config_dir)`` as ``ClaudeAgentOptions.env``. Stopped after the test."""
    from tests.helpers.fakeapi import FakeMessagesAPI

    with FakeMessagesAPI() as api:
        yield api


@pytest.fixture(scope="session")
def cli_transcripts(tmp_path_factory: pytest.TempPathFactory):
    """Transcripts the real Claude Code CLI wrote against the fake API, made once per test
    session (see ``tests.helpers.realcli.build_cli_transcripts`` for the roles). Read-only: call
    ``cli_transcripts.copy_to(tmp_path / "claude")`` before forking, renaming, tagging or
    deleting."""
    import asyncio

    from tests.helpers.realcli import build_cli_transcripts

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


# --- Small hand-written sessions (tests/helpers/sample.py) ---------------------------------------


@pytest.fixture
def sample_session(isolated_user_dirs: Path) -> Path:
    """The sample session written into the test's own CLAUDE_CONFIG_DIR."""
    from tests.helpers.sample import sample_entries, write_session

    return write_session(isolated_user_dirs, sample_entries())


@pytest.fixture
def hostile_session(isolated_user_dirs: Path) -> Path:
    """A session full of escape sequences, bidi controls and markup, in the same place."""
    from tests.helpers.sample import hostile_entries, write_session

    return write_session(isolated_user_dirs, hostile_entries())


# --- Small transcripts written line by line (tests/helpers/entries.py) ---------------------------


@pytest.fixture
def write_transcript(isolated_user_dirs: Path) -> Callable[..., Path]:
    """Write lines (dicts or raw bytes) as a session file in the test's config dir."""

    from tests.helpers.entries import SESSION_ID, dumps

    def write(lines, *, session_id: str = SESSION_ID, project: str = "-work-project", end=b"\n"):
        folder = isolated_user_dirs / "projects" / project
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{session_id}.jsonl"
        chunks = [line if isinstance(line, bytes) else dumps(line) for line in lines]
        path.write_bytes(b"\n".join(chunks) + (end if chunks else b""))
        return path

    return write


# --- Generated corpora (tests/helpers/corpus.py) and chained sessions (tests/helpers/chains.py) ---


def _generate_corpus(
    tmp_path_factory: pytest.TempPathFactory, sessions: int, total_mb: float
) -> Path:
    from tests.helpers.corpus import generate_corpus

    root = tmp_path_factory.mktemp("corpus") / "claude"
    return generate_corpus(root, seed=7, sessions=sessions, total_mb=total_mb, big_mb=0)


@pytest.fixture(scope="session")
def generated_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 small sessions over 60 projects (forks, rewinds, compaction, subagents, torn and
    bad lines), read-only for the tests: copy it before changing anything."""
    return _generate_corpus(tmp_path_factory, 300, 2)


@pytest.fixture(scope="session")
def corpus_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 small sessions, for the one test that relists 2,000 files (it may change them)."""
    return _generate_corpus(tmp_path_factory, 2000, 12)


@pytest.fixture
def generated_copy(generated_corpus: Path, tmp_path: Path) -> Path:
    """A private copy of the generated corpus (mtimes kept), free to touch and change."""
    target = tmp_path / "claude"
    shutil.copytree(generated_corpus, target)
    return target


@pytest.fixture
def sessions_dir(isolated_user_dirs: Path):
    """Write a session file: ``write(entries, session=..., project=...)`` -> its path."""

    from tests.helpers.chains import SESSION, line

    def write(entries, *, session: str = SESSION, project: str = "-work-app") -> Path:
        folder = isolated_user_dirs / "projects" / project
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{session}.jsonl"
        path.write_bytes(b"".join(line(entry) for entry in entries))
        return path

    return write
