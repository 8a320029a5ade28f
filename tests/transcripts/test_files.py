"""Session file paths: as ``Path`` writes them, whatever way they were given."""

from __future__ import annotations

from pathlib import Path

from sessionscope.transcripts.files import projects_dir


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
