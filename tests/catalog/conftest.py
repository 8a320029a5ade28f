"""Fixtures for the catalog: a generated corpus of 2,000 small sessions (made once per test
session by ``benchmarks/corpus.py``) copied fresh for the tests that change files."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from sessionscope.transcripts import sessions as reader_sessions

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _corpus_module():
    spec = importlib.util.spec_from_file_location(
        "sessionscope_bench_corpus", PROJECT_ROOT / "benchmarks" / "corpus.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _generate(tmp_path_factory: pytest.TempPathFactory, sessions: int, total_mb: float) -> Path:
    corpus = _corpus_module()
    root = tmp_path_factory.mktemp("corpus") / "claude"
    params = corpus.CorpusParams(seed=7, sessions=sessions, total_mb=total_mb, big_mb=0)
    corpus.ensure_corpus(params, root=root, quiet=True)
    return root


@pytest.fixture(scope="session")
def generated_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 small sessions over 60 projects (forks, rewinds, compaction, subagents, torn and
    bad lines), read-only for the tests: copy it before changing anything."""
    return _generate(tmp_path_factory, 300, 2)


@pytest.fixture(scope="session")
def corpus_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 small sessions, for the one test that relists 2,000 files (it may change them)."""
    return _generate(tmp_path_factory, 2000, 12)


@pytest.fixture
def corpus_copy(generated_corpus: Path, tmp_path: Path) -> Path:
    """A private copy of the generated corpus (mtimes kept), free to touch and change."""
    target = tmp_path / "claude"
    shutil.copytree(generated_corpus, target)
    return target


class CountingReader:
    """The real ``read_session_meta``, recording which files it is asked to read."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    def __call__(self, path, project_path=None, *, count_messages=True):
        self.calls.append((str(path), count_messages))
        return reader_sessions.read_session_meta(path, project_path, count_messages=count_messages)

    @property
    def paths(self) -> list[str]:
        """Files read, in order, each once (a file is read lite, then counted)."""
        return list(dict.fromkeys(path for path, _ in self.calls))

    def reset(self) -> None:
        self.calls.clear()
