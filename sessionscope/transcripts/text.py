"""Make text from a transcript safe to put on a terminal.

A transcript holds whatever tools printed: escape sequences that would move the cursor, retitle
the window, write the clipboard (OSC 52) or hide text, and characters that reorder a line
(bidirectional overrides). :func:`inert` turns each of those into a visible, harmless stand-in,
so what reaches the terminal is what the transcript says, never what it would *do*. Everything
from a transcript that is printed or drawn goes through it.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import orjson

__all__ = ["inert", "inert_bytes", "json_line"]

_BIDI_CONTROLS = (
    list(range(0x200E, 0x2010))  # LRM, RLM
    + list(range(0x202A, 0x202F))  # LRE, RLE, PDF, LRO, RLO
    + list(range(0x2066, 0x206A))  # LRI, RLI, FSI, PDI
    + [0x061C, 0x2028, 0x2029]  # Arabic letter mark, line and paragraph separators
)
"""Characters that reorder or break a terminal line without being seen."""


@lru_cache(maxsize=4)
def _table(keep_newlines: bool, keep_tabs: bool) -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        # Control Pictures: U+2400 + code (ESC -> U+241B, NUL -> U+2400, CR -> U+240D ...).
        table[code] = chr(0x2400 + code)
    if keep_newlines:
        del table[0x0A]
    if keep_tabs:
        del table[0x09]
    table[0x7F] = "\u2421"  # DEL
    for code in range(0x80, 0xA0):
        table[code] = f"\\x{code:02x}"  # C1 controls, CSI (0x9b) among them
    for code in _BIDI_CONTROLS:
        table[code] = f"\\u{code:04x}"
    for code in range(0xD800, 0xE000):
        table[code] = f"\\u{code:04x}"  # lone surrogates (cannot be encoded for a terminal)
    return table


def inert(text: str, *, keep_newlines: bool = True, keep_tabs: bool = True) -> str:
    """``text`` with every control character made visible and harmless.

    C0 controls become their Control Pictures (ESC is ``␛``, so ``\\x1b[2J`` shows as ``␛[2J``),
    DEL is ``␡``, C1 controls and characters that reorder text show as ``\\xNN`` / ``\\uNNNN``,
    lone surrogates as ``\\udNNN``. ``\\n`` and ``\\t`` are kept unless the caller says otherwise
    (a one-line cell passes ``keep_newlines=False`` and gets ``␊``).
    """
    unsafe = _unsafe_pattern(keep_newlines, keep_tabs)
    # Most text holds nothing to replace: finding that out in C is far quicker than translate.
    return text.translate(_table(keep_newlines, keep_tabs)) if unsafe.search(text) else text


@lru_cache(maxsize=4)
def _unsafe_pattern(keep_newlines: bool, keep_tabs: bool) -> re.Pattern[str]:
    """A character class of exactly the characters :func:`_table` replaces."""
    return _class_of(_table(keep_newlines, keep_tabs))


def _class_of(table: dict[int, str]) -> re.Pattern[str]:
    """A character class of the table's keys, written as ranges (one item per code would make
    a class of 2,000 surrogates that takes a noticeable while to compile)."""
    codes = sorted(table)
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    items = (
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in ranges
    )
    return re.compile("[" + "".join(items) + "]")


def inert_bytes(raw: bytes, *, keep_newlines: bool = True, keep_tabs: bool = True) -> str:
    """Raw bytes (a bad line) as inert text: invalid UTF-8 shows as ``\\xNN``."""
    return inert(
        raw.decode("utf-8", errors="backslashreplace"),
        keep_newlines=keep_newlines,
        keep_tabs=keep_tabs,
    )


@lru_cache(maxsize=1)
def _json_unsafe() -> tuple[dict[int, str], re.Pattern[str]]:
    """What :func:`json_line` escapes, and a pattern finding any of it (built on first use)."""
    table = {code: f"\\u{code:04x}" for code in range(0x7F, 0xA0)}
    table.update({code: f"\\u{code:04x}" for code in _BIDI_CONTROLS})
    table.update({code: f"\\u{code:04x}" for code in range(0xD800, 0xE000)})
    return table, _class_of(table)


def json_line(value: object) -> str:
    """``value`` as one line of JSON that is safe on a terminal and means the same.

    Control characters below U+0020 are escaped by any JSON encoder; this also escapes DEL, the
    C1 controls, the characters that reorder text, and lone surrogates (which a transcript may
    hold, as the SDK reads them), so the line can be printed as is.
    """
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        # orjson refuses lone surrogates (and integers beyond 64 bits): the standard library does not.
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if text.isascii():
        # Of the characters escaped here, only DEL is ASCII (and isascii costs nothing).
        return text.replace("\x7f", "\\u007f") if "\x7f" in text else text
    table, unsafe = _json_unsafe()
    return text.translate(table) if unsafe.search(text) else text
