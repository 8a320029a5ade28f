"""Index a transcript file line by line, tolerant of anything a file can hold.

Every line becomes a light :class:`~sessionscope.transcripts.model.Entry`: the fields chain
building, listing and navigation need, plus the byte range of the line, so the full JSON can be
read again later with :func:`load_entry` (``os.pread``). Whole parsed dicts are never kept.

Lines are split the way the SDK's ``get_session_messages`` sees them (it reads the file as text
with universal newlines, so a lone ``\\r`` also ends a line, and it strips each line), and each
line is parsed with orjson, falling back to the standard library's ``json`` for what only it
accepts (lone surrogates, ``NaN``, Unicode whitespace around the object): the SDK reads those
lines, so we do too. A line neither reads is kept as a bad-line entry with the reason in
``Entry.error``; it never stops the read. One function turns a line into an entry:
:func:`entry_from_line`.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from sys import intern

from .files import open_regular
from .lines import parse_line
from .model import Entry, TranscriptIndex

__all__ = [
    "entry_from_dict",
    "entry_from_line",
    "gc_paused",
    "index_transcript",
    "load_entries",
    "load_entries_in_batches",
    "load_entry",
    "read_raw",
]

_CHUNK = 1 << 20
"""Bytes read at a time (whole lines: a longer line is read whole)."""


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _nonempty_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _truthy_label(value: object) -> str | None:
    """Keep a truthy value as text (the SDK only tests truthiness or equality)."""
    if not value:
        return None
    return value if isinstance(value, str) else repr(value)


_STRING_CONTENT = ("string",)


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
        if not isinstance(kind, str):
            kind = ""
        kinds.append(intern(kind))
        if kind == "tool_use":
            call_id = block.get("id")
            if isinstance(call_id, str):
                tool_use_ids.append(call_id)
        elif kind == "tool_result":
            call_id = block.get("tool_use_id")
            if isinstance(call_id, str):
                tool_result_ids.append(call_id)
    return tuple(kinds), tuple(tool_use_ids), tuple(tool_result_ids)


def entry_from_dict(
    data: dict, *, index: int = 0, line_no: int = 0, offset: int = 0, length: int = 0
) -> Entry:
    """The light record of one parsed transcript line (every line of every transcript comes
    through here: the usual fields first, the rarer ones only when the line has them)."""
    get = data.get
    entry_type = get("type")
    uuid = get("uuid")
    parent = get("parentUuid")
    timestamp = get("timestamp")
    session_id = get("sessionId")
    message_id = None
    role_blocks: tuple[str, ...] = ()
    tool_use_ids: tuple[str, ...] = ()
    tool_result_ids: tuple[str, ...] = ()
    message = get("message")
    if message.__class__ is dict:
        if entry_type == "assistant":
            message_id = _nonempty_str(message.get("id"))
        content = message.get("content")
        if content.__class__ is list:
            role_blocks, tool_use_ids, tool_result_ids = _blocks(content)
        elif content.__class__ is str:
            role_blocks = _STRING_CONTENT
    # Parsed JSON holds exact types: ``__class__ is str`` is isinstance here, and quicker.
    entry = Entry(
        index,
        line_no,
        offset,
        length,
        # One string object for the id every entry repeats (and for each type).
        intern(entry_type) if entry_type.__class__ is str else None,
        uuid if uuid.__class__ is str else None,
        parent if parent.__class__ is str and parent else None,
        None,
        timestamp if timestamp.__class__ is str else None,
        intern(session_id) if session_id.__class__ is str else None,
        None,
        message_id,
        role_blocks,
        tool_use_ids,
        tool_result_ids,
    )
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
        entry.agent_id = agent_id if agent_id.__class__ is str else repr(agent_id)
    if "sourceToolAssistantUUID" in data:
        entry.source_tool_assistant_uuid = _str_or_none(get("sourceToolAssistantUUID"))
    forked = get("forkedFrom")
    if forked.__class__ is dict:
        entry.forked_from = _str_or_none(forked.get("sessionId"))
    return entry


_TORN = Entry(error="torn")
"""Returned by :func:`entry_from_line` for a line not yet fully written."""


def entry_from_line(
    raw: bytes, *, terminated: bool = True, index: int = 0, line_no: int = 0, offset: int = 0
) -> Entry | None:
    """One line's entry (maybe a bad-line one), ``None`` if blank, or :data:`_TORN` if it does
    not parse and has no newline yet (``terminated=False``)."""
    return _read_line(raw, terminated, index, line_no, offset)[0]


def _read_line(
    raw: bytes, terminated: bool, index: int, line_no: int, offset: int
) -> tuple[Entry | None, dict | None]:
    """:func:`entry_from_line`, with the parsed object of a good line."""
    value, error = parse_line(raw)
    if value is None and error is None:
        return None, None  # blank once stripped, as the SDK sees it
    if error is not None and not terminated:
        return _TORN, None
    if error is None and not isinstance(value, dict):
        error = f"not a JSON object ({type(value).__name__})"
    if error is not None:
        return Entry(index, line_no, offset, len(raw), error=error), None
    entry = entry_from_dict(value, index=index, line_no=line_no, offset=offset, length=len(raw))
    return entry, value


def _segments(buffer: bytes, offset: int, end: int) -> list[tuple[int, int]]:
    """Split a line at lone ``\\r`` as universal newlines does."""
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

    Indexing makes hundreds of thousands of short-lived dicts that hold no cycles, which the
    collector's passes would walk again and again. Safe across threads: the
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
    counted_before: tuple[int, int] | None = None,
    each: Callable[[Entry, dict], None] | None = None,
    limit: int | None = None,
) -> TranscriptIndex:
    """Index every line of ``path`` from byte ``start`` (or where ``base`` stopped).

    With ``base`` (an earlier index of the same file) only the bytes appended since are read,
    and the result holds ``base``'s entries followed by the new ones (``base`` is not changed).
    If the file shrank below ``base.size`` it was rewritten, and is indexed again from the
    start. Without ``base``, ``start`` may be any line start: line numbers are still counted
    from the top of the file (``count_lines_before=False`` skips that: a quick look at the tail
    of a big file then numbers its lines from 1 at ``start``), entry indexes from 0; or, given
    ``counted_before`` (the lines and the entries before ``start``, known from an earlier
    read), from there: the result then holds only the entries from ``start`` on.

    ``each(entry, value)`` is called with every good entry and its parsed object as the line
    is read: what else wants the line's content (the search index) gets it without a second
    parse. A last line without its newline is given too (it parsed), and given again by the
    read that continues from ``base`` (it is read again with what follows); a rare piece of a
    line found torn later (a line split at ``\r``) is given but left out of the result.

    ``limit``: read that many bytes and on to the end of the line, then stop, with ``partial``
    set if the file goes on: a read from the result as ``base`` reads on from there.

    Raises ``OSError`` when the file cannot be opened or read (a directory, no permission...).
    """
    path_str = os.fspath(path)
    fd = open_regular(path_str)
    try:
        stat = os.fstat(fd)
        size = stat.st_size
        entries: list[Entry] = []
        line_no = first = 0
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
        if base is not None:
            index.graph = base.graph  # extended with the new entries (conversation._Graph)
        if base is None and start > 0:
            start = min(start, size)
            if counted_before is not None:
                line_no, first = counted_before
            elif count_lines_before:
                line_no = _count_newlines(fd, start)
        if start >= size:
            index.entries = entries
            index.size = size
            index.line_count = line_no
            return index
        position = start
        ends_open = False
        with gc_paused():
            while position < size:
                wanted = _CHUNK
                if limit is not None:
                    wanted = min(wanted, start + limit - position)
                    if wanted <= 0:
                        index.partial = True
                        break
                buffer, usable, at_end = _read_whole_lines(fd, position, size, wanted)
                line_no, consumed, ends_open, torn = _index_buffer(
                    buffer, usable, position, entries, first, line_no, each
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


def _read_whole_lines(
    fd: int, position: int, size: int, wanted: int = _CHUNK
) -> tuple[bytes, int, bool]:
    """Bytes from ``position``: ``(buffer, usable, at_end)``, ``buffer[:usable]`` whole lines.

    Reads ``wanted`` bytes, cut after the last newline; a line longer than that is read whole.
    ``at_end``: the buffer reaches the end of the file (as it was, or as it is if it shrank:
    plain reads, never a mapping, so a file cut short under us cannot crash the process).
    """
    buffer = os.pread(fd, min(wanted, size - position), position)
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


def _index_buffer(
    buffer: bytes,
    end: int,
    shift: int,
    entries: list[Entry],
    first: int,
    line_no: int,
    each: Callable[[Entry, dict], None] | None = None,
) -> tuple[int, int, bool, bytes | None]:
    """Index the lines of ``buffer[:end]`` (file offset ``shift``) into ``entries`` (the
    first of which is the file's entry ``first``).

    Returns ``(line_no, consumed, ends_open, torn_tail)``: ``consumed`` bytes are indexed (all
    but a torn last line), ``ends_open`` if the last line indexed had no newline; ``torn_tail``
    is ``None`` unless the last line, without a newline, does not parse (its bytes) or is blank
    so far (``b""``): it is then left out, to be read again with what is appended.
    """
    find = buffer.find
    append = entries.append
    count = first + len(entries)
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
            entry, value = _read_line(
                buffer[piece_start:piece_end], terminated, count, line_no, piece_start + shift
            )
            if entry is None:
                continue
            if entry is _TORN:
                torn = True
                break
            append(entry)
            count += 1
            if each is not None and value is not None:
                each(entry, value)
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


def load_entries_in_batches(
    path: str | os.PathLike[str], entries: Sequence[Entry], batch: int = 512
) -> Iterator[tuple[Entry, dict | None]]:
    """``(entry, data)`` for each of ``entries``, read ``batch`` at a time (so a long session is
    written out as it is read, never held in memory whole)."""
    for start in range(0, len(entries), batch):
        chunk = entries[start : start + batch]
        yield from zip(chunk, load_entries(path, chunk), strict=True)
