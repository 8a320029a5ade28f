"""Generated corpora of transcripts (``benchmarks/corpus.py``: forks, rewinds, compaction,
subagents, torn and bad lines), for tests that need many sessions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _corpus_module():
    spec = importlib.util.spec_from_file_location(
        "sessionscope_bench_corpus", PROJECT_ROOT / "benchmarks" / "corpus.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def generate_corpus(root: Path, **params) -> Path:
    """A corpus made by ``benchmarks/corpus.py`` with ``CorpusParams(**params)`` in ``root``
    (a ``CLAUDE_CONFIG_DIR``-shaped folder), which is returned."""
    corpus = _corpus_module()
    corpus.ensure_corpus(corpus.CorpusParams(**params), root=root, quiet=True)
    return root
