"""An export reads a long session a batch of entries at a time, never all of them at once."""

from __future__ import annotations

import functools
from pathlib import Path

import sessionscope.export as export
import sessionscope.transcripts.reader as reader
from sessionscope.export import load_document, to_html, to_markdown


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
    assert len(asked) > 1 and max(asked) <= 2  # never every entry at once
    assert to_markdown(batched) == to_markdown(whole)
    assert to_html(batched) == to_html(whole)
    assert batched.edits == whole.edits
