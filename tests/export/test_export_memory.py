"""An export reads a long session a batch of entries at a time, never all of them at once."""

from __future__ import annotations

import functools
import tracemalloc
from pathlib import Path

import pytest

import sessionscope.export as export
import sessionscope.transcripts.reader as reader
from sessionscope.export import load_document, to_html, to_markdown
from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.reader import index_transcript
from tests.helpers.chains import assistant, chain, user


def test_a_document_is_read_in_batches_and_is_the_same(sample_session: Path, monkeypatch) -> None:
    whole = load_document(sample_session)
    asked: list[int] = []
    load_entries = reader.load_entries

    def counted(path, entries):
        asked.append(len(entries))
        return load_entries(path, entries)

    monkeypatch.setattr(reader, "load_entries", counted)
    monkeypatch.setattr(
        export,
        "load_entries_in_batches",
        functools.partial(reader.load_entries_in_batches, batch=2),
    )
    batched = load_document(sample_session)
    assert to_markdown(batched) == to_markdown(whole)  # its messages read as they are written
    assert len(asked) > 1 and max(asked) <= 2  # never every entry at once
    assert to_html(batched) == to_html(whole)
    assert batched.edits == whole.edits


def _peak(work) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_an_export_is_written_as_it_is_made(fmt: str, sessions_dir, tmp_path: Path) -> None:
    """An export is written a message at a time: beyond what reading the conversation takes,
    it never holds its text (three copies of it were: for a 100 MB session 450 to 600 MB),
    nor every message."""
    words = " ".join(f"word{n}" for n in range(300))
    path = sessions_dir(
        chain(*(user(f"{n} {words}") if n % 2 else assistant(words) for n in range(3000)))
    )
    target = tmp_path / f"export.{fmt}"
    reading = _peak(lambda: build_conversation(index_transcript(path)))
    peak = _peak(lambda: export.write_atomically(export.pieces(path, fmt), target))
    assert peak < reading + target.stat().st_size / 2
