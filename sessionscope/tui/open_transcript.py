"""The session whose messages are on screen, and how it is read: its newest messages first
when the file is big, then the whole file, then only what is appended. Plain functions, run in
the main screen's thread workers (no Textual here)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.meta import SessionMeta
from sessionscope.transcripts.model import Conversation, TranscriptIndex
from sessionscope.transcripts.reader import index_transcript
from sessionscope.tui.sources import ConversationSource

TAIL_FIRST_BYTES = 8 << 20
"""Files larger than this show their newest messages (the last ``TAIL_BYTES``) first."""
TAIL_BYTES = 1 << 20


@dataclass(slots=True)
class OpenTranscript:
    """The session whose messages are on screen."""

    meta: SessionMeta
    path: Path
    # Out of repr: Textual describes a worker by the repr of its arguments.
    index: TranscriptIndex = field(repr=False)
    conversation: Conversation = field(repr=False)
    source: ConversationSource = field(repr=False)
    partial: bool = False
    """Only the end of a big file is indexed yet (its newest messages); the whole follows."""
    bad_lines: int = -1
    """Bad lines in the file, counted by the reading worker (-1: count them when asked)."""

    def bad_line_count(self) -> int:
        if self.bad_lines < 0:
            self.bad_lines = len(self.index.bad_lines)
        return self.bad_lines


def shows_tail_first(path: Path) -> bool:
    """Whether the file is big enough to show its newest messages before the whole of it."""
    return path.stat().st_size > TAIL_FIRST_BYTES


def line_start_at_or_after(path: Path, offset: int) -> int:
    """The first line start at or after ``offset``."""
    if offset <= 0:
        return 0
    with open(path, "rb") as handle:
        handle.seek(offset - 1)
        while True:
            chunk = handle.read(1 << 16)
            if not chunk:
                return handle.tell()
            newline = chunk.find(b"\n")
            if newline >= 0:
                return handle.tell() - len(chunk) + newline + 1


def read_tail(meta: SessionMeta, width: int, newest: Path | None = None) -> OpenTranscript | None:
    """The newest messages of a big file (its last ``TAIL_BYTES``), or ``None`` if that part
    holds none; with the blocks' estimated heights at ``width``. ``newest``: a file of the
    newest entries alone (a store's, fetched on their own), read whole instead."""
    path = newest or Path(meta.path)
    start = 0 if newest else line_start_at_or_after(path, path.stat().st_size - TAIL_BYTES)
    tail = index_transcript(path, start=start, count_lines_before=False)
    conversation = build_conversation(tail)
    if not conversation.messages:
        return None
    source = ConversationSource(path, tail, conversation, with_history=False)
    if width:
        source.estimates(width)
    return OpenTranscript(meta, path, tail, conversation, source, partial=True)


def read_whole(
    meta: SessionMeta,
    leaf: str | None,
    width: int,
    path: Path | None = None,
    read_before: TranscriptIndex | None = None,
) -> OpenTranscript:
    """The whole session, on the SDK's branch or the one ending at ``leaf`` (from ``path``: a
    store's mirror; else its own file). ``read_before``: what the search index read of the
    file (``Index.read_before``): only what was appended since is read."""
    path = path or Path(meta.path)
    index = index_transcript(path, base=read_before)
    conversation = build_conversation(index, leaf_uuid=leaf) if leaf else build_conversation(index)
    source = ConversationSource(path, index, conversation)
    if width:
        source.estimates(width)
    return OpenTranscript(meta, path, index, conversation, source, bad_lines=len(index.bad_lines))


def read_appended(opened: OpenTranscript, leaf: str | None, width: int) -> OpenTranscript | None:
    """``opened`` with what was appended to its file since its index stopped (the whole file
    again only if it was rewritten); ``None`` when nothing new is there."""
    before = opened.index
    index = index_transcript(opened.path, base=before)
    if (index.size, index.torn_tail) == (before.size, before.torn_tail):
        return None
    conversation = build_conversation(index, leaf_uuid=leaf) if leaf else build_conversation(index)
    source = ConversationSource(opened.path, index, conversation, before=opened.source)
    source.estimates(width)
    return replace(
        opened,
        index=index,
        conversation=conversation,
        source=source,
        bad_lines=len(index.bad_lines),
    )
