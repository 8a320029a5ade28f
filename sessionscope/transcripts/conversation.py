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

import threading
from collections.abc import Iterable

from .model import Conversation, Entry, TranscriptIndex
from .reader import gc_paused

__all__ = [
    "TRANSCRIPT_ENTRY_TYPES",
    "all_messages",
    "branch_showing",
    "build_conversation",
    "build_subagent_conversation",
    "chain_entries",
    "history_before",
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


def _walk_to_root(
    leaf: Entry, by_uuid: dict[str, Entry], stop: Entry | None = None
) -> tuple[list[Entry], set[str], bool]:
    """The chain from the root to ``leaf``, the uuids on it, and ``False``; or, when the walk
    meets the entry ``stop`` (that entry, not another of its uuid), the part after it and
    ``True``."""
    chain: list[Entry] = []
    seen: set[str] = set()
    add, append, get = seen.add, chain.append, by_uuid.get
    current: Entry | None = leaf
    stopped = False
    while current is not None:
        uid = current.uuid
        if uid in seen:
            break
        if current is stop:
            stopped = True
            break
        add(uid)
        append(current)
        parent = current.parent_uuid
        current = get(parent) if parent else None
    chain.reverse()
    return chain, seen, stopped


def _leaf_of(terminal: Entry, by_uuid: dict[str, Entry]) -> Entry | None:
    """The nearest user/assistant entry walking back from a terminal entry (itself, usually)."""
    if terminal.type in _MESSAGE_TYPES:
        return terminal  # the common case: no walk
    current: Entry | None = terminal
    walked: set[str] = set()
    while current is not None:
        uid = current.uuid
        if uid in walked:
            return None
        walked.add(uid)
        if current.type in _MESSAGE_TYPES:
            return current
        parent = current.parent_uuid
        current = by_uuid.get(parent) if parent else None
    return None


def _terminals(
    entries: list[Entry], parent_uuids: set[str], by_uuid: dict[str, Entry]
) -> list[tuple[Entry, Entry | None]]:
    """Each terminal entry (nothing points to it), with its leaf (:func:`_leaf_of`), in file
    order: the SDK's leaves are the leaves found."""
    return [
        (terminal, _leaf_of(terminal, by_uuid))
        for terminal in entries
        if terminal.uuid not in parent_uuids
    ]


def _is_main(entry: Entry) -> bool:
    return not entry.is_sidechain and not entry.team_name and not entry.is_meta


def _pick_best(candidates: list[Entry], by_uuid: dict[str, Entry]) -> Entry:
    """The SDK's ``_pick_best``: the candidate whose uuid was written last. (The SDK compares
    places in its list of chain entries; the file index of the entry the uuid maps to orders
    them the same way.)"""
    best = candidates[0]
    best_position = by_uuid[best.uuid].index
    for current in candidates[1:]:
        current_position = by_uuid[current.uuid].index
        if current_position > best_position:
            best = current
            best_position = current_position
    return best


class _Graph:
    """What every conversation of one index shares, whatever its leaf: the chain entries and
    their links, the SDK's leaves, which messages are continued, and the parallel tool calls of
    each API response. Built once per index (``TranscriptIndex.graph``); the parts only some
    conversations need are built on first use. The graph of a file that grew is the graph of
    what it had, extended with the appended entries (:meth:`extended`): a live session of
    50,000 entries is not worked out again at every append. The conversations built on a graph
    are kept on it (``built``, by the leaf asked for); a graph extended holds those of the one
    before (``before``) for its own to continue (:func:`_build`)."""

    __slots__ = (
        "entries",
        "source",
        "count",
        "by_uuid",
        "parent_uuids",
        "_links",
        "terminals",
        "leaves",
        "main_leaves",
        "_continued",
        "_parallel",
        "_file_position",
        "built",
        "before",
    )

    def __init__(self, index: TranscriptIndex) -> None:
        entries = chain_entries(index.entries)
        # A repeated uuid: the last entry and its place win (as the SDK's dict does).
        by_uuid = {entry.uuid: entry for entry in entries}
        parent_uuids = {entry.parent_uuid for entry in entries if entry.parent_uuid}
        self._set(index, entries, by_uuid, parent_uuids, _terminals(entries, parent_uuids, by_uuid))
        self._links: tuple[set[str], set[str]] | None = None
        self._continued: set[str] | None = None
        self._parallel: _Parallel | None = None
        self._file_position: dict[str, int] | None = None
        self.built: dict[str | None, _Built] = {}
        self.before: dict[str | None, _Built] = {}

    def _set(
        self,
        index: TranscriptIndex,
        entries: list[Entry],
        by_uuid: dict[str, Entry],
        parent_uuids: set[str],
        terminals: list[tuple[Entry, Entry | None]],
    ) -> None:
        self.source = index.entries
        self.count = len(index.entries)
        self.entries = entries
        self.by_uuid = by_uuid
        self.parent_uuids = parent_uuids
        self.terminals = terminals
        self.leaves = [leaf for _terminal, leaf in terminals if leaf is not None]
        self.main_leaves = [leaf for leaf in self.leaves if _is_main(leaf)]

    def links(self) -> tuple[set[str], set[str]]:
        """The uuids the entries name as the assistant a tool result answers, and every tool
        call id they hold (calls and results): what entries appended must not be, for
        :meth:`extended`. Worked out when a file first grows."""
        if self._links is None:
            entries = self.entries
            self._links = (
                {entry.source_tool_assistant_uuid for entry in entries} - {None},
                {
                    call_id
                    for entry in entries
                    for call_id in (*entry.tool_use_ids, *entry.tool_result_ids)
                },
            )
        return self._links

    def fits(self, index: TranscriptIndex) -> bool:
        return self.source is index.entries and self.count == len(index.entries)

    def extended(self, index: TranscriptIndex) -> _Graph | None:
        """The graph of ``index``, whose entries are this graph's followed by more (the file
        grew), worked out from this one (which is left as it is); ``None`` when ``index`` holds
        other entries, or when the new entries change what the old ones mean: a uuid seen
        before, or one an old entry points to (it was missing), or a tool call id seen before.
        Then only a whole build gives the SDK's answer."""
        count = self.count
        entries = index.entries
        if not count or len(entries) < count or entries[count - 1] is not self.source[count - 1]:
            return None
        new = chain_entries(entries[count:])
        by_uuid = self.by_uuid
        sources, call_ids = self.links()
        new_uuids: set[str] = set()
        new_calls: set[str] = set()
        for entry in new:
            uid = entry.uuid
            if (
                uid in by_uuid
                or uid in new_uuids
                or uid in self.parent_uuids
                or uid in sources
                or not call_ids.isdisjoint(entry.tool_use_ids)
            ):
                return None
            new_uuids.add(uid)
            new_calls.update(entry.tool_use_ids, entry.tool_result_ids)
        by_uuid = {**by_uuid, **{entry.uuid: entry for entry in new}}
        new_parents = {entry.parent_uuid for entry in new if entry.parent_uuid}
        parent_uuids = self.parent_uuids | new_parents
        graph = _Graph.__new__(_Graph)
        graph._set(
            index,
            self.entries + new,
            by_uuid,
            parent_uuids,
            [pair for pair in self.terminals if pair[0].uuid not in new_parents]
            + _terminals(new, parent_uuids, by_uuid),
        )
        graph._links = (
            sources | {entry.source_tool_assistant_uuid for entry in new} - {None},
            call_ids | new_calls,
        )
        graph._continued = (
            None if self._continued is None else self._continued | _continued_messages(new, by_uuid)
        )
        graph._parallel = None if self._parallel is None else self._parallel.extended(new, by_uuid)
        graph._file_position = None
        if self._file_position is not None:
            start = len(self._file_position)
            graph._file_position = {
                **self._file_position,
                **{entry.uuid: start + number for number, entry in enumerate(new)},
            }
        graph.built = {}
        graph.before = dict(self.built)
        return graph

    @property
    def continued(self) -> set[str]:
        """Messages a later message descends from (through non-message entries)."""
        if self._continued is None:
            self._continued = _continued_messages(self.entries, self.by_uuid)
        return self._continued

    @property
    def parallel(self) -> _Parallel:
        if self._parallel is None:
            self._parallel = _Parallel(self.by_uuid)
        return self._parallel

    @property
    def file_position(self) -> dict[str, int]:
        """Each uuid's place in the file (its first occurrence), for ordering strays."""
        if self._file_position is None:
            self._file_position = {uid: number for number, uid in enumerate(self.by_uuid)}
        return self._file_position


_graph_lock = threading.Lock()


def _graph_of(index: TranscriptIndex) -> _Graph:
    graph = index.graph
    if isinstance(graph, _Graph):
        if graph.fits(index):
            return graph
        graph = graph.extended(index)
    if graph is None:
        graph = _Graph(index)
    with _graph_lock:
        index.graph = graph
    return graph


def build_conversation(
    index: TranscriptIndex, leaf_uuid: str | None = None, *, keep: bool = True
) -> Conversation:
    """The visible messages of a transcript, exactly as the SDK's ``get_session_messages``.

    ``leaf_uuid`` walks the chain from that entry instead of the leaf the SDK picks (a rewind
    branch from ``other_leaves``, or a compaction boundary's ``logical_parent_uuid`` for the
    history before it). An unknown ``leaf_uuid`` gives an empty conversation. The work shared by
    every leaf is done once per index (see :class:`_Graph`), and each conversation is kept on it:
    asked again it costs nothing, and once the file grew it costs what was appended when the
    conversation only goes on. ``keep=False``: not kept (a conversation looked at once, such as
    each rewind branch's for the branch tree: each holds a whole chain).
    """
    with gc_paused():
        graph = _graph_of(index)
        built = graph.built.get(leaf_uuid)
        if built is None:
            built = _build(graph, leaf_uuid, graph.before.get(leaf_uuid))
            if keep:
                graph.before.pop(leaf_uuid, None)
                graph.built[leaf_uuid] = built
        return built.conversation


class _Built:
    """A conversation built on a graph, with what a conversation that goes on from it needs."""

    __slots__ = (
        "conversation",
        "leaf",
        "seen",
        "message_ids",
        "answered_walked",
        "answered_shown",
        "count",
        "walked",
    )

    def __init__(
        self,
        conversation: Conversation,
        leaf: Entry | None = None,
        seen: frozenset[str] | set[str] = frozenset(),
        message_ids: frozenset[str] | set[str] = frozenset(),
        answered_walked: frozenset[str] | set[str] = frozenset(),
        answered_shown: frozenset[str] | set[str] = frozenset(),
        count: int = 0,
        walked: int = 0,
    ) -> None:
        self.conversation = conversation
        self.leaf = leaf
        """The entry its chain was walked from."""
        self.seen = seen
        """The uuids it shows (recovered entries too)."""
        self.message_ids = message_ids
        """Its API responses' message ids."""
        self.answered_walked = answered_walked
        """The tool calls its chain answers, as walked (without the entries recovered)."""
        self.answered_shown = answered_shown
        """The tool calls the entries it shows answer."""
        self.count = count
        """Chain entries of the graph it was built on."""
        self.walked = walked
        """Entries of its chain it built: the whole chain, or those after ``earlier``'s."""


_NOTHING_BUILT = _Built(Conversation(messages=[], leaf_uuid=None))
"""Where a conversation built from its root starts."""


def _build(graph: _Graph, leaf_uuid: str | None, earlier: _Built | None) -> _Built:
    """The conversation from ``leaf_uuid`` (or the SDK's leaf). ``earlier``: the one built
    from the same leaf asked on the graph ``graph`` extends; when the new chain only goes on
    from its leaf, and what was appended changes nothing of it (:func:`_goes_on`), only the
    part after it is walked and recovered, the same way a whole chain is."""
    count = len(graph.entries)
    if not count:
        return _Built(Conversation(messages=[], leaf_uuid=None), count=count)
    by_uuid = graph.by_uuid
    leaves = graph.leaves
    main_leaves = graph.main_leaves
    if leaf_uuid is not None:
        leaf = by_uuid.get(leaf_uuid)
    elif leaves:
        leaf = _pick_best(main_leaves, by_uuid) if main_leaves else _pick_best(leaves, by_uuid)
    else:
        leaf = None
    if leaf is None:
        conversation = Conversation(
            messages=[], leaf_uuid=None, other_leaves=_branch_tips(graph, set(), [])
        )
        return _Built(conversation, count=count)

    start = _NOTHING_BUILT
    part, seen, stopped = _walk_to_root(leaf, by_uuid, earlier.leaf if earlier else None)
    if stopped:
        assert earlier is not None
        if _goes_on(graph, earlier, part, seen):
            start = earlier
            seen |= earlier.seen
        else:
            part, seen, _stopped = _walk_to_root(leaf, by_uuid)
    answered_walked = start.answered_walked | {
        call_id for entry in part for call_id in entry.tool_result_ids
    }
    part = _recover_orphaned_parallel_tool_results(graph, part, seen, start.answered_walked)
    # ``seen`` now holds the recovered entries too: a parallel call's result is a leaf of the
    # file, but it is shown in this conversation, so it is not another branch.
    before = start.conversation
    boundaries = before.compact_boundaries + [
        entry for entry in part if entry.type == "system" and entry.subtype == "compact_boundary"
    ]
    conversation = Conversation(
        messages=before.messages + [entry for entry in part if is_visible_message(entry)],
        leaf_uuid=leaf.uuid,
        other_leaves=_branch_tips(graph, seen, boundaries),
        compact_boundaries=boundaries,
        chain=before.chain + part,
        lineage=before.lineage if start is earlier else object(),
    )
    return _Built(
        conversation,
        leaf,
        seen,
        start.message_ids
        | {entry.message_id for entry in part if entry.type == "assistant" and entry.message_id},
        answered_walked,
        start.answered_shown | {call_id for entry in part for call_id in entry.tool_result_ids},
        count,
        len(part),
    )


def _goes_on(graph: _Graph, earlier: _Built, part: list[Entry], seen: set[str]) -> bool:
    """Whether the conversation ``earlier`` followed by ``part`` (the chain walked back to its
    leaf, whose uuids are ``seen``) is what a whole build gives, once ``part``'s parallel tool
    calls are recovered.

    ``part`` must hold only entries appended since, and nothing appended may change what the
    recovery of ``earlier``'s API responses gave: an appended entry on the chain must not be a
    piece of one of them, nor answer a call already answered (a result recovered there would
    no longer be); one off the chain must not be a piece of one of them either, nor a tool
    result of one of their entries. Except the response of ``earlier``'s leaf, when ``part``
    goes on with it (the CLI writes a response's content blocks one entry each) and nothing
    was recovered for it: then ``part``'s recovery does the whole response, first, as a whole
    build does."""
    appended = graph.entries[earlier.count :]
    appended_uuids = {entry.uuid for entry in appended}
    if not appended_uuids.issuperset(seen):
        return False
    parallel = graph.parallel
    siblings, call_owner = parallel.siblings_by_message_id, parallel.call_owner
    leaf = earlier.leaf
    first = next((entry for entry in part if entry.type == "assistant"), None)
    going_on = (
        leaf.message_id
        if leaf is not None
        and leaf.type == "assistant"
        and leaf.message_id
        and first is not None
        and first.message_id == leaf.message_id
        and earlier.conversation.chain[-1] is leaf
        else None
    )
    members = {member.uuid for member in siblings.get(going_on, ())} if going_on else set()
    for entry in part:
        if entry.type == "assistant" and entry.message_id and entry.message_id != going_on:
            group = siblings.get(entry.message_id, ())
            if any(member.uuid not in appended_uuids for member in group):
                return False
        if not earlier.answered_shown.isdisjoint(entry.tool_result_ids):
            return False
    shown = earlier.seen
    for entry in appended:
        if entry.uuid in seen:
            continue
        if entry.type == "assistant":
            if entry.message_id in earlier.message_ids and entry.message_id != going_on:
                return False
        elif entry.type == "user":
            owners = (call_owner.get(call_id) for call_id in entry.tool_result_ids)
            keys = (
                entry.parent_uuid,
                entry.source_tool_assistant_uuid,
                *(owner.uuid for owner in owners if owner is not None),
            )
            if any(key in shown and key not in members for key in keys):
                return False
    return True


def _continued_messages(entries: list[Entry], by_uuid: dict[str, Entry]) -> set[str]:
    """Messages that a later message descends from, through at most 64 non-message entries."""
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
    return continued


def _branch_tips(graph: _Graph, shown: set[str], boundaries: list[Entry]) -> list[str]:
    """Tips of the rewind branches not shown, newest first.

    The SDK's leaves come from every entry nothing points to, walked back to a message, so a
    message with a ``progress`` entry hanging off it counts as a leaf even when the
    conversation goes on after it. A tip here is a main-chain message no later message descends
    from, that is not shown, and that is not merely the history a compaction on the shown chain
    replaced (that one is reached from ``compact_boundaries``).
    """
    compacted = {entry.logical_parent_uuid for entry in boundaries}
    candidates = [
        leaf for leaf in graph.main_leaves if leaf.uuid not in shown and leaf.uuid not in compacted
    ]
    if not candidates:
        return []
    continued = graph.continued  # built only when there is a leaf to test
    tips: dict[str, Entry] = {}
    for leaf in candidates:
        if leaf.uuid not in continued:
            tips[leaf.uuid] = leaf
    return [leaf.uuid for leaf in sorted(tips.values(), key=lambda e: e.index, reverse=True)]


def _same_writer(a: Entry, b: Entry) -> bool:
    return a.is_sidechain == b.is_sidechain and a.agent_id == b.agent_id


def _timestamp_sort_key(entry: Entry) -> str:
    return entry.timestamp if entry.timestamp is not None else ""


class _Parallel:
    """The API responses split over several entries, and the tool results each one got: the
    part of the SDK's ``_recover_orphaned_parallel_tool_results`` that does not depend on the
    chain."""

    __slots__ = ("siblings_by_message_id", "call_owner", "results_by_assistant")

    def __init__(self, by_uuid: dict[str, Entry]) -> None:
        self.siblings_by_message_id: dict[str, list[Entry]] = {}
        self.call_owner: dict[str, Entry | None] = {}
        self.results_by_assistant: dict[str, list[Entry]] = {}
        self._add(by_uuid.values(), by_uuid, _append)

    def extended(self, new: list[Entry], by_uuid: dict[str, Entry]) -> _Parallel:
        """This, with the entries appended to the file (``by_uuid`` holds them too): a copy
        (the lists it changes are copied, so this one stays as it is)."""
        parallel = _Parallel.__new__(_Parallel)
        parallel.siblings_by_message_id = dict(self.siblings_by_message_id)
        parallel.call_owner = dict(self.call_owner)
        parallel.results_by_assistant = dict(self.results_by_assistant)
        parallel._add(new, by_uuid, _appended)
        return parallel

    def _add(self, entries: Iterable[Entry], by_uuid: dict[str, Entry], add) -> None:
        siblings_by_message_id = self.siblings_by_message_id
        call_owner = self.call_owner
        results_by_assistant = self.results_by_assistant
        tool_result_entries: list[Entry] = []
        for entry in entries:
            kind = entry.type
            if kind == "user":
                if entry.parent_uuid and "tool_result" in entry.role_blocks:
                    tool_result_entries.append(entry)  # a tool result with a parent
                continue
            message_id = entry.message_id if kind == "assistant" else None
            if message_id:
                add(siblings_by_message_id, message_id, entry)
                for call_id in entry.tool_use_ids:
                    if call_id not in call_owner:
                        call_owner[call_id] = entry
                        continue
                    owner = call_owner[call_id]
                    same_response = owner is not None and owner.message_id == message_id
                    call_owner[call_id] = entry if same_response else None

        for result in tool_result_entries:
            add(results_by_assistant, result.parent_uuid, result)
            source = result.source_tool_assistant_uuid
            if source is not None:
                source_entry = by_uuid.get(source)
                if source_entry is not None and _same_writer(result, source_entry):
                    add(results_by_assistant, source, result)
            for call_id in result.tool_result_ids:
                owner = call_owner.get(call_id)
                if owner is not None and _same_writer(result, owner):
                    add(results_by_assistant, owner.uuid, result)


def _append(lists: dict[str, list[Entry]], key: str, entry: Entry) -> None:
    lists.setdefault(key, []).append(entry)


def _appended(lists: dict[str, list[Entry]], key: str, entry: Entry) -> None:
    """:func:`_append` to a copy of the list (another graph may hold the list)."""
    lists[key] = [*lists.get(key, ()), entry]


def _recover_orphaned_parallel_tool_results(
    graph: _Graph,
    chain: list[Entry],
    seen: set[str],
    answered_before: frozenset[str] | set[str] = frozenset(),
) -> list[Entry]:
    """Put back the tool calls and results a parallel turn left off the chain (as the SDK).
    ``chain`` may be the part of a chain after a conversation built before (see :func:`_build`):
    ``answered_before``, the calls that conversation's chain answers."""
    chain_assistants = [entry for entry in chain if entry.type == "assistant"]
    if not chain_assistants:
        return chain

    anchor_by_message_id: dict[str, Entry] = {}
    for entry in chain_assistants:
        if entry.message_id:
            anchor_by_message_id[entry.message_id] = entry
    if not anchor_by_message_id:
        return chain

    parallel = graph.parallel
    siblings_by_message_id = parallel.siblings_by_message_id
    call_owner = parallel.call_owner
    results_by_assistant = parallel.results_by_assistant

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
                answered_on_chain = answered_before | {
                    call_id for entry in chain for call_id in entry.tool_result_ids
                }
                file_position = graph.file_position
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
    chain, _seen, _stopped = _walk_to_root(leaf, by_uuid)
    return [entry for entry in chain if entry.type in _MESSAGE_TYPES]


def history_before(index: TranscriptIndex, conversation: Conversation) -> list[Conversation]:
    """The conversations before each compaction of ``conversation``, oldest first.

    The SDK shows a compacted session from its last compaction on; the chain before it hangs
    off the boundary's ``logicalParentUuid``. The explorer shows it too (above the boundary),
    and a fork can end in it.
    """
    earlier: list[Conversation] = []
    seen: set[str] = set()
    current = conversation
    while current.chain:
        root = current.chain[0]
        leaf = root.logical_parent_uuid
        if root.subtype != "compact_boundary" or not leaf or leaf in seen:
            break
        seen.add(leaf)
        current = build_conversation(index, leaf_uuid=leaf)
        if not current.messages:
            break
        earlier.insert(0, current)
    return earlier


def all_messages(index: TranscriptIndex, conversation: Conversation) -> list[Entry]:
    """Every message the explorer shows: the history before compactions, then the SDK's."""
    segments = [*history_before(index, conversation), conversation]
    return [message for segment in segments for message in segment.messages]


def branch_showing(index: TranscriptIndex, uuid: str) -> Conversation | None:
    """The rewind branch whose messages (with the history before its compactions, as
    :func:`all_messages`) include ``uuid``: the SDK's branch first, then each other; ``None``
    when no branch shows it."""
    main = build_conversation(index)
    for leaf in [None, *main.other_leaves]:
        # Each other branch looked at once: not kept on the index's graph (the explorer's
        # open session keeps its graph), as the branch tree's are not.
        branch = main if leaf is None else build_conversation(index, leaf, keep=False)
        if any(message.uuid == uuid for message in all_messages(index, branch)):
            return branch
    return None
