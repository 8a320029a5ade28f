"""The cache file: private, rebuilt when corrupt, never fatal when locked, shared by processes."""

from __future__ import annotations

import dataclasses
import gc
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sessionscope.catalog import Catalog, MetaStore, cache_dir
from sessionscope.catalog.store import DB_NAME, CachedRow, FileKey, decode_meta, encode_meta
from sessionscope.transcripts import sessions as reader_sessions
from sessionscope.transcripts.model import SessionMeta

from .conftest import CountingReader


def as_dicts(metas) -> list[dict]:
    return [dataclasses.asdict(meta) for meta in metas]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SESSIONSCOPE_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("SESSIONSCOPE_CACHE_DIR")
    assert cache_dir() == tmp_path / "xdg" / "sessionscope"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "sessionscope"
    # A relative XDG_CACHE_HOME is invalid by the spec and ignored.
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert cache_dir() == tmp_path / "home" / ".cache" / "sessionscope"


def test_files_are_private_whatever_the_umask(generated_corpus: Path) -> None:
    old = os.umask(0)
    try:
        catalog = Catalog(generated_corpus)
        catalog.list_sessions(count_messages=False)
    finally:
        os.umask(old)
    folder = cache_dir()
    db = folder / DB_NAME
    assert catalog.store.path == db
    assert mode(folder) == 0o700
    assert mode(db) == 0o600
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{db}{suffix}")
        if companion.exists():
            assert mode(companion) == 0o600, suffix


def test_a_loose_existing_file_is_made_private(tmp_path: Path) -> None:
    db = tmp_path / "loose.sqlite3"
    db.write_bytes(b"")
    os.chmod(db, 0o644)
    MetaStore(db)
    assert mode(db) == 0o600


def test_rows_round_trip(tmp_path: Path) -> None:
    store = MetaStore(tmp_path / "c.sqlite3")
    meta = SessionMeta(
        session_id="11111111-2222-4333-8444-555555555555",
        summary="naïve “quotes” \x1b[31m and 🚀",
        last_modified=1_700_000_000_123,
        file_size=12,
        message_count=3,
        forked_from="21111111-2222-4333-8444-555555555555",
        path="/x/y.jsonl",
        project="-x",
    )
    assert decode_meta(encode_meta(meta)) == meta
    row = CachedRow(FileKey(12, 1_700_000_000_123_456_789, 42), False, encode_meta(meta), None)
    counted = CachedRow(row.key, True, None, encode_meta(meta))
    assert store.save("/x", [("/x/y.jsonl", row), ("/x/z.jsonl", counted)])
    loaded = MetaStore(tmp_path / "c.sqlite3").load("/x")
    assert loaded["/x/y.jsonl"] == row
    assert loaded["/x/z.jsonl"] == counted
    assert MetaStore(tmp_path / "c.sqlite3").load("/elsewhere") == {}


def test_garbage_file_is_rebuilt(corpus_copy: Path) -> None:
    db = cache_dir() / DB_NAME
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database\x00" * 500)
    reader = CountingReader()
    catalog = Catalog(corpus_copy, read_meta=reader)
    assert catalog.store.rebuilt and catalog.store.enabled
    assert as_dicts(catalog.list_sessions()) == as_dicts(reader_sessions.list_sessions(corpus_copy))
    reader.reset()
    Catalog(corpus_copy, read_meta=reader).list_sessions()
    assert reader.paths == []  # the rebuilt cache serves the next run
    assert mode(db) == 0o600


def test_damaged_pages_are_rebuilt(corpus_copy: Path) -> None:
    Catalog(corpus_copy).list_sessions()
    db = cache_dir() / DB_NAME
    # Fold the WAL into the file, then scribble over everything after the first page.
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.seek(4096)
        handle.write(os.urandom(size - 4096))
    reader = CountingReader()
    catalog = Catalog(corpus_copy, read_meta=reader)
    sessions = catalog.list_sessions()
    assert as_dicts(sessions) == as_dicts(reader_sessions.list_sessions(corpus_copy))
    assert catalog.store.rebuilt
    assert catalog.store.problem and "rebuilt" in catalog.store.problem
    reader.reset()
    Catalog(corpus_copy, read_meta=reader).list_sessions()
    assert reader.paths == []


def test_locked_cache_is_not_fatal(corpus_copy: Path) -> None:
    Catalog(corpus_copy).list_sessions()
    gc.collect()
    db = cache_dir() / DB_NAME
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM info WHERE key = 'nothing'")
    try:
        reader = CountingReader()
        catalog = Catalog(corpus_copy, store=MetaStore(busy_timeout_ms=50), read_meta=reader)
        sessions = catalog.list_sessions()
        assert as_dicts(sessions) == as_dicts(reader_sessions.list_sessions(corpus_copy))
        assert catalog.store.problem and "busy" in catalog.store.problem
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Once released, the cache is as it was: nothing is read again.
    reader.reset()
    Catalog(corpus_copy, read_meta=reader).list_sessions()
    assert reader.paths == []


def test_write_lock_held_elsewhere_skips_the_write(corpus_copy: Path) -> None:
    catalog = Catalog(corpus_copy)
    catalog.list_sessions(count_messages=False)
    path = reader_sessions.session_files(corpus_copy)[0][0]
    os.utime(path, ns=(0, os.stat(path).st_mtime_ns + 10**9))
    writer = sqlite3.connect(cache_dir() / DB_NAME, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        store = MetaStore(busy_timeout_ms=50)
        result = Catalog(corpus_copy, store=store).refresh(count_messages=False)
        assert result.reread == [os.path.abspath(path)]
        assert as_dicts(result.sessions) == as_dicts(
            reader_sessions.list_sessions(corpus_copy, count_messages=False)
        )
        assert store.problem and "busy" in store.problem
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_unwritable_cache_folder_is_not_fatal(generated_corpus: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = MetaStore(blocker / "sub" / DB_NAME)
    assert not store.enabled and store.problem
    sessions = Catalog(generated_corpus, store=store).list_sessions(count_messages=False)
    assert as_dicts(sessions) == as_dicts(
        reader_sessions.list_sessions(generated_corpus, count_messages=False)
    )


def test_other_format_is_dropped(corpus_copy: Path) -> None:
    Catalog(corpus_copy).list_sessions(count_messages=False)
    db = cache_dir() / DB_NAME
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE info SET value = 'an older reader' WHERE key = 'format'")
    reader = CountingReader()
    catalog = Catalog(corpus_copy, read_meta=reader)
    assert catalog.store.rebuilt
    catalog.list_sessions(count_messages=False)
    assert len(reader.paths) == 300


_WRITER = """
import sys
from sessionscope.catalog import Catalog
sessions = Catalog(sys.argv[1]).list_sessions(count_messages=False)
print(len(sessions))
"""


def test_concurrent_writers(corpus_copy: Path) -> None:
    env = dict(os.environ)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(corpus_copy)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    expected = len(reader_sessions.list_sessions(corpus_copy, count_messages=False))
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert int(out) == expected
    reader = CountingReader()
    Catalog(corpus_copy, read_meta=reader).list_sessions(count_messages=False)
    assert reader.paths == []


@pytest.mark.parametrize("damage", ["wal", "shm"])
def test_damaged_companion_files(corpus_copy: Path, damage: str) -> None:
    Catalog(corpus_copy).list_sessions(count_messages=False)
    companion = Path(f"{cache_dir() / DB_NAME}-{damage}")
    companion.write_bytes(os.urandom(40000))
    catalog = Catalog(corpus_copy)
    assert as_dicts(catalog.list_sessions(count_messages=False)) == as_dicts(
        reader_sessions.list_sessions(corpus_copy, count_messages=False)
    )


def test_a_lone_surrogate_is_listed_and_cached(isolated_user_dirs: Path) -> None:
    """The SDK reads a ``\\ud800`` escape as a lone surrogate, which orjson will not write: such
    a prompt once stopped the whole list; it is stored (escaped) and read back as it was."""
    from sessionscope.catalog.sessions_json import sessions_json

    folder = isolated_user_dirs / "projects" / "-p"
    folder.mkdir()
    (folder / "11111111-2222-4333-8444-555555555555.jsonl").write_bytes(
        b'{"type":"user","uuid":"a","parentUuid":null,"sessionId":"s",'
        b'"message":{"role":"user","content":"hi \\ud800 there"}}\n'
    )
    want = reader_sessions.list_sessions(isolated_user_dirs)
    assert want[0].summary == "hi \ud800 there"
    assert decode_meta(encode_meta(want[0])) == want[0]
    for _ in range(2):  # cold, then from the stored listing
        assert Catalog(isolated_user_dirs).json_lines() == sessions_json(want).encode()
        assert Catalog(isolated_user_dirs).list_sessions() == want
    assert Catalog(isolated_user_dirs).cached_sessions() == want


def test_a_new_cache_has_large_pages(generated_corpus: Path) -> None:
    """64 KiB pages: a cold list's rows, listing and JSON lines (about 4 MB on 2,000 sessions)
    are written, and checkpointed at close, in 16 times fewer pages than SQLite's default."""
    Catalog(generated_corpus).list_sessions()
    with sqlite3.connect(cache_dir() / DB_NAME) as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (65536,)
