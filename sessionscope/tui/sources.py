"""What the message pane shows, as a list of blocks it can measure and render one at a time.

A source never holds parsed transcripts: it keeps the light ``Entry`` list from the reader's index
and reads one entry's JSON again (``reader.load_entry``, an ``os.pread``) when that block is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from sessionscope.transcripts.content import content_blocks
from sessionscope.transcripts.conversation import history_before
from sessionscope.transcripts.edits import EDIT_TOOLS, EditDiff, edit_diff
from sessionscope.transcripts.model import Conversation, Entry, TranscriptIndex
from sessionscope.transcripts.reader import load_entry, read_raw
from sessionscope.tui.render import (
    COLLAPSED_RESULT_LINES,
    COLLAPSED_TEXT_LINES,
    COLLAPSED_THINKING_LINES,
    BlockRenderer,
    Rendered,
)

RAW_PREVIEW_BYTES = 256 * 1024
"""Bytes of a bad line read back for the raw view."""


class BlockSource(Protocol):
    """A list of blocks for ``MessageView``."""

    path: Path

    def __len__(self) -> int: ...

    def entry(self, index: int) -> Entry | None:
        """The transcript entry behind block ``index`` (``None`` for a synthetic row)."""

    def estimate(self, index: int, width: int) -> int:
        """A cheap guess of the block's height before it is rendered."""

    def render(self, index: int, width: int, expanded: bool, renderer: BlockRenderer) -> Rendered:
        """The block's lines at ``width``."""

    def load(self, index: int) -> dict[str, Any] | None:
        """The block's entry as parsed JSON, read again from the file."""


def _load_or_none(path: Path, entry: Entry) -> dict[str, Any] | None:
    """The entry read again from the file; ``None`` (drawn as unreadable) when the file has
    gone meanwhile (deleted before the watcher says so)."""
    try:
        return load_entry(path, entry)
    except OSError:
        return None


def _estimate_message(entry: Entry, width: int) -> int:
    """A message block's height before it is rendered: header, each content block collapsed
    (a text block by its share of the line's length), the blank line after."""
    fixed, texts = _shape(entry.role_blocks)
    if texts:
        fixed += texts * _text_lines(entry.length, max(20, width))
    return fixed


def _text_lines(length: int, text_width: int) -> int:
    return min(COLLAPSED_TEXT_LINES + 1, max(1, length // text_width // 2))


def _shape(kinds: tuple[str, ...]) -> tuple[int, int]:
    """The part of :func:`_estimate_message` that depends only on the blocks' kinds: the lines
    that do not depend on the entry's length (header, collapsed results and thinking, tool
    calls, the blank line after), and how many text blocks add a length-dependent share."""
    fixed, texts = 2, 0
    for kind in kinds or ("text",):
        if kind == "tool_result":
            fixed += 1 + COLLAPSED_RESULT_LINES + 1
        elif kind in ("thinking", "redacted_thinking"):
            fixed += 1 + COLLAPSED_THINKING_LINES + 1
        elif kind == "tool_use":
            fixed += 1
        else:
            texts += 1
    return fixed, texts


class ConversationSource:
    """The conversation as the SDK shows it, with compaction boundaries and system notes between."""

    shows_line_numbers = False
    """Its blocks do not show the file's line numbers (see ``MessageView._carried_blocks``)."""

    def __init__(
        self,
        path: Path,
        index: TranscriptIndex,
        conversation: Conversation,
        *,
        with_history: bool = True,
        before: ConversationSource | None = None,
    ) -> None:
        """``before``: the source of the same file before it grew (a live update). When only
        its last conversation went on (``Conversation.lineage``), what it worked out is kept and
        only the blocks appended are added, as a whole source adds all of them."""
        self.path = Path(path)
        self.index = index
        self.conversation = conversation
        segments = [conversation]
        if with_history:
            segments = history_before(index, conversation) + segments
        self.segments = segments
        """The conversations shown, oldest first: the history before each compaction, then
        the SDK's."""
        self.messages: list[Entry] = []
        """Every message shown, oldest first (the SDK's messages, after the history before
        any compaction)."""
        self.blocks: list[Entry] = []
        self.position_of_uuid: dict[str, int] = {}
        self._estimates: tuple[int, list[int]] | None = None
        self._response_last: dict[str, int] | None = None
        """Each API response's last block (its header shows the response's tokens)."""
        self._result_of: dict[str, int] | None = None
        """The block holding each tool call's result."""
        parts = [(segment.messages, segment.chain) for segment in segments]
        if before is not None and before.path == self.path and _goes_on(before.segments, segments):
            self.messages = before.messages.copy()
            self.blocks = before.blocks.copy()
            self.position_of_uuid = before.position_of_uuid.copy()
            old, new = before.segments[-1], segments[-1]
            parts = [(new.messages[len(old.messages) :], new.chain[len(old.chain) :])]
        kept = len(self.blocks)
        for messages, chain in parts:
            self.messages.extend(messages)
            self.blocks.extend(self._merge(messages, chain))
        positions = self.position_of_uuid
        blocks = self.blocks
        for position in range(kept, len(blocks)):
            uuid = blocks[position].uuid
            if uuid:
                positions[uuid] = position
        if kept and before is not None:
            if before._estimates is not None:
                width, heights = before._estimates
                self._estimates = (width, heights + self._heights(blocks[kept:], width))
            if before._response_last is not None:
                self._response_last = self._note_responses(before._response_last.copy(), kept)
            if before._result_of is not None:
                self._result_of = self._note_results(before._result_of.copy(), kept)

    def _note_responses(self, last: dict[str, int], start: int) -> dict[str, int]:
        """``last`` with the blocks from ``start`` on: each response's last block."""
        blocks = self.blocks
        for position in range(start, len(blocks)):
            entry = blocks[position]
            if entry.type == "assistant" and entry.message_id:
                last[entry.message_id] = position
        return last

    def _note_results(self, result_of: dict[str, int], start: int) -> dict[str, int]:
        """``result_of`` with the blocks from ``start`` on: the block of each tool result."""
        blocks = self.blocks
        for position in range(start, len(blocks)):
            for tool_use_id in blocks[position].tool_result_ids:
                result_of[tool_use_id] = position
        return result_of

    def ends_response(self, index: int) -> bool:
        """Whether block ``index`` is the last shown entry of its API response (its header
        shows the response's tokens)."""
        if self._response_last is None:
            self._response_last = self._note_responses({}, 0)
        entry = self.blocks[index]
        return bool(entry.message_id) and self._response_last.get(entry.message_id) == index

    def edits(self, index: int, data: dict[str, Any] | None) -> dict[str, EditDiff] | None:
        """The diffs of block ``index``'s edit tool calls, by tool use id, each with the patch
        its result recorded (read from the result's entry) when there is one."""
        entry = self.blocks[index]
        if entry.type != "assistant" or "tool_use" not in entry.role_blocks:
            return None
        calls = [
            block
            for block in content_blocks(data)
            if block.get("type") == "tool_use" and block.get("name") in EDIT_TOOLS
        ]
        if not calls:
            return None
        if self._result_of is None:
            self._result_of = self._note_results({}, 0)
        found: dict[str, EditDiff] = {}
        for call in calls:
            result = None
            position = self._result_of.get(call.get("id"))
            if position is not None:
                raw = self.load(position)
                result = raw.get("toolUseResult") if isinstance(raw, dict) else None
            diff = edit_diff(call["name"], call.get("input"), result)
            if diff is not None and isinstance(call.get("id"), str):
                found[call["id"]] = diff
        return found

    @staticmethod
    def _merge(messages: list[Entry], chain: list[Entry]) -> list[Entry]:
        """The visible messages in the SDK's order, with the chain's system entries between."""
        if not chain:
            return list(messages)
        visible = {id(entry) for entry in messages}
        merged = [
            entry
            for entry in chain
            if id(entry) in visible or (entry.type == "system" and not entry.is_sidechain)
        ]
        if sum(1 for entry in merged if id(entry) in visible) != len(messages):
            return list(messages)  # never lose a message to a merge
        return merged

    def __len__(self) -> int:
        return len(self.blocks)

    def entry(self, index: int) -> Entry | None:
        return self.blocks[index]

    def load(self, index: int) -> dict[str, Any] | None:
        return _load_or_none(self.path, self.blocks[index])

    def estimate(self, index: int, width: int) -> int:
        entry = self.blocks[index]
        if entry.type == "system":
            return 3
        return _estimate_message(entry, width)

    def estimates(self, width: int) -> list[int]:
        """Every block's estimate at ``width``, kept for the last width asked: the worker that
        reads a big session works them out, so the screen does not."""
        cached = self._estimates
        if cached is not None and cached[0] == width:
            return cached[1]
        heights = self._heights(self.blocks, width)
        self._estimates = (width, heights)
        return heights

    @staticmethod
    def _heights(blocks: list[Entry], width: int) -> list[int]:
        """The estimates of ``blocks`` at ``width``: :meth:`estimate`, with the part that
        depends only on the blocks' kinds worked out once per combination of kinds (a few
        dozen in a session of 40,000 messages)."""
        text_width = max(20, width)
        shapes: dict[tuple[str, ...], tuple[int, int]] = {}
        heights = []
        append = heights.append
        for entry in blocks:
            if entry.type == "system":
                append(3)
                continue
            kinds = entry.role_blocks
            shape = shapes.get(kinds)
            if shape is None:
                shape = shapes[kinds] = _shape(kinds)
            fixed, texts = shape
            if texts:
                fixed += texts * _text_lines(entry.length, text_width)
            append(fixed)
        return heights

    def render(self, index: int, width: int, expanded: bool, renderer: BlockRenderer) -> Rendered:
        entry = self.blocks[index]
        data = self.load(index)
        if entry.type == "system":
            return renderer.separator(entry, data, width, expanded)
        return renderer.message(
            entry, data, width, expanded, self.ends_response(index), self.edits(index, data)
        )


def _goes_on(before: list[Conversation], after: list[Conversation]) -> bool:
    """Whether the conversations ``after`` are ``before`` with only the last one gone on."""
    if len(before) != len(after) or before[-1].lineage is not after[-1].lineage:
        return False
    return all(
        old.lineage is new.lineage and len(old.chain) == len(new.chain)
        for old, new in zip(before[:-1], after[:-1], strict=True)
    )


class RawSource:
    """Every line of the file: good entries of every type, bad lines, and a torn tail."""

    def __init__(self, path: Path, index: TranscriptIndex) -> None:
        self.path = Path(path)
        self.index = index
        self.rows: list[Entry] = list(index.entries)
        if index.torn_tail:
            last = index.entries[-1].line_no if index.entries else 0
            self.rows.append(
                Entry(
                    index=len(index.entries),
                    line_no=last + 1,
                    offset=index.size,
                    length=len(index.torn_tail),
                    error=f"torn last line, not yet written ({len(index.torn_tail)} bytes)",
                )
            )
        self.position_of_uuid = {
            entry.uuid: position for position, entry in enumerate(self.rows) if entry.uuid
        }

    def __len__(self) -> int:
        return len(self.rows)

    def entry(self, index: int) -> Entry | None:
        return self.rows[index]

    def load(self, index: int) -> dict[str, Any] | None:
        entry = self.rows[index]
        if entry.is_bad:
            return None
        return _load_or_none(self.path, entry)

    def raw_bytes(self, index: int) -> bytes:
        entry = self.rows[index]
        if entry.offset >= self.index.size and self.index.torn_tail:
            return self.index.torn_tail[:RAW_PREVIEW_BYTES]
        try:
            return read_raw(self.path, entry)[:RAW_PREVIEW_BYTES]
        except OSError as error:
            return f"(cannot read: {error.strerror})".encode()

    def estimate(self, index: int, width: int) -> int:
        return 1

    def render(self, index: int, width: int, expanded: bool, renderer: BlockRenderer) -> Rendered:
        entry = self.rows[index]
        data = raw = None
        if expanded:
            data = self.load(index)
            if data is None:
                raw = self.raw_bytes(index)
        return renderer.raw_row(entry, data, raw, width, expanded)
