"""A session's subagent transcripts, in the three layouts Claude Code has used.

1. ``<project>/<session>/subagents/**/agent-<id>.jsonl`` (current CLIs; nested folders such as
   ``workflows/<run>/`` too), with an ``agent-<id>.meta.json`` sidecar naming the Agent
   ``tool_use`` that started it. This is what the SDK's ``list_subagents`` and
   ``get_subagent_messages`` read, and they come first, in the SDK's order.
2. ``<project>/agent-<id>.jsonl`` beside the session (older CLIs), belonging to the session whose
   ``sessionId`` its entries carry.
3. Inline entries with ``isSidechain: true`` in the session file itself (oldest CLIs), grouped
   by ``agentId``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .conversation import build_subagent_conversation, chain_entries
from .files import agent_files, open_regular, subagents_dir
from .lines import parse_line
from .model import Entry, TranscriptIndex
from .reader import index_transcript

__all__ = [
    "SubagentTranscript",
    "list_subagents",
    "subagent_messages",
]

_HEAD_BYTES = 65536


@dataclass(slots=True)
class SubagentTranscript:
    """One subagent run of a session."""

    agent_id: str
    layout: str
    """``subagents`` (the SDK's), ``beside`` (older ``agent-*.jsonl`` files) or ``inline``."""
    path: str
    """The transcript file (the session's own file for ``inline``)."""
    parent_tool_use_id: str | None = None
    """The Agent ``tool_use`` in the parent session that started it (from the sidecar)."""
    parent_agent_id: str | None = None
    """The subagent that started this one, for nested subagents."""
    description: str | None = None
    """What the sidecar says the subagent was for (the Agent call's ``description``)."""
    agent_type: str | None = None
    """The sidecar's ``agentType`` (``general-purpose``, ``Explore``...)."""


def _read_sidecar(transcript: Path) -> dict:
    sidecar = transcript.with_name(transcript.name[: -len(".jsonl")] + ".meta.json")
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _first_session_id(path: Path) -> str | None:
    """The ``sessionId`` of the first entry in a file's head that has one."""
    try:
        with open(open_regular(path), "rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return None
    for line in head.split(b"\n"):
        value, _error = parse_line(line)
        if isinstance(value, dict) and isinstance(value.get("sessionId"), str):
            return value["sessionId"]
    return None


def list_subagents(
    session_path: str | os.PathLike[str], index: TranscriptIndex | None = None
) -> list[SubagentTranscript]:
    """Every subagent transcript of a session, the SDK's (``subagents/``) first.

    ``index`` (the session file's index, if the caller has it) is used for inline sidechains;
    without it the session file is indexed when needed.
    """
    session_path = Path(session_path)
    session_id = session_path.name[: -len(".jsonl")]
    found: list[SubagentTranscript] = []
    for agent_id, path in agent_files(subagents_dir(session_path)):
        meta = _read_sidecar(Path(path))
        found.append(
            SubagentTranscript(
                agent_id=agent_id,
                layout="subagents",
                path=str(path),
                parent_tool_use_id=_str(meta.get("toolUseId")),
                parent_agent_id=_str(meta.get("parentAgentId")),
                description=_str(meta.get("description")),
                agent_type=_str(meta.get("agentType")),
            )
        )
    known = {sub.agent_id for sub in found}
    try:
        beside = sorted(session_path.parent.glob("agent-*.jsonl"))
    except OSError:
        beside = []
    for path in beside:
        agent_id = path.name[len("agent-") : -len(".jsonl")]
        if agent_id in known or not path.is_file():
            continue
        if _first_session_id(path) == session_id:
            known.add(agent_id)
            found.append(SubagentTranscript(agent_id=agent_id, layout="beside", path=str(path)))
    if index is None:
        try:
            index = index_transcript(session_path)
        except OSError:
            return found
    for entry in index.entries:
        if entry.is_sidechain and entry.agent_id and entry.agent_id not in known:
            known.add(entry.agent_id)
            found.append(
                SubagentTranscript(agent_id=entry.agent_id, layout="inline", path=index.path)
            )
    return found


def subagent_messages(
    subagent: SubagentTranscript, index: TranscriptIndex | None = None
) -> list[Entry]:
    """The subagent's messages, as the SDK's ``get_subagent_messages`` gives them.

    ``index`` is the index of ``subagent.path`` if the caller already has it. Raises ``OSError``
    when the file cannot be read.
    """
    if index is None:
        index = index_transcript(subagent.path)
    if subagent.layout != "inline":
        return build_subagent_conversation(index)
    own = [
        entry
        for entry in chain_entries(index.entries)
        if entry.is_sidechain and entry.agent_id == subagent.agent_id
    ]
    return build_subagent_conversation(
        TranscriptIndex(path=index.path, size=index.size, mtime=index.mtime, entries=own)
    )
