"""A session as replay steps: its messages, with its subagents' messages where they happened.

A step is where its message's line is (a light entry) and when it was written; the message
itself is read from its line when the replay shows it, and only the latest
:data:`MESSAGES_KEPT` are kept: a 100 MB session of 33,000 messages starts at once and never
holds them all.

Pure: reads transcripts through ``sessionscope.transcripts``.
"""

from __future__ import annotations

import bisect
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sessionscope.transcripts.content import (
    OTHER,
    TEXT,
    Message,
    Part,
    kind_of_type,
    message_from_entry,
    speaker,
)
from sessionscope.transcripts.conversation import all_messages, build_conversation
from sessionscope.transcripts.model import Conversation, Entry, TranscriptIndex
from sessionscope.transcripts.reader import index_transcript, load_entry
from sessionscope.transcripts.subagents import list_subagents, subagent_messages

MESSAGES_KEPT = 256
"""Messages read for a replay kept in memory, the latest shown (its screen shows 120)."""


class _Lines:
    """The messages of one replay, read from their lines as they are shown; the latest
    :data:`MESSAGES_KEPT` kept."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[str, int], Message] = OrderedDict()

    def message(self, path: str, entry: Entry) -> Message:
        key = (path, entry.offset)
        message = self._kept.get(key)
        if message is not None:
            self._kept.move_to_end(key)
            return message
        try:
            raw = load_entry(path, entry)
        except OSError:
            raw = None
        if raw is None:  # the file changed or went since the replay began
            message = Message(
                uuid=entry.uuid,
                parent_uuid=entry.parent_uuid,
                type=entry.type or "?",
                role="meta",
                timestamp=entry.timestamp,
                parts=(Part(OTHER, "its line can no longer be read", name="unreadable"),),
            )
        else:
            message = message_from_entry(raw)
        self._kept[key] = message
        if len(self._kept) > MESSAGES_KEPT:
            self._kept.popitem(last=False)
        return message


@dataclass(frozen=True, slots=True)
class Step:
    """One message to play: where its line is, and when it was written. It is also the
    player's timing of the step (``replay.player.Timed``)."""

    path: str
    entry: Entry
    """The message's line (a light entry: its place, uuid, time and kinds of blocks)."""
    recorded_at: float | None
    """Seconds since the epoch, from the entry's timestamp."""
    agent: str | None = None
    """The subagent that wrote it (its id or type), ``None`` for the main conversation."""
    lines: _Lines = field(default_factory=_Lines, repr=False, compare=False)
    """Where its message is read (shared by the steps of one replay)."""

    @property
    def message(self) -> Message:
        """The message, read from its line (the latest few are kept)."""
        return self.lines.message(self.path, self.entry)

    @property
    def uuid(self) -> str | None:
        return self.entry.uuid

    @property
    def typed_text(self) -> str:
        """Assistant text, typed out as the replay reaches it ('' for anything else)."""
        if self.entry.type != "assistant":
            return ""
        return "\n".join(part.body for part in self.message.parts if part.kind == TEXT)

    @property
    def typed_length(self) -> int:
        """Characters typed out over the gap before the step (assistant text)."""
        return len(self.typed_text)

    @property
    def is_user_turn(self) -> bool:
        """A prompt the user typed in the main conversation (where ``]`` stops): told from
        the light entry, without reading the line."""
        entry = self.entry
        role = speaker(
            entry.type or "?",
            is_compact_summary=entry.is_compact_summary,
            is_meta=entry.is_meta,
            kinds=[kind_of_type(kind) for kind in entry.role_blocks],
        )
        return role == "user" and self.agent is None


def parse_timestamp(timestamp: str | None) -> float | None:
    """An entry's ISO timestamp as epoch seconds (``None`` when missing or unreadable)."""
    if not timestamp:
        return None
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _subagent_steps(session_path: Path, index: TranscriptIndex, lines: _Lines) -> list[Step]:
    """Every subagent message of the session, each tagged with its agent."""
    steps: list[Step] = []
    for agent in list_subagents(session_path, index):
        try:
            entries = subagent_messages(agent, index if agent.layout == "inline" else None)
        except OSError:
            continue  # an unreadable subagent file costs that subagent only
        label = agent.description or agent.agent_type or f"agent {agent.agent_id}"
        path = str(agent.path)
        steps += [
            Step(path, entry, parse_timestamp(entry.timestamp), label, lines)
            for entry in entries
            if not entry.is_bad
        ]
    return steps


def interleave(main: list[Step], side: list[Step]) -> list[Step]:
    """Put each side step after the last main step recorded at or before it.

    The main conversation keeps its order whatever its timestamps say; side steps without a
    time go after everything else that came before them in their own list.
    """
    if not side:
        return list(main)
    running: list[float] = []
    latest = float("-inf")
    for step in main:
        if step.recorded_at is not None:
            latest = max(latest, step.recorded_at)
        running.append(latest)
    slots: list[list[Step]] = [[] for _ in range(len(main) + 1)]
    last_slot = 0
    for step in sorted(side, key=lambda s: (s.recorded_at is None, s.recorded_at or 0.0)):
        if step.recorded_at is None:
            slot = last_slot
        else:
            slot = bisect.bisect_right(running, step.recorded_at)
        slots[slot].append(step)
        last_slot = slot
    merged: list[Step] = list(slots[0])
    for step, after in zip(main, slots[1:], strict=True):
        merged.append(step)
        merged.extend(after)
    return merged


def load_steps(
    session_path: str | os.PathLike[str],
    *,
    subagents: bool = True,
    index: TranscriptIndex | None = None,
    conversation: Conversation | None = None,
) -> list[Step]:
    """The steps of one session file (its branch ``conversation``, the SDK's by default, with
    the history before its compactions), in the order they are played. ``index``: the file read
    already (the explorer's open session), caught up on what was appended since instead of
    read again; ``conversation``: the branch to play, built from that index (used only when
    nothing was appended since; the SDK's branch is played otherwise)."""
    path = Path(session_path)
    before = index
    index = index_transcript(path, base=before)
    unchanged = before is not None and (index.size, index.torn_tail) == (
        before.size,
        before.torn_tail,
    )
    if conversation is None or not unchanged:
        conversation = build_conversation(index)
    lines = _Lines()
    main = [
        Step(str(path), entry, parse_timestamp(entry.timestamp), None, lines)
        # The history before each compaction too, as the explorer shows it: a session
        # replayed from its start, not from its last compaction.
        for entry in all_messages(index, conversation)
    ]
    return interleave(main, _subagent_steps(path, index, lines) if subagents else [])


def find_step(steps: list[Step], uuid: str) -> int:
    """Index of the step with this message UUID (for ``--from``); ``ValueError`` if absent."""
    for index, step in enumerate(steps):
        if step.uuid == uuid:
            return index
    raise ValueError(f"no message {uuid} in this session")
