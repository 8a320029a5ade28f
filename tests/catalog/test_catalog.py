"""The catalog lists exactly what the reader lists, and reads only what changed."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from sessionscope.catalog import Catalog, MetaStore
from sessionscope.transcripts import sessions as reader_sessions

from .conftest import CountingReader


def as_dicts(metas) -> list[dict]:
    return [dataclasses.asdict(meta) for meta in metas]


def session_paths(config_dir: Path) -> list[str]:
    return [os.path.abspath(path) for path, _ in reader_sessions.session_files(config_dir)]


def test_cold_then_warm_reads_each_file_once(corpus_copy: Path) -> None:
    reader = CountingReader()
    files = session_paths(corpus_copy)
    assert len(files) == 300

    cold = Catalog(corpus_copy, read_meta=reader).refresh()
    assert sorted(reader.paths) == sorted(files)
    assert sorted(cold.reread) == sorted(files)

    reader.reset()
    # A new catalog and a new connection: what a second `sessionscope list` does.
    warm = Catalog(corpus_copy, read_meta=reader).refresh()
    assert reader.paths == []
    assert warm.reread == [] and warm.removed == []
    assert as_dicts(warm.sessions) == as_dicts(cold.sessions)


def test_touching_one_file_of_2000_rereads_only_that_file(corpus_2000: Path) -> None:
    # The corpus is this test's alone, so it touches the file in place.
    files = session_paths(corpus_2000)
    assert len(files) == 2000
    reader = CountingReader()
    Catalog(corpus_2000, read_meta=reader).refresh(count_messages=False)
    assert len(reader.paths) == 2000
    touched = files[1234]
    stat = os.stat(touched)
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))

    reader.reset()
    result = Catalog(corpus_2000, read_meta=reader).refresh(count_messages=False)
    assert reader.paths == [touched]
    assert result.reread == [touched]
    assert as_dicts(result.sessions) == as_dicts(
        reader_sessions.list_sessions(corpus_2000, count_messages=False)
    )


def test_appended_title_is_seen_and_only_that_file_read(corpus_copy: Path) -> None:
    reader = CountingReader()
    catalog = Catalog(corpus_copy, read_meta=reader)
    before = {meta.session_id: meta for meta in catalog.list_sessions()}
    path = Path(session_paths(corpus_copy)[42])
    session_id = path.stem
    with path.open("ab") as handle:
        handle.write(
            b'{"type":"custom-title","customTitle":"Renamed here","sessionId":"'
            + session_id.encode()
            + b'"}\n'
        )
    reader.reset()
    after = {meta.session_id: meta for meta in catalog.list_sessions()}
    assert reader.paths == [str(path)]
    if session_id in before:
        assert after[session_id].custom_title == "Renamed here"
        assert after[session_id].summary == "Renamed here"
        assert after[session_id].file_size > before[session_id].file_size


def test_removed_and_added_files(corpus_copy: Path) -> None:
    reader = CountingReader()
    catalog = Catalog(corpus_copy, read_meta=reader)
    catalog.refresh()
    files = session_paths(corpus_copy)
    gone = files[7]
    os.unlink(gone)
    new = Path(files[8]).with_name("0a0b0c0d-1111-4222-8333-444455556666.jsonl")
    new.write_bytes(Path(files[8]).read_bytes())

    reader.reset()
    result = catalog.refresh()
    assert reader.paths == [str(new)]
    assert result.removed == [gone]
    assert gone not in catalog.store.load(catalog.root)
    assert as_dicts(result.sessions) == as_dicts(reader_sessions.list_sessions(corpus_copy))


@pytest.mark.parametrize("count_messages", [True, False])
def test_same_list_as_the_reader(generated_corpus: Path, count_messages: bool) -> None:
    expected = as_dicts(
        reader_sessions.list_sessions(generated_corpus, count_messages=count_messages)
    )
    catalog = Catalog(generated_corpus)
    assert as_dicts(catalog.refresh(count_messages=count_messages).sessions) == expected
    # Warm, from a fresh connection, and served from the cache alone.
    catalog = Catalog(generated_corpus)
    assert as_dicts(catalog.refresh(count_messages=count_messages).sessions) == expected
    assert as_dicts(catalog.cached_sessions(count_messages=count_messages)) == expected


def test_lite_then_counted(generated_corpus: Path) -> None:
    """A lite listing first (the SDK's reads), counts later: each is exactly the reader's."""
    reader = CountingReader()
    catalog = Catalog(generated_corpus, read_meta=reader)
    lite = catalog.refresh(count_messages=False)
    assert as_dicts(lite.sessions) == as_dicts(
        reader_sessions.list_sessions(generated_corpus, count_messages=False)
    )
    # Counts are not known yet: the cached list shows the lite values, not a guess.
    assert as_dicts(catalog.cached_sessions()) == as_dicts(lite.sessions)
    full = catalog.refresh(count_messages=True)
    assert as_dicts(full.sessions) == as_dicts(reader_sessions.list_sessions(generated_corpus))
    reader.reset()
    catalog.refresh(count_messages=True)
    catalog.refresh(count_messages=False)
    assert reader.paths == []


def test_project_filter_matches_the_reader(generated_corpus: Path) -> None:
    folders = sorted(p.name for p in (generated_corpus / "projects").iterdir())
    catalog = Catalog(generated_corpus)
    catalog.refresh()
    for folder in folders[:5]:
        expected = as_dicts(reader_sessions.list_sessions(generated_corpus, folder))
        assert expected
        assert as_dicts(catalog.refresh(folder).sessions) == expected
        assert as_dicts(catalog.cached_sessions(folder)) == expected


def test_shared_corpus_same_list_as_the_reader(shared_corpus: Path) -> None:
    expected = as_dicts(reader_sessions.list_sessions(shared_corpus))
    catalog = Catalog(shared_corpus)
    assert as_dicts(catalog.list_sessions()) == expected
    assert as_dicts(Catalog(shared_corpus).list_sessions()) == expected


def test_session_meta_is_cached(corpus_copy: Path) -> None:
    reader = CountingReader()
    catalog = Catalog(corpus_copy, read_meta=reader)
    path = session_paths(corpus_copy)[3]
    first = catalog.session_meta(path)
    assert reader.paths == [path]
    assert catalog.session_meta(path) == first
    assert reader.paths == [path]
    assert first == reader_sessions.read_session_meta(path)
    # A list after it reads every other file, but not that one again.
    reader.reset()
    catalog.refresh()
    assert path not in reader.paths and len(reader.paths) == 299


def test_unreadable_and_odd_files_cost_nothing_more(isolated_user_dirs: Path) -> None:
    folder = isolated_user_dirs / "projects" / "-odd"
    folder.mkdir()
    (folder / "11111111-2222-4333-8444-555555555555.jsonl").mkdir()  # a directory
    (folder / "21111111-2222-4333-8444-555555555555.jsonl").write_bytes(b"")
    (folder / "31111111-2222-4333-8444-555555555555.jsonl").write_bytes(b"\x00\xff{not json\n")
    reader = CountingReader()
    catalog = Catalog(isolated_user_dirs, read_meta=reader)
    assert catalog.list_sessions() == reader_sessions.list_sessions(isolated_user_dirs)
    reader.reset()
    assert Catalog(isolated_user_dirs, read_meta=reader).list_sessions() == []
    assert reader.paths == []


def test_two_config_folders_share_one_cache(generated_corpus: Path, corpus_copy: Path) -> None:
    store = MetaStore()
    a = Catalog(generated_corpus, store=store).list_sessions()
    b = Catalog(corpus_copy, store=store).list_sessions()
    assert [m.session_id for m in a] == [m.session_id for m in b]
    assert {m.path for m in a}.isdisjoint({m.path for m in b})
