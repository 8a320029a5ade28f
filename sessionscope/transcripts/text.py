"""Make text from a transcript safe to put on a terminal.

A transcript holds whatever tools printed: escape sequences that would move the cursor, retitle
the window, write the clipboard (OSC 52) or hide text, and characters that reorder a line
(bidirectional overrides). :func:`inert` turns each of those into a visible, harmless stand-in,
so what reaches the terminal is what the transcript says, never what it would *do*. Everything
from a transcript that is printed or drawn goes through it.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["inert", "inert_bytes"]

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
    return text.translate(_table(keep_newlines, keep_tabs))


def inert_bytes(raw: bytes, *, keep_newlines: bool = True, keep_tabs: bool = True) -> str:
    """Raw bytes (a bad line) as inert text: invalid UTF-8 shows as ``\\xNN``."""
    return inert(
        raw.decode("utf-8", errors="backslashreplace"),
        keep_newlines=keep_newlines,
        keep_tabs=keep_tabs,
    )
