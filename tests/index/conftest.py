"""Fixtures for the index: a generated corpus (made once a test session by benchmarks/corpus.py) and
small hand-written sessions."""

from __future__ import annotations

import json
import shutil
import uuid as uuids
from pathlib import Path

import pytest

from tests.helpers.corpus import generate_corpus


def _generate(tmp_path_factory: pytest.TempPathFactory, sessions: int, total_mb: float) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "claude"
    return generate_corpus(root, seed=7, sessions=sessions, total_mb=total_mb, big_mb=0)


@pytest.fixture(scope="session")
def generated_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 small sessions over 60 projects (forks, rewinds, compaction, subagents, torn and
    bad lines), read-only for the tests: copy it before changing anything."""
    return _generate(tmp_path_factory, 300, 2)


@pytest.fixture(scope="session")
def corpus_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 small sessions, for the one test that relists 2,000 files (it may change them)."""
    return _generate(tmp_path_factory, 2000, 12)


SESSION = "11111111-1111-4111-8111-111111111111"
OTHER = "22222222-2222-4222-8222-222222222222"


def user(text, *, uid=None, parent=None, ts="2026-01-02T10:00:00.000Z", session=SESSION, **more):
    return {
        "type": "user",
        "uuid": uid or str(uuids.uuid4()),
        "parentUuid": parent,
        "sessionId": session,
        "timestamp": ts,
        "cwd": "/work/app",
        "gitBranch": "main",
        "message": {"role": "user", "content": text},
        **more,
    }


def assistant(blocks, *, uid=None, parent=None, ts="2026-01-02T10:00:01.000Z", session=SESSION):
    if isinstance(blocks, str):
        blocks = [{"type": "text", "text": blocks}]
    return {
        "type": "assistant",
        "uuid": uid or str(uuids.uuid4()),
        "parentUuid": parent,
        "sessionId": session,
        "timestamp": ts,
        "message": {"id": "msg_" + uuids.uuid4().hex, "role": "assistant", "content": blocks},
    }


def chain(*entries: dict) -> list[dict]:
    """The entries, each the parent of the next."""
    for before, after in zip(entries, entries[1:], strict=False):
        after["parentUuid"] = before["uuid"]
    return list(entries)


def line(entry: dict) -> bytes:
    return json.dumps(entry, separators=(",", ":")).encode() + b"\n"


@pytest.fixture
def sessions_dir(isolated_user_dirs: Path):
    """Write a session file: ``write(entries, session=..., project=...)`` -> its path."""

    def write(entries, *, session: str = SESSION, project: str = "-work-app") -> Path:
        folder = isolated_user_dirs / "projects" / project
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{session}.jsonl"
        path.write_bytes(b"".join(line(entry) for entry in entries))
        return path

    return write


@pytest.fixture
def corpus_copy(generated_corpus: Path, tmp_path: Path) -> Path:
    """A private copy of the generated corpus (mtimes kept), free to touch and change."""
    target = tmp_path / "claude"
    shutil.copytree(generated_corpus, target)
    return target
