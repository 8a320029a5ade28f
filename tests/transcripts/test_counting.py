"""The cold list's quick count (``counting.count_messages``) gives exactly the reference's answer.

The reference is what ``read_session_meta`` computed before: ``index_transcript`` (here with the
fast path off: orjson, json and ``entry_from_dict`` alone) and ``build_conversation``. For every
file below, generated, hostile or real, the quick count either declines (``None``: the caller
then takes the reference path) or gives the very same message count, root uuid and
``forkedFrom``. The files built to look like the CLI's must not be declined.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import msgspec
import pytest

from sessionscope.transcripts import counting, reader
from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.reader import index_transcript
from sessionscope.transcripts.sessions import read_session_meta, session_files

from .test_fast_path import BLOCKS, HOSTILE, ODD_VALUES, encode, realistic
from .test_sdk_fuzz import random_transcript

SESSION = "11111111-2222-4333-8444-555555555555"


def reference(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str | None, str | None]:
    with monkeypatch.context() as patch:
        patch.setattr(reader, "_fast_path_is_exact", lambda: False)
        index = index_transcript(path)
    messages = build_conversation(index).messages
    forked = next((entry.forked_from for entry in index.entries if entry.forked_from), None)
    return len(messages), (messages[0].uuid if messages else None), forked


def agrees(path: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    """The quick count is the reference's answer, or declines; True if it answered."""
    got = counting.count_messages(path)
    whole = counting.read_whole(path)
    if whole is not None:  # the file read at once is counted the same
        assert counting.count_whole(whole) == got
    if got is None:
        return False
    assert got == reference(path, monkeypatch), path.read_bytes()[:2000]
    return True


# --- transcripts shaped like the CLI's --------------------------------------------------------


def cli_like(rng: random.Random) -> list[bytes]:
    """One session's lines, every one valid: split responses, tool calls answered in order and
    in parallel (results left off the chain, as the CLI leaves them), progress entries hanging
    off messages, compaction, rewinds, sidechains, meta and team entries, forks, other types,
    and now and then what the quick count must hand over (a uuid twice, a cycle)."""
    lines: list[dict] = []
    counter = iter(range(1, 1 << 30))
    tip: str | None = None
    history: list[str] = []

    def add(kind: str, parent: str | None, **fields) -> str:
        uid = f"e{next(counter)}"
        entry = {
            "parentUuid": parent,
            "isSidechain": False,
            "userType": "external",
            "cwd": "/work/p",
            "sessionId": SESSION,
            "type": kind,
            "uuid": uid,
            "timestamp": f"2026-01-01T00:{rng.randrange(60):02d}:{rng.randrange(60):02d}.000Z",
            **fields,
        }
        lines.append(entry)
        history.append(uid)
        return uid

    def user(parent, content, **fields):
        return add("user", parent, message={"role": "user", "content": content}, **fields)

    def assistant(parent, message_id, blocks, **fields):
        message = {"id": message_id, "role": "assistant", "content": blocks}
        return add("assistant", parent, message=message, **fields)

    if rng.random() < 0.1:
        lines.append({"type": "summary", "summary": "s", "leafUuid": "x"})
    for turn in range(rng.randint(0, 25)):
        roll = rng.random()
        if roll < 0.05 and history:  # a rewind: go on from an earlier message
            tip = rng.choice(history)
        elif roll < 0.09 and tip is not None:  # compaction
            tip = add("system", None, subtype="compact_boundary", logicalParentUuid=tip)
            tip = user(tip, "summary of before", isCompactSummary=True, isMeta=rng.random() < 0.5)
        extra: dict = {}
        if rng.random() < 0.05:
            extra["isSidechain"] = True
        if rng.random() < 0.04:
            extra["teamName"] = rng.choice(["team", ""])
        if rng.random() < 0.04:
            extra["isMeta"] = True
        if rng.random() < 0.05:
            extra["agentId"] = rng.choice(["a1", "a2"])
        if rng.random() < 0.03:
            extra["forkedFrom"] = {"sessionId": rng.choice(["s-parent", ""]), "messageUuid": "m"}
        tip = user(tip, rng.choice(["do it", [{"type": "text", "text": "do it"}]]), **extra)
        message_id = f"msg_{turn}"
        tip = assistant(tip, message_id, [{"type": "thinking", "thinking": "hm"}])
        calls = [f"toolu_{turn}_{n}" for n in range(rng.choice([0, 1, 1, 2, 3]))]
        owners = []
        for call in calls:
            tip = assistant(tip, message_id, [{"type": "tool_use", "id": call, "name": "Bash"}])
            owners.append(tip)
            if rng.random() < 0.3:
                add("progress", tip, data={"type": "hook_progress"})
        if calls:
            parallel = len(calls) > 1 and rng.random() < 0.06
            for call, owner in zip(calls, owners, strict=True):
                # In parallel, each result hangs off its own call: all but the last are left
                # off the chain, and the SDK puts them back.
                parent = owner if parallel else tip
                result = [{"type": "tool_result", "tool_use_id": call, "content": "ok"}]
                source = {"sourceToolAssistantUUID": owner} if rng.random() < 0.5 else {}
                uid = user(parent, result, toolUseResult={"stdout": "ok"}, **source)
                if not parallel or call == calls[-1]:
                    tip = uid
            tip = assistant(tip, f"msg_{turn}b", [{"type": "text", "text": "done"}])
        if rng.random() < 0.06:  # a stray result: off the chain, its parent or source on it
            stray = [{"type": "tool_result", "tool_use_id": "toolu_stray", "content": "?"}]
            if rng.random() < 0.5:
                user(tip, stray)
            else:
                user(rng.choice(history), stray, sourceToolAssistantUUID=tip)
        if rng.random() < 0.2:
            add("attachment", tip, attachment={"type": "x"})
        if rng.random() < 0.1:
            lines.append({"type": "file-history-snapshot", "messageId": tip, "snapshot": {}})
    if rng.random() < 0.1:
        lines.append({"type": "custom-title", "customTitle": "t", "sessionId": SESSION})
    entries = [line for line in lines if "uuid" in line]
    if entries and rng.random() < 0.05:  # a uuid written twice
        copy = dict(rng.choice(entries))
        copy["parentUuid"] = rng.choice([None, entries[0]["uuid"]])
        lines.insert(rng.randrange(len(lines) + 1), copy)
    if len(entries) > 2 and rng.random() < 0.03:  # a cycle
        entries[0]["parentUuid"] = entries[-1]["uuid"]
    if entries and rng.random() < 0.05:
        rng.choice(entries)["parentUuid"] = ""
    if entries and rng.random() < 0.05:
        rng.choice(entries)["uuid"] = ""
    return [
        json.dumps(line, separators=rng.choice([(",", ":"), (", ", ": ")])).encode()
        for line in lines
    ]


@pytest.mark.parametrize("seed", range(300))
def test_cli_like_transcripts_are_counted_quickly_and_exactly(tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    path = tmp_path / f"{SESSION}.jsonl"
    lines = cli_like(rng)
    path.write_bytes(b"\n".join(lines) + (b"\n" if rng.random() < 0.8 else b""))
    for chunk in (1 << 20, 700, 64):  # lines cut at every place by the reads
        monkeypatch.setattr(reader, "_CHUNK", chunk)
        assert agrees(path, monkeypatch) or not lines, seed


def test_both_ways_of_counting_are_taken(tmp_path, monkeypatch):
    """The generated sessions reach the quick count's own walk and the reference's code on its
    lines (a uuid twice, a cycle, a parallel turn to recover), both answering."""
    quick = counting._quick_count
    taken = {"quick": 0, "entries": 0}

    def spy(links):
        answer = quick(links)
        taken["quick" if answer is not None else "entries"] += 1
        return answer

    monkeypatch.setattr(counting, "_quick_count", spy)
    for seed in range(300):
        path = tmp_path / f"{seed}.jsonl"
        path.write_bytes(b"\n".join(cli_like(random.Random(seed))) + b"\n")
        agrees(path, monkeypatch)
    assert taken["quick"] > 100 and taken["entries"] > 30


def test_the_fuzzers_transcripts(tmp_path, monkeypatch):
    """``test_sdk_fuzz``'s transcripts: bad lines, lone CRs, torn tails, blank lines..."""
    answered = 0
    for seed in range(400):
        path = tmp_path / f"{seed}.jsonl"
        path.write_bytes(random_transcript(random.Random(seed), SESSION))
        answered += agrees(path, monkeypatch)
    assert answered > 40


# --- lines and files it must decline or read as the reference does ----------------------------


def _link_entry(raw: bytes):
    """The entry the quick count would hand the reference's code for this line, or ``None``
    if its decoder refuses the line."""
    try:
        link = counting._decode_link(raw)
    except (ValueError, RecursionError):
        return None
    return counting._entries([link])[0]


_COMPARED = (
    "type",
    "uuid",
    "parent_uuid",
    "timestamp",
    "message_id",
    "role_blocks",
    "tool_use_ids",
    "tool_result_ids",
    "is_sidechain",
    "is_meta",
    "team_name",
    "agent_id",
    "source_tool_assistant_uuid",
)


def line_agrees(raw: bytes) -> bool:
    """A line the quick count's decoder takes (valid UTF-8, no long digit run, as its buffer
    check requires) gives the reference's values for every field the count depends on."""
    if not raw.isascii():
        try:
            raw.decode()
        except UnicodeDecodeError:
            return False
    if reader._has_digit_run(raw, reader._digit_run()):
        return False
    got = _link_entry(raw)
    if got is None:
        return False
    want = reader._reference_entry(raw, True, 0, 1, 0)
    assert want is not None and want is not reader._TORN and want.error is None, raw[:300]
    for name in _COMPARED:
        assert getattr(got, name) == getattr(want, name), (name, raw[:300])
    link = counting._decode_link(raw)
    forked = link.forked.sessionId if link.forked is not None else None
    assert (forked or None) == (want.forked_from or None), raw[:300]
    return True


def test_lines_read_as_the_reference_reads_them():
    rng = random.Random(7)
    taken = 0
    for n in range(2000):
        taken += line_agrees(encode(list(realistic(rng, n).items()), rng))
    assert taken == 2000
    for raw in HOSTILE:
        line_agrees(raw)
    keys = ["type", "uuid", "parentUuid", "isSidechain", "isMeta", "teamName", "agentId"]
    keys += ["timestamp", "sourceToolAssistantUUID", "forkedFrom", "message"]
    base = {"type": "assistant", "uuid": "u1", "parentUuid": "p1", "message": {"id": "m"}}
    for key in keys:
        for value in ODD_VALUES:
            line_agrees(encode(list({**base, key: value}.items())))
            line_agrees(encode([*base.items(), (key, value)]))
            line_agrees(encode([(key, value), *base.items()]))
    for kind in ("assistant", "user"):
        for block in BLOCKS:
            line_agrees(encode([("type", kind), ("message", {"id": "m", "content": [block]})]))


def test_mutated_lines_never_disagree():
    rng = random.Random(8)
    specials = [b"\x00", b"\xff", b"\xc3", b"\\", b'"', b"\\u", b"\\ud800", b"}", b"{", b"]"]
    specials += [b"[", b",", b":", b" ", b"\t", b"\xc2\xa0", b"1e999", b"NaN", b"\n", b"\r"]
    for n in range(3000):
        raw = bytearray(encode(list(realistic(rng, n).items())))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(raw) + 1)
            if rng.random() < 0.6:
                raw[at:at] = rng.choice(specials)
            else:
                del raw[at : at + rng.randint(1, 4)]
        if b"\n" not in raw and b"\r" not in raw:
            line_agrees(bytes(raw))


def _valid(n: int, parent: str | None) -> bytes:
    return json.dumps(
        {
            "type": "user" if n % 2 else "assistant",
            "uuid": f"v{n}",
            "parentUuid": parent,
            "message": {"id": f"m{n}", "content": "x"},
        },
        separators=(",", ":"),
    ).encode()


def _chain(count: int) -> list[bytes]:
    return [_valid(n, f"v{n - 1}" if n else None) for n in range(count)]


ODD_FILES = [
    b"",
    b"\n",
    b"\n\n",
    b"   \n",
    b"{}",
    b"{}\n",
    b"[]\n",
    b"{} {}\n",
    b"{}{}\n",
    b'{"type":"user","uuid":"a","message":{"content":"x"}}',
    b'{"type":"user","uuid":"a","message":{"content":"x"}}  ',
    b'{"type":"user","uuid":"a","message":{"content":"x"}}\n{"type":"user","uu',
    b'{"type":"user","uuid":"a","message":{"content":"x"}}\n   ',
    b'{"type":"user","uuid":"a","message":{"content":"x"}}\r\n',
    b'{"type":"user","uuid":"a","message":{"content":"x"}}\r{"type":"user","uuid":"b"}\n',
    b'\xef\xbb\xbf{"type":"user","uuid":"a","message":{"content":"x"}}\n',
    b' {"type":"user","uuid":"a","message":{"content":"x"}}\n',
    b'{"type":"user","uuid":"a","message":{"content":"x"}}\t\n',
    b'{"type":"user","uuid":"a","message":{"content":"x"}}'
    b'{"type":"user","uuid":"b","parentUuid":"a","message":{"content":"y"}}\n',
    b'{"type":"user","uuid":"","message":{"content":"x"}}\n'
    b'{"type":"user","uuid":"b","parentUuid":"","message":{"content":"y"}}\n',
    b'{"type":"user","uuid":"b","parentUuid":"","message":{"content":"y"}}\n'
    b'{"type":"user","uuid":"","message":{"content":"x"}}\n',
    # Two objects on one line, and one object over two lines: as many objects as lines.
    b'{"type":"user","uuid":"a"}{"type":"user","uuid":"b","parentUuid":"a"}\n'
    b'{"type":"user",\n"uuid":"c","parentUuid":"b"}\n',
    b'{"type":"user","uuid":"a"}\n{"type":"user",\n"uuid":"c","parentUuid":"a"}\n',
    b'{"type":"user","uuid":"a"}\n\n{"type":"user","uuid":"c","parentUuid":"a"}\n',
    b'{"type":"user","uuid":"a","x":"\xff"}\n{"type":"user","uuid":"c","parentUuid":"a"}\n',
    b'{"type":"user","uuid":"a","x":"\xe2\x82"}\n',
    b'{"type":"user","uuid":"a","x":"\xe2\x82',
    b'{"type":"user","uuid":"a","n":' + b"1" * 5000 + b"}\n",
    b'{"type":"user","uuid":"a","x":' + b"[" * 1100 + b"]" * 1100 + b"}\n",
]


@pytest.mark.parametrize("body", ODD_FILES, ids=range(len(ODD_FILES)))
def test_odd_files(tmp_path, monkeypatch, body):
    path = tmp_path / f"{SESSION}.jsonl"
    for before, after in (([], []), (_chain(3), []), (_chain(3), _chain(2)), ([], _chain(2))):
        path.write_bytes(
            b"".join(line + b"\n" for line in before)
            + body
            + b"".join(b"\n" + line for line in after)
        )
        for chunk in (1 << 20, 40):
            monkeypatch.setattr(reader, "_CHUNK", chunk)
            agrees(path, monkeypatch)


def test_hostile_lines_among_good_ones(tmp_path, monkeypatch):
    path = tmp_path / f"{SESSION}.jsonl"
    for raw in HOSTILE:
        path.write_bytes(b"\n".join([*_chain(3), raw, *_chain(2)]) + b"\n")
        agrees(path, monkeypatch)


def test_a_line_longer_than_a_read(tmp_path, monkeypatch):
    path = tmp_path / f"{SESSION}.jsonl"
    long = json.dumps({"type": "user", "uuid": "long", "parentUuid": "v2", "pad": "\u2192" * 5000})
    path.write_bytes(b"\n".join([*_chain(3), long.encode(), *_chain(2)]) + b"\n")
    monkeypatch.setattr(reader, "_CHUNK", 1000)
    assert agrees(path, monkeypatch)


def test_declines_when_msgspec_would_nest_deeper_than_orjson(tmp_path, monkeypatch):
    path = tmp_path / f"{SESSION}.jsonl"
    deep = b'{"type":"user","uuid":"d","x":' + b"[" * 1100 + b"]" * 1100 + b"}"
    path.write_bytes(b"\n".join([*_chain(3), deep]) + b"\n")
    old = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(20000)
        if not counting._lines_are_exact():
            assert counting.count_messages(path) is None
        agrees(path, monkeypatch)
    finally:
        sys.setrecursionlimit(old)
    assert counting._lines_are_exact()


def test_read_session_meta_is_the_same_either_way(tmp_path, monkeypatch):
    folder = tmp_path / "projects" / "-p"
    folder.mkdir(parents=True)
    for seed in range(60):
        rng = random.Random(seed)
        session = f"{seed:08x}-0000-4000-8000-{seed:012x}"
        path = folder / f"{session}.jsonl"
        body = b"\n".join(cli_like(rng)) + b"\n"
        if seed % 3 == 0:
            body = random_transcript(rng, session)
        path.write_bytes(body)
        quick = read_session_meta(path)  # read once, for the head, the tail and the count
        with monkeypatch.context() as patch:
            patch.setattr(counting, "read_whole", lambda path: None)
            apart = read_session_meta(path)  # the head and tail, then the quick count
            patch.setattr(counting, "count_messages", lambda path: None)
            slow = read_session_meta(path)  # the head and tail, then the reference
        assert quick == apart == slow, seed


def test_the_shared_corpus(shared_corpus, monkeypatch):
    answered = 0
    paths = [path for path, _ in session_files(shared_corpus)]
    for path in paths:
        answered += agrees(path, monkeypatch)
    assert answered >= len(paths) // 2


def test_link_fields_are_typed_like_the_entrys():
    """The decoder is as strict as the reader's (a value of another type refuses the line)."""
    with pytest.raises(msgspec.ValidationError):
        counting._decode_link(b'{"isSidechain":1}')
    with pytest.raises(msgspec.ValidationError):
        counting._decode_link(b'{"teamName":[1]}')
    with pytest.raises(msgspec.ValidationError):
        counting._decode_link(b'{"message":"text"}')


def test_a_file_read_once_reads_as_a_file_read_twice(tmp_path, monkeypatch):
    """``read_whole``: the head and tail of a file read at once are the lite read's, around
    the 64 KiB edges and the size of one buffer; an empty file, a folder and a file bigger
    than a buffer are read the usual way."""
    folder = tmp_path / "projects" / "-p"
    folder.mkdir(parents=True)
    rng = random.Random(2)
    lines = cli_like(rng)
    body = b"\n".join(lines) + b"\n"
    while len(body) < reader._CHUNK + 70_000:
        body += b"\n".join(cli_like(rng)) + b"\n"
    edges = [65_536 - 1, 65_536, 65_536 + 1, 131_072 + 5, reader._CHUNK, reader._CHUNK + 1]
    for n, size in enumerate([1, 300, *edges]):
        path = folder / f"{n:08x}-0000-4000-8000-000000000000.jsonl"
        path.write_bytes(body[:size])
        whole = counting.read_whole(path)
        assert (whole is not None) == (size <= reader._CHUNK)
        once = read_session_meta(path)
        with monkeypatch.context() as patch:
            patch.setattr(counting, "read_whole", lambda path: None)
            twice = read_session_meta(path)
        assert once == twice, size
    empty = folder / "00000000-0000-4000-8000-00000000000e.jsonl"
    empty.write_bytes(b"")
    assert counting.read_whole(empty) is None and read_session_meta(empty) is None
    a_folder = folder / "00000000-0000-4000-8000-00000000000f.jsonl"
    a_folder.mkdir()
    assert counting.read_whole(a_folder) is None and read_session_meta(a_folder) is None
