"""A session as replay steps: its messages, with its subagents' messages where they happened.

Pure: reads transcripts through ``sessionscope.transcripts``.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sessionscope.replay.player import Timing
from sessionscope.transcripts.content import TEXT, Message, message_from_entry
from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.model import Conversation, TranscriptIndex
from sessionscope.transcripts.reader import index_transcript, load_entries
from sessionscope.transcripts.subagents import list_subagents, subagent_messages


@dataclass(frozen=True, slots=True)
class Step:
    """One message to play."""

    message: Message
    recorded_at: float | None
    """Seconds since the epoch, from the entry's timestamp."""
    agent: str | None = None
    """The subagent that wrote it (its id or type), ``None`` for the main conversation."""

    @property
    def typed_text(self) -> str:
        """Assistant text, typed out as the replay reaches it ('' for anything else)."""
        if self.message.role != "assistant":
            return ""
        return "\n".join(part.body for part in self.message.parts if part.kind == TEXT)

    def timing(self) -> Timing:
        return Timing(
            recorded_at=self.recorded_at,
            typed_length=len(self.typed_text),
            is_user_turn=self.message.is_user_turn and self.agent is None,
        )


def parse_timestamp(timestamp: str | None) -> float | None:
    """An entry's ISO timestamp as epoch seconds (``None`` when missing or unreadable)."""
    if not timestamp:
        return None
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _subagent_steps(session_path: Path, index: TranscriptIndex) -> list[Step]:
    """Every subagent message of the session, each tagged with its agent."""
    steps: list[Step] = []
    for agent in list_subagents(session_path, index):
        try:
            entries = subagent_messages(agent, index if agent.layout == "inline" else None)
            raws = load_entries(agent.path, entries)
        except OSError:
            continue  # an unreadable subagent file costs that subagent only
        label = agent.description or agent.agent_type or f"agent {agent.agent_id}"
        for raw in raws:
            if isinstance(raw, dict):
                message = message_from_entry(raw)
                steps.append(Step(message, parse_timestamp(message.timestamp), agent=label))
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
    """The steps of one session file, in the order they are played. ``index``: the file read
    already (the explorer's open session), caught up on what was appended since instead of
    read again; ``conversation``: its SDK branch, built already from that index (used only
    when nothing was appended)."""
    path = Path(session_path)
    before = index
    index = index_transcript(path, base=before)
    unchanged = before is not None and (index.size, index.torn_tail) == (
        before.size,
        before.torn_tail,
    )
    if conversation is None or not unchanged:
        conversation = build_conversation(index)
    raws = load_entries(path, conversation.messages)
    main = [
        Step(message, parse_timestamp(message.timestamp))
        for message in (message_from_entry(raw) for raw in raws if isinstance(raw, dict))
    ]
    return interleave(main, _subagent_steps(path, index) if subagents else [])


def find_step(steps: list[Step], uuid: str) -> int:
    """Index of the step with this message UUID (for ``--from``); ``ValueError`` if absent."""
    for index, step in enumerate(steps):
        if step.message.uuid == uuid:
            return index
    raise ValueError(f"no message {uuid} in this session")
