"""Rename, tag and delete go through the SDK; the SDK's own list_sessions sees each change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from claude_agent_sdk import list_sessions

from sessionscope.agent.manage import SessionActionError, Trash, rename_session, tag_session
from tests.helpers.sample import SAMPLE_ID


def _sdk_info(session_id: str):
    return {info.session_id: info for info in list_sessions()}.get(session_id)


def test_rename_is_seen_by_the_sdk(sample_session: Path, isolated_user_dirs: Path) -> None:
    rename_session(isolated_user_dirs, SAMPLE_ID, "  Parser: empty lines  ")
    info = _sdk_info(SAMPLE_ID)
    assert info.custom_title == "Parser: empty lines"
    assert info.summary == "Parser: empty lines"
    rename_session(isolated_user_dirs, SAMPLE_ID, "second name")
    assert _sdk_info(SAMPLE_ID).custom_title == "second name"


def test_tag_and_clear_are_seen_by_the_sdk(sample_session: Path, isolated_user_dirs: Path) -> None:
    tag_session(isolated_user_dirs, SAMPLE_ID, "bug")
    assert _sdk_info(SAMPLE_ID).tag == "bug"
    tag_session(isolated_user_dirs, SAMPLE_ID, None)
    assert _sdk_info(SAMPLE_ID).tag is None


def test_a_config_dir_other_than_the_environment_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_user_dirs: Path
) -> None:
    from tests.helpers.sample import sample_entries, write_session

    other = tmp_path / "other-claude"
    write_session(other, sample_entries())
    rename_session(other, SAMPLE_ID, "elsewhere")
    # The process environment still points at the (empty) isolated folder afterwards.
    assert _sdk_info(SAMPLE_ID) is None
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(other))
    assert _sdk_info(SAMPLE_ID).custom_title == "elsewhere"


def test_delete_then_restore_gives_back_the_same_bytes(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    subagents = sample_session.parent / SAMPLE_ID / "subagents"
    subagents.mkdir(parents=True)
    (subagents / "agent-a1.jsonl").write_bytes(b'{"type":"user"}\n')
    before = sample_session.read_bytes()
    mtime_before = sample_session.stat().st_mtime_ns
    with Trash() as trash:
        record = trash.delete(isolated_user_dirs, SAMPLE_ID, title="parser")
        assert not sample_session.exists()
        assert not subagents.exists()
        assert _sdk_info(SAMPLE_ID) is None
        assert trash.last() is record
        trash_folder = trash.folder
        assert trash_folder is not None and trash_folder.stat().st_mode & 0o077 == 0

        restored = trash.restore()
        assert restored is record
        assert sample_session.read_bytes() == before
        assert sample_session.stat().st_mtime_ns == mtime_before
        assert (subagents / "agent-a1.jsonl").read_bytes() == b'{"type":"user"}\n'
        assert _sdk_info(SAMPLE_ID) is not None
        assert trash.last() is None
        with pytest.raises(SessionActionError, match="nothing to restore"):
            trash.restore()
    assert not trash_folder.exists()


def test_a_deleted_session_leaves_no_word_in_the_index(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    from sessionscope.index import Index

    index = Index(isolated_user_dirs)
    index.catch_up_all()
    documents = "SELECT count(*) FROM messages_fts_docsize"  # one row a message's words
    assert index.db.rows(documents)[0][0] > 0
    with Trash() as trash:
        trash.delete(isolated_user_dirs, SAMPLE_ID)
    index.catch_up_all()
    assert index.db.rows(documents) == [(0,)]
    assert index.db.rows("SELECT value FROM info WHERE key = 'forgotten'") == []


def test_restore_never_overwrites_a_file_that_came_back(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    with Trash() as trash:
        trash.delete(isolated_user_dirs, SAMPLE_ID)
        sample_session.write_text("new\n")
        with pytest.raises(SessionActionError, match="exists again"):
            trash.restore()
        assert sample_session.read_text() == "new\n"


def test_purge_makes_the_delete_final(sample_session: Path, isolated_user_dirs: Path) -> None:
    trash = Trash()
    trash.delete(isolated_user_dirs, SAMPLE_ID)
    folder = trash.folder
    trash.purge()
    assert not folder.exists() and not sample_session.exists()


def test_bad_and_unknown_ids_give_one_clear_line(isolated_user_dirs: Path) -> None:
    with pytest.raises(SessionActionError, match="not a session id"):
        rename_session(isolated_user_dirs, "../../etc/passwd", "x")
    with pytest.raises(SessionActionError, match="no session"):
        tag_session(isolated_user_dirs, SAMPLE_ID, "x")
    with pytest.raises(SessionActionError, match="no session"):
        Trash().delete(isolated_user_dirs, SAMPLE_ID)


def test_blank_title_is_refused(sample_session: Path, isolated_user_dirs: Path) -> None:
    before = sample_session.read_bytes()
    with pytest.raises(SessionActionError, match="empty"):
        rename_session(isolated_user_dirs, SAMPLE_ID, "   ")
    assert sample_session.read_bytes() == before


def test_an_id_in_two_project_folders_is_refused(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    twin = isolated_user_dirs / "projects" / "-other" / sample_session.name
    twin.parent.mkdir()
    shutil.copyfile(sample_session, twin)
    with pytest.raises(SessionActionError) as refused:
        Trash().delete(isolated_user_dirs, SAMPLE_ID)
    # As the explorer says it: the command line's --project is no help there.
    assert str(refused.value) == f"session {SAMPLE_ID} is in 2 projects: -home-ada-parser, -other"
    assert sample_session.exists() and twin.exists()
    # Chosen, the SDK acts on that copy alone, whichever folder it would have listed first.
    before = sample_session.read_bytes()
    rename_session(isolated_user_dirs, SAMPLE_ID, "the twin", project="-other")
    assert b'"customTitle":"the twin"' in twin.read_bytes()
    assert sample_session.read_bytes() == before
    twin_before = twin.read_bytes()
    tag_session(isolated_user_dirs, SAMPLE_ID, "first", project="-home-ada-parser")
    assert b'"tag":"first"' in sample_session.read_bytes()
    assert twin.read_bytes() == twin_before
    before = sample_session.read_bytes()
    with Trash() as trash:
        trash.delete(isolated_user_dirs, SAMPLE_ID, project="-other")
        assert not twin.exists() and sample_session.read_bytes() == before
        trash.restore()
    assert twin.exists()


def test_on_a_real_corpus_transcript(shared_corpus: Path, tmp_path: Path, monkeypatch) -> None:
    source = next(iter(sorted((shared_corpus / "projects").glob("*/*.jsonl"))))
    config_dir = tmp_path / "claude"
    copy = config_dir / "projects" / source.parent.name / source.name
    copy.parent.mkdir(parents=True)
    shutil.copyfile(source, copy)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(config_dir))
    session_id = source.stem
    rename_session(config_dir, session_id, "renamed from the corpus")
    tag_session(config_dir, session_id, "corpus")
    info = _sdk_info(session_id)
    assert (info.custom_title, info.tag) == ("renamed from the corpus", "corpus")
    after_edits = copy.read_bytes()
    assert after_edits.startswith(source.read_bytes())
    with Trash() as trash:
        trash.delete(config_dir, session_id)
        assert _sdk_info(session_id) is None
        trash.restore()
    assert copy.read_bytes() == after_edits


def test_a_line_still_being_written_is_not_joined_by_a_title_or_tag(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    """The SDK appends its entry right after the file's last byte: after a half-written line
    (Claude Code writing it), both would become one bad line: the title lost, the entry too."""
    half = b'{"type":"user","uuid":"5e55a0e1-0000-4000-8000-00000000ffff","message":{"ro'
    with sample_session.open("ab") as transcript:
        transcript.write(half)
    before = sample_session.read_bytes()
    with pytest.raises(SessionActionError, match="its last line is unfinished"):
        rename_session(isolated_user_dirs, SAMPLE_ID, "new title")
    with pytest.raises(SessionActionError, match="its last line is unfinished"):
        tag_session(isolated_user_dirs, SAMPLE_ID, "bug")
    assert sample_session.read_bytes() == before
    with sample_session.open("ab") as transcript:  # Claude Code finishes the line
        transcript.write(b'le":"user","content":"more"}}\n')
    rename_session(isolated_user_dirs, SAMPLE_ID, "new title")
    assert {info.session_id: info for info in list_sessions()}[SAMPLE_ID].custom_title == (
        "new title"
    )


def test_an_empty_session_file_is_said_to_be_empty(isolated_user_dirs: Path) -> None:
    """Not "could not rename X: Session X not found" (the SDK's words for a file it skips)."""
    empty = isolated_user_dirs / "projects" / "-p" / f"{SAMPLE_ID}.jsonl"
    empty.parent.mkdir()
    empty.touch()
    for act in (
        lambda: rename_session(isolated_user_dirs, SAMPLE_ID, "t"),
        lambda: tag_session(isolated_user_dirs, SAMPLE_ID, "t"),
        lambda: Trash().delete(isolated_user_dirs, SAMPLE_ID),
    ):
        with pytest.raises(SessionActionError) as refused:
            act()
        assert str(refused.value) == f"session {SAMPLE_ID} is an empty file, {empty}: no session"
    assert empty.exists()
