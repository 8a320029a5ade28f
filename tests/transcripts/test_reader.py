"""The reader keeps every line: good entries, bad lines with a reason, a torn tail apart."""

from __future__ import annotations

import json
import os

import pytest

from sessionscope.transcripts.reader import index_transcript, load_entries, load_entry, read_raw
from tests.helpers.entries import assistant, dumps, user


def test_good_lines_keep_offsets_and_fields(write_transcript):
    first = user("u1", None, "hello")
    second = assistant("a1", "u1", content=[{"type": "tool_use", "id": "t1", "name": "Bash"}])
    path = write_transcript([first, second])
    index = index_transcript(path)
    assert [e.uuid for e in index.entries] == ["u1", "a1"]
    one, two = index.entries
    assert (one.line_no, one.offset, one.length) == (1, 0, len(dumps(first)))
    assert two.offset == len(dumps(first)) + 1
    assert two.message_id == "msg_1"
    assert two.role_blocks == ("tool_use",)
    assert two.tool_use_ids == ("t1",)
    assert one.role_blocks == ("string",)
    assert index.size == path.stat().st_size
    assert load_entry(path, two) == second
    assert load_entries(path, index.entries) == [first, second]
    assert not index.bad_lines and index.torn_tail == b""


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"this is not json", "not JSON"),
        (b'{"type":"user",\x00"uuid":"x"}', "NUL bytes"),
        (b'{"type":"user","text":"\xff\xfe"}', "invalid UTF-8"),
        (b'{"type":"user","uuid":"x"}{"type":"user","uuid":"y"}', "two JSON values"),
        (b"[" * 5000 + b"]" * 5000, "too deep"),
        (b"[1, 2, 3]", "not a JSON object"),
    ],
    ids=["not-json", "nul", "invalid-utf8", "two-objects", "too-deep", "not-object"],
)
def test_bad_line_is_kept_with_reason_and_never_stops_the_read(write_transcript, raw, reason):
    path = write_transcript([user("u1", None), raw, assistant("a1", "u1")])
    index = index_transcript(path)
    assert [e.uuid for e in index.entries if not e.is_bad] == ["u1", "a1"]
    (bad,) = index.bad_lines
    assert reason in bad.error
    assert bad.line_no == 2
    assert read_raw(path, bad) == raw
    assert load_entry(path, bad) is None


def test_torn_last_line_is_not_yet_written(write_transcript):
    whole = dumps(assistant("a1", "u1"))
    path = write_transcript([user("u1", None), whole[:25]], end=b"")
    index = index_transcript(path)
    assert [e.uuid for e in index.entries] == ["u1"]
    assert index.torn_tail == whole[:25]
    assert not index.bad_lines
    assert index.size == len(dumps(user("u1", None))) + 1
    # The writer finishes the line: an incremental read picks it up.
    with open(path, "ab") as handle:
        handle.write(whole[25:] + b"\n")
    again = index_transcript(path, base=index)
    assert [e.uuid for e in again.entries] == ["u1", "a1"]
    assert again.entries[1].line_no == 2 and again.torn_tail == b""


def test_last_line_without_newline_that_parses_is_an_entry(write_transcript):
    path = write_transcript([user("u1", None), assistant("a1", "u1")], end=b"")
    index = index_transcript(path)
    assert [e.uuid for e in index.entries] == ["u1", "a1"]
    assert index.torn_tail == b"" and index.ends_open
    with open(path, "ab") as handle:
        handle.write(b"\n" + dumps(user("u2", "a1")) + b"\n")
    again = index_transcript(path, base=index)
    assert [(e.uuid, e.line_no) for e in again.entries] == [("u1", 1), ("a1", 2), ("u2", 3)]


def test_incremental_read_appends_and_keeps_numbering(write_transcript):
    path = write_transcript([user("u1", None), b"garbage", assistant("a1", "u1")])
    index = index_transcript(path)
    with open(path, "ab") as handle:
        handle.write(dumps(user("u2", "a1")) + b"\n\n" + dumps(assistant("a2", "u2")) + b"\n")
    again = index_transcript(path, base=index)
    assert [(e.index, e.line_no, e.uuid) for e in again.entries] == [
        (0, 1, "u1"),
        (1, 2, None),
        (2, 3, "a1"),
        (3, 4, "u2"),
        (4, 6, "a2"),
    ]
    assert again.entries[:3] == index.entries
    assert index_transcript(path).entries == again.entries
    # From a byte offset without a base: line numbers still count from the top.
    tail = index_transcript(path, start=again.entries[3].offset)
    assert [(e.line_no, e.uuid) for e in tail.entries] == [(4, "u2"), (6, "a2")]


def test_rewritten_shorter_file_is_read_again(write_transcript):
    path = write_transcript([user("u1", None), assistant("a1", "u1"), user("u2", "a1")])
    index = index_transcript(path)
    path.write_bytes(dumps(user("x1", None)) + b"\n")
    again = index_transcript(path, base=index)
    assert [e.uuid for e in again.entries] == ["x1"]


def test_lone_surrogate_is_read_as_the_sdk_reads_it(write_transcript):
    line = b'{"type":"user","uuid":"u1","parentUuid":null,"message":{"role":"user","content":"a\\ud800b"}}'
    path = write_transcript([line])
    index = index_transcript(path)
    (only,) = index.entries
    assert only.uuid == "u1" and not only.is_bad
    assert load_entry(path, only)["message"]["content"] == json.loads(line)["message"]["content"]


def test_unknown_types_are_kept_as_they_are(write_transcript):
    odd = {"type": "brand-new-thing", "uuid": "z1", "payload": {"x": [1, 2]}}
    untyped = {"hello": "world"}
    path = write_transcript([odd, untyped, user("u1", None)])
    index = index_transcript(path)
    assert [e.type for e in index.entries] == ["brand-new-thing", None, "user"]
    assert not index.bad_lines
    assert load_entry(path, index.entries[0]) == odd


def test_huge_line(write_transcript):
    big = user("u1", None, "x" * 20_000_000)
    path = write_transcript([big, assistant("a1", "u1")])
    index = index_transcript(path)
    assert [e.uuid for e in index.entries] == ["u1", "a1"]
    assert index.entries[0].length == len(dumps(big))


def test_carriage_returns_split_lines_like_universal_newlines(write_transcript):
    one, two = dumps(user("u1", None)), dumps(assistant("a1", "u1"))
    path = write_transcript([one + b"\r" + two, user("u2", "a1")], end=b"\r\n")
    index = index_transcript(path)
    assert [(e.line_no, e.uuid) for e in index.entries] == [(1, "u1"), (1, "a1"), (2, "u2")]
    assert load_entry(path, index.entries[1])["uuid"] == "a1"


def test_empty_file_and_directory(write_transcript, tmp_path):
    path = write_transcript([])
    assert index_transcript(path).entries == []
    with pytest.raises(OSError):
        index_transcript(tmp_path)


@pytest.mark.parametrize("chunk", [1, 7, 64, 1000])
def test_small_read_chunks_give_the_same_index(write_transcript, monkeypatch, chunk):
    from sessionscope.transcripts import reader

    lines = [
        user("u1", None, "x" * 300),
        b"",
        b"garbage line",
        assistant("a1", "u1"),
        dumps(user("u2", "a1")) + b"\r" + dumps(assistant("a2", "u2")),
        user("u3", "a2", "y" * 5000),
    ]
    path = write_transcript(lines, end=b'\n{"type":"user","uuid":"to')
    whole = index_transcript(path)
    monkeypatch.setattr(reader, "_CHUNK", chunk)
    chunked = index_transcript(path)
    assert chunked.entries == whole.entries
    assert (chunked.size, chunked.torn_tail, chunked.line_count) == (
        whole.size,
        whole.torn_tail,
        whole.line_count,
    )
    assert [e.uuid for e in whole.entries] == ["u1", None, "a1", "u2", "a2", "u3"]
    assert whole.torn_tail == b'{"type":"user","uuid":"to'


def test_file_that_shrinks_while_read_does_not_crash(write_transcript, monkeypatch):
    from sessionscope.transcripts import reader

    path = write_transcript([user(f"u{n}", None, "z" * 100) for n in range(50)])
    real_pread = os.pread
    calls = []

    def pread_then_truncate(fd, length, offset):
        calls.append(offset)
        if len(calls) == 2:
            os.truncate(path, 1000)  # someone rewrote the file under us
        return real_pread(fd, length, offset)

    monkeypatch.setattr(reader, "_CHUNK", 500)
    monkeypatch.setattr(reader.os, "pread", pread_then_truncate)
    index = index_transcript(path)
    assert index.size <= 1000 and len(index.entries) >= 1


def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        index_transcript(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        index_transcript("/dev/zero")
    with pytest.raises(OSError, match="a folder"):
        index_transcript(tmp_path)


def test_unterminated_line_that_parsed_is_read_again_when_more_is_appended(write_transcript):
    path = write_transcript([user("u1", None), assistant("a1", "u1")], end=b"")
    index = index_transcript(path)
    assert index.ends_open and [e.uuid for e in index.entries] == ["u1", "a1"]
    # The writer had not finished: what follows turns that line into two objects run together.
    with open(path, "ab") as handle:
        handle.write(dumps(user("u2", "a1")) + b"\n")
    again = index_transcript(path, base=index)
    assert [e.uuid for e in again.entries] == ["u1", None]
    assert "two JSON values" in again.entries[1].error and again.entries[1].line_no == 2
    assert again.entries == index_transcript(path).entries


@pytest.mark.parametrize("tail", [b"   ", b"\t", b"\r", b" \r "])
def test_blank_last_line_without_newline_waits_for_the_rest(write_transcript, tail):
    path = write_transcript([user("u1", None), assistant("a1", "u1")])
    with open(path, "ab") as handle:
        handle.write(tail)
    index = index_transcript(path)
    assert [e.uuid for e in index.entries] == ["u1", "a1"]
    assert (index.line_count, index.ends_open, index.torn_tail) == (2, False, b"")
    assert index.size == path.stat().st_size - len(tail)
    with open(path, "ab") as handle:
        handle.write(dumps(user("u2", "a1")) + b"\n")
    again = index_transcript(path, base=index)
    assert again.entries == index_transcript(path).entries
    assert [(e.uuid, e.line_no) for e in again.entries][-1] == ("u2", 3)


def test_gc_pause_nests_across_readers_and_restores_the_collector():
    import gc
    import threading

    from sessionscope.transcripts.reader import gc_paused

    assert gc.isenabled()
    first_in, release_first = threading.Event(), threading.Event()

    def first_reader():
        with gc_paused():
            first_in.set()
            release_first.wait(5)

    thread = threading.Thread(target=first_reader)
    thread.start()
    first_in.wait(5)
    with gc_paused():
        assert not gc.isenabled()
        release_first.set()
        thread.join(5)
        assert not gc.isenabled()  # the first reader left; this one still runs
    assert gc.isenabled()
