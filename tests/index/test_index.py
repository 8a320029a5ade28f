"""The index: the reader's list and counts, incremental catch-up, a corrupt file rebuilt, every
message findable (identifiers and paths as typed), snippets read back from the transcript."""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import resource
import shutil
import sqlite3
from pathlib import Path

import orjson
import pytest

from sessionscope.index import Database, Index
from sessionscope.index import index as index_module
from sessionscope.index.db import DB_NAME
from sessionscope.index.paths import cache_dir
from sessionscope.index.query import parse_query
from sessionscope.transcripts import sessions as reader_sessions
from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.files import session_files, transcript_files
from sessionscope.transcripts.meta import as_json
from sessionscope.transcripts.reader import index_transcript, load_entries
from tests.helpers.chains import OTHER, SESSION, assistant, chain, line, user


def as_dicts(metas) -> list[dict]:
    return [{name: getattr(meta, name) for name in meta.__slots__} for meta in metas]


def uuids_of(hits) -> list[str]:
    return [hit.uuid for hit in hits]


def message_ids(index: Index, path: Path) -> dict[str, int]:
    """uuid -> rowid of the messages the index holds for one file."""
    rows = index.db.rows(
        "SELECT m.uuid, m.id FROM messages m JOIN files f ON f.id = m.file_id WHERE f.path = ?",
        (str(path),),
    )
    return dict(rows)


def test_a_first_build_stopped_midway_still_lists_every_session_at_once(
    generated_copy: Path, tmp_path: Path
) -> None:
    """The explorer's first list after a first build was stopped: the build goes oldest
    first, and the newest sessions (those a person opens) were missing until it ended."""
    index = Index(generated_copy, db=Database(tmp_path / "stopped.sqlite3"))
    index.catch_up_all(stop=lambda: index.progress is not None and index.progress[0] >= 10)
    lite = as_dicts(index.list_sessions(count_messages=False))
    cached = index.cached_sessions()
    assert 0 < sum(meta.message_count is not None for meta in cached) < len(cached)
    fields = ("session_id", "summary", "last_modified", "custom_title", "first_prompt", "cwd")
    assert [{name: meta[name] for name in fields} for meta in as_dicts(cached)] == [
        {name: meta[name] for name in fields} for meta in lite
    ]


def test_with_no_index_yet_the_newest_sessions_are_read_first(
    generated_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "FIRST_SHOWN", 25)
    lite = index_module.Index(generated_corpus).list_sessions(count_messages=False)
    given: list[list] = []
    cached = Index(generated_corpus).cached_sessions(first=given.append)
    assert as_dicts(cached) == as_dicts(lite)
    (newest,) = given
    by_time = sorted(lite, key=lambda meta: meta.last_modified, reverse=True)
    assert {meta.session_id for meta in newest} == {meta.session_id for meta in by_time[:25]}
    # Nothing to read first when the index has every session.
    index = Index(generated_corpus)
    index.catch_up_all()
    assert as_dicts(index.cached_sessions(first=given.append)) and len(given) == 1


def test_list_with_counts_is_the_readers(generated_corpus: Path) -> None:
    want = as_dicts(reader_sessions.list_sessions(generated_corpus))
    index = Index(generated_corpus)
    assert as_dicts(index.list_sessions()) == want
    assert as_dicts(Index(generated_corpus).cached_sessions()) == want
    # A cold list (no index yet for another cache) has the SDK's fields, counts unknown.
    fresh = Index(generated_corpus, db=Database(Path(os.environ["SESSIONSCOPE_CACHE_DIR"]) / "x"))
    lite = fresh.list_sessions(count_messages=False)
    sdk = as_dicts(reader_sessions.list_sessions(generated_corpus, count_messages=False))
    fields = (
        "session_id",
        "summary",
        "last_modified",
        "file_size",
        "custom_title",
        "first_prompt",
        "git_branch",
        "cwd",
        "tag",
        "created_at",
    )
    assert [{k: d[k] for k in fields} for d in as_dicts(lite)] == [
        {k: d[k] for k in fields} for d in sdk
    ]
    assert {meta.message_count for meta in lite} == {None}


def test_shared_corpus_list_is_the_readers(shared_corpus: Path) -> None:
    index = Index(shared_corpus)
    assert as_dicts(index.list_sessions()) == as_dicts(reader_sessions.list_sessions(shared_corpus))


def test_the_index_file_is_private(sessions_dir, isolated_user_dirs) -> None:
    sessions_dir([user("hello")])
    old = os.umask(0o022)
    try:
        Index(isolated_user_dirs).catch_up_all()
    finally:
        os.umask(old)
    assert (cache_dir() / DB_NAME).stat().st_mode & 0o777 == 0o600
    assert cache_dir().stat().st_mode & 0o777 == 0o700


def test_a_link_that_loops_is_passed_over(sessions_dir, isolated_user_dirs) -> None:
    """A ``*.jsonl`` link to itself (or a project folder that is one) is not a transcript: the
    walk passes over it and every other session is counted and searched (it stopped the
    catch-up, so no session had a count and no search found anything)."""
    path = sessions_dir(chain(user("alpha words here"), assistant("beta answer")))
    loop = path.with_name(OTHER + ".jsonl")
    loop.symlink_to(loop.name)
    folder_loop = isolated_user_dirs / "projects" / "-work-loop"
    folder_loop.symlink_to(folder_loop.name)
    assert [found for found, _, _ in transcript_files(isolated_user_dirs)] == [str(path)]
    index = Index(isolated_user_dirs)
    assert index.catch_up_all() == 1
    assert [meta.message_count for meta in index.list_sessions()] == [2]
    assert len(index.search("alpha")) == 1


def test_an_append_is_read_alone(sessions_dir, isolated_user_dirs) -> None:
    first = chain(user("alpha words here"), assistant("beta answer"))
    path = sessions_dir(first)
    index = Index(isolated_user_dirs)
    assert index.catch_up_all() == 1
    before = message_ids(index, path)
    assert len(before) == 2
    assert not index.catch_up(path)  # nothing changed: nothing read
    more = chain(first[-1], user("gamma question"), assistant("delta reply"))[1:]
    with path.open("ab") as handle:
        handle.write(b"".join(line(entry) for entry in more))
    assert index.catch_up(path)
    after = message_ids(index, path)
    # The old messages keep their rows (a re-read would have made new ones).
    assert {uid: after[uid] for uid in before} == before
    assert len(after) == 4
    assert uuids_of(index.search("gamma")) == [more[0]["uuid"]]
    assert index.session_meta(path).message_count == 4


def test_a_session_the_explorer_read_already_is_counted_from_its_read(
    sessions_dir, isolated_user_dirs
) -> None:
    """The explorer hands the catch-up its own read of the open session (its conversation
    built as the file grew): the messages are counted from it, with the answer the stored
    entries give; a read that does not reach where the index does is not used."""
    first = chain(user("alpha words here"), assistant("beta answer"))
    path = sessions_dir(first)
    index = Index(isolated_user_dirs)
    assert index.catch_up_all() == 1
    more = chain(first[-1], user("gamma question"), assistant("delta reply"))[1:]
    with path.open("ab") as handle:
        handle.write(b"".join(line(entry) for entry in more))
    read = index_transcript(path)
    assert index.catch_up(path, read=read)
    assert read.graph is not None  # its conversation was built for the count
    assert index.session_meta(path).message_count == 4
    assert uuids_of(index.search("gamma")) == [more[0]["uuid"]]
    again = chain(more[-1], user("epsilon question"), assistant("zeta reply"))[1:]
    with path.open("ab") as handle:
        handle.write(b"".join(line(entry) for entry in again))
    graph = read.graph
    assert index.catch_up(path, read=read)
    assert read.graph is graph and list(graph.built) == [None]  # not used: it ends before
    assert index.session_meta(path).message_count == 6
    whole = Index(isolated_user_dirs, db=Database(isolated_user_dirs / "whole.sqlite3"))
    whole.catch_up_all()
    assert whole.session_meta(path) == index.session_meta(path)


@pytest.mark.parametrize("change", ["new file", "appended"])
def test_a_file_another_process_caught_up_meanwhile_is_read_on_from_its_row(
    sessions_dir, isolated_user_dirs, change
) -> None:
    """Two processes catching up at once (the explorer, `sessionscope search` in another
    terminal): one reads a file while the other writes it. Its read is not written over the
    other's row (a second row for the path was taken for corruption and the whole index was
    rebuilt; an append written twice made each new message twice)."""
    first = chain(user("alpha words here"), assistant("beta answer"))
    path = sessions_dir(first)
    here, there = Index(isolated_user_dirs), Index(isolated_user_dirs)
    if change == "appended":
        assert here.catch_up_all() == 1
        more = chain(first[-1], user("gamma question"), assistant("delta reply"))[1:]
        with path.open("ab") as handle:
            handle.write(b"".join(line(entry) for entry in more))
    job = here._job(str(path), None)
    read = index_module._read(job, here.root)
    assert there.catch_up(path)  # the other process, between this one's read and its write
    here._write_piece(job, read)
    assert (here.db.problem, here.db.rebuilt) == (None, False)
    count = 4 if change == "appended" else 2
    assert len(message_ids(here, path)) == count
    assert here.db.rows("SELECT count(*) FROM messages") == [(count,)]
    assert here.session_meta(path).message_count == count
    assert len(here.search("alpha")) == 1


def test_without_an_index_file_nothing_is_read_for_it_and_the_list_comes_from_the_files(
    sessions_dir, isolated_user_dirs, tmp_path
) -> None:
    path = sessions_dir(chain(user("alpha words here"), assistant("beta answer")))
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be\n")
    index = Index(isolated_user_dirs, db=Database(not_a_folder / "index.sqlite3"))
    assert not index.db.enabled and "index folder unusable" in index.db.problem
    assert index.catch_up_all() == 0 and index.catch_up(path) is False
    (listed,) = index.list_sessions()
    assert (listed.session_id, listed.message_count) == (path.stem, None)
    with pytest.raises(index_module.IndexUnusable, match="index folder unusable"):
        index.search("alpha")


def test_a_config_folder_that_is_gone_is_forgotten(
    sessions_dir, isolated_user_dirs, tmp_path
) -> None:
    """The index is shared by every config folder: one that is gone (a --config-dir used
    once) loses its rows and words at the next catch-up of another; one that is there keeps
    them."""
    sessions_dir(chain(user("alpha words here"), assistant("beta answer")))
    others = []
    for name in ("gone", "kept"):
        folder = tmp_path / name / "projects" / "-work-other"
        folder.mkdir(parents=True)
        entries = chain(
            user(f"{name} zeta question", session=OTHER), assistant("eta answer", session=OTHER)
        )
        (folder / f"{OTHER}.jsonl").write_bytes(b"".join(line(entry) for entry in entries))
        other = Index(tmp_path / name)
        assert other.catch_up_all() == 1
        assert len(other.search("zeta")) == 1
        others.append(other)
    gone, kept = others
    shutil.rmtree(tmp_path / "gone")
    index = Index(isolated_user_dirs)
    assert index.catch_up_all() == 1
    roots = {root for (root,) in index.db.rows("SELECT DISTINCT root FROM files")}
    assert roots == {index.root, kept.root}
    assert index.db.rows("SELECT count(*) FROM folders WHERE root = ?", (gone.root,)) == [(0,)]
    assert len(kept.search("zeta", catch_up=False)) == 1
    assert gone.search("zeta", catch_up=False) == []


def test_a_torn_last_line_waits_for_its_newline(sessions_dir, isolated_user_dirs) -> None:
    settled = user("settled words")
    path = sessions_dir([settled])
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    new = user("zebrafish arrives", parent=settled["uuid"])
    raw = line(new)
    with path.open("ab") as handle:
        handle.write(raw[:25])  # torn: not JSON yet
    index.catch_up(path)
    assert index.search("zebrafish") == []
    with path.open("ab") as handle:
        handle.write(raw[25:-1])  # whole JSON, no newline yet: a message, as the SDK reads it
    index.catch_up(path)
    assert uuids_of(index.search("zebrafish")) == [new["uuid"]]
    assert index.session_meta(path).message_count == 2
    with path.open("ab") as handle:
        handle.write(b"\n" + line(user("then a yak", parent=new["uuid"])))
    index.catch_up(path)
    assert uuids_of(index.search("zebrafish")) == [new["uuid"]]  # once, not twice
    assert len(message_ids(index, path)) == 3
    assert index.session_meta(path).message_count == 3


@pytest.mark.parametrize("how", ["shorter", "same size", "longer"])
def test_a_rewritten_file_is_read_again_whole(sessions_dir, isolated_user_dirs, how) -> None:
    path = sessions_dir(chain(user("original aardvark"), assistant("original reply")))
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    old = path.read_bytes()
    new_text = {"shorter": "kiwi", "same size": "original bbbbbbbb", "longer": "x" * 300}[how]
    entries = chain(user(new_text), assistant("original reply"))
    raw = b"".join(line(entry) for entry in entries)
    if how == "same size":
        raw = raw[: len(old)].ljust(len(old), b" ")
        assert len(raw) == len(old)
    path.write_bytes(raw)
    index.catch_up_all()
    assert index.search("aardvark") == []
    assert len(message_ids(index, path)) == 2


def test_a_deleted_file_is_forgotten(sessions_dir, isolated_user_dirs) -> None:
    path = sessions_dir([user("ephemeral mayfly")])
    keep = sessions_dir([user("ephemeral tortoise")], session=OTHER)
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    assert len(index.search("ephemeral")) == 2
    path.unlink()
    index.catch_up_all()
    assert [hit.session_id for hit in index.search("ephemeral")] == [OTHER]
    assert index.db.rows("SELECT path FROM files") == [(str(keep),)]


def _age_folders(root: Path, seconds: float = 60.0) -> None:
    """Every folder under ``root`` last changed ``seconds`` ago: old enough to be trusted."""
    past = os.stat(root).st_mtime - seconds
    for folder in [root, *(path for path in root.rglob("*") if path.is_dir())]:
        os.utime(folder, (past, past))


def test_a_catch_up_walks_the_folders_again_only_when_one_changed(
    sessions_dir, isolated_user_dirs, monkeypatch
) -> None:
    first = sessions_dir([user("first narwhal")])
    root = isolated_user_dirs / "projects"
    _age_folders(root)
    index = Index(isolated_user_dirs)
    assert index.catch_up_all() == 1
    walks = []
    walk = index_module.transcript_files
    monkeypatch.setattr(
        index_module, "transcript_files", lambda *args: walks.append(1) or walk(*args)
    )
    # Nothing changed, or a file grew: no walk (a folder's mtime stays), the growth is read.
    assert index.catch_up_all() == 0
    with first.open("ab") as handle:
        handle.write(line(user("then a walrus", parent=None)))
    assert index.catch_up_all() == 1
    assert walks == []
    assert len(index.search("walrus")) == 1
    # A new session in the same folder, a new subagent's folder, a new project: walked, found.
    sessions_dir([user("second narwhal")], session=OTHER)
    agent = first.with_suffix("") / "subagents" / "agent-a1b2.jsonl"
    agent.parent.mkdir(parents=True)
    agent.write_bytes(line(user("subagent narwhal", isSidechain=True, agentId="a1b2")))
    sessions_dir([user("third narwhal")], session=OTHER, project="-work-other")
    assert index.catch_up_all() == 3
    assert len(walks) == 1
    assert len(index.search("narwhal")) == 4


def test_a_folder_changed_moments_before_a_walk_is_walked_again(
    sessions_dir, isolated_user_dirs
) -> None:
    """File times are coarse: an entry added in the same clock tick as the walk's listing
    leaves the folder's mtime as it was. A folder that changed just before a walk is not
    trusted at the next one."""
    sessions_dir([user("early heron")])
    folder = isolated_user_dirs / "projects" / "-work-app"
    index = Index(isolated_user_dirs)
    index.catch_up_all()  # the folder changed moments ago: noted as not to be trusted
    tick = os.stat(folder).st_mtime_ns
    sessions_dir([user("late heron")], session=OTHER)
    os.utime(folder, ns=(tick, tick))  # as if added in the same tick
    assert index.catch_up_all() == 1
    assert len(index.search("heron")) == 2


def test_a_walk_is_trusted_only_while_the_index_has_its_files(
    sessions_dir, isolated_user_dirs
) -> None:
    path = sessions_dir([user("kept kestrel")])
    _age_folders(isolated_user_dirs / "projects")
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    index.forget([str(path)])
    assert index.catch_up_all() == 1  # the folders did not change; the index lost the file
    assert [hit.session_id for hit in index.search("kestrel")] == [path.stem]


def test_the_kept_listing_is_written_again_only_while_nothing_changed(
    sessions_dir, isolated_user_dirs
) -> None:
    path = sessions_dir(chain(user("listed lemur"), assistant("a reply")))
    index = Index(isolated_user_dirs)
    first = index.listing()
    assert [orjson.loads(line)["message_count"] for line in first.splitlines()] == [None]
    index.catch_up_all()  # the index counts it: the listing is made again
    counted = index.listing()
    assert [orjson.loads(line)["message_count"] for line in counted.splitlines()] == [2]
    assert counted == "".join(as_json(meta) + "\n" for meta in index.list_sessions()).encode()
    # Kept: while nothing changed, the kept text is what is written.
    index.db.run(lambda conn: conn.execute("UPDATE listings SET text = 'kept\n'"), None, write=True)
    assert index.listing() == "kept\n"
    # A session file that grew, or a new one: made again.
    with path.open("ab") as handle:
        handle.write(line(user("more lemur", parent=None)))
    assert orjson.loads(index.listing())["file_size"] == path.stat().st_size
    sessions_dir([user("second lemur")], session=OTHER, project="-work-other")
    assert len(index.listing().splitlines()) == 2
    assert len(index.listing("-work-other").splitlines()) == 1


def _word_rows(index: Index, word: str) -> list[tuple]:
    """The full-text table's own rows for a word, whether or not a message still has them."""
    return index.db.rows("SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?", (word,))


def _forgotten(index: Index) -> int:
    rows = index.db.rows("SELECT value FROM info WHERE key = 'forgotten'")
    return int(rows[0][0]) if rows else 0


def test_a_file_gone_leaves_words_no_search_shows_until_compaction(
    sessions_dir, isolated_user_dirs
) -> None:
    path = sessions_dir([user("vanishing okapi"), assistant("okapi noted")])
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    path.unlink()
    index.catch_up_all()
    assert index.search("okapi") == []
    assert len(_word_rows(index, "okapi")) == 2  # no text to delete them with: counted
    assert _forgotten(index) == 2


def test_a_session_forgotten_before_its_files_go_leaves_no_word(
    sessions_dir, isolated_user_dirs
) -> None:
    path = sessions_dir([user("secret narwhal"), assistant("noted narwhal")])
    agents = path.with_suffix("") / "subagents"
    agents.mkdir(parents=True)
    (agents / "agent-a1.jsonl").write_bytes(line(user("narwhal helper", session=SESSION)))
    kept = sessions_dir([user("another narwhal")], session=OTHER)
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    assert len(_word_rows(index, "narwhal")) == 4
    index.forget_session(SESSION)
    shutil.rmtree(path.with_suffix(""))
    path.unlink()
    assert [hit.session_id for hit in index.search("narwhal")] == [OTHER]
    assert len(_word_rows(index, "narwhal")) == 1  # the words went with the messages
    assert _forgotten(index) == 0
    assert index.db.rows("SELECT path FROM files") == [(str(kept),)]


def test_a_last_line_read_again_takes_its_old_words_with_it(
    sessions_dir, isolated_user_dirs
) -> None:
    settled = user("settled words")
    path = sessions_dir([settled])
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    with path.open("ab") as handle:
        handle.write(line(user("pending quokka", parent=settled["uuid"]))[:-1])  # no newline
    index.catch_up(path)
    with path.open("ab") as handle:
        handle.write(b"\n")
    index.catch_up(path)
    assert len(index.search("quokka")) == 1
    assert len(_word_rows(index, "quokka")) == 1
    assert _forgotten(index) == 0


def test_garbage_over_the_index_is_rebuilt(sessions_dir, isolated_user_dirs) -> None:
    sessions_dir([user("resilient heron")])
    Index(isolated_user_dirs).catch_up_all()
    db = cache_dir() / DB_NAME
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(os.urandom(4096) * 8)
    index = Index(isolated_user_dirs)
    assert index.db.rebuilt and index.db.enabled
    assert len(index.search("heron")) == 1
    assert db.stat().st_mode & 0o777 == 0o600


def test_an_index_of_another_format_is_started_afresh_in_a_small_file(
    generated_copy: Path,
) -> None:
    def pages(index: Index) -> int:
        return index.db.run(lambda conn: conn.execute("PRAGMA page_count").fetchone()[0], 0)

    def secure_delete(index: Index) -> int:
        return index.db.run(lambda conn: conn.execute("PRAGMA secure_delete").fetchone()[0], -1)

    built = Index(generated_copy)
    built.catch_up_all()
    built_pages = pages(built)
    built.db.run(
        lambda conn: conn.execute("UPDATE info SET value = 'an older reader' WHERE key = 'format'"),
        None,
        write=True,
    )
    index = Index(generated_copy)
    assert index.db.rebuilt
    assert pages(index) < built_pages / 10  # the old tables' pages are given back
    # The old tables were dropped without zeroing their pages; deleting zeroes them again
    # (if this SQLite does by default).
    default = sqlite3.connect(":memory:").execute("PRAGMA secure_delete").fetchone()[0]
    assert secure_delete(index) == secure_delete(built) == default
    assert index.catch_up_all() == len(transcript_files(generated_copy))


def _interrupt_after_50_files(index: Index) -> None:
    """A build stopped by ctrl+c once 50 files are written."""

    def stop_after_50(done: int, total: int) -> None:
        if done == 50:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        index.catch_up_all(progress=stop_after_50)


def test_an_interrupted_build_goes_on_where_it_stopped(generated_copy: Path) -> None:
    index = Index(generated_copy)
    _interrupt_after_50_files(index)
    total = len(transcript_files(generated_copy))
    again = Index(generated_copy)
    assert again.catch_up_all() == total - 50
    assert again.catch_up_all() == 0


def _index_rows(index: Index) -> dict[str, list[tuple]]:
    return {
        table: index.db.rows(f"SELECT * FROM {table} ORDER BY 1")
        for table in ("files", "entries", "messages")
    }


def _read_elsewhere(monkeypatch: pytest.MonkeyPatch, *, piece: int) -> None:
    """Every catch-up of many files reads in another process, in small chunks; files with
    ``piece`` bytes or more to read are read here, a piece at a time."""
    monkeypatch.setattr(index_module, "READ_ELSEWHERE_FROM", 1)
    monkeypatch.setattr(index_module, "CHUNK_BYTES", 20_000)
    monkeypatch.setattr(index_module, "AHEAD_BYTES", 60_000)
    monkeypatch.setattr(index_module, "PIECE_BYTES", piece)


def test_what_another_process_reads_is_indexed_as_what_is_read_here(
    generated_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = Index(generated_copy, db=Database(tmp_path / "here.sqlite3"))
    assert here.catch_up_all() == len(transcript_files(generated_copy))
    sizes = sorted(os.stat(path).st_size for path, _, _ in transcript_files(generated_copy))
    _read_elsewhere(monkeypatch, piece=sizes[-10])  # the 10 biggest read here
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    elsewhere = Index(generated_copy, db=Database(tmp_path / "elsewhere.sqlite3"))
    assert elsewhere.catch_up_all() == len(transcript_files(generated_copy))
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime > children_before
    assert multiprocessing.active_children() == []
    assert _index_rows(elsewhere) == _index_rows(here)
    # Files that grew are read from where the index stopped, there as here.
    grown = [
        path
        for path, _, _ in transcript_files(generated_copy)
        if Path(path).read_bytes().endswith(b"\n")
    ][:40:4]
    for number, path in enumerate(grown):
        with open(path, "ab") as handle:
            handle.write(line(user(f"appended heronry{number}", uid=f"grown-{number}")))
    assert here.catch_up_all() == elsewhere.catch_up_all() == len(grown)
    assert _index_rows(elsewhere) == _index_rows(here)
    for query in ("heronry*", "the", "parse_line"):
        assert uuids_of(elsewhere.search(query, 50)) == uuids_of(here.search(query, 50))
    assert len(here.search("heronry*", 50)) == len(grown)


def test_a_build_read_elsewhere_stops_its_reading_process_when_interrupted(
    generated_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _read_elsewhere(monkeypatch, piece=1 << 30)
    index = Index(generated_copy)
    _interrupt_after_50_files(index)
    assert multiprocessing.active_children() == []
    assert Index(generated_copy).catch_up_all() == len(transcript_files(generated_copy)) - 50


@pytest.mark.parametrize("read_elsewhere", [False, True], ids=["read-here", "read-elsewhere"])
def test_a_catch_up_told_to_stop_keeps_what_it_read(
    generated_copy: Path, monkeypatch: pytest.MonkeyPatch, read_elsewhere: bool
) -> None:
    if read_elsewhere:
        _read_elsewhere(monkeypatch, piece=1 << 30)
    index = Index(generated_copy)
    said: list[int] = []
    read = index.catch_up_all(lambda done, total: said.append(done), stop=lambda: len(said) > 50)
    assert read == 50 and said[-1] == 50
    assert multiprocessing.active_children() == []
    assert Index(generated_copy).catch_up_all() == len(transcript_files(generated_copy)) - 50


@pytest.fixture(params=["generated", "shared"])
def transcripts_copy(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A private copy of the generated corpus (torn and bad lines, forks, compaction,
    subagents), or of the shared corpus of real transcripts (skipped when absent)."""
    source = request.getfixturevalue(f"{request.param}_corpus")
    target = tmp_path / "claude"
    shutil.copytree(source, target)
    return target


def _biggest(config_dir: Path) -> Path:
    return Path(max((path for path, _, _ in transcript_files(config_dir)), key=os.path.getsize))


def _in_pieces(monkeypatch: pytest.MonkeyPatch, config_dir: Path) -> int:
    """Pieces small enough that the biggest file is read in at least 8 (returns their size)."""
    piece = _biggest(config_dir).stat().st_size // 8
    monkeypatch.setattr(index_module, "PIECE_BYTES", piece)
    return piece


def _searched(index: Index) -> list[list[str]]:
    queries = ("the", "parse_line", "src/app.py", "error", "role:assistant tool:Bash")
    return [uuids_of(index.search(query, 100)) for query in queries]


def test_a_file_read_in_pieces_is_indexed_as_one_read(
    transcripts_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = Index(transcripts_copy, db=Database(tmp_path / "whole.sqlite3"))
    whole.catch_up_all()
    piece = _in_pieces(monkeypatch, transcripts_copy)
    pieces = Index(transcripts_copy, db=Database(tmp_path / "pieces.sqlite3"))
    pieces.catch_up_all()
    assert _index_rows(pieces) == _index_rows(whole)
    assert _searched(pieces) == _searched(whole)
    # An append of more than a piece to a file is read in pieces too, as one read.
    grown = _biggest(transcripts_copy)
    last = orjson.loads(grown.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1])
    more, parent = [], last.get("uuid")
    while sum(map(len, more)) < 3 * piece:
        entry = user(f"appended ocelot {len(more)} " + "words " * 200, parent=parent)
        more.append(line(entry))
        parent = entry["uuid"]
    with grown.open("ab") as handle:
        handle.write(b"\n" if not grown.read_bytes().endswith(b"\n") else b"")
        handle.write(b"".join(more))
    assert pieces.catch_up(grown)
    assert whole.catch_up_all() == 1
    assert _index_rows(pieces) == _index_rows(whole)
    assert len(pieces.search("ocelot", 1000)) == len(more)


def _stop_after_first_piece(index: Index, path: Path) -> None:
    """A build stopped once the first piece of ``path`` is written."""
    first_piece = "SELECT 1 FROM files WHERE path = ?", (str(path),)
    index.catch_up_all(stop=lambda: bool(index.db.rows(*first_piece)))
    indexed_to, size = index.db.rows(
        "SELECT indexed_to, size FROM files WHERE path = ?", (str(path),)
    )[0]
    assert size == indexed_to < path.stat().st_size  # where the next catch-up goes on


def test_a_build_interrupted_between_pieces_goes_on_from_the_last_piece(
    generated_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = Index(generated_copy, db=Database(tmp_path / "whole.sqlite3"))
    whole.catch_up_all()
    _in_pieces(monkeypatch, generated_copy)
    big = _biggest(generated_copy)
    pieces = Index(generated_copy, db=Database(tmp_path / "pieces.sqlite3"))
    _stop_after_first_piece(pieces, big)
    file_id = pieces.db.rows("SELECT id FROM files WHERE path = ?", (str(big),))[0][0]
    first = pieces.db.rows("SELECT uuid, id FROM messages WHERE file_id = ?", (file_id,))
    assert 0 < len(first) < len(message_ids(whole, big))
    # The big session is listed at once from its head and tail: its count only once it is
    # read to its end.
    listed = {meta.session_id: meta for meta in pieces.cached_sessions()}
    assert listed[big.stem].message_count is None
    again = Index(generated_copy, db=Database(tmp_path / "pieces.sqlite3"))
    assert again.catch_up_all() == len(transcript_files(generated_copy)) - pieces.progress[0]
    assert _index_rows(again) == _index_rows(whole)
    # The first piece's messages were kept, not read again.
    assert set(first) <= set(message_ids(again, big).items())
    assert _searched(again) == _searched(whole)


@pytest.mark.parametrize("how", ["same size", "shorter", "replaced"])
def test_a_file_rewritten_between_pieces_is_read_again_whole(
    generated_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    _in_pieces(monkeypatch, generated_copy)
    big = _biggest(generated_copy)
    index = Index(generated_copy, db=Database(tmp_path / "pieces.sqlite3"))
    _stop_after_first_piece(index, big)
    first = set(message_ids(index, big).values())
    lines = big.read_bytes().splitlines(keepends=True)
    rewritten = {
        "same size": b"".join(reversed(lines)),
        "shorter": b"".join(lines[len(lines) // 2 :]),
        "replaced": b"".join(lines),  # the same bytes in another file put in its place
    }[how]
    replacement = big.with_suffix(".new")
    replacement.write_bytes(rewritten)
    if how == "replaced":
        os.replace(replacement, big)
    else:
        big.write_bytes(rewritten)
        replacement.unlink()
    index.catch_up_all()
    assert not first & set(message_ids(index, big).values())  # none of them kept
    fresh = Index(generated_copy, db=Database(tmp_path / "fresh.sqlite3"))
    fresh.catch_up_all()
    assert sorted(message_ids(index, big)) == sorted(message_ids(fresh, big))
    # Its messages come later in the index read again (search ranks later ones first).
    for query in (f"the session:{big.stem}", f"error session:{big.stem}"):
        assert sorted(uuids_of(index.search(query, 1000))) == sorted(
            uuids_of(fresh.search(query, 1000))
        )
    assert index.list_sessions() == fresh.list_sessions()


def test_identifiers_and_paths_are_found_as_typed(sessions_dir, isolated_user_dirs) -> None:
    entries = chain(
        user("please fix parse_line in src/app.py for ticket ENT-207"),
        assistant(
            [
                {"type": "thinking", "thinking": "the quokka theory", "signature": "s"},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "Read",
                    "input": {"file_path": "/repo/lib/reader_util.py"},
                },
            ]
        ),
        user(
            [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": "def parse_line(raw): return wombat",
                }
            ]
        ),
        assistant("I will rename parseLine and the line parser."),
    )
    sessions_dir(entries)
    index = Index(isolated_user_dirs)
    first, thinking, result, last = (entry["uuid"] for entry in entries)
    assert set(uuids_of(index.search("parse_line"))) == {first, result}
    assert uuids_of(index.search("src/app.py")) == [first]
    assert uuids_of(index.search("app.py")) == [first]
    assert uuids_of(index.search("ENT-207")) == [first]
    assert uuids_of(index.search("ent-207")) == [first]
    assert uuids_of(index.search("quokka")) == [thinking]  # thinking
    assert uuids_of(index.search("reader_util.py")) == [thinking]  # a tool call's input
    assert uuids_of(index.search("wombat")) == [result]  # a tool result
    assert uuids_of(index.search("parseline")) == [last]
    assert set(uuids_of(index.search("pars*"))) == {first, result, last}
    assert uuids_of(index.search('"line parser"')) == [last]
    assert uuids_of(index.search("role:tool parse_line")) == [result]
    assert uuids_of(index.search("tool:Read")) == [result, thinking] or set(
        uuids_of(index.search("tool:Read"))
    ) == {result, thinking}
    hit = index.search("ENT-207")[0]
    assert hit.snippet[slice(*hit.highlights[0])] == "ENT-207"
    assert hit.title == "please fix parse_line in src/app.py for ticket ENT-207"


def test_a_tool_result_appended_after_its_call_is_found_by_the_tool(
    sessions_dir, isolated_user_dirs
) -> None:
    call = assistant(
        [{"type": "tool_use", "id": "toolu_9", "name": "Grep", "input": {"pattern": "x"}}]
    )
    path = sessions_dir(chain(user("look for it"), call))
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    result = user(
        [{"type": "tool_result", "tool_use_id": "toolu_9", "content": "found a pangolin"}],
        parent=call["uuid"],
    )
    with path.open("ab") as handle:
        handle.write(line(result))
    assert index.catch_up(path)
    assert uuids_of(index.search("tool:Grep pangolin")) == [result["uuid"]]


def test_filters(sessions_dir, isolated_user_dirs) -> None:
    early = user("shared otter", ts="2026-01-01T09:00:00.000Z")
    late = user("shared otter", ts="2026-03-01T09:00:00.000Z", session=OTHER, gitBranch="dev")
    sessions_dir([early], project="-work-app")
    sessions_dir(
        [late, {"type": "tag", "tag": "review", "sessionId": OTHER}],
        session=OTHER,
        project="-home-me-other",
    )
    index = Index(isolated_user_dirs)
    assert uuids_of(index.search("otter after:2026-02-01")) == [late["uuid"]]
    assert uuids_of(index.search("otter before:2026-02-01")) == [early["uuid"]]
    assert uuids_of(index.search("otter project:other")) == [late["uuid"]]
    assert uuids_of(index.search("otter project:/home/me/other")) == [late["uuid"]]
    assert uuids_of(index.search("otter branch:dev")) == [late["uuid"]]
    assert uuids_of(index.search("otter branch:main")) == [early["uuid"]]
    assert uuids_of(index.search("otter tag:review")) == [late["uuid"]]
    assert uuids_of(index.search(f"otter session:{OTHER[:8]}")) == [late["uuid"]]
    assert uuids_of(index.search("otter role:assistant")) == []
    assert len(index.search("otter branch:dev branch:main")) == 2  # either value
    assert uuids_of(index.search("role:user before:2026-02-01")) == [early["uuid"]]


def test_subagent_transcripts_are_searched_under_their_session(
    sessions_dir, isolated_user_dirs
) -> None:
    path = sessions_dir([user("start the agents")])
    agent = path.with_suffix("") / "subagents" / "agent-a1b2.jsonl"
    agent.parent.mkdir(parents=True)
    inner = user("subagent platypus work", session=SESSION, isSidechain=True, agentId="a1b2")
    agent.write_bytes(line(inner))
    index = Index(isolated_user_dirs)
    [hit] = index.search("platypus")
    assert (hit.session_id, hit.agent_id, hit.uuid) == (SESSION, "a1b2", inner["uuid"])
    assert [meta.session_id for meta in index.list_sessions()] == [SESSION]


def test_control_characters_in_snippets_are_made_visible(sessions_dir, isolated_user_dirs):
    sessions_dir([user("before \x1b[2J\x1b]52;c;aGk=\x07 the lemur \x9b31m after")])
    [hit] = Index(isolated_user_dirs).search("lemur")
    assert "\x1b" not in hit.snippet and "\x9b" not in hit.snippet and "\x07" not in hit.snippet
    assert hit.snippet[slice(*hit.highlights[0])] == "lemur"


def test_forgotten_words_are_compacted_away(sessions_dir, isolated_user_dirs, monkeypatch):
    monkeypatch.setattr(index_module, "COMPACT_FROM", 3)
    paths = [
        sessions_dir([user(f"word{n} common")], session=f"{n}1111111-1111-4111-8111-111111111111")
        for n in range(1, 6)
    ]
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    for path in paths[:4]:
        path.unlink()
    index.catch_up_all()  # forgets 4 (more than 3 and the 1 left): the next one compacts
    assert int(index.db.rows("SELECT value FROM info WHERE key = 'forgotten'")[0][0]) == 4
    index.catch_up_all()
    assert index.db.rows("SELECT value FROM info WHERE key = 'forgotten'") == []
    assert [hit.session_id for hit in index.search("common")] == [paths[4].stem]


def _other_config_folder(
    tmp_path: Path, sessions: int, answer: str = "an answer"
) -> tuple[Index, list[Path]]:
    """A second config folder with ``sessions`` sessions (``wordN common`` each), indexed into
    the same index file."""
    folder = tmp_path / "other" / "projects" / "-work-other"
    folder.mkdir(parents=True)
    paths = []
    for n in range(sessions):
        path = folder / f"{n:08d}-2222-4222-8222-222222222222.jsonl"
        entries = chain(user(f"word{n} common", session=path.stem), assistant(answer))
        path.write_bytes(b"".join(line(entry) for entry in entries))
        paths.append(path)
    other = Index(tmp_path / "other")
    assert other.catch_up_all() == sessions
    return other, paths


def _fts_is_sound(index: Index) -> None:
    index.db.run(
        lambda conn: conn.execute(
            "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')"
        ),
        None,
        write=True,
    )
    assert index.db.problem is None


def test_a_compaction_keeps_every_config_folders_rows(
    sessions_dir, isolated_user_dirs, tmp_path, monkeypatch
):
    """The full-text table can only be emptied whole: a compaction gives every message of
    every config folder its words back from its line, and no folder's files are read again
    (it dropped every folder's rows, and the next use of each read all its files again)."""
    monkeypatch.setattr(index_module, "COMPACT_FROM", 3)
    sessions_dir(chain(user("alpha words here"), assistant("beta answer")))
    home = Index(isolated_user_dirs)
    assert home.catch_up_all() == 1
    other, paths = _other_config_folder(tmp_path, 5)
    for path in paths[:4]:
        path.unlink()
    assert other.catch_up_all() == 0  # forgets 4: more than 3 and the 1 left
    assert other.catch_up_all() == 0  # compacts
    assert other.db.rows("SELECT key FROM info WHERE key IN ('forgotten', 'unworded')") == []
    assert home.catch_up_all() == 0  # nothing to read again
    assert len(home.search("alpha", catch_up=False)) == 1
    assert len(home.search("beta", catch_up=False)) == 1
    assert [hit.session_id for hit in other.search("common", catch_up=False)] == [paths[4].stem]
    _fts_is_sound(home)


def test_a_compaction_stopped_midway_goes_on_next_time(
    sessions_dir, isolated_user_dirs, tmp_path, monkeypatch
):
    """A compaction commits as it goes and stops with its catch-up; meanwhile a file that
    changed behind the index's back is read again, and a session deleted leaves the words
    of the messages not yet given theirs alone."""
    monkeypatch.setattr(index_module, "COMPACT_FROM", 3)
    monkeypatch.setattr(index_module, "REWORD_MESSAGES", 1)
    monkeypatch.setattr(index_module, "BATCH_SECONDS", 0)
    other, paths = _other_config_folder(tmp_path, 8)
    for path in paths[:5]:
        path.unlink()
    other.catch_up_all()  # forgets 5 of 8 sessions' messages
    batches = []
    other.catch_up_all(stop=lambda: len(batches) > 0 or batches.append(1))
    assert other.db.rows("SELECT count(*) FROM info WHERE key = 'unworded'") == [(1,)]
    found = {hit.session_id for hit in other.search("common", catch_up=False)}
    assert found == {paths[5].stem}  # the first message has its words again; the rest wait
    other.forget_session(paths[6].stem)  # its messages have no words to delete
    paths[6].unlink()
    rewritten = chain(user("gamma rewritten", session=paths[7].stem), assistant("delta"))
    paths[7].write_bytes(b"".join(line(entry) for entry in rewritten))
    other.catch_up_all()
    assert other.db.rows("SELECT count(*) FROM info WHERE key = 'unworded'") == [(0,)]
    assert {hit.session_id for hit in other.search("common", catch_up=False)} == {paths[5].stem}
    assert [hit.session_id for hit in other.search("gamma", catch_up=False)] == [paths[7].stem]
    _fts_is_sound(other)


def test_a_compaction_is_started_once_by_two_processes(tmp_path, monkeypatch) -> None:
    """Two processes that both saw a compaction due: the second to start it goes on with the
    first's (it emptied the words the first had given back since, and its note of the
    compaction clashed with the first's: the index was taken for corrupt and rebuilt)."""
    monkeypatch.setattr(index_module, "COMPACT_FROM", 3)
    monkeypatch.setattr(index_module, "REWORD_MESSAGES", 2)
    monkeypatch.setattr(index_module, "BATCH_SECONDS", 0)
    first, paths = _other_config_folder(tmp_path, 8)
    for path in paths[:5]:
        path.unlink()
    first.catch_up_all()  # forgets 5 of 8 sessions' messages
    second = Index(tmp_path / "other", db=Database(first.db.path))
    batches = []
    first.catch_up_all(stop=lambda: len(batches) > 0 or batches.append(1))
    given_back = {hit.session_id for hit in first.search("common", catch_up=False)}
    assert given_back == {paths[5].stem}
    # The second process looked before the first started, and starts now.
    assert second.db.run(index_module._start_compaction, False, write=True)
    assert second.db.problem is None and not second.db.rebuilt
    assert {hit.session_id for hit in second.search("common", catch_up=False)} == given_back
    assert second.catch_up_all() == 0
    found = {hit.session_id for hit in first.search("common", catch_up=False)}
    assert found == {path.stem for path in paths[5:]}
    _fts_is_sound(first)


def test_the_index_file_shrinks_when_much_of_it_is_free(
    sessions_dir, isolated_user_dirs, tmp_path, monkeypatch
):
    """What a config folder that is gone held is given back to the file system: SQLite reuses
    free pages but never shrinks the file by itself."""
    monkeypatch.setattr(index_module, "SHRINK_FROM_PAGES", 64)
    sessions_dir(chain(user("alpha words here"), assistant("beta answer")))
    home = Index(isolated_user_dirs)
    assert home.catch_up_all() == 1
    answer = " ".join(f"filler{n}" for n in range(300))
    _other_config_folder(tmp_path, 300, answer)
    [(full,)] = home.db.rows("PRAGMA page_count")
    shutil.rmtree(tmp_path / "other")
    assert home.catch_up_all() == 0
    [(pages, page_size)] = home.db.rows("SELECT * FROM pragma_page_count, pragma_page_size")
    assert pages < full / 2  # (the gone folder's words stay until a compaction)
    assert os.path.getsize(home.db.path) == pages * page_size  # on disk, not only in the log
    assert home.db.rows("SELECT count(*) FROM files WHERE root != ?", (home.root,)) == [(0,)]
    assert len(home.search("alpha", catch_up=False)) == 1


def test_a_full_disk_keeps_the_index(sessions_dir, isolated_user_dirs) -> None:
    """A write that finds the disk full (SQLite's SQLITE_FULL; here the file held at its
    size) is skipped and said: the index was taken for corrupt, deleted and built again, to
    fill the disk again."""
    sessions_dir(chain(user("alpha words here"), assistant("beta answer")))
    index = Index(isolated_user_dirs)
    assert index.catch_up_all() == 1
    [(pages,)] = index.db.rows("PRAGMA page_count")
    index.db.run(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages}"), None)
    sessions_dir(
        [user(" ".join(f"gamma{n}" for n in range(100_000)), session=OTHER)], session=OTHER
    )
    index.catch_up_all()
    assert not index.db.rebuilt
    assert "index not written (database or disk is full)" in index.db.problem
    assert index.db.unwritten  # `sessionscope index` then says the index is not complete
    assert len(index.search("alpha", catch_up=False)) == 1


def _words(text: str) -> list[str]:
    return [word for word in re.findall(r"[A-Za-z]{7,}", text) if word.isalpha()]


def test_random_words_of_real_transcripts_find_their_message(shared_corpus: Path) -> None:
    """Words taken at random from real transcripts find the message they came from."""
    from sessionscope.transcripts.content import searchable_text

    index = Index(shared_corpus)
    rng = random.Random(5)
    files = [path for path, _ in session_files(shared_corpus)]
    checked = 0
    for path in rng.sample(files, min(25, len(files))):
        messages = build_conversation(index_transcript(path)).messages
        if not messages:
            continue
        for entry, value in zip(
            messages[:: max(1, len(messages) // 4)],
            load_entries(path, messages[:: max(1, len(messages) // 4)]),
            strict=True,
        ):
            words = _words(searchable_text(value)[1]) if value else []
            if not words:
                continue
            word = rng.choice(words)
            hits = index.search(parse_query(f"{word} session:{Path(path).stem}"), limit=500)
            assert entry.uuid in uuids_of(hits), (path, word)
            checked += 1
    assert checked >= 20


def test_what_the_index_read_of_a_file_is_what_reading_it_gives(transcripts_copy: Path) -> None:
    """``read_before``: a session opened after the index read its file takes the index's
    entries and reads on from there (only what was appended), with the same result as a
    read of the whole file."""
    index = Index(transcripts_copy)
    index.catch_up_all()
    for path, _, _ in transcript_files(transcripts_copy):
        before = index.read_before(path)
        assert before is not None
        assert index_transcript(path, base=before) == index_transcript(path), path
    grown = _biggest(transcripts_copy)
    last = orjson.loads(grown.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1])
    more = user("appended after the index read it", parent=last.get("uuid"))
    with grown.open("ab") as handle:
        handle.write(b"\n" if not grown.read_bytes().endswith(b"\n") else b"")
        handle.write(line(more)[:-1])  # its newline not written yet
    read_on = index_transcript(grown, base=index.read_before(grown))
    assert read_on == index_transcript(grown) and read_on.entries[-1].uuid == more["uuid"]


def test_a_file_the_index_read_in_part_is_read_on_from_its_pieces(
    transcripts_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_pieces(monkeypatch, transcripts_copy)
    index = Index(transcripts_copy)
    biggest = _biggest(transcripts_copy)
    _stop_after_first_piece(index, biggest)
    before = index.read_before(biggest)
    assert before is not None and before.size < biggest.stat().st_size
    assert index_transcript(biggest, base=before) == index_transcript(biggest)
    index.catch_up_all()  # read to its end: its pieces' entries in one row again
    assert index_transcript(biggest, base=index.read_before(biggest)) == index_transcript(biggest)


def test_a_file_rewritten_since_the_index_read_it_is_read_whole(
    sessions_dir, isolated_user_dirs
) -> None:
    path = sessions_dir(chain(user("original aardvark"), assistant("original reply")))
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    assert index.read_before(path) is not None
    path.write_bytes(b"".join(line(e) for e in chain(user("kiwi"), assistant("other reply"))))
    assert index.read_before(path) is None
    path.unlink()
    assert index.read_before(path) is None


def test_a_read_does_not_wait_for_a_catch_up_writing(sessions_dir, isolated_user_dirs) -> None:
    """While a catch-up writes (a batch holds the index), another thread's reads go on at
    once and see what was committed; the writing thread's reads see its own writes."""
    import threading

    path = sessions_dir(chain(user("alpha words"), assistant("beta answer")))
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    holding, done = threading.Event(), threading.Event()
    seen_by_writer: list = []

    def writer() -> None:
        with index.db.batch():
            index.db.run(
                lambda conn: conn.execute("INSERT INTO info VALUES ('probe', 'uncommitted')"),
                None,
                write=True,
            )
            seen_by_writer.extend(index.db.rows("SELECT value FROM info WHERE key = 'probe'"))
            holding.set()
            done.wait(30)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(30)
        before = index.read_before(path)
        assert before is not None and len(before.entries) == 2
        assert index.db.rows("SELECT value FROM info WHERE key = 'probe'") == []
        assert seen_by_writer == [("uncommitted",)]
    finally:
        done.set()
        thread.join()
    assert index.db.rows("SELECT value FROM info WHERE key = 'probe'") == [("uncommitted",)]


def test_a_file_gone_between_its_stat_and_its_tail_check_is_no_error(
    sessions_dir, isolated_user_dirs
) -> None:
    """A transcript deleted while a catch-up looks at it (Claude Code cleans old sessions up
    while the explorer runs): its tail cannot be checked, so it is to be read again, and
    then found gone; the catch-up raised FileNotFoundError."""
    path = sessions_dir(chain(user("alpha words here"), assistant("beta answer")))
    index = Index(isolated_user_dirs)
    index.catch_up_all()
    with path.open("ab") as handle:
        handle.write(b"\n")
    status = path.stat()
    row = index.db.run(lambda conn: index_module._row_of(conn, str(path)), None)
    path.unlink()
    base = index.db.run(
        lambda conn: index_module._base_of(conn, str(path), status, row, grown=True), "failed"
    )
    assert base is None
    index.catch_up_all()
    assert index.search("alpha", catch_up=False) == []
