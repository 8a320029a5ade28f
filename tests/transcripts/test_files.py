"""``files.path_text``: ``str(Path(path))`` without a Path where it would change nothing."""

from __future__ import annotations

import itertools
from pathlib import Path

from sessionscope.transcripts.files import path_text, projects_dir, projects_folder


def test_path_text_is_what_path_writes() -> None:
    parts = ["", "/", "//", "///", ".", "..", "a", "b.jsonl", "~", " ", "é", "a b"]
    for length in range(1, 5):
        for pieces in itertools.product(parts, repeat=length):
            text = "".join(pieces) or "/"
            if "\0" in text:
                continue
            assert path_text(text) == str(Path(text)), text
            assert path_text(Path(text)) == str(Path(text)), text
            assert projects_folder(text) == str(Path(text) / "projects"), text
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
