"""Plain data the pure layers hand to everything above them.

Nothing here imports Textual or the SDK. Entries are *light*: they keep what chain building,
listing and navigation need, plus the byte range of their line so the full JSON can be read
again on demand (``reader.load_entry``). A 100 MB transcript must never be held as parsed
dicts in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec


class Entry(msgspec.Struct, gc=False, array_like=True, repr_omit_defaults=True):
    """One line of a transcript file, good or bad.

    A :class:`msgspec.Struct` without garbage-collector tracking: a big session holds tens of
    thousands of entries, which the collector's passes would otherwise walk again and again;
    the index stores a file's entries as MessagePack (``msgspec.msgpack``, an array a struct)
    to read only what is appended later. Built like a dataclass: ``Entry(index, line_no, offset, length,
    type=...)``; equality compares every field.
    """

    index: int = 0
    """Position among the file's lines that hold something (0-based, file order)."""
    line_no: int = 0
    """1-based line number in the file, as an editor shows it."""
    offset: int = 0
    """Byte offset of the line's first byte."""
    length: int = 0
    """Byte length of the line, without its newline."""
    type: str | None = None
    """The entry's ``type`` field; ``None`` for a bad line or an entry without one."""
    uuid: str | None = None
    parent_uuid: str | None = None
    logical_parent_uuid: str | None = None
    timestamp: str | None = None
    session_id: str | None = None
    subtype: str | None = None
    """``system`` entries: ``compact_boundary``, ``api_error``, ...; else ``None``."""
    message_id: str | None = None
    """``message.id`` of an assistant entry: entries of one API response share it."""
    role_blocks: tuple[str, ...] = ()
    """Types of ``message.content``'s blocks in order (``text``, ``thinking``, ``tool_use``,
    ``tool_result``...; ``""`` for a block without a type); ``("string",)`` when the content is
    a plain string; ``()`` when there is no content."""
    tool_use_ids: tuple[str, ...] = ()
    tool_result_ids: tuple[str, ...] = ()
    is_sidechain: bool = False
    is_meta: bool = False
    is_compact_summary: bool = False
    team_name: str | None = None
    agent_id: str | None = None
    source_tool_assistant_uuid: str | None = None
    """``sourceToolAssistantUUID`` of a tool-result entry: the assistant entry that made the call."""
    forked_from: str | None = None
    """``forkedFrom.sessionId``: the session this entry was copied from by a fork."""
    error: str | None = None
    """Why the line could not be read (not JSON, NUL bytes, invalid UTF-8...); ``None`` if good."""

    @property
    def is_bad(self) -> bool:
        """True for a line kept as a bad-line record."""
        return self.error is not None


@dataclass(slots=True)
class TranscriptIndex:
    """Every line of one transcript file, indexed."""

    path: str
    size: int
    """Bytes indexed: up to the end of the last complete line."""
    mtime: float
    entries: list[Entry] = field(default_factory=list, repr=False)
    """Every line, in file order (left out of ``repr``: a big file has tens of thousands)."""
    torn_tail: bytes = b""
    """A last line without its newline that does not parse yet: not yet written, not bad."""
    line_count: int = 0
    """Lines read up to ``size`` (for numbering the lines an incremental read adds)."""
    ends_open: bool = False
    """The last indexed line had no newline yet (it parsed, so it is an entry)."""
    partial: bool = False
    """The read stopped at its ``limit`` (``reader.index_transcript``): lines follow ``size``."""
    graph: object | None = field(default=None, repr=False, compare=False)
    """What ``conversation.build_conversation`` worked out from these entries once, whatever the
    leaf (links, leaves, parallel tool calls): kept so that the history before a compaction or
    another branch costs only its own chain. Entries must not change after indexing."""

    @property
    def bad_lines(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.is_bad]


@dataclass(slots=True)
class Conversation:
    """The conversation of one transcript, as the SDK would show it, plus what it hides."""

    messages: list[Entry] = field(repr=False)
    """Visible messages, exactly ``get_session_messages``'s UUIDs in its order."""
    leaf_uuid: str | None
    """The leaf the chain was walked from."""
    other_leaves: list[str] = field(default_factory=list)
    """Leaves of rewind branches not shown, newest first."""
    compact_boundaries: list[Entry] = field(default_factory=list, repr=False)
    """``system``/``compact_boundary`` entries on the chain, in chain order. Each one's
    ``logical_parent_uuid`` is the leaf of the history before it (build from it to see that)."""
    chain: list[Entry] = field(default_factory=list, repr=False)
    """Every entry on the chain in order, visible or not (progress, system, meta...)."""
    lineage: object = field(default_factory=object, repr=False, compare=False)
    """Shared by the conversations of one file that go on from one another as it grows: a
    later one's chain and messages begin with an earlier one's."""
