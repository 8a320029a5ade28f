"""A cold cache is read in worker processes, each file once, with exactly the reader's answers."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sessionscope.catalog import catalog as catalog_module
from sessionscope.catalog.store import FileKey
from sessionscope.transcripts import sessions as reader_sessions

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: a test process has other threads (so the catalog would not fork),
# and forking it would copy them in any state.
_COLD_LIST = """
import dataclasses, json, sys
from pathlib import Path
from sessionscope.catalog import Catalog, MetaStore
from sessionscope.catalog import catalog as catalog_module
from sessionscope.catalog.store import decode_lite, decode_meta

config_dir, store_path, count = sys.argv[1], sys.argv[2], sys.argv[3] == "count"
if sys.argv[4:] == ["crash"]:  # every child dies: the parent must read it all itself
    import os
    parent, real_read = os.getpid(), catalog_module._read
    def crashing(*args):
        if os.getpid() != parent:
            os._exit(3)
        return real_read(*args)
    catalog_module._read = crashing
forked = []
original = catalog_module._read_in_processes
def spy(misses, count_messages):
    result = original(misses, count_messages)
    forked.append(result is not None)
    return result
catalog_module._read_in_processes = spy
store = MetaStore(Path(store_path))
sessions = Catalog(config_dir, store=store).list_sessions(count_messages=count)
def plain(meta):
    if isinstance(meta, bytes):
        meta = decode_meta(meta)
    return None if meta is None else dataclasses.asdict(meta)
rows = {
    path: [row.counted, plain(decode_lite(row)), plain(row.full)]
    for path, row in store.load(Catalog(config_dir, store=store).root).items()
}
print(json.dumps({
    "forked": forked,
    "sessions": [dataclasses.asdict(meta) for meta in sessions],
    "rows": rows,
}))
"""


def _cold_list(config_dir: Path, store_path: Path, count: bool, *extra: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _COLD_LIST, str(config_dir), str(store_path)]
        + ["count" if count else "lite", *extra],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("count", [True, False], ids=["count", "lite"])
def test_cold_list_in_worker_processes_is_the_readers(generated_corpus, tmp_path, count):
    result = _cold_list(generated_corpus, tmp_path / "cache.sqlite3", count)
    if (os.cpu_count() or 1) > 1:
        assert result["forked"] == [True]
    want = reader_sessions.list_sessions(generated_corpus, count_messages=count)
    assert result["sessions"] == [dataclasses.asdict(meta) for meta in want]
    # What was cached for each file: the lite answer, and the counted one for a count.
    rows = result["rows"]
    assert len(rows) == 300
    for path, (counted, lite, full) in rows.items():
        assert counted == count
        assert lite == _plain(reader_sessions.read_session_meta(path, count_messages=False))
        if count:
            assert full == _plain(reader_sessions.read_session_meta(path, count_messages=True))


def test_a_child_that_dies_leaves_the_reading_to_the_parent(generated_corpus, tmp_path):
    result = _cold_list(generated_corpus, tmp_path / "cache.sqlite3", True, "crash")
    if (os.cpu_count() or 1) > 1:
        assert result["forked"] == [False]
    want = reader_sessions.list_sessions(generated_corpus)
    assert result["sessions"] == [dataclasses.asdict(meta) for meta in want]


def _plain(meta):
    return None if meta is None else dataclasses.asdict(meta)


def test_lite_meta_is_the_lite_read(generated_corpus, shared_corpus):
    """A count reads a file once: its lite metadata, derived, is what a lite read gives."""
    files = [path for path, _ in reader_sessions.session_files(generated_corpus)]
    files += [path for path, _ in reader_sessions.session_files(shared_corpus)]
    assert files
    for path in files:
        full = reader_sessions.read_session_meta(path, count_messages=True)
        lite = reader_sessions.read_session_meta(path, count_messages=False)
        assert reader_sessions.lite_meta(full) == lite, path


def test_the_work_order_starts_with_the_biggest_files_and_keeps_every_file():
    sizes = [3, 100, 1, 50, 1]
    misses = [(f"/p/{n}.jsonl", FileKey(size, n, n)) for n, size in enumerate(sizes)]
    misses.append(("/p/gone.jsonl", None))
    assert catalog_module._work_order(misses, True) == [1, 3, 0, 2, 4, 5]
    assert catalog_module._work_order(misses, False) == list(range(6))


def test_every_file_is_read_once_whoever_takes_it(generated_corpus, monkeypatch):
    """The work queue hands every file to one process: here to this one alone, a few files an
    item, all of them read."""
    monkeypatch.setattr(catalog_module, "_processes", lambda: 1)
    monkeypatch.setattr(catalog_module, "_QUEUE_ITEMS", 7)
    read = []
    real = catalog_module._read
    monkeypatch.setattr(catalog_module, "_read", lambda *args: read.append(args[0]) or real(*args))
    misses = [(str(path), None) for path, _ in reader_sessions.session_files(generated_corpus)]
    got = catalog_module._read_in_processes(misses, True)
    assert sorted(read) == sorted(path for path, _ in misses)
    assert set(got) == {path for path, _ in misses}


def test_a_test_reader_or_other_threads_read_in_this_process(monkeypatch, corpus_copy):
    from sessionscope.catalog import Catalog

    from .conftest import CountingReader

    called = []
    monkeypatch.setattr(catalog_module, "_read_in_processes", lambda *a: called.append(a))
    reader = CountingReader()
    Catalog(corpus_copy, read_meta=reader).refresh()
    assert len(reader.paths) == 300 and not called
    import threading

    waiting = threading.Event()
    thread = threading.Thread(target=waiting.wait)
    thread.start()
    try:
        assert not catalog_module._may_fork()
    finally:
        waiting.set()
        thread.join()
