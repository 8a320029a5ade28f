"""The transcript watcher (real inotify through watchfiles) and the index catching up on what it
reports."""

from __future__ import annotations

import json
import queue
import time
from pathlib import Path

from sessionscope.index import Index
from sessionscope.index.watch import TranscriptWatcher, catch_up_changes
from sessionscope.transcripts.files import session_file_id

SESSION = "12345678-1234-4123-8123-123456789abc"
DEADLINE = 20.0


def line(uuid: str, parent: str | None, text: str) -> bytes:
    entry = {
        "type": "user",
        "uuid": uuid,
        "parentUuid": parent,
        "sessionId": SESSION,
        "timestamp": "2026-03-01T09:00:00.000Z",
        "cwd": "/home/ada/src/orbit",
        "message": {"role": "user", "content": text},
    }
    return json.dumps(entry).encode() + b"\n"


def next_batch(batches: queue.Queue, wanted) -> set[str]:
    """Batches until one holds ``wanted`` (a path)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        try:
            batch = batches.get(timeout=0.2)
        except queue.Empty:
            continue
        if wanted in batch:
            return batch
    raise AssertionError(f"{wanted} was never reported")


def test_the_watcher_reports_created_appended_and_deleted_transcripts(tmp_path: Path) -> None:
    config = tmp_path / "claude"
    config.mkdir()
    batches: queue.Queue = queue.Queue()
    watcher = TranscriptWatcher(config, batches.put)
    watcher.start()
    try:
        # No projects folder yet: watched once it appears.
        time.sleep(0.3)
        assert not watcher.ready.is_set()
        folder = config / "projects" / "-home-ada-src-orbit"
        folder.mkdir(parents=True)
        assert watcher.ready.wait(DEADLINE)
        path = folder / f"{SESSION}.jsonl"
        path.write_bytes(line("00000000-0000-4000-8000-000000000001", None, "first"))
        next_batch(batches, str(path))
        (folder / "notes.txt").write_text("not a transcript")
        with open(path, "ab") as handle:
            handle.write(line("00000000-0000-4000-8000-000000000002", None, "second"))
        batch = next_batch(batches, str(path))
        assert all(name.endswith(".jsonl") for name in batch)
        path.unlink()
        next_batch(batches, str(path))
    finally:
        watcher.stop()
    assert not watcher.running


def test_catching_up_on_changes_lists_new_and_changed_sessions_and_drops_gone_ones(
    tmp_path: Path,
) -> None:
    config = tmp_path / "claude"
    folder = config / "projects" / "-home-ada-src-orbit"
    folder.mkdir(parents=True)
    path = folder / f"{SESSION}.jsonl"
    path.write_bytes(line("00000000-0000-4000-8000-000000000001", None, "the first question"))
    index = Index(config)
    try:
        assert session_file_id(str(path), index.root) == SESSION
        changes = catch_up_changes(index, {str(path)})
        assert [meta.session_id for meta in changes.listed] == [SESSION]
        assert changes.listed[0].message_count == 1 and changes.indexed
        with open(path, "ab") as handle:
            handle.write(
                line(
                    "00000000-0000-4000-8000-000000000002",
                    "00000000-0000-4000-8000-000000000001",
                    "a quokkaword appended",
                )
            )
            handle.write(b'{"type":"user","message":')  # torn: not yet written
        changes = catch_up_changes(index, {str(path)})
        assert changes.listed[0].message_count == 2
        hits = index.search("quokkaword", catch_up=False)
        assert [hit.uuid for hit in hits] == ["00000000-0000-4000-8000-000000000002"]
        path.unlink()
        changes = catch_up_changes(index, {str(path)})
        assert changes.gone == [SESSION] and changes.listed == []
        assert index.search("quokkaword", catch_up=False) == []
    finally:
        index.close()
