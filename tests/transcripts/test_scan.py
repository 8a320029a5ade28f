"""The byte scans of ``transcripts/scan.py``: the C versions (``sessionscope._speedups``) and
the pure-Python ones give what the standard library gives, on hostile bytes."""

from __future__ import annotations

import itertools
import os
import random
import shutil
import subprocess
import sys

import pytest

from sessionscope.transcripts import scan

try:
    from sessionscope import _speedups
except ImportError:  # not built: the pure-Python versions are still checked
    _speedups = None

IMPLEMENTATIONS = [
    pytest.param((scan._utf8_valid, scan._object_lines, scan._find, scan._rfind), id="pure-python"),
    pytest.param(
        None
        if _speedups is None
        else (_speedups.utf8_valid, _speedups.object_lines, _speedups.find, _speedups.rfind),
        id="c",
        marks=pytest.mark.skipif(_speedups is None, reason="sessionscope._speedups not built"),
    ),
]


def _strict_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_the_c_scans_are_built_where_a_compiler_is():
    """``pip install`` builds them (setup.py; optional, so an install without a compiler still
    works): where there is a C compiler, a cold list must not quietly lose them."""
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler here")
    assert _speedups is not None, "sessionscope._speedups was not built by the install"
    code = "from sessionscope.transcripts import scan; print(scan.NATIVE)"
    env = {k: v for k, v in os.environ.items() if k != "SESSIONSCOPE_PURE_PYTHON"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "True"
    env_off = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "SESSIONSCOPE_PURE_PYTHON": "1"},
    )
    assert env_off.stdout.strip() == "False"


# --- UTF-8 ------------------------------------------------------------------------------------


def _sequences() -> list[bytes]:
    """Every one- and two-byte string, and three- and four-byte ones around every boundary of
    the well-formed table (overlongs, surrogates, past U+10FFFF, cut sequences)."""
    edges = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF]
    edges += [0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xFF]
    out = [bytes([a]) for a in range(256)]
    out += [bytes([a, b]) for a in range(256) for b in edges]
    out += [bytes(t) for t in itertools.product(edges, repeat=3)]
    out += [
        bytes([a, b, c, d])
        for a in edges[-12:]
        for b in edges
        for c in edges[:10]
        for d in edges[:10]
    ]
    return out


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_utf8_valid_is_the_strict_decoder(impl):
    utf8_valid = impl[0]
    for sequence in _sequences():
        want = _strict_utf8(sequence)
        assert utf8_valid(sequence, 0, len(sequence)) is want, sequence
        # Behind ASCII runs of every length around the eight- and 32-byte steps of the C skip.
        for pad in (7, 8, 9, 31, 32, 33, 40):
            padded = b"a" * pad + sequence + b"z" * (pad % 5)
            assert utf8_valid(padded, 0, len(padded)) is want, (pad, sequence)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_utf8_valid_on_random_text_and_slices(impl):
    utf8_valid = impl[0]
    rng = random.Random(5)
    pieces = ["a", "é", "€", "\U0001f680", "\n", '"', "\\"]
    broken = [b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf0\x9f\x9a", b"\x80", b"\xc0\xaf"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 80))).encode()
        if rng.random() < 0.5:
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(broken) + text[at:]
        start = rng.randint(-len(text) - 2, len(text) + 2)
        end = rng.randint(-len(text) - 2, len(text) + 2)
        want = _strict_utf8(text[start:end])
        assert utf8_valid(text, start, end) is want, (text, start, end)
        assert utf8_valid(bytearray(text), start, end) is want
        assert utf8_valid(memoryview(text), start, end) is want
    # A long one, checked in pieces by the pure-Python version: a character across a piece.
    long = ("x" * (scan._PIECE - 1) + "\U0001f680" * 3).encode() * 3
    assert utf8_valid(long, 0, len(long)) is True
    assert utf8_valid(long, 0, scan._PIECE + 1) is False


# --- lines that are objects -------------------------------------------------------------------


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_object_lines(impl):
    object_lines = impl[1]
    rng = random.Random(8)
    shapes = [b"{}", b'{"a":1}', b"{", b"}", b"", b"x", b" {}", b"{} ", b"{\r}", b"[]", b"{}}"]
    for _ in range(3000):
        lines = [rng.choice(shapes) for _ in range(rng.randint(0, 6))]
        data = b"".join(line + b"\n" for line in lines)
        tail = rng.choice([b"", b'{"torn', b"{}"])
        whole = data + tail
        want = (
            len(lines)
            if all(len(line) >= 2 and line[:1] == b"{" and line[-1:] == b"}" for line in lines)
            else -1
        )
        assert object_lines(whole, len(data)) == want, whole
        assert object_lines(bytearray(whole), len(data)) == want
    assert object_lines(b"{}\n{}", 5) == -1  # a last line without its newline is not counted


# --- find and rfind ---------------------------------------------------------------------------


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_find_and_rfind_are_bytes_find(impl):
    _, _, find, rfind = impl
    rng = random.Random(3)
    needles = [b"", b"a", b'"', b"ab", b'Title":', b'"summary":', b'\n{"type":"tag"', b"aaa"]
    for _ in range(4000):
        size = rng.choice([0, 1, 5, 15, 16, 17, 31, 32, 33, 64, 200])
        data = bytes(rng.choice(b'ab"\n{T:') for _ in range(size))
        needle = rng.choice(needles)
        if rng.random() < 0.3 and data:
            needle = data[rng.randrange(len(data)) :][: rng.randint(1, 18)]
        if rng.random() < 0.5:  # the needle itself somewhere, once or more
            for _ in range(rng.randint(1, 3)):
                at = rng.randint(0, len(data))
                data = data[:at] + needle + data[at:]
        start = rng.randint(-len(data) - 3, len(data) + 3)
        end = rng.randint(-len(data) - 3, len(data) + 3)
        for args in ((), (start,), (start, end)):
            assert find(data, needle, *args) == data.find(needle, *args), (data, needle, args)
            assert rfind(data, needle, *args) == data.rfind(needle, *args), (data, needle, args)
        assert find(bytearray(data), needle) == data.find(needle)
        assert rfind(memoryview(data), needle) == data.rfind(needle)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_find_on_a_window_of_json(impl):
    """Every occurrence in 64 KiB of transcript-like JSON, walked from each end, as bytes does."""
    _, _, find, rfind = impl
    rng = random.Random(4)
    parts = [
        b'{"type":"user","gitBranch":"main","timestamp":"2026-01-01T00:00:00.000Z"}\n',
        b'{"type":"custom-title","customTitle":"T\xc3\xa9"}\n',
        b'{"type":"tag","tag":"x"}\n',
        b'"summary": "s", "lastPrompt":"p" \\"Title\\":',
    ]
    data = b"".join(rng.choice(parts) for _ in range(1500))
    for needle in (b'Title":', b'"gitBranch":', b'\n{"type":"tag"', b'"summary": "', b"T"):
        at, found = 0, []
        while (at := find(data, needle, at)) >= 0:
            found.append(at)
            at += 1
        want, at = [], 0
        while (at := data.find(needle, at)) >= 0:
            want.append(at)
            at += 1
        assert found == want
        end, back = len(data), []
        while (end := rfind(data, needle, 0, end + len(needle) - 1)) >= 0:
            back.append(end)
        assert back == want[::-1]
