"""The stored listing: a warm list is one walk and one blob, and every change is noticed."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from sessionscope.catalog import Catalog, cache_dir
from sessionscope.catalog.store import DB_NAME
from sessionscope.commands.list import as_json
from sessionscope.transcripts import sessions as reader_sessions

from .conftest import CountingReader


def as_dicts(metas) -> list[dict]:
    return [dataclasses.asdict(meta) for meta in metas]


def session_paths(config_dir: Path) -> list[str]:
    return [os.path.abspath(path) for path, _ in reader_sessions.session_files(config_dir)]


def drop_rows() -> None:
    """Forget every file's row: only a stored listing can answer now."""
    with sqlite3.connect(cache_dir() / DB_NAME) as conn:
        conn.execute("DELETE FROM session_meta")


def test_an_unchanged_walk_is_answered_by_the_listing(corpus_copy: Path) -> None:
    expected = as_dicts(reader_sessions.list_sessions(corpus_copy))
    Catalog(corpus_copy).refresh()
    drop_rows()
    reader = CountingReader()
    result = Catalog(corpus_copy, read_meta=reader).refresh()
    assert reader.paths == []
    assert result.reread == [] and result.removed == []
    assert as_dicts(result.sessions) == expected
    # And the cached list (what the TUI paints first) is the same, forks inferred.
    assert as_dicts(Catalog(corpus_copy).cached_sessions()) == expected


def _touch(path: str) -> None:
    status = os.stat(path)
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))


def _append(path: str) -> None:
    with open(path, "ab") as handle:
        handle.write(b'{"type":"custom-title","customTitle":"Appended","sessionId":"x"}\n')


def _same_size_and_mtime_new_inode(path: str) -> None:
    """The file replaced by a copy of itself with the very same size and mtime."""
    status = os.stat(path)
    copy = path + ".tmp"
    shutil.copyfile(path, copy)
    os.replace(copy, path)
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert os.stat(path).st_ino != status.st_ino


def _rename(path: str) -> None:
    os.rename(
        path, os.path.join(os.path.dirname(path), "0a0b0c0d-1111-4222-8333-444455556666.jsonl")
    )


@pytest.mark.parametrize(
    "change",
    [_touch, _append, _same_size_and_mtime_new_inode, _rename, os.unlink],
    ids=["touch", "append", "new-inode", "rename", "delete"],
)
def test_every_change_is_noticed(corpus_copy: Path, change) -> None:
    Catalog(corpus_copy).refresh()
    target = session_paths(corpus_copy)[17]
    change(target)
    reader = CountingReader()
    result = Catalog(corpus_copy, read_meta=reader).refresh()
    assert as_dicts(result.sessions) == as_dicts(reader_sessions.list_sessions(corpus_copy))
    renamed = os.path.join(os.path.dirname(target), "0a0b0c0d-1111-4222-8333-444455556666.jsonl")
    if change is os.unlink:
        assert reader.paths == [] and result.removed == [target]
    else:
        assert reader.paths == [renamed if change is _rename else target]
    # The new listing serves the next refresh.
    reader.reset()
    again = Catalog(corpus_copy, read_meta=reader).refresh()
    assert reader.paths == [] and as_dicts(again.sessions) == as_dicts(result.sessions)


def test_a_new_file_is_read(corpus_copy: Path) -> None:
    Catalog(corpus_copy).refresh()
    source = Path(session_paths(corpus_copy)[5])
    new = source.with_name("0a0b0c0d-2222-4222-8333-444455556666.jsonl")
    new.write_bytes(source.read_bytes())
    reader = CountingReader()
    result = Catalog(corpus_copy, read_meta=reader).refresh()
    assert reader.paths == [str(new)]
    assert as_dicts(result.sessions) == as_dicts(reader_sessions.list_sessions(corpus_copy))


def test_each_project_filter_and_count_has_its_own_listing(corpus_copy: Path) -> None:
    folders = sorted(p.name for p in (corpus_copy / "projects").iterdir())
    catalog = Catalog(corpus_copy)
    everything = catalog.refresh()
    lite = catalog.refresh(count_messages=False)
    one = catalog.refresh(folders[2])
    assert as_dicts(one.sessions) == as_dicts(
        reader_sessions.list_sessions(corpus_copy, folders[2])
    )
    assert as_dicts(lite.sessions) == as_dicts(
        reader_sessions.list_sessions(corpus_copy, count_messages=False)
    )
    drop_rows()
    reader = CountingReader()
    catalog = Catalog(corpus_copy, read_meta=reader)
    assert as_dicts(catalog.refresh().sessions) == as_dicts(everything.sessions)
    assert as_dicts(catalog.refresh(count_messages=False).sessions) == as_dicts(lite.sessions)
    assert as_dicts(catalog.refresh(folders[2]).sessions) == as_dicts(one.sessions)
    assert reader.paths == []
    # A filter never listed before is not answered by another's listing.
    other = catalog.refresh(folders[3])
    assert as_dicts(other.sessions) == as_dicts(
        reader_sessions.list_sessions(corpus_copy, folders[3])
    )
    assert sorted(reader.paths) == sorted(
        os.path.abspath(path) for path, _ in reader_sessions.session_files(corpus_copy, folders[3])
    )


def test_json_lines_are_the_list_as_json(corpus_copy: Path) -> None:
    def expected() -> bytes:
        return "".join(
            as_json(meta) + "\n" for meta in reader_sessions.list_sessions(corpus_copy)
        ).encode()

    assert Catalog(corpus_copy).json_lines() == expected()  # cold
    assert Catalog(corpus_copy).json_lines() == expected()  # stored with the listing
    drop_rows()
    reader = CountingReader()
    assert Catalog(corpus_copy, read_meta=reader).json_lines() == expected()
    assert reader.paths == []
    _append(session_paths(corpus_copy)[3])
    assert Catalog(corpus_copy).json_lines() == expected()


def test_a_file_that_cannot_be_stat_ed_is_read_every_time(isolated_user_dirs: Path) -> None:
    folder = isolated_user_dirs / "projects" / "-loop"
    folder.mkdir(parents=True)
    loop = folder / "44444444-4444-4444-8444-444444444444.jsonl"
    loop.symlink_to(loop)  # stat fails (ELOOP)
    good = folder / "55555555-5555-4555-8555-555555555555.jsonl"
    good.write_bytes(
        b'{"type":"user","uuid":"u1","parentUuid":null,"sessionId":"x",'
        b'"timestamp":"2025-01-01T00:00:00Z","message":{"role":"user","content":"hello"}}\n'
    )
    for _ in range(2):
        reader = CountingReader()
        result = Catalog(isolated_user_dirs, read_meta=reader).refresh()
        assert str(loop) in reader.paths
        assert as_dicts(result.sessions) == as_dicts(
            reader_sessions.list_sessions(isolated_user_dirs)
        )


def test_cached_list_is_the_listing_while_the_files_are_the_same(corpus_copy: Path) -> None:
    before = as_dicts(Catalog(corpus_copy).refresh().sessions)
    # A changed file: the cached list is still the listing (its cached version)...
    _append(session_paths(corpus_copy)[9])
    drop_rows()
    assert as_dicts(Catalog(corpus_copy).cached_sessions()) == before
    # ...a new file: the listing is not of these files, the rows answer (none are left here).
    source = Path(session_paths(corpus_copy)[5])
    source.with_name("0a0b0c0d-3333-4222-8333-444455556666.jsonl").write_bytes(source.read_bytes())
    assert Catalog(corpus_copy).cached_sessions() == []
