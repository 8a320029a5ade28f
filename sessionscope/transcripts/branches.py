"""A session's rewind branches, and the family of sessions forked from one another.

A rewind (or an edited prompt) leaves several leaves in one transcript: each is a branch, the
conversation from the root to that leaf. A fork is another session whose ``forkedFrom`` names
its source. Both are drawn as one tree (``tui/screens/branches.py``); what each node says is
worked out here, from the light entries, reading from the file only the prompts it shows.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .content import TEXT, block_kind, content_blocks
from .conversation import build_conversation, chain_entries, is_visible_message
from .meta import SessionMeta
from .model import Entry, TranscriptIndex
from .reader import load_entry

__all__ = ["Branch", "SessionNode", "fork_tree", "session_branches"]

PROMPT_CHARS = 120
"""Characters of a branch's first prompt kept (it is shown on one line)."""


@dataclass(frozen=True, slots=True)
class Branch:
    """One rewind branch of a session: its conversation from the root to ``leaf_uuid``."""

    leaf_uuid: str
    """Its last message (selected when the branch is opened)."""
    main: bool
    """The branch the SDK shows (the latest written); the root of the tree."""
    parent: int | None
    """The branch (its place in the list) it leaves at ``branch_point``; ``None`` for the
    main branch and for a branch that shares nothing with the ones before it."""
    branch_point: str | None
    """The last message it shares with its parent branch (across compactions: a compacted
    history is the same history)."""
    messages: int
    """Its visible messages (those shown when it is opened)."""
    last_timestamp: str | None
    """When its last message was written."""
    first_prompt: str
    """The first prompt typed on it after the branch point (on the main branch: the session's
    first), on one line; '' when it has none of its own (a retried answer)."""


def _is_prompt(entry: Entry) -> bool:
    return (
        entry.type == "user"
        and not entry.is_meta
        and not entry.is_compact_summary
        and not (entry.role_blocks and all(kind == "tool_result" for kind in entry.role_blocks))
    )


def _prompt_text(data: dict[str, Any] | None) -> str:
    text = next(
        (block.get("text") for block in content_blocks(data) if block_kind(block) == TEXT), None
    )
    if not isinstance(text, str):
        return ""
    return " ".join(text.split())[:PROMPT_CHARS]


def _lineage(leaf: Entry, by_uuid: dict[str, Entry]) -> list[Entry]:
    """Every entry from the first of the session to ``leaf``: the ``parentUuid`` chain, and
    past a compaction its ``logicalParentUuid`` (the history it replaced)."""
    out: list[Entry] = []
    seen: set[str] = set()
    current: Entry | None = leaf
    while current is not None and current.uuid not in seen:
        seen.add(current.uuid)
        out.append(current)
        parent = current.parent_uuid or current.logical_parent_uuid
        current = by_uuid.get(parent) if parent else None
    out.reverse()
    return out


def session_branches(path: str | os.PathLike[str], index: TranscriptIndex) -> list[Branch]:
    """Every rewind branch of the transcript at ``path`` (indexed as ``index``): the main one
    first, then the others newest first (as ``Conversation.other_leaves``), each with the
    branch it leaves (an earlier one in the list)."""
    main = build_conversation(index)
    if main.leaf_uuid is None:
        return []
    by_uuid = {entry.uuid: entry for entry in chain_entries(index.entries)}
    owner: dict[str, int] = {}
    """Each entry's first branch in the list."""
    branches: list[Branch] = []
    for leaf_uuid in [main.leaf_uuid, *main.other_leaves]:
        leaf = by_uuid.get(leaf_uuid)
        is_main = leaf_uuid == main.leaf_uuid
        messages = (
            main.messages if is_main else build_conversation(index, leaf_uuid, keep=False).messages
        )
        if leaf is None or not messages:
            continue
        lineage = _lineage(leaf, by_uuid)
        start, parent, point = 0, None, None
        for depth in range(len(lineage) - 1, -1, -1):
            entry = lineage[depth]
            if entry.uuid in owner and is_visible_message(entry):
                start, parent, point = depth + 1, owner[entry.uuid], entry.uuid
                break
        number = len(branches)
        for entry in lineage:
            owner.setdefault(entry.uuid, number)
        prompt = next((entry for entry in lineage[start:] if _is_prompt(entry)), None)
        branches.append(
            Branch(
                leaf_uuid=messages[-1].uuid or leaf_uuid,
                main=is_main,
                parent=parent,
                branch_point=point,
                messages=len(messages),
                last_timestamp=messages[-1].timestamp,
                first_prompt=_prompt_text(load_entry(path, prompt)) if prompt else "",
            )
        )
    return branches


@dataclass(slots=True)
class SessionNode:
    """A session and the sessions forked from it (and their forks), oldest fork first."""

    meta: SessionMeta
    forks: list[SessionNode] = field(default_factory=list)

    def walk(self) -> Iterable[SessionNode]:
        """This node and every fork under it, depth first."""
        yield self
        for fork in self.forks:
            yield from fork.walk()


def fork_tree(sessions: list[SessionMeta], session_id: str) -> SessionNode | None:
    """The family of ``session_id``: from the oldest listed session it was forked from
    (through ``forked_from``), every session forked from one in it. ``None`` when
    ``session_id`` is not listed."""
    by_id = {meta.session_id: meta for meta in sessions}
    if session_id not in by_id:
        return None
    root = by_id[session_id]
    seen = {root.session_id}
    while root.forked_from in by_id and root.forked_from not in seen:  # a loop ends the walk
        root = by_id[root.forked_from]
        seen.add(root.session_id)
    children: dict[str, list[SessionMeta]] = {}
    for meta in sessions:
        if meta.forked_from and meta.forked_from != meta.session_id:
            children.setdefault(meta.forked_from, []).append(meta)
    placed = {root.session_id}

    def node(meta: SessionMeta) -> SessionNode:
        forks = []
        for child in sorted(children.get(meta.session_id, ()), key=_created):
            if child.session_id not in placed:
                placed.add(child.session_id)
                forks.append(node(child))
        return SessionNode(meta, forks)

    return node(root)


def _created(meta: SessionMeta) -> tuple[int, str]:
    return (meta.created_at or meta.last_modified or 0, meta.session_id)
