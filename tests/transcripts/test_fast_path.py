"""The reader's fast path (msgspec straight into Entry) gives exactly the reference path's entries.

The reference is orjson (falling back to ``json``) + ``entry_from_dict``: the semantics the
reader's docstring describes. For every line here, generated or hostile, the fast path either
refuses the line (it then takes the reference path) or gives the very same Entry, every field.
"""

from __future__ import annotations

import json
import random
import sys

import msgspec
import pytest

from sessionscope.transcripts import reader
from sessionscope.transcripts.model import Entry
from sessionscope.transcripts.reader import index_transcript

KEYS = [
    "type",
    "uuid",
    "parentUuid",
    "logicalParentUuid",
    "timestamp",
    "sessionId",
    "subtype",
    "isSidechain",
    "isMeta",
    "isCompactSummary",
    "teamName",
    "agentId",
    "sourceToolAssistantUUID",
    "forkedFrom",
    "message",
]
"""Every key an Entry takes something from."""

INTERNAL_KEYS = [
    "index",
    "line_no",
    "offset",
    "length",
    "error",
    "message_id",
    "role_blocks",
    "tool_use_ids",
    "tool_result_ids",
    "forked_from",
    "raw_message",
    "raw_forked_from",
    "parent_uuid",
    "is_sidechain",
    "\x7findex",
    "\x7ferror",
    "\x7fmessage_id",
    "\x7frole_blocks",
    "\x7fforked_from",
    "\x7foffset",
]
"""Keys named like Entry's own fields (or their JSON names): they must change nothing."""

ODD_VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2**64,
    1.5,
    "",
    "x",
    "assistant",
    "user",
    "\u0000",
    "caf\u00e9 \U0001f600",
    [],
    [1, "a"],
    [{"type": "text"}],
    {},
    {"sessionId": "s1"},
    {"sessionId": ""},
    {"sessionId": 5},
    {"id": "m1", "content": "hi"},
    {"id": 5},
    {"content": [{"type": "tool_use", "id": "t1"}]},
]

BLOCKS = [
    {"type": "text", "text": "hello"},
    {"type": "thinking", "thinking": "hm", "signature": "sig"},
    {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "ls"}},
    {"type": "tool_use", "name": "Bash"},
    {"type": "tool_use", "id": None},
    {"type": "tool_use", "id": 7},
    {"type": "tool_use", "id": ""},
    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "out"},
    {"type": "tool_result", "tool_use_id": None, "content": [{"type": "text", "text": "x"}]},
    {"type": "tool_result", "tool_use_id": 3},
    {"type": "tool_result", "tool_use_id": "toolu_2", "is_error": True},
    {"type": "image", "source": {"type": "base64", "data": "AAAA"}},
    {"type": "text", "id": "odd"},
    {"type": "text", "id": 1},
    {"type": None},
    {"type": ""},
    {"type": 5},
    {"type": ["text"]},
    {},
    {"text": "no type"},
    "just a string",
    5,
    None,
    [],
    ["nested"],
]

TYPES = [
    "user",
    "assistant",
    "system",
    "progress",
    "summary",
    "custom-title",
    "file-history-snapshot",
    "queue-operation",
    "attachment",
    "",
    "brand-new-type",
]


def reference(raw: bytes, terminated: bool = True) -> Entry | None:
    """The reference path's entry for one line (``None``: blank; ``reader._TORN``: torn)."""
    return reader._reference_entry(raw, terminated, 3, 4, 5)


def fast(raw: bytes) -> Entry | None:
    """The fast path's entry, or ``None`` when it leaves the line to the reference path."""
    entry = reader._fast_entry(raw, reader._digit_run())
    if entry is None:
        return None
    return reader._finish(entry, 3, 4, 5, len(raw))


def check(raw: bytes) -> bool:
    """The fast path agrees with the reference; True if it took the line."""
    got = fast(raw)
    if got is None:
        return False
    want = reference(raw)
    assert want is not None and want is not reader._TORN, raw[:300]
    assert msgspec.structs.asdict(got) == msgspec.structs.asdict(want), raw[:300]
    assert got == want
    assert got.raw_message is None and got.raw_forked_from is None
    return True


def encode(pairs: list[tuple[str, object]], rng: random.Random | None = None) -> bytes:
    """A JSON object from key/value pairs as written (duplicate keys stay duplicates)."""
    parts = []
    for key, value in pairs:
        text_key = json.dumps(key, ensure_ascii=bool(rng and rng.random() < 0.5))
        text_value = json.dumps(value, ensure_ascii=bool(rng and rng.random() < 0.5))
        parts.append(f"{text_key}:{text_value}")
    return ("{" + ",".join(parts) + "}").encode("utf-8", "surrogatepass")


def realistic(rng: random.Random, n: int) -> dict:
    kind = rng.choice(["user", "assistant", "assistant", "progress", "system", "summary"])
    data: dict = {
        "parentUuid": rng.choice([None, f"p{n - 1}"]),
        "isSidechain": rng.random() < 0.1,
        "userType": "external",
        "cwd": "/home/dev/src",
        "sessionId": "11111111-2222-4333-8444-555555555555",
        "version": "2.1.332",
        "gitBranch": "main",
        "type": kind,
        "uuid": f"u{n}",
        "timestamp": "2026-01-01T00:00:00.000Z",
    }
    if kind == "assistant":
        blocks = [dict(rng.choice(BLOCKS[:3] + BLOCKS[7:8])) for _ in range(rng.randint(1, 3))]
        data["message"] = {
            "id": f"msg_{n // 3}",
            "type": "message",
            "role": "assistant",
            "model": "claude",
            "content": blocks,
            "usage": {"input_tokens": 3, "output_tokens": 10},
        }
        data["requestId"] = "req_1"
    elif kind == "user":
        if rng.random() < 0.5:
            data["message"] = {"role": "user", "content": "hello \u00e9\U0001f600 " * 3}
        else:
            data["message"] = {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": f"t{n}", "content": "x" * 50}],
            }
            data["toolUseResult"] = {"stdout": "line\n" * 20, "stderr": "", "interrupted": False}
            data["sourceToolAssistantUUID"] = f"p{n - 1}"
    elif kind == "system":
        data["subtype"] = rng.choice(["compact_boundary", "api_error", "local_command"])
        data["logicalParentUuid"] = rng.choice([None, "l1"])
        data["isMeta"] = rng.random() < 0.3
    elif kind == "progress":
        data["data"] = {"type": "hook_progress", "hookName": "PreToolUse"}
        data["agentId"] = rng.choice(["a1", None])
    if rng.random() < 0.05:
        data["forkedFrom"] = {"sessionId": "s0", "messageUuid": "m0"}
    if rng.random() < 0.05:
        data["teamName"] = "team"
    if rng.random() < 0.05:
        data["isCompactSummary"] = True
    return data


def test_realistic_entries_take_the_fast_path_and_match():
    rng = random.Random(1)
    taken = 0
    for n in range(3000):
        data = realistic(rng, n)
        raw = encode(list(data.items()), rng)
        taken += check(raw)
    assert taken == 3000  # nothing unusual: every line on the fast path


@pytest.mark.parametrize("key", KEYS)
def test_every_odd_value_for_every_field(key):
    base = {
        "type": "assistant",
        "uuid": "u1",
        "parentUuid": "p1",
        "sessionId": "s1",
        "message": {"id": "m1", "content": [{"type": "text", "text": "hi"}]},
    }
    for value in ODD_VALUES:
        check(encode(list({**base, key: value}.items())))
        check(encode([*base.items(), (key, value)]))  # a duplicate key: the last one wins
        check(encode([(key, value), *base.items()]))
        for kind in ("assistant", "user", "system"):
            check(encode(list({**base, "type": kind, key: value}.items())))


@pytest.mark.parametrize("field", ["id", "content"])
def test_every_odd_value_inside_message(field):
    for value in [*ODD_VALUES, *BLOCKS]:
        for kind in ("assistant", "user"):
            message = {"id": "m1", "content": "x", field: value}
            check(encode([("type", kind), ("uuid", "u"), ("message", message)]))


def test_every_block_alone_and_mixed():
    for kind in ("assistant", "user"):
        for block in BLOCKS:
            check(encode([("type", kind), ("message", {"id": "m", "content": [block]})]))
        rng = random.Random(2)
        for _ in range(500):
            blocks = [rng.choice(BLOCKS) for _ in range(rng.randint(0, 5))]
            check(encode([("type", kind), ("message", {"id": "m", "content": blocks})]))


def test_keys_named_like_entry_fields_change_nothing():
    for key in INTERNAL_KEYS:
        for value in ["x", 5, None, [], ["a"], True]:
            raw = encode([("type", "user"), ("uuid", "u"), (key, value)])
            check(raw)
            entry = fast(raw)
            if entry is not None:
                assert (entry.index, entry.offset, entry.error) == (3, 5, None)


def test_random_entry_mixes():
    rng = random.Random(3)
    for _ in range(4000):
        pairs = []
        for _ in range(rng.randint(0, 12)):
            roll = rng.random()
            if roll < 0.7:
                key = rng.choice(KEYS)
            elif roll < 0.8:
                key = rng.choice(INTERNAL_KEYS)
            else:
                key = rng.choice(["cwd", "toolUseResult", "data", "version", "x"])
            pool = rng.random()
            if key == "message" and pool < 0.7:
                blocks = [rng.choice(BLOCKS) for _ in range(rng.randint(0, 4))]
                value = {"id": rng.choice(["m1", "", None, 3]), "content": blocks}
            elif key == "type" and pool < 0.7:
                value = rng.choice(TYPES)
            else:
                value = rng.choice(ODD_VALUES + BLOCKS)
            pairs.append((key, value))
        check(encode(pairs, rng))


HOSTILE = [
    b"",
    b"   ",
    b"\t",
    b"{}",
    b" {} ",
    b'\t{"type":"user"}\t ',
    b'\xc2\xa0{"type":"user"}\xc2\xa0',  # Unicode whitespace: only json reads it
    b'\xe2\x80\xa8{"type":"user"}',
    b'\xef\xbb\xbf{"type":"user"}',  # BOM
    b"\x0c{}",
    b"null",
    b"[]",
    b'"text"',
    b"5",
    b"NaN",
    b'{"type":"user","n":NaN}',
    b'{"type":"user","n":Infinity}',
    b'{"type":"user","n":-Infinity}',
    b'{"type":"user","n":1e400}',
    b'{"type":"user","n":-1e400}',
    b'{"type":"user","n":1e-400}',
    b'{"type":"user","n":' + b"9" * 400 + b"}",
    b'{"type":"user","n":' + b"9" * 4300 + b"}",
    b'{"type":"user","n":' + b"9" * 4301 + b"}",
    b'{"type":"user","n":-' + b"9" * 5000 + b"}",
    b'{"type":"user","n":' + b"9" * 5000 + b".5}",
    b'{"type":"user","n":' + b"9" * 5000 + b"e-4990}",
    b'{"type":"user","s":"' + b"9" * 5000 + b'"}',
    b'{"type":"user","s":"' + b"x" * 4000 + b'","n":' + b"1" * 4400 + b"}",
    b'{"type":"user","uuid":"\\ud800"}',
    b'{"type":"user","x":"\\ud800"}',
    b'{"type":"user","x":"\\udc00x"}',
    b'{"type":"user","x":"\\ude00\\ud83d"}',
    b'{"type":"user","uuid":"\\ud83d\\ude00"}',
    b'{"type":"user","x":"a\xffb"}',
    b'{"type":"us\xffer"}',
    b'{"ty\xffpe":"user"}',
    b'{"type":"user","x":"\xc0\xaf"}',
    b'{"type":"user","x":"\xed\xa0\x80"}',
    b'{"type":"user","x":"\xf8\x88\x80\x80\x80"}',
    b'{"type":"user","x":"\xf4\x90\x80\x80"}',
    b'{"type":"user","x":"\xe2\x82"}',
    b'{"type":"user","x":"a\x00b"}',
    b'{"type":"user"}\x00',
    b'{"type":"user","x":"a\x01b"}',
    b'{"type":"user","x":"a\tb"}',
    b'{"type":"user","x":"a\x7fb"}',
    b'{"type":"user","x":"\\u0000"}',
    b'{"type":"\\u0075ser","ty\\u0070e":"assistant"}',
    b'{"type":"user","type":"assistant","type":"system"}',
    b'{"uuid":5,"uuid":"a"}',
    b'{"uuid":"a","uuid":5}',
    b'{"message":{"id":"a","content":"x"},"message":null,"type":"assistant"}',
    b'{"message":null,"message":{"id":"a","content":[]},"type":"assistant"}',
    b'{"type":"assistant","message":{"id":"a","id":"b","content":[],"content":"s"}}',
    b'{"type":"user"} {"type":"user"}',
    b'{"type":"user"}{"type":"user"}',
    b'{"type":"user",}',
    b'{"type":"user","x":[1,]}',
    b'{"type":"user","x":01}',
    b'{"type":"user","x":-}',
    b'{"type":"user","x":1.}',
    b'{"type":"user","x":"\\q"}',
    b'{"type":"user","x":"\\u12g4"}',
    b"{'type':'user'}",
    b'{"type":"user","x":tru}',
    b'{"type":"user","x":"abc}',
    b'{"type":"user"',
    b'{"type":"user","message":{"content":[',
    b'{"":1,"type":"user"}',
    b'{"type":"user","forkedFrom":{"sessionId":"a","sessionId":"b"}}',
    b'{"type":"user","forkedFrom":{"sessionId":"a","sessionId":5}}',
    b'{"type":"user","forkedFrom":{"sessionId":5,"sessionId":"a"}}',
    b'{"type":"user","isSidechain":1}',
    b'{"type":"user","isSidechain":"yes"}',
    b'{"type":"user","isSidechain":null}',
    b'{"type":"user","agentId":""}',
    b'{"type":"user","agentId":{"a":1}}',
    b'{"type":"user","teamName":0}',
    b'{"type":"user","teamName":[1]}',
    b'{"type":"user","parentUuid":"","logicalParentUuid":""}',
    b'{"type":"user","subtype":""}',
]


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_lines(raw):
    check(raw)
    # Torn (no newline yet): the fast path only ever takes a line that parses.
    if fast(raw) is not None:
        assert reference(raw, terminated=False) is not reader._TORN


@pytest.mark.parametrize("where", ["top", "skipped", "block"])
def test_deep_nesting_near_the_limits(where):
    for depth in range(960, 1040):
        nested = b"[" * depth + b"]" * depth
        if where == "top":
            raw = b'{"type":"user","x":' + nested + b"}"
        elif where == "skipped":
            raw = b'{"type":"user","toolUseResult":{"a":' + nested + b"}}"
        else:
            raw = b'{"type":"assistant","message":{"content":[{"type":"text","x":' + nested
            raw += b"}]}}"
        check(raw)


def test_long_digit_runs_follow_the_integer_limit():
    old = sys.get_int_max_str_digits()
    try:
        for limit in (640, 1000, 4300, 0):
            sys.set_int_max_str_digits(limit)
            for digits in (300, 639, 640, 641, 999, 1000, 1001, 4300, 4301, 9000):
                number = b"7" * digits
                for raw in (
                    b'{"type":"user","n":' + number + b"}",
                    b'{"type":"user","n":-' + number + b"}",
                    b'{"type":"user","n":[1,' + number + b"]}",
                    b'{"type":"user","s":"' + number + b'"}',
                    b'{"type":"user","s":"ab' + number + b'cd","t":"' + b"y" * 5000 + b'"}',
                ):
                    check(raw)
            # A run found from any of the sampled positions.
            for shift in range(0, 50, 7):
                check(b'{"type":"user","pad":"' + b"p" * shift + b'","n":' + b"3" * 4400 + b"}")
    finally:
        sys.set_int_max_str_digits(old)


def test_has_digit_run_is_exact():
    rng = random.Random(4)
    for _ in range(3000):
        run = rng.randint(1, 40)
        raw = bytes(rng.choice(b"0123456789a") for _ in range(rng.randint(0, 120)))
        longest = max((len(x) for x in raw.replace(b"a", b" ").split()), default=0)
        assert reader._has_digit_run(raw, run) == (longest >= run), (raw, run)


def test_mutated_lines_never_disagree():
    rng = random.Random(5)
    specials = [b"\x00", b"\xff", b"\xc3", b"\xe2\x82", b"\\", b'"', b"\\u", b"\\ud800", b"}", b"]"]
    specials += [b"{", b"[", b",", b":", b" ", b"\t", b"\xc2\xa0", b"1e999", b"-", b"NaN", b"\x7f"]
    for n in range(3000):
        raw = bytearray(encode(list(realistic(rng, n).items())))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(raw) + 1)
            roll = rng.random()
            if roll < 0.4:
                raw[at:at] = rng.choice(specials)
            elif roll < 0.7:
                del raw[at : at + rng.randint(1, 4)]
            else:
                raw[at : at + 1] = bytes([rng.randrange(256)])
        check(bytes(raw))


def test_whole_files_match_line_for_line(tmp_path, monkeypatch):
    """Through ``index_transcript``: numbering, offsets, ``\\r`` splitting, bad lines, a torn
    tail, read in small chunks, the same with the fast path on and off."""
    rng = random.Random(6)
    lines = []
    for n in range(600):
        roll = rng.random()
        if roll < 0.7:
            lines.append(encode(list(realistic(rng, n).items()), rng))
        elif roll < 0.8:
            lines.append(rng.choice(HOSTILE))
        elif roll < 0.9:
            one = encode(list(realistic(rng, n).items()))
            two = encode(list(realistic(rng, n + 1).items()))
            lines.append(one + rng.choice([b"\r", b"\r\r", b"\r  \r"]) + two)
        else:
            lines.append(b"")
    # Every kind of block alone and in twos (the plain loop's one-block shortcut, and not).
    for kind in ("assistant", "user"):
        for block in BLOCKS:
            for content in ([block], [block, rng.choice(BLOCKS)]):
                lines.append(encode([("type", kind), ("message", {"id": "m", "content": content})]))
    rng.shuffle(lines)
    body = b"\n".join(lines)
    tails = [b"", b"\n", b'\n{"type":"user","uu', b'\n{"type":"user"}', b"\n   ", b"\r\n"]
    for tail in tails:
        path = tmp_path / "session.jsonl"
        path.write_bytes(body + tail)
        for chunk in (1 << 22, 4096, 300):
            monkeypatch.setattr(reader, "_CHUNK", chunk)
            got = index_transcript(path)
            with monkeypatch.context() as patch:
                patch.setattr(reader, "_fast_path_is_exact", lambda: False)
                want = index_transcript(path)
            assert got.entries == want.entries
            assert (got.size, got.torn_tail, got.line_count, got.ends_open) == (
                want.size,
                want.torn_tail,
                want.line_count,
                want.ends_open,
            )
            # Incremental reads agree too.
            half = index_transcript(path, start=0)
            assert index_transcript(path, base=half).entries == want.entries


def test_fast_path_is_on_here_and_off_when_msgspec_would_nest_deeper(monkeypatch):
    assert reader._fast_path_is_exact()
    old = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(20000)
        exact = reader._fast_path_is_exact()
        raw = b'{"type":"user","x":' + b"[" * 1100 + b"]" * 1100 + b"}"
        if exact:  # msgspec still stops first: then it refuses the line
            assert fast(raw) is None
    finally:
        sys.setrecursionlimit(old)
