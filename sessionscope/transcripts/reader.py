"""Index a transcript file line by line, tolerant of anything a file can hold.

Every line becomes a light :class:`~sessionscope.transcripts.model.Entry`: the fields chain
building, listing and navigation need, plus the byte range of the line, so the full JSON can be
read again later with :func:`load_entry` (``os.pread``). Whole parsed dicts are never kept.

Lines are split the way the SDK's ``get_session_messages`` sees them (it reads the file as text
with universal newlines, so a lone ``\\r`` also ends a line, and it strips each line), and each
line is parsed with orjson, falling back to the standard library's ``json`` for what only it
accepts (lone surrogates, ``NaN``, Unicode whitespace around the object): the SDK reads those
lines, so we do too. A line neither reads is kept as a bad-line entry with the reason in
``Entry.error``; it never stops the read.

That is the *reference* path (``parse_line`` + :func:`entry_from_dict`). Most lines take a fast
path that gives exactly the same entry: msgspec decodes the line straight into an
:class:`Entry` (its fields are typed strictly: a value of any other type than the usual one is
refused), skipping what the entry does not keep. A line the fast path refuses, or might read
differently from orjson/json, goes through the reference path: anything msgspec rejects, a line
that is not valid UTF-8 (msgspec does not check the strings it skips), one with a run of digits
too long for ``json``'s integer limit, and every line when msgspec would accept deeper nesting
than orjson (checked once per read). ``tests/transcripts/test_fast_path.py`` compares the two.
"""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from sys import intern

import msgspec
import orjson

from .files import open_regular
from .model import Entry, TranscriptIndex
from .scan import utf8_valid

__all__ = [
    "index_transcript",
    "load_entries",
    "load_entry",
    "parse_line",
    "read_raw",
    "entry_from_dict",
]

_EXTRA_DATA = "Extra data"
_CHUNK = 1 << 20
"""Bytes read at a time (whole lines: a longer line is read whole). The fast path splits a
buffer into its lines at once, so a small one keeps the peak memory low (no slower)."""


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _nonempty_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _truthy_label(value: object) -> str | None:
    """Keep a truthy value as text (the SDK only tests truthiness or equality)."""
    if not value:
        return None
    return value if isinstance(value, str) else repr(value)


def entry_from_dict(
    data: dict, *, index: int = 0, line_no: int = 0, offset: int = 0, length: int = 0
) -> Entry:
    """The light record of one parsed transcript line (the hot path: kept flat on purpose)."""
    get = data.get
    entry_type = get("type")
    entry_type = intern(entry_type) if entry_type.__class__ is str else None
    uuid = get("uuid")
    if uuid.__class__ is not str:
        uuid = None
    parent = get("parentUuid")
    if parent.__class__ is not str or not parent:
        parent = None
    timestamp = get("timestamp")
    if timestamp.__class__ is not str:
        timestamp = None
    session_id = get("sessionId")
    # One string object for the id every entry repeats (and for each type), not one per entry.
    session_id = intern(session_id) if session_id.__class__ is str else None
    message_id = None
    role_blocks: tuple[str, ...] = ()
    tool_use_ids: tuple[str, ...] = ()
    tool_result_ids: tuple[str, ...] = ()
    message = get("message")
    if isinstance(message, dict):
        if entry_type == "assistant":
            message_id = _nonempty_str(message.get("id"))
        content = message.get("content")
        if isinstance(content, list):
            role_blocks, tool_use_ids, tool_result_ids = _blocks(content)
        elif isinstance(content, str):
            role_blocks = _STRING_CONTENT
    entry = Entry(index, line_no, offset, length, entry_type, uuid, parent)
    entry.timestamp = timestamp
    entry.session_id = session_id
    entry.message_id = message_id
    entry.role_blocks = role_blocks
    entry.tool_use_ids = tool_use_ids
    entry.tool_result_ids = tool_result_ids
    # Rarer fields: most entries have none of them.
    if "logicalParentUuid" in data:
        entry.logical_parent_uuid = _nonempty_str(get("logicalParentUuid"))
    if "subtype" in data:
        entry.subtype = _str_or_none(get("subtype"))
    if get("isSidechain"):
        entry.is_sidechain = True
    if get("isMeta"):
        entry.is_meta = True
    if get("isCompactSummary"):
        entry.is_compact_summary = True
    if "teamName" in data:
        entry.team_name = _truthy_label(get("teamName"))
    agent_id = get("agentId")
    if agent_id is not None:
        entry.agent_id = agent_id if isinstance(agent_id, str) else repr(agent_id)
    if "sourceToolAssistantUUID" in data:
        entry.source_tool_assistant_uuid = _str_or_none(get("sourceToolAssistantUUID"))
    forked = get("forkedFrom")
    if isinstance(forked, dict):
        entry.forked_from = _str_or_none(forked.get("sessionId"))
    return entry


_STRING_CONTENT = ("string",)

_decode_entry = msgspec.json.Decoder(Entry).decode
"""The fast path: one line's JSON straight into an :class:`Entry` (or ``ValueError``)."""

_KINDS: dict[tuple[str, ...], tuple[str, ...]] = {}
"""One tuple object for each ``role_blocks`` value seen (most entries share a handful)."""
_KINDS_MAX = 4096


def _struct_blocks(content: list) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """:func:`_blocks` for blocks the fast path decoded (``_Block`` structs)."""
    uses: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    if len(content) == 1:
        block = content[0]
        kind = block.type or ""
        if kind == "tool_use" and block.id is not None:
            uses = (block.id,)
        elif kind == "tool_result" and block.tool_use_id is not None:
            results = (block.tool_use_id,)
        kinds: tuple[str, ...] = (kind,)
    else:
        kind_list: list[str] = []
        use_list: list[str] = []
        result_list: list[str] = []
        for block in content:
            kind = block.type or ""
            kind_list.append(kind)
            if kind == "tool_use" and block.id is not None:
                use_list.append(block.id)
            elif kind == "tool_result" and block.tool_use_id is not None:
                result_list.append(block.tool_use_id)
        kinds = tuple(kind_list)
        if use_list:
            uses = tuple(use_list)
        if result_list:
            results = tuple(result_list)
    shared = _KINDS.get(kinds)
    if shared is not None:
        return shared, uses, results
    if len(_KINDS) < _KINDS_MAX:
        _KINDS[kinds] = kinds
    return kinds, uses, results


_ONE_KIND: dict[str, tuple[str]] = {}
"""``role_blocks`` of a one-block message, by the block's type."""


def _one_kind(kind: str) -> tuple[str]:
    kinds = (kind,)
    if len(_ONE_KIND) < _KINDS_MAX:
        _ONE_KIND[kind] = kinds
    return kinds


_NON_DIGIT = re.compile(rb"[^0-9]")


def _has_digit_run(raw: bytes, run: int) -> bool:
    """True if ``raw`` holds ``run`` digits in a row.

    Only bytes at multiples of ``run`` are looked at first (a run that long covers one of
    them), so a long line costs a few byte reads, not a scan.
    """
    for k, byte in enumerate(raw[::run]):
        if 48 <= byte <= 57:
            at = k * run
            after = _NON_DIGIT.search(raw, at)
            end = after.start() if after is not None else len(raw)
            start = end - run
            if start >= 0 and _NON_DIGIT.search(raw, start, at) is None:
                return True
    return False


def _orjson_depth_limit() -> int | None:
    """The fewest nested arrays (inside an object) orjson refuses, or ``None`` if it takes 4096."""
    low, high = 1, 4096
    if _parses(high):
        return None
    while low < high:  # orjson accepts ``low`` levels, refuses ``high``
        middle = (low + high) // 2
        if middle == low:
            break
        if _parses(middle):
            low = middle
        else:
            high = middle
    return high


def _nested(depth: int) -> bytes:
    return b'{"a":' + b"[" * depth + b"]" * depth + b"}"


def _parses(depth: int) -> bool:
    try:
        orjson.loads(_nested(depth))
    except orjson.JSONDecodeError:
        return False
    return True


_ORJSON_TOO_DEEP = _orjson_depth_limit()


def _fast_path_is_exact() -> bool:
    """msgspec refuses, from here, any nesting orjson refuses (its limit follows Python's
    recursion limit and the stack depth; orjson's is fixed). Checked once per read."""
    if _ORJSON_TOO_DEEP is None:
        return True
    try:
        _decode_entry(_nested(_ORJSON_TOO_DEEP))
    except RecursionError:
        return True
    except ValueError:
        return False
    return False


def _blocks(content: list) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Block kinds, tool_use ids and tool_result ids of a message's content list."""
    kinds: list[str] = []
    tool_use_ids: list[str] = []
    tool_result_ids: list[str] = []
    for block in content:
        if not isinstance(block, dict):
            kinds.append("")
            continue
        kind = block.get("type")
        if kind.__class__ is not str:
            kind = ""
        kinds.append(kind)
        if kind == "tool_use":
            call_id = block.get("id")
            if isinstance(call_id, str):
                tool_use_ids.append(call_id)
        elif kind == "tool_result":
            call_id = block.get("tool_use_id")
            if isinstance(call_id, str):
                tool_result_ids.append(call_id)
    return tuple(kinds), tuple(tool_use_ids), tuple(tool_result_ids)


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


def _segments(buffer, offset: int, end: int) -> list[tuple[int, int]]:
    """Split a line at lone ``\\r`` as universal newlines does (rare: checked first)."""
    pieces = []
    position = offset
    while True:
        cr = buffer.find(b"\r", position, end)
        if cr < 0:
            pieces.append((position, end))
            return pieces
        pieces.append((position, cr))
        position = cr + 1


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while many objects are made and dropped.

    Indexing makes hundreds of thousands of short-lived dicts that hold no cycles; the
    collector's passes over them cost about a third of the time. Safe across threads: the
    collector is re-enabled when the last reader is done, if it was enabled before the first.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def _count_newlines(fd: int, end: int, chunk: int = 1 << 22) -> int:
    """Newlines in the file's first ``end`` bytes, read a few MB at a time (indexing the tail
    of a 100 MB file must not hold its head in memory)."""
    count = 0
    for offset in range(0, end, chunk):
        count += os.pread(fd, min(chunk, end - offset), offset).count(b"\n")
    return count


def index_transcript(
    path: str | os.PathLike[str],
    start: int = 0,
    base: TranscriptIndex | None = None,
    *,
    count_lines_before: bool = True,
) -> TranscriptIndex:
    """Index every line of ``path`` from byte ``start`` (or where ``base`` stopped).

    With ``base`` (an earlier index of the same file) only the bytes appended since are read,
    and the result holds ``base``'s entries followed by the new ones (``base`` is not changed).
    If the file shrank below ``base.size`` it was rewritten, and is indexed again from the
    start. Without ``base``, ``start`` may be any line start: line numbers are still counted
    from the top of the file (``count_lines_before=False`` skips that: a quick look at the tail
    of a big file then numbers its lines from 1 at ``start``), entry indexes from 0.

    Raises ``OSError`` when the file cannot be opened or read (a directory, no permission...).
    """
    path_str = os.fspath(path)
    fd = open_regular(path_str)
    try:
        stat = os.fstat(fd)
        size = stat.st_size
        entries: list[Entry] = []
        line_no = 0
        if base is not None:
            if size < base.size:
                base = None
                start = 0
            else:
                entries = list(base.entries)
                line_no = base.line_count
                start = base.size
                if base.ends_open and entries:
                    # The last entry had no newline yet: read its line again with what follows.
                    last = entries.pop()
                    start = last.offset
                    line_no -= 1
        index = TranscriptIndex(path=path_str, size=size, mtime=stat.st_mtime)
        if base is None and start > 0:
            start = min(start, size)
            line_no = _count_newlines(fd, start) if count_lines_before else 0
        if start >= size:
            index.entries = entries
            index.size = size
            index.line_count = line_no
            return index
        position = start
        ends_open = False
        fast = _fast_path_is_exact()
        with gc_paused():
            while position < size:
                buffer, usable, at_end = _read_whole_lines(fd, position, size)
                line_no, consumed, ends_open, torn = _index_buffer(
                    buffer, usable, position, entries, line_no, fast
                )
                position += consumed
                if torn is not None:
                    index.torn_tail = torn
                    break
                if at_end:
                    break
        index.entries = entries
        index.size = position
        index.line_count = line_no
        index.ends_open = ends_open
        return index
    finally:
        os.close(fd)


def _read_whole_lines(fd: int, position: int, size: int) -> tuple[bytes, int, bool]:
    """Bytes from ``position``: ``(buffer, usable, at_end)``, ``buffer[:usable]`` whole lines.

    Reads ``_CHUNK`` bytes, cut after the last newline; a line longer than that is read whole.
    ``at_end``: the buffer reaches the end of the file (as it was, or as it is if it shrank:
    plain reads, never a mapping, so a file cut short under us cannot crash the process).
    """
    buffer = os.pread(fd, min(_CHUNK, size - position), position)
    while True:
        if position + len(buffer) >= size:
            return buffer, len(buffer), True
        cut = buffer.rfind(b"\n")
        if cut >= 0:
            return buffer, cut + 1, False
        wanted = min(len(buffer) or _CHUNK, size - position - len(buffer))
        more = os.pread(fd, wanted, position + len(buffer))
        buffer += more
        if len(more) < wanted:
            return buffer, len(buffer), True


def _digit_run() -> int:
    """Digits in a row that send a line to the reference path: ``json`` refuses an integer of
    more digits than Python's limit (and orjson refuses it too, as too big)."""
    limit = sys.get_int_max_str_digits()
    return limit + 1 if limit else 1 << 62


def _fast_entry(raw: bytes, digit_run: int) -> Entry | None:
    """The fast path's undressed entry for one line (see :func:`_finish`), or ``None`` when
    the line must take the reference path."""
    if not raw.isascii() and not utf8_valid(raw):
        return None
    try:
        entry = _decode_entry(raw)
    except (ValueError, RecursionError):
        return None
    if len(raw) >= digit_run and _has_digit_run(raw, digit_run):
        return None
    return entry


def _finish(entry: Entry, index: int, line_no: int, offset: int, length: int) -> Entry:
    """Complete an entry the fast path decoded: :func:`entry_from_dict`'s normalisations, and
    the fields derived from ``message`` and ``forkedFrom`` (every derived field is set, so a
    line with a key named like one of them changes nothing)."""
    entry.index = index
    entry.line_no = line_no
    entry.offset = offset
    entry.length = length
    entry_type = entry.type
    if entry_type is not None:
        entry.type = entry_type = intern(entry_type)
    if entry.session_id is not None:
        entry.session_id = intern(entry.session_id)
    message = entry.raw_message
    if message is None:
        entry.message_id = None
        entry.role_blocks = entry.tool_use_ids = entry.tool_result_ids = ()
    else:
        entry.raw_message = None
        entry.message_id = message.id if entry_type == "assistant" and message.id else None
        content = message.content
        if content.__class__ is list:
            entry.role_blocks, entry.tool_use_ids, entry.tool_result_ids = _struct_blocks(content)
        else:
            entry.role_blocks = () if content is None else _STRING_CONTENT
            entry.tool_use_ids = entry.tool_result_ids = ()
    forked = entry.raw_forked_from
    if forked is None:
        entry.forked_from = None
    else:
        entry.raw_forked_from = None
        entry.forked_from = forked.sessionId
    entry.error = None
    return entry


_TORN = Entry(error="torn")
"""Returned by :func:`_reference_entry` for a line not yet fully written."""


def _reference_entry(
    raw: bytes, terminated: bool, index: int, line_no: int, offset: int
) -> Entry | None:
    """One line the reference way: its entry (maybe a bad-line one), ``None`` if blank, or
    :data:`_TORN` if it does not parse and has no newline yet."""
    error = None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as failure:
        value, error = _describe_failure(raw, str(failure))
        if value is None and error is None:
            return None  # blank once stripped, as the SDK sees it
        if error is not None and not terminated:
            return _TORN
    if error is None and not isinstance(value, dict):
        error = f"not a JSON object ({type(value).__name__})"
    if error is not None:
        return Entry(index, line_no, offset, len(raw), error=error)
    return entry_from_dict(value, index=index, line_no=line_no, offset=offset, length=len(raw))


def _index_buffer(
    buffer: bytes,
    end: int,
    shift: int,
    entries: list[Entry],
    line_no: int,
    fast: bool = True,
) -> tuple[int, int, bool, bytes | None]:
    """Index the lines of ``buffer[:end]`` (file offset ``shift``) into ``entries``.

    Returns ``(line_no, consumed, ends_open, torn_tail)``: ``consumed`` bytes are indexed (all
    but a torn last line), ``ends_open`` if the last line indexed had no newline; ``torn_tail``
    is ``None`` unless the last line, without a newline, does not parse (its bytes) or is blank
    so far (``b""``): it is then left out, to be read again with what is appended.
    """
    if fast and buffer.find(b"\r", 0, end) < 0:
        return _index_plain_buffer(buffer, end, shift, entries, line_no)
    digit_run = _digit_run()
    find = buffer.find
    append = entries.append
    count = len(entries)
    consumed = 0
    ends_open = False
    position = 0
    while position < end:
        newline = find(b"\n", position, end)
        terminated = newline >= 0
        line_end = newline if terminated else end
        line_no += 1
        if find(b"\r", position, line_end) >= 0:
            pieces = _segments(buffer, position, line_end)
        else:
            pieces = ((position, line_end),)
        torn = False
        for piece_start, piece_end in pieces:
            if piece_start == piece_end:
                continue
            raw = buffer[piece_start:piece_end]
            offset = piece_start + shift
            entry = _fast_entry(raw, digit_run) if fast else None
            if entry is not None:
                entry = _finish(entry, count, line_no, offset, piece_end - piece_start)
            else:
                entry = _reference_entry(raw, terminated, count, line_no, offset)
                if entry is None:
                    continue
                if entry is _TORN:
                    torn = True
                    break
            append(entry)
            count += 1
        if torn:
            # Entries already taken from this unfinished line wait for the rest of it.
            while entries and entries[-1].offset >= position + shift:
                entries.pop()
            return line_no - 1, consumed, ends_open, buffer[position:line_end]
        if not terminated and (not entries or entries[-1].offset < position + shift):
            # A last line that is blank so far: not yet written either (an incremental read
            # starts again there), though nothing to show.
            return line_no - 1, consumed, ends_open, b""
        consumed = newline + 1 if terminated else line_end
        ends_open = not terminated
        position = line_end + 1
    return line_no, consumed, ends_open, None


def _index_plain_buffer(
    buffer: bytes, end: int, shift: int, entries: list[Entry], line_no: int
) -> tuple[int, int, bool, bytes | None]:
    """:func:`_index_buffer` for a buffer without ``\\r`` (one piece a line), on the fast path."""
    lines = (buffer if end == len(buffer) else buffer[:end]).split(b"\n")
    tail = lines.pop()  # what follows the last newline: b"" or an unterminated line
    digit_run = _digit_run()
    decode = _decode_entry
    is_utf8 = utf8_valid
    struct_blocks = _struct_blocks
    string_content = _STRING_CONTENT
    one_kind = _ONE_KIND
    append = entries.append
    count = len(entries)
    position = 0
    last_session = None
    for raw in lines:
        offset = position + shift
        line_no += 1
        length = len(raw)
        position += length + 1
        if not length:
            continue
        entry = None
        if raw.isascii() or is_utf8(raw):
            try:
                entry = decode(raw)
            except (ValueError, RecursionError):
                entry = None
            else:
                if length >= digit_run and _has_digit_run(raw, digit_run):
                    entry = None
        if entry is None:
            entry = _reference_entry(raw, True, count, line_no, offset)
            if entry is not None:
                append(entry)
                count += 1
            continue
        # _finish(), inlined: this loop runs for nearly every line of a big file.
        entry.index = count
        entry.line_no = line_no
        entry.offset = offset
        entry.length = length
        entry_type = entry.type
        if entry_type is not None:
            entry.type = entry_type = intern(entry_type)
        session_id = entry.session_id
        if session_id is not None:
            if session_id == last_session:
                entry.session_id = last_session
            else:
                entry.session_id = last_session = intern(session_id)
        message = entry.raw_message
        if message is None:
            entry.message_id = None
            entry.role_blocks = entry.tool_use_ids = entry.tool_result_ids = ()
        else:
            entry.raw_message = None
            entry.message_id = message.id if entry_type == "assistant" and message.id else None
            content = message.content
            if content.__class__ is not list:
                entry.role_blocks = () if content is None else string_content
                entry.tool_use_ids = entry.tool_result_ids = ()
            elif len(content) == 1:  # most entries: one block (the CLI splits responses)
                block = content[0]
                kind = block.type or ""
                kinds = one_kind.get(kind)
                if kinds is None:
                    kinds = _one_kind(kind)
                entry.role_blocks = kinds
                if kind == "tool_use" and block.id is not None:
                    entry.tool_use_ids = (block.id,)
                    entry.tool_result_ids = ()
                elif kind == "tool_result" and block.tool_use_id is not None:
                    entry.tool_use_ids = ()
                    entry.tool_result_ids = (block.tool_use_id,)
                else:
                    entry.tool_use_ids = entry.tool_result_ids = ()
            else:
                entry.role_blocks, entry.tool_use_ids, entry.tool_result_ids = struct_blocks(
                    content
                )
        forked = entry.raw_forked_from
        if forked is None:
            entry.forked_from = None
        else:
            entry.raw_forked_from = None
            entry.forked_from = forked.sessionId
        entry.error = None
        append(entry)
        count += 1
    if not tail:
        return line_no, position, False, None
    line_no += 1
    entry = _fast_entry(tail, digit_run)
    if entry is not None:
        entry = _finish(entry, count, line_no, position + shift, len(tail))
    else:
        entry = _reference_entry(tail, False, count, line_no, position + shift)
        if entry is _TORN:
            return line_no - 1, position, False, tail
    if entry is None:  # blank so far: not yet written either (see _index_buffer)
        return line_no - 1, position, False, b""
    append(entry)
    return line_no, end, True, None


def read_raw(path: str | os.PathLike[str], entry: Entry) -> bytes:
    """The bytes of an entry's line, as they are in the file."""
    fd = open_regular(path)
    try:
        return os.pread(fd, entry.length, entry.offset)
    finally:
        os.close(fd)


def _load_from_fd(fd: int, entry: Entry) -> dict | None:
    raw = os.pread(fd, entry.length, entry.offset)
    value, _error = parse_line(raw)
    return value if isinstance(value, dict) else None


def load_entry(path: str | os.PathLike[str], entry: Entry) -> dict | None:
    """The full JSON object of one entry, read again from the file; ``None`` for a bad line."""
    if entry.is_bad:
        return None
    fd = open_regular(path)
    try:
        return _load_from_fd(fd, entry)
    finally:
        os.close(fd)


def load_entries(path: str | os.PathLike[str], entries: Iterable[Entry]) -> list[dict | None]:
    """:func:`load_entry` for many entries, with one open file."""
    fd = open_regular(path)
    try:
        return [None if entry.is_bad else _load_from_fd(fd, entry) for entry in entries]
    finally:
        os.close(fd)
