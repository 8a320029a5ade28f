"""Byte scans a cold list makes over every transcript: in C when ``sessionscope._speedups`` is
built (``setup.py``; it is optional), else the standard library's, which give the same answers.

``utf8_valid(data, start, end)`` says whether ``data[start:end]`` decodes as strict UTF-8;
``object_lines(data, end)`` how many lines ``data[:end]`` holds if each starts with ``{`` and
ends with ``}`` (else -1); ``find`` and ``rfind`` are ``bytes.find`` and ``bytes.rfind`` for
any bytes-like object. The C versions are faster where the list spends its time: UTF-8 that is
mostly ASCII (checked eight bytes at a time, with no text made), a loop over the lines of a
buffer, and short needles looked for in 64 KiB of JSON (the needle's two rarest bytes first,
sixteen places at a time). ``tests/transcripts/test_scan.py`` compares them
with the standard library on hostile bytes.

``SESSIONSCOPE_PURE_PYTHON=1`` in the environment leaves the C versions out (to compare).
"""

from __future__ import annotations

import os
from codecs import utf_8_decode

__all__ = ["NATIVE", "find", "object_lines", "rfind", "utf8_valid"]

_PIECE = 1 << 15
"""Bytes decoded at a time by the pure-Python check: the text made of a whole buffer at once is
big enough to be given back to the system and taken again for every buffer."""


def _utf8_valid(data, start: int = 0, end: int | None = None) -> bool:
    view = memoryview(data)
    start, end, _ = slice(start, end).indices(len(view))
    at = start
    try:
        while at < end:
            # Not final: a character cut by the piece's end is taken with the next piece.
            used = utf_8_decode(view[at : min(at + _PIECE, end)], "strict", False)[1]
            if not used:
                # Nothing taken from a piece: a cut character at ``end`` (else the piece was
                # at least four bytes long and its first character decodes or raises).
                return False
            at += used
    except UnicodeDecodeError:
        return False
    return True


def _object_lines(data, end: int | None = None) -> int:
    if not isinstance(data, (bytes, bytearray)):
        data = bytes(data)
    end = slice(0, end).indices(len(data))[1]
    find = data.find
    start = lines = 0
    while start < end:
        newline = find(b"\n", start, end)
        if newline - start < 2 or data[start] != 123 or data[newline - 1] != 125:  # "{", "}"
            return -1
        lines += 1
        start = newline + 1
    return lines


def _find(data, needle, start: int = 0, end: int | None = None) -> int:
    if not isinstance(data, (bytes, bytearray)):
        data = bytes(data)
    return data.find(needle, start, len(data) if end is None else end)


def _rfind(data, needle, start: int = 0, end: int | None = None) -> int:
    if not isinstance(data, (bytes, bytearray)):
        data = bytes(data)
    return data.rfind(needle, start, len(data) if end is None else end)


def _native():
    if os.environ.get("SESSIONSCOPE_PURE_PYTHON"):
        return None
    try:
        from .. import _speedups
    except ImportError:
        return None
    return _speedups


_speedups = _native()
NATIVE = _speedups is not None
"""Whether the C versions are in use."""

if _speedups is not None:
    utf8_valid = _speedups.utf8_valid
    object_lines = _speedups.object_lines
    find = _speedups.find
    rfind = _speedups.rfind
else:
    utf8_valid = _utf8_valid
    object_lines = _object_lines
    find = _find
    rfind = _rfind
