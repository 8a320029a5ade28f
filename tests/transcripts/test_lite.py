"""The lite read (head and tail bytes scanned for list fields) gives exactly the SDK's fields.

The SDK decodes the first and last 64 KiB and scans the text; we scan the bytes and decode only
the values. Compared here with the SDK's own ``_read_session_lite`` +
``_parse_session_info_from_lite`` on files built to be awkward: invalid UTF-8 next to and
inside values, characters cut at the 64 KiB edges, escapes and runs of backslashes, both key
spellings, tag lines, sidechains.
"""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

import pytest
from claude_agent_sdk._internal import sessions as sdk_sessions

from sessionscope.transcripts import sessions
from sessionscope.transcripts.sessions import LITE_READ_BUF_SIZE

FIELDS = (
    "summary",
    "last_modified",
    "file_size",
    "custom_title",
    "first_prompt",
    "git_branch",
    "cwd",
    "tag",
    "created_at",
)

NASTY = [
    "plain",
    "caf\u00e9",
    "\U0001f680 rocket",
    'quote \\" inside',
    "ends with backslash \\\\",
    'three \\\\\\" backslashes',
    "\\u00e9 escaped",
    "\\ud83d\\ude80 pair",
    "\\ud800 lone",
    "tab\\tnew\\nline",
    "",
    " ",
    "<command-name>/model</command-name>",
    "<local-command-stdout>x</local-command-stdout>",
    "[Request interrupted by user]",
    "x" * 300,
]

BAD_BYTES = [b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf0\x9f\x9a", b"\x80\x80"]


def line_for(rng: random.Random, n: int) -> bytes:
    sep = rng.choice([":", ": "])
    value = rng.choice(NASTY)
    kind = rng.choice(["user", "assistant", "summary", "custom-title", "tag", "system", "x"])
    fields = [
        f'"type"{sep}"{kind}"',
        f'"uuid"{sep}"{uuid.UUID(int=n)}"',
        f'"cwd"{sep}"/work/{rng.choice(NASTY)}"',
        f'"gitBranch"{sep}"{rng.choice(NASTY)}"',
        f'"timestamp"{sep}"{rng.choice(["2026-01-01T00:00:00.000Z", "bad", "2026-02-03"])}"',
    ]
    rng.shuffle(fields)
    extra = rng.choice(
        [
            f'"customTitle"{sep}"{value}"',
            f'"aiTitle"{sep}"{value}"',
            f'"lastPrompt"{sep}"{value}"',
            f'"summary"{sep}"{value}"',
            f'"tag"{sep}"{value}"',
            f'"message"{sep}{{"role":"user","content":"{value}"}}',
            f'"message"{sep}{{"content":[{{"type":"text","text":"{value}"}}]}}',
            f'"message"{sep}{{"content":[{{"type":"tool_result","content":"{value}"}}]}}',
            f'"isMeta"{sep}true',
            f'"isSidechain"{sep}true',
            f'"isCompactSummary"{sep}true',
        ]
    )
    fields.insert(rng.randrange(len(fields) + 1), extra)
    body = ("{" + ",".join(fields) + "}").encode()
    if kind == "tag" and rng.random() < 0.5:
        body = ('{"type":"tag","tag":"' + value + '","sessionId":"s"}').encode()
    for _ in range(rng.choice([0, 0, 1, 2])):  # invalid UTF-8 anywhere, values included
        at = rng.randrange(len(body) + 1)
        body = body[:at] + rng.choice(BAD_BYTES) + body[at:]
    return body


def write_session(folder: Path, rng: random.Random, size: int) -> Path:
    lines = []
    total = 0
    n = 0
    while total < size:
        line = line_for(rng, n)
        if rng.random() < 0.2:  # a long line, so that the 64 KiB edges fall inside lines
            pad = "\U0001f600\u00e9x" * rng.randint(100, 9000)
            line = line[:-1] + f',"pad":"{pad}"}}'.encode()
        lines.append(line)
        total += len(line) + 1
        n += 1
    path = folder / f"{uuid.UUID(int=rng.getrandbits(128))}.jsonl"
    path.write_bytes(b"\n".join(lines) + rng.choice([b"\n", b""]))
    return path


def compare(path: Path) -> None:
    session_id = path.name[:-6]
    theirs = sdk_sessions._read_session_lite(path)
    ours = sessions.read_lite(path)
    assert (theirs is None) == (ours is None)
    if ours is None:
        return
    for project_path in (None, "/project"):
        want = sdk_sessions._parse_session_info_from_lite(session_id, theirs, project_path)
        got = sessions.parse_lite(session_id, ours, project_path)
        assert (want is None) == (got is None), path.read_bytes()[:2000]
        if got is not None:
            assert {name: getattr(got, name) for name in FIELDS} == {
                name: getattr(want, name) for name in FIELDS
            }, path.read_bytes()[:2000]


@pytest.mark.parametrize("seed", range(8))
def test_random_sessions_read_as_the_sdk_reads_them(tmp_path, seed):
    rng = random.Random(seed)
    for _ in range(40):
        size = rng.choice([50, 400, 5000, LITE_READ_BUF_SIZE - 10, 70_000, 200_000])
        compare(write_session(tmp_path, rng, size))


@pytest.mark.parametrize("shift", range(0, 8))
def test_characters_cut_at_both_edges(tmp_path, shift):
    """A multi-byte character across the 64 KiB edge of the head and of the tail."""
    rng = random.Random(shift)
    first = json.dumps({"type": "user", "message": {"content": "hello \u00e9"}, "cwd": "/w"})
    pad = "\U0001f600" * 20_000
    middle = json.dumps({"type": "x", "pad": pad}, ensure_ascii=False)
    last = json.dumps({"type": "custom-title", "customTitle": "t\u00e9 \U0001f680"})
    body = (first + "\n" + " " * shift + middle + "\n").encode() + (last + "\n").encode()
    path = tmp_path / f"{uuid.UUID(int=rng.getrandbits(128))}.jsonl"
    path.write_bytes(body)
    compare(path)
    # A value whose start or end is beyond the edge.
    cut = b'{"type":"summary","summary":"' + "\u00e9".encode() * (LITE_READ_BUF_SIZE // 2) + b'"}'
    path.write_bytes(body + b" " * shift + cut + b"\n")
    compare(path)


@pytest.mark.parametrize("raw", [b"\\", b"\\\\", b"\\\\\\", b"\\\\\\\\", b"a\\", b""])
def test_backslash_runs_before_a_quote(tmp_path, raw):
    for text in (raw + b'"', raw + b'" tail"', b"x" + raw + b'"y"'):
        line = b'{"type":"summary","summary":"' + text + b',"cwd":"/w"}\n'
        path = tmp_path / f"{uuid.uuid4()}.jsonl"
        path.write_bytes(line)
        compare(path)
        assert sessions.string_value_end(text, 0) == _sdk_value_end(text.decode(), 0)


def _sdk_value_end(text: str, start: int) -> int:
    """The SDK's character walk (its scanners inline it)."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return -1


def test_value_end_matches_the_character_walk():
    rng = random.Random(9)
    for _ in range(5000):
        text = "".join(rng.choice('ab\\"') for _ in range(rng.randint(0, 12)))
        start = rng.randint(0, len(text))
        assert sessions.string_value_end(text.encode(), start) == _sdk_value_end(text, start)


def test_tag_lines(tmp_path):
    cases = [
        b'{"type":"tag","tag":"one"}\n{"type":"user","tag":"no"}\n',
        b'{"type":"user"}\n{"type":"tag","tag":"first"}\n{"type":"tag","tag":"second"}',
        b'{"type":"tag","tag":""}\n',
        b' {"type":"tag","tag":"indented"}\n{"type":"summary","summary":"s"}\n',
        b'{"type":"tag" ,"tag":"odd"}\n{"type":"tag","x":1}\n',
    ]
    for body in cases:
        path = tmp_path / f"{uuid.uuid4()}.jsonl"
        path.write_bytes(b'{"type":"summary","summary":"s"}\n' + body)
        compare(path)


@pytest.mark.parametrize(
    "line",
    [
        b'{"type":"summary","summary":"a\\"summary":"b"}',
        b'{"type":"summary","summary":"a\\"summary": "b"}',
        b'{"type":"summary","summary": "a\\"summary": "b", "x":"\\"summary":"c"}',
        b'{"gitBranch":"x\\"gitBranch":"y\\\\"gitBranch":"z","summary":"s"}',
        b'{"type":"summary","summary":"cut \\"summary":"never closed',
        b'{"type":"custom-title","customTitle":"a\\\\\\"customTitle":"b"}',
    ],
)
def test_a_key_inside_a_value_is_skipped_as_the_sdk_skips_it(tmp_path, line):
    """The SDK's walk goes on after each value it reads: a key's spelling inside a value (its
    first quote escaped) is not a key."""
    path = tmp_path / f"{uuid.uuid4()}.jsonl"
    path.write_bytes(b'{"type":"user","message":{"content":"hi"},"cwd":"/w"}\n' + line + b"\n")
    compare(path)


@pytest.mark.parametrize("key", ["summary", "gitBranch"])
def test_last_value_is_the_sdks_walk(key):
    """The last value is the one the SDK's forward walks end with, on text made of keys, both
    spellings, quotes, backslash runs and values cut short."""
    rng = random.Random(11)
    pieces = [
        f'"{key}":"',
        f'"{key}": "',
        f'"{key}":',
        f'"{key}":null',
        '"',
        "\\",
        "\\\\",
        '\\"',
        "a",
        "b c",
        ",",
        "}\n{",
        '"x":"',
        "\u00e9",
    ]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        want = sdk_sessions._extract_last_json_string_field(text, key)
        assert sessions.extract_last_json_string_field(text.encode(), key) == want, text
