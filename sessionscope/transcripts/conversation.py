"""The conversation of a transcript, from its light entries.

A port of the SDK's ``get_session_messages`` (``claude_agent_sdk/_internal/sessions.py``:
``_parse_transcript_entries``, ``_build_conversation_chain``,
``_recover_orphaned_parallel_tool_results``, ``_is_visible_message``) that works on
:class:`Entry` records instead of whole parsed dicts. It must give the SDK's message UUIDs in
the SDK's order; ``tests/transcripts`` checks it against the SDK on real transcripts. Keep the
structure close to the SDK's so the two can be compared line by line when the SDK changes.

On top of the SDK's answer it says what the SDK hides: the other leaves (rewind branches) and
the compaction boundaries, and it can build the conversation from any chosen leaf.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Conversation, Entry, TranscriptIndex
from .reader import gc_paused

__all__ = [
    "TRANSCRIPT_ENTRY_TYPES",
    "build_conversation",
    "build_subagent_conversation",
    "chain_entries",
    "is_visible_message",
]

TRANSCRIPT_ENTRY_TYPES = frozenset({"user", "assistant", "progress", "system", "attachment"})
"""Entry types that carry ``uuid`` + ``parentUuid`` chain links (the SDK's list)."""

_MESSAGE_TYPES = ("user", "assistant")


def chain_entries(entries: Iterable[Entry]) -> list[Entry]:
    """The entries the SDK's ``_parse_transcript_entries`` keeps: chain types with a uuid."""
    return [
        entry
        for entry in entries
        if entry.error is None and entry.type in TRANSCRIPT_ENTRY_TYPES and entry.uuid is not None
    ]


def is_visible_message(entry: Entry) -> bool:
    """The SDK's ``_is_visible_message``: user/assistant, not meta, sidechain or team."""
    if entry.type not in _MESSAGE_TYPES:
        return False
    if entry.is_meta or entry.is_sidechain:
        return False
    return not entry.team_name


def _walk_to_root(leaf: Entry, by_uuid: dict[str, Entry]) -> tuple[list[Entry], set[str]]:
    chain: list[Entry] = []
    seen: set[str] = set()
    current: Entry | None = leaf
    while current is not None:
        uid = current.uuid
        if uid in seen:
            break
        seen.add(uid)
        chain.append(current)
        parent = current.parent_uuid
        current = by_uuid.get(parent) if parent else None
    chain.reverse()
    return chain, seen


def _find_leaves(entries: list[Entry], by_uuid: dict[str, Entry]) -> list[Entry]:
    """From each terminal entry, the nearest user/assistant entry walking back (SDK order)."""
    parent_uuids = {entry.parent_uuid for entry in entries if entry.parent_uuid}
    leaves: list[Entry] = []
    for terminal in entries:
        if terminal.uuid in parent_uuids:
            continue
        current: Entry | None = terminal
        walked: set[str] = set()
        while current is not None:
            uid = current.uuid
            if uid in walked:
                break
            walked.add(uid)
            if current.type in _MESSAGE_TYPES:
                leaves.append(current)
                break
            parent = current.parent_uuid
            current = by_uuid.get(parent) if parent else None
    return leaves


def _is_main(entry: Entry) -> bool:
    return not entry.is_sidechain and not entry.team_name and not entry.is_meta


def _pick_best(candidates: list[Entry], position: dict[str, int]) -> Entry:
    best = candidates[0]
    best_position = position.get(best.uuid, -1)
    for current in candidates[1:]:
        current_position = position.get(current.uuid, -1)
        if current_position > best_position:
            best = current
            best_position = current_position
    return best


def build_conversation(index: TranscriptIndex, leaf_uuid: str | None = None) -> Conversation:
    """The visible messages of a transcript, exactly as the SDK's ``get_session_messages``.

    ``leaf_uuid`` walks the chain from that entry instead of the leaf the SDK picks (a rewind
    branch from ``other_leaves``, or a compaction boundary's ``logical_parent_uuid`` for the
    history before it). An unknown ``leaf_uuid`` gives an empty conversation.
    """
    with gc_paused():
        return _build_conversation(index, leaf_uuid)


def _build_conversation(index: TranscriptIndex, leaf_uuid: str | None) -> Conversation:
    entries = chain_entries(index.entries)
    if not entries:
        return Conversation(messages=[], leaf_uuid=None)
    by_uuid: dict[str, Entry] = {}
    position: dict[str, int] = {}
    for number, entry in enumerate(entries):
        by_uuid[entry.uuid] = entry
        position[entry.uuid] = number

    leaves = _find_leaves(entries, by_uuid)
    main_leaves = [leaf for leaf in leaves if _is_main(leaf)]
    if leaf_uuid is not None:
        leaf = by_uuid.get(leaf_uuid)
    elif leaves:
        leaf = _pick_best(main_leaves, position) if main_leaves else _pick_best(leaves, position)
    else:
        leaf = None
    if leaf is None:
        return Conversation(
            messages=[],
            leaf_uuid=None,
            other_leaves=_branch_tips(main_leaves, set(), entries, by_uuid, []),
        )

    chain, seen = _walk_to_root(leaf, by_uuid)
    chain = _recover_orphaned_parallel_tool_results(by_uuid, chain, seen)
    # ``seen`` now holds the recovered entries too: a parallel call's result is a leaf of the
    # file, but it is shown in this conversation, so it is not another branch.
    return Conversation(
        messages=[entry for entry in chain if is_visible_message(entry)],
        leaf_uuid=leaf.uuid,
        other_leaves=_branch_tips(main_leaves, seen, entries, by_uuid, chain),
        compact_boundaries=[
            entry
            for entry in chain
            if entry.type == "system" and entry.subtype == "compact_boundary"
        ],
        chain=chain,
    )


def _branch_tips(
    main_leaves: list[Entry],
    shown: set[str],
    entries: list[Entry],
    by_uuid: dict[str, Entry],
    chain: list[Entry],
) -> list[str]:
    """Tips of the rewind branches not shown, newest first.

    The SDK's leaves come from every entry nothing points to, walked back to a message, so a
    message with a ``progress`` entry hanging off it counts as a leaf even when the
    conversation goes on after it. A tip here is a main-chain message no later message descends
    from, that is not shown, and that is not merely the history a compaction on the shown chain
    replaced (that one is reached from ``compact_boundaries``).
    """
    continued: set[str] = set()
    for entry in entries:
        if entry.type not in _MESSAGE_TYPES:
            continue
        parent = by_uuid.get(entry.parent_uuid) if entry.parent_uuid else None
        steps = 0
        while parent is not None and parent.type not in _MESSAGE_TYPES and steps < 64:
            parent = by_uuid.get(parent.parent_uuid) if parent.parent_uuid else None
            steps += 1
        if parent is not None:
            continued.add(parent.uuid)
    compacted = {
        entry.logical_parent_uuid
        for entry in chain
        if entry.type == "system" and entry.subtype == "compact_boundary"
    }
    tips: dict[str, Entry] = {}
    for leaf in main_leaves:
        uid = leaf.uuid
        if uid in shown or uid in continued or uid in compacted:
            continue
        tips[uid] = leaf
    return [leaf.uuid for leaf in sorted(tips.values(), key=lambda e: e.index, reverse=True)]


def _is_tool_result_entry(entry: Entry) -> bool:
    """A user entry with a parent that carries a tool_result block."""
    return entry.type == "user" and bool(entry.parent_uuid) and "tool_result" in entry.role_blocks


def _same_writer(a: Entry, b: Entry) -> bool:
    return a.is_sidechain == b.is_sidechain and a.agent_id == b.agent_id


def _timestamp_sort_key(entry: Entry) -> str:
    return entry.timestamp if entry.timestamp is not None else ""


def _recover_orphaned_parallel_tool_results(
    by_uuid: dict[str, Entry], chain: list[Entry], seen: set[str]
) -> list[Entry]:
    """Put back the tool calls and results a parallel turn left off the chain (as the SDK)."""
    chain_assistants = [entry for entry in chain if entry.type == "assistant"]
    if not chain_assistants:
        return chain

    anchor_by_message_id: dict[str, Entry] = {}
    for entry in chain_assistants:
        if entry.message_id:
            anchor_by_message_id[entry.message_id] = entry
    if not anchor_by_message_id:
        return chain

    siblings_by_message_id: dict[str, list[Entry]] = {}
    call_owner: dict[str, Entry | None] = {}
    tool_result_entries: list[Entry] = []
    for entry in by_uuid.values():
        message_id = entry.message_id if entry.type == "assistant" else None
        if message_id:
            siblings_by_message_id.setdefault(message_id, []).append(entry)
            for call_id in entry.tool_use_ids:
                if call_id not in call_owner:
                    call_owner[call_id] = entry
                    continue
                owner = call_owner[call_id]
                same_response = owner is not None and owner.message_id == message_id
                call_owner[call_id] = entry if same_response else None
        elif _is_tool_result_entry(entry):
            tool_result_entries.append(entry)

    results_by_assistant: dict[str, list[Entry]] = {}
    for result in tool_result_entries:
        results_by_assistant.setdefault(result.parent_uuid, []).append(result)
        source = result.source_tool_assistant_uuid
        if source is not None:
            source_entry = by_uuid.get(source)
            if source_entry is not None and _same_writer(result, source_entry):
                results_by_assistant.setdefault(source, []).append(result)
        for call_id in result.tool_result_ids:
            owner = call_owner.get(call_id)
            if owner is not None and _same_writer(result, owner):
                results_by_assistant.setdefault(owner.uuid, []).append(result)

    answered_on_chain: set[str] | None = None
    file_position: dict[str, int] | None = None

    processed: set[str] = set()
    inserts: dict[str, list[Entry]] = {}
    for assistant in chain_assistants:
        message_id = assistant.message_id
        if not message_id or message_id in processed:
            continue
        processed.add(message_id)

        group = siblings_by_message_id.get(message_id, [assistant])
        member_uuids = {member.uuid for member in group}
        orphaned_siblings = [member for member in group if member.uuid not in seen]
        orphaned_results: list[Entry] = []
        strays: list[Entry] = []
        collected: set[str] = set()
        for member in group:
            for result in results_by_assistant.get(member.uuid, ()):
                if result.uuid in seen or result.uuid in collected:
                    continue
                collected.add(result.uuid)
                if result.parent_uuid in member_uuids:
                    orphaned_results.append(result)
                else:
                    strays.append(result)

        if strays:
            if answered_on_chain is None or file_position is None:
                answered_on_chain = {
                    call_id for entry in chain for call_id in entry.tool_result_ids
                }
                file_position = {uid: number for number, uid in enumerate(by_uuid)}
            # Calls answered on the chain, plus those this response's results answer. (The SDK
            # copies the chain's set for every response; a second set gives the same answers
            # without the quadratic cost on long sessions.)
            on_chain = answered_on_chain
            answered: set[str] = set()
            for result in orphaned_results:
                answered.update(result.tool_result_ids)
            positions = file_position
            strays.sort(key=lambda entry: positions[entry.uuid])
            for result in strays:
                call_ids = result.tool_result_ids
                answers_open_call = False
                for call_id in call_ids:
                    owner = call_owner.get(call_id)
                    if (
                        call_id not in on_chain
                        and call_id not in answered
                        and owner is not None
                        and owner.uuid in member_uuids
                    ):
                        answers_open_call = True
                        break
                if not answers_open_call:
                    continue
                answered.update(call_ids)
                orphaned_results.append(result)

        if not orphaned_siblings and not orphaned_results:
            continue

        orphaned_siblings.sort(key=_timestamp_sort_key)
        orphaned_results.sort(key=_timestamp_sort_key)
        recovered = orphaned_siblings + orphaned_results
        for entry in recovered:
            seen.add(entry.uuid)
        inserts[anchor_by_message_id[message_id].uuid] = recovered

    if not inserts:
        return chain

    result_chain: list[Entry] = []
    for entry in chain:
        result_chain.append(entry)
        result_chain.extend(inserts.get(entry.uuid, ()))
    return result_chain


def build_subagent_conversation(index: TranscriptIndex) -> list[Entry]:
    """A subagent transcript's messages, as the SDK's ``get_subagent_messages``.

    Subagent transcripts are linear: the last user/assistant entry is the leaf. Every
    user/assistant entry on the chain is returned (meta and sidechain ones too, as the SDK).
    """
    entries = chain_entries(index.entries)
    by_uuid = {entry.uuid: entry for entry in entries}
    leaf = next((entry for entry in reversed(entries) if entry.type in _MESSAGE_TYPES), None)
    if leaf is None:
        return []
    chain, _seen = _walk_to_root(leaf, by_uuid)
    return [entry for entry in chain if entry.type in _MESSAGE_TYPES]
