"""One line of a transcript as a JSON value, read as the SDK reads it (orjson first, the
standard library for what orjson refuses and JSON allows), or why it is bad.

Standard library and orjson only: what reads a single line back (a search's snippet, a
stored value) needs nothing of the entries' model.
"""

from __future__ import annotations

import json

import orjson

__all__ = ["load_json", "parse_line"]

_EXTRA_DATA = "Extra data"


def _describe_failure(raw: bytes, orjson_error: str) -> tuple[object | None, str | None]:
    """Read a line orjson refused the way the SDK would, or say why it is bad.

    Returns ``(value, None)`` when Python's json reads it (``value`` is ``None`` for a line the
    SDK skips as blank), else ``(None, reason)``.
    """
    if b"\x00" in raw:
        return None, "contains NUL bytes"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, f"invalid UTF-8 at byte {error.start + 1}"
    text = text.strip()
    if not text:
        return None, None
    try:
        return json.loads(text), None
    except RecursionError:
        return None, "nesting too deep to parse"
    except ValueError as error:
        message = str(error)
        if message.startswith(_EXTRA_DATA):
            return None, f"two JSON values run together (second at column {error.pos + 1})"
        if "recursion" in orjson_error.lower():
            return None, "nesting too deep to parse"
        return None, f"not JSON: {message}"


def parse_line(raw: bytes) -> tuple[object | None, str | None]:
    """Parse one line: ``(value, None)``, ``(None, reason)`` if bad, ``(None, None)`` if blank."""
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError as error:
        return _describe_failure(raw, str(error))


def load_json(text: bytes | str) -> object:
    """A JSON value known to be valid: orjson, or the standard library for what orjson refuses
    and JSON allows (lone surrogates)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
