"""Session file paths: as ``Path`` writes them, whatever way they were given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sessionscope.transcripts.files import jsonl_files_under, projects_dir, transcript_files


def test_projects_dir() -> None:
    for text in ("/", "a", "a/b/", "é", "a b"):
        assert projects_dir(text) == Path(text) / "projects", text


def test_read_session_meta_writes_the_path_as_path_did(tmp_path) -> None:
    from sessionscope.transcripts.sessions import read_session_meta

    folder = tmp_path / "projects" / "-p"
    folder.mkdir(parents=True)
    name = "00000000-0000-4000-8000-000000000001.jsonl"
    (folder / name).write_text('{"type":"user","message":{"content":"hi"},"uuid":"u1"}\n')
    for given in (
        folder / name,
        str(folder / name),
        f"{folder}//{name}",
        f"{folder}/./{name}",
        f"{tmp_path}/projects/../projects/-p/{name}",
    ):
        meta = read_session_meta(given)
        assert meta is not None
        assert meta.path == str(Path(given)) and meta.project == Path(given).parent.name


@pytest.mark.timeout(20)
def test_a_folder_linked_back_up_the_tree_is_walked_once(tmp_path) -> None:
    """A link in a session's subagents folder to a folder above it (or to one linked to it
    back) made the walk of every transcript go round for good: ``index`` and the explorer's
    build never ended. The linked folders are followed once (the SDK follows them)."""
    session = "11111111-1111-4111-8111-111111111111"
    project = tmp_path / "projects" / "-p"
    subagents = project / session / "subagents"
    (subagents / "runs").mkdir(parents=True)
    (project / f"{session}.jsonl").write_text("{}\n")
    (subagents / "runs" / "agent-a1.jsonl").write_text("{}\n")
    (subagents / "up").symlink_to("../..")
    (subagents / "runs" / "again").symlink_to("..")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "agent-b2.jsonl").write_text("{}\n")
    (elsewhere / "back").symlink_to(subagents)
    (subagents / "there").symlink_to(elsewhere)
    found = sorted(
        os.path.relpath(path, subagents)
        for path, _, _ in transcript_files(tmp_path)
        if "agent-" in path
    )
    assert found == ["runs/agent-a1.jsonl", "there/agent-b2.jsonl"]
    # What push sends of a session's subagents: the same walk (it hung there too).
    pushed = sorted(str(path.relative_to(subagents)) for path in jsonl_files_under(subagents))
    assert pushed == found
