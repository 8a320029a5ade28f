"""A session's message count, root and ``forkedFrom`` without indexing it: the cold list's read.

``sessions.read_session_meta(count_messages=True)`` needs three things from a whole file: how many
messages ``get_session_messages`` would give, the first one's uuid, and the first
``forkedFrom.sessionId``. Indexing the file (``reader.index_transcript``) and building the
conversation (``conversation.build_conversation``) gives them, but keeps much more than they
need: an :class:`~sessionscope.transcripts.model.Entry` a line with its place in the file, every
leaf's branch, the parallel tool calls of every response. Here each buffer of the file is decoded
by one msgspec call straight into lean records (the fields the chain, the leaf, the parallel tool
call recovery and the visibility of a message depend on), and the answer is worked out from them.

Exactness comes first. :func:`count_messages` declines (``None``: the caller takes the reference
path) a file with any buffer the reader's fast path might read differently than the reference
path (a ``\\r``, invalid UTF-8, a run of digits past ``json``'s integer limit, nesting msgspec
would accept deeper than orjson), or that msgspec refuses for any reason (not JSON, a field of an
unusual type, a blank line...), or whose lines are not each exactly one JSON object (``{`` first,
``}`` last, as many objects as lines: no object holds ``}\\n{``, so none spans two lines). Its
last line may lack a newline if it is one object, as the reader reads it.

The lines read, the usual file is counted by a port of the SDK's leaves, pick and walk on those
records, valid when each chain uuid is written once, the walk meets no cycle and the SDK's
recovery of parallel tool results would add nothing (no entry off the chain belongs to, or
answers, a response on it: rewinds and compaction leave entries off the chain, but rarely such
ones). Any other file is counted by ``build_conversation`` itself, on the entries the reader would
have made of these lines.

``tests/transcripts/test_counting.py`` compares it with the reference on generated, hostile and
real transcripts.
"""

from __future__ import annotations

import os
import sys
import threading
from itertools import repeat
from operator import attrgetter

import msgspec

from . import reader
from .conversation import TRANSCRIPT_ENTRY_TYPES, _find_leaves, _is_main, build_conversation
from .files import open_regular
from .model import Entry, TranscriptIndex, _ForkedFrom, _Message
from .reader import (
    _ORJSON_TOO_DEEP,
    _STRING_CONTENT,
    _digit_run,
    _has_digit_run,
    _nested,
    _struct_blocks,
    gc_paused,
)
from .scan import object_lines, utf8_valid

__all__ = ["Whole", "count_messages", "count_whole", "read_whole"]

_MESSAGE_TYPES = ("user", "assistant")


class _Link(msgspec.Struct, gc=False):
    """What the count takes from one line (every other key is skipped). Typed as strictly as
    the reader's ``Entry``: a value of another type refuses the buffer."""

    type: str | None = None
    uuid: str | None = None
    # The chain's fields are named as on ``Entry``: conversation.py's leaf search reads them.
    parent_uuid: str | None = msgspec.field(default=None, name="parentUuid")
    is_sidechain: bool = msgspec.field(default=False, name="isSidechain")
    is_meta: bool = msgspec.field(default=False, name="isMeta")
    team_name: str | None = msgspec.field(default=None, name="teamName")
    source_tool_assistant_uuid: str | None = msgspec.field(
        default=None, name="sourceToolAssistantUUID"
    )
    forked: _ForkedFrom | None = msgspec.field(default=None, name="forkedFrom")
    message: _Message | None = None
    agent_id: str | None = msgspec.field(default=None, name="agentId")
    timestamp: str | None = None


_decode_links = msgspec.json.Decoder(_Link).decode_lines
_decode_link = msgspec.json.Decoder(_Link).decode
_forked_of = attrgetter("forked")
_type_of = attrgetter("type")


def _lines_are_exact() -> bool:
    """msgspec refuses, from here, any nesting orjson refuses (``reader._fast_path_is_exact``
    for this decoder). Up to Python 3.11 msgspec counts its nesting against the interpreter's
    recursion limit, so under a limit orjson's depth needs no check."""
    if _ORJSON_TOO_DEEP is None:
        return True
    if _NESTING_FOLLOWS_THE_LIMIT and sys.getrecursionlimit() <= _ORJSON_TOO_DEEP:
        return True
    try:
        _decode_links(_TOO_DEEP)
    except RecursionError:
        return True
    except ValueError:
        return False
    return False


_NESTING_FOLLOWS_THE_LIMIT = sys.version_info < (3, 12)
_TOO_DEEP = _nested(_ORJSON_TOO_DEEP) if _ORJSON_TOO_DEEP is not None else b""


_buffers = threading.local()


def _buffer(size: int) -> bytearray:
    """This thread's read buffer of ``size`` bytes (made once and read into again and again:
    a new buffer a read costs its allocation and its page faults every time)."""
    buffer = getattr(_buffers, "buffer", None)
    if buffer is None or len(buffer) != size:
        buffer = _buffers.buffer = bytearray(size)
    return buffer


def _pread_into(fd: int, view: memoryview, position: int) -> int:
    if _preadv is not None:
        return _preadv(fd, [view], position)
    data = os.pread(fd, len(view), position)
    view[: len(data)] = data
    return len(data)


_preadv = getattr(os, "preadv", None)


def _read_links(path: str | os.PathLike[str]) -> list[_Link] | None:
    """Every line of the file as a :class:`_Link`, or ``None`` if any buffer is unusual (see
    the module's docstring). Raises ``OSError`` as ``index_transcript`` does."""
    fd = open_regular(os.fspath(path))
    try:
        size = os.fstat(fd).st_size
        if not _lines_are_exact():
            return None
        digit_run = _digit_run()
        links: list[_Link] = []
        chunk = reader._CHUNK
        buffer = _buffer(chunk)
        position = 0
        while position < size:
            view = memoryview(buffer)
            wanted = min(len(buffer), size - position)
            filled = _pread_into(fd, view[:wanted], position)
            at_end = filled < wanted or position + filled >= size
            usable = filled if at_end else buffer.rfind(b"\n", 0, filled) + 1
            if not usable:
                if at_end:
                    return None
                buffer = _buffers.buffer = bytearray(2 * len(buffer))  # a longer line
                continue
            got = _buffer_links(buffer, usable, digit_run)
            if got is None:
                return None
            links += got
            position += usable
            if at_end:
                break
        return links if position == size else None
    finally:
        os.close(fd)
        if len(getattr(_buffers, "buffer", None) or b"") > reader._CHUNK:
            _buffers.buffer = None  # not kept past a file of very long lines


def _buffer_links(buffer: bytearray, usable: int, digit_run: int) -> list[_Link] | None:
    """The lines of ``buffer[:usable]`` as links (``usable`` follows a newline,
    or is the end of the file), or ``None`` if anything in them is unusual."""
    view = memoryview(buffer)
    # A last line without its newline is an entry if it is one object.
    cut = usable if buffer[usable - 1] == 10 else buffer.rfind(b"\n", 0, usable) + 1
    if buffer.find(b"\r", 0, usable) >= 0:
        return None
    if not utf8_valid(buffer, 0, usable):
        return None
    if usable >= digit_run and _has_digit_run(view[:usable], digit_run):
        return None
    try:
        got = _decode_links(view[:cut]) if cut else []
        if cut < usable:  # one value, as the reader's fast path reads a last line
            got.append(_decode_link(view[cut:usable]))
    except (ValueError, RecursionError):
        return None
    lines = object_lines(buffer, cut)
    if lines < 0 or lines + (cut < usable) != len(got):
        return None
    return got


class Whole:
    """A file read whole into this thread's buffer by :func:`read_whole` (valid until the
    next read on this thread)."""

    __slots__ = ("mtime", "size", "buffer")

    def __init__(self, mtime: int, size: int, buffer: bytearray) -> None:
        self.mtime = mtime
        """``st_mtime`` in milliseconds, as the SDK's lite read gives it."""
        self.size = size
        self.buffer = buffer
        """The file is ``buffer[:size]``."""


def read_whole(path: str | os.PathLike[str]) -> Whole | None:
    """The file, read at once, when one buffer holds it: a cold list reads each file once for
    its head, tail and count (``sessions.read_session_meta``). ``None`` for a file that is
    empty, bigger than a buffer, not read whole (cut short meanwhile) or not readable: the
    caller reads it the usual way, and meets any error there."""
    try:
        fd = open_regular(os.fspath(path))
    except OSError:
        return None
    try:
        status = os.fstat(fd)
        size = status.st_size
        if not 0 < size <= reader._CHUNK:
            return None
        buffer = _buffer(reader._CHUNK)
        if _pread_into(fd, memoryview(buffer)[:size], 0) != size:
            return None
        return Whole(int(status.st_mtime * 1000), size, buffer)
    except OSError:
        return None
    finally:
        os.close(fd)


def count_whole(whole: Whole) -> tuple[int, str | None, str | None] | None:
    """:func:`count_messages` for a file :func:`read_whole` read."""
    with gc_paused():
        if not _lines_are_exact():
            return None
        links = _buffer_links(whole.buffer, whole.size, _digit_run())
        if links is None:
            return None
        return _count(links)


def count_messages(path: str | os.PathLike[str]) -> tuple[int, str | None, str | None] | None:
    """``(message_count, root_uuid, forked_from)`` as ``sessions.read_session_meta`` gets them
    from ``index_transcript`` and ``build_conversation``, or ``None`` when this quick read
    cannot vouch for a line (the caller then takes that path). Raises ``OSError`` when the
    file cannot be read."""
    with gc_paused():
        links = _read_links(path)
        if links is None:
            return None
        return _count(links)


def _count(links: list[_Link]) -> tuple[int, str | None, str | None]:
    forked_from = None
    for forked in filter(None, map(_forked_of, links)):
        if forked.sessionId:
            forked_from = forked.sessionId
            break
    counted = _quick_count(links)
    if counted is None:
        # Something unusual: the reference's own code, on the entries it would have read.
        index = TranscriptIndex(path="", size=0, mtime=0.0, entries=_entries(links))
        messages = build_conversation(index).messages
        counted = len(messages), (messages[0].uuid if messages else None)
    return counted[0], counted[1], forked_from


def _entries(links: list[_Link]) -> list[Entry]:
    """The reader's entries for these lines, as far as ``build_conversation`` looks at them."""
    entries = []
    append = entries.append
    for number, link in enumerate(links):
        kind = link.type
        entry = Entry(number, number + 1, 0, 0, kind, link.uuid, link.parent_uuid or None)
        entry.timestamp = link.timestamp
        entry.is_sidechain = link.is_sidechain
        entry.is_meta = link.is_meta
        entry.team_name = link.team_name or None
        entry.agent_id = link.agent_id
        entry.source_tool_assistant_uuid = link.source_tool_assistant_uuid
        message = link.message
        if message is not None:
            if kind == "assistant" and message.id:
                entry.message_id = message.id
            content = message.content
            if content.__class__ is list:
                entry.role_blocks, entry.tool_use_ids, entry.tool_result_ids = _struct_blocks(
                    content
                )
            elif content is not None:
                entry.role_blocks = _STRING_CONTENT
        append(entry)
    return entries


def _quick_count(links: list[_Link]) -> tuple[int, str | None] | None:
    """``(message_count, root_uuid)`` for the usual file, or ``None`` (see the module's
    docstring: a uuid twice, a cycle, a chain the parallel tool call recovery could change)."""
    chain_types = TRANSCRIPT_ENTRY_TYPES
    chain = [link for link in links if link.type in chain_types and link.uuid is not None]
    if not chain:
        return 0, None
    by_uuid = {link.uuid: link for link in chain}
    if len(by_uuid) != len(chain):
        return None
    get = by_uuid.get

    # The SDK's leaves (from each entry no other names as its parent, the nearest message)
    # and its pick: the main leaf written last, else any leaf written last.
    leaves = _find_leaves(chain, by_uuid)  # type: ignore[arg-type]
    if not leaves:
        return 0, None
    candidates = [leaf for leaf in leaves if _is_main(leaf)] or leaves  # type: ignore[arg-type]
    leaf = candidates[0]
    if len(candidates) > 1:
        wanted = set(map(id, candidates))
        for link in reversed(chain):
            if id(link) in wanted:
                leaf = link
                break

    # The walk to the root: each uuid once, so more steps than entries went round a cycle.
    walk: list[_Link] = [leaf]
    append = walk.append
    parent = leaf.parent_uuid
    current = get(parent) if parent else None
    for _ in repeat(None, len(chain)):
        if current is None:
            break
        append(current)
        parent = current.parent_uuid
        current = get(parent) if parent else None
    else:
        return None

    message_types = _MESSAGE_TYPES
    messages = [link for link in walk if link.type in message_types]
    if len(messages) != sum(map(message_types.__contains__, map(_type_of, chain))):
        # Messages off the chain (rewinds, compaction): could any be recovered?
        seen = {link.uuid for link in walk}
        if not _recovery_adds_nothing(chain, messages, seen):
            return None
    visible = [link for link in messages if _is_main(link)]  # type: ignore[arg-type]
    return len(visible), (visible[-1].uuid if visible else None)


def _blocks(link: _Link) -> list:
    message = link.message
    if message is None:
        return []
    content = message.content
    return content if content.__class__ is list else []


def _recovery_adds_nothing(chain: list[_Link], messages: list[_Link], seen: set[str]) -> bool:
    """True if the SDK's ``_recover_orphaned_parallel_tool_results`` returns the walked chain as
    it is (``messages``: its user and assistant entries): no entry off the chain belongs to, or
    answers, a response on it (a superset of what it would recover; see
    ``conversation._recover_orphaned_parallel_tool_results``)."""
    off = [link for link in chain if link.uuid not in seen and link.type in _MESSAGE_TYPES]
    off_ids = {
        link.message.id
        for link in off
        if link.type == "assistant" and link.message is not None and link.message.id
    }
    results = [
        link
        for link in off
        if link.type == "user"
        and link.parent_uuid
        and "tool_result" in map(_type_of, _blocks(link))
    ]
    if not off_ids and not results:
        return True
    responses = [
        link
        for link in messages
        if link.type == "assistant" and link.message is not None and link.message.id
    ]
    if not off_ids.isdisjoint([link.message.id for link in responses]):  # type: ignore[union-attr]
        return False  # part of a response on the chain is off it
    members = {link.uuid for link in responses}
    answered: set[str] = set()
    for link in results:
        if link.parent_uuid in members or link.source_tool_assistant_uuid in members:
            return False
        answered.update(
            block.tool_use_id
            for block in _blocks(link)
            if block.type == "tool_result" and block.tool_use_id is not None
        )
    if answered:
        for link in responses:
            for block in _blocks(link):
                if block.type == "tool_use" and block.id in answered:
                    return False
    return True
