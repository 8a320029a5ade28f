"""Branches, compaction and chosen leaves; each file also read by the SDK for the main answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.reader import index_transcript
from tests.helpers.entries import SESSION_ID, assistant, entry, user


def _sdk_uuids(path, monkeypatch) -> list[str]:
    from claude_agent_sdk import get_session_messages

    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(path.parents[2]))
    return [message.uuid for message in get_session_messages(SESSION_ID)]


def test_rewind_branches_and_a_chosen_leaf(write_transcript, monkeypatch):
    path = write_transcript(
        [
            user("u1", None, "first"),
            assistant("a1", "u1", "one", message_id="m1"),
            user("u2", "a1", "second"),
            assistant("a2", "u2", "two", message_id="m2"),
            {"type": "progress", "uuid": "p1", "parentUuid": "a2"},
            # The user rewound to a1 and asked again: a second leaf, newer in the file.
            user("u2b", "a1", "second, again"),
            assistant("a2b", "u2b", "two again", message_id="m3"),
            # Rewound once more, from the very start.
            user("u1c", None, "start over"),
            assistant("a1c", "u1c", "fresh", message_id="m4"),
            user("u2c", "a1c", "and then"),
            # A sidechain leaf is never a branch of the main conversation.
            user("s1", "a1", "side", isSidechain=True),
        ]
    )
    index = index_transcript(path)
    conversation = build_conversation(index)
    shown = [e.uuid for e in conversation.messages]
    assert shown == ["u1c", "a1c", "u2c"] == _sdk_uuids(path, monkeypatch)
    assert conversation.leaf_uuid == "u2c"
    assert conversation.other_leaves == ["a2b", "a2"]
    older = build_conversation(index, leaf_uuid="a2")
    assert [e.uuid for e in older.messages] == ["u1", "a1", "u2", "a2"]
    assert older.other_leaves == ["u2c", "a2b"]
    middle = build_conversation(index, leaf_uuid="a1")
    assert [e.uuid for e in middle.messages] == ["u1", "a1"]
    assert build_conversation(index, leaf_uuid="nowhere").messages == []


def test_compaction_boundary_and_the_history_before_it(write_transcript, monkeypatch):
    path = write_transcript(
        [
            user("u1", None, "long task"),
            assistant("a1", "u1", "working", message_id="m1"),
            entry(
                "system",
                "cb",
                None,
                subtype="compact_boundary",
                logicalParentUuid="a1",
                compactMetadata={"trigger": "auto", "preTokens": 150000},
            ),
            user("sum", "cb", "Summary of the conversation so far", isCompactSummary=True),
            user("u2", "sum", "carry on"),
            assistant("a2", "u2", "done", message_id="m2"),
        ]
    )
    index = index_transcript(path)
    conversation = build_conversation(index)
    assert [e.uuid for e in conversation.messages] == ["sum", "u2", "a2"]
    assert [e.uuid for e in conversation.messages] == _sdk_uuids(path, monkeypatch)
    assert conversation.messages[0].is_compact_summary
    assert conversation.other_leaves == []  # the compacted history is no rewind branch
    (boundary,) = conversation.compact_boundaries
    assert (boundary.uuid, boundary.logical_parent_uuid) == ("cb", "a1")
    assert [e.uuid for e in conversation.chain] == ["cb", "sum", "u2", "a2"]
    before = build_conversation(index, leaf_uuid=boundary.logical_parent_uuid)
    assert [e.uuid for e in before.messages] == ["u1", "a1"]


def test_parallel_tool_calls_are_kept_whole(write_transcript, monkeypatch):
    def call(uuid, parent, call_id, stamp):
        return assistant(
            uuid,
            parent,
            message_id="m1",
            timestamp=stamp,
            content=[{"type": "tool_use", "id": call_id, "name": "Bash", "input": {}}],
        )

    def result(uuid, parent, call_id, stamp):
        return entry(
            "user",
            uuid,
            parent,
            timestamp=stamp,
            message={
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": call_id, "content": "ok"}],
            },
        )

    path = write_transcript(
        [
            user("u1", None, "run both", timestamp="2026-01-01T00:00:00Z"),
            call("c1", "u1", "t1", "2026-01-01T00:00:01Z"),
            call("c2", "c1", "t2", "2026-01-01T00:00:02Z"),
            result("r1", "c1", "t1", "2026-01-01T00:00:03Z"),
            result("r2", "c2", "t2", "2026-01-01T00:00:04Z"),
            assistant("a2", "r1", "both done", message_id="m2", timestamp="2026-01-01T00:00:05Z"),
        ]
    )
    conversation = build_conversation(index_transcript(path))
    shown = [e.uuid for e in conversation.messages]
    assert shown == _sdk_uuids(path, monkeypatch)
    assert set(shown) == {"u1", "c1", "c2", "r1", "r2", "a2"}


def test_bad_lines_and_unknown_types_do_not_break_the_chain(write_transcript, monkeypatch):
    path = write_transcript(
        [
            user("u1", None),
            b"\x00\x01garbage",
            {"type": "brand-new", "uuid": "n1", "parentUuid": "u1"},
            assistant("a1", "u1"),
            b'{"type":"user","uuid":"x"}{"type":"user","uuid":"y"}',
            user("u2", "a1"),
        ]
    )
    conversation = build_conversation(index_transcript(path))
    assert [e.uuid for e in conversation.messages] == ["u1", "a1", "u2"]
    assert _sdk_uuids(path, monkeypatch) == ["u1", "a1", "u2"]


def test_progress_off_a_continued_message_is_no_branch(write_transcript):
    path = write_transcript(
        [
            user("u1", None, "go"),
            assistant("a1", "u1", "running", message_id="m1"),
            {"type": "progress", "uuid": "p1", "parentUuid": "a1"},
            {"type": "attachment", "uuid": "t1", "parentUuid": "a1"},
            user("u2", "t1", "next"),
            assistant("a2", "u2", "done", message_id="m2"),
            {"type": "progress", "uuid": "p2", "parentUuid": "u1"},
        ]
    )
    conversation = build_conversation(index_transcript(path))
    assert [e.uuid for e in conversation.messages] == ["u1", "a1", "u2", "a2"]
    assert conversation.other_leaves == []


def test_a_big_index_and_its_conversation_have_a_short_repr(write_transcript):
    """Textual describes a worker by the repr of its arguments: an index or a conversation of a
    big session must not print its tens of thousands of entries (that froze ``f`` for 1.5 s)."""
    lines = [user("u0", None, "start")]
    for number in range(1, 5000):
        if number % 2:
            lines.append(assistant(f"a{number}", f"u{number - 1}", message_id=f"m{number}"))
        else:
            lines.append(user(f"u{number}", f"a{number - 1}"))
    index = index_transcript(write_transcript(lines))
    conversation = build_conversation(index)
    assert len(index.entries) == 5000 and len(conversation.messages) == 5000
    assert len(repr(index)) < 500
    assert len(repr(conversation)) < 500
    assert conversation.leaf_uuid in repr(conversation)


def _answers(index) -> list[tuple]:
    """Every conversation of an index (the SDK's, each other leaf's, each history before a
    compaction), as uuids."""

    def shape(conversation) -> tuple:
        return (
            [e.uuid for e in conversation.messages],
            conversation.leaf_uuid,
            conversation.other_leaves,
            [e.uuid for e in conversation.compact_boundaries],
            [e.uuid for e in conversation.chain],
        )

    main = build_conversation(index)
    leaves = [*main.other_leaves, *(b.logical_parent_uuid for b in main.compact_boundaries)]
    return [shape(main)] + [shape(build_conversation(index, leaf_uuid=leaf)) for leaf in leaves]


def _grow_and_compare(path, folder: Path, steps: int = 40) -> tuple[int, int]:
    """Grow a copy of ``path`` a piece at a time, reading only what was appended (the graph of
    the read before is extended); at every length the conversations equal a whole read's.
    Returns how many reads extended the graph before rather than building it again, and how
    many of the SDK's conversations went on from the one before (only the appended part
    built)."""
    data = path.read_bytes()
    ends = [at + 1 for at, byte in enumerate(data) if byte == 0x0A]
    cuts = (
        sorted({ends[i * len(ends) // steps] for i in range(steps)} | {len(data)}) if ends else []
    )
    grown = folder / path.name
    grown.write_bytes(b"")
    index = index_transcript(grown)
    extended = went_on = 0
    for cut in cuts:
        with open(grown, "ab") as handle:
            handle.write(data[index.size : cut] if cut > index.size else b"")
        before = index.graph
        index = index_transcript(grown, base=index)
        assert _answers(index) == _answers(index_transcript(grown)), f"{path} at byte {cut}"
        extended += before is not None and index.graph is not before and _extends(before, index)
        built = index.graph.built[None]
        went_on += 0 < len(built.conversation.chain) != built.walked
    grown.unlink()
    return extended, went_on


def _extends(before, index) -> bool:
    return before.extended(index) is not None


def test_a_growing_transcript_extends_its_graph_and_answers_as_a_whole_read(
    write_transcript, tmp_path
):
    def call(uuid, parent, call_id, message_id):
        return assistant(
            uuid,
            parent,
            message_id=message_id,
            content=[{"type": "tool_use", "id": call_id, "name": "Bash", "input": {}}],
        )

    def result(uuid, parent, call_id, **fields):
        return entry(
            "user",
            uuid,
            parent,
            message={
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": call_id, "content": "ok"}],
            },
            **fields,
        )

    path = write_transcript(
        [
            user("u1", None, "run both"),
            call("c1", "u1", "t1", "m1"),
            call("c2", "c1", "t2", "m1"),
            result("r1", "c1", "t1"),
            result("r2", "c2", "t2", sourceToolAssistantUUID="c2"),
            {"type": "progress", "uuid": "p1", "parentUuid": "r2"},
            assistant("a2", "r1", "both done", message_id="m2"),
            user("u2b", "c1", "rewound"),  # a branch, then the main line goes on
            assistant("a3", "a2", "more", message_id="m3"),
            # An entry that names a parent written after it, and a repeated uuid: the graph
            # of the read before cannot be extended (the whole is built again).
            user("u4", "late", "early child"),
            user("late", "a3", "written late"),
            assistant("a3", "late", "again", message_id="m4"),
            entry(
                "system",
                "cb",
                None,
                subtype="compact_boundary",
                logicalParentUuid="a3",
            ),
            user("sum", "cb", "Summary", isCompactSummary=True),
            call("c5", "sum", "t5", "m5"),
            result("r5", "c5", "t5"),
            assistant("a5", "r5", "end", message_id="m6"),
        ]
    )
    extended, went_on = _grow_and_compare(path, tmp_path, steps=100)
    assert extended > 5 and went_on > 3


def test_growing_the_shared_corpus_answers_as_whole_reads(tmp_path):
    from tests.conftest import SHARED_CORPUS

    if SHARED_CORPUS is None:
        pytest.skip("../shared/corpus is not here (set SESSIONSCOPE_CORPUS to use one)")
    from sessionscope.transcripts.sessions import session_files

    extended = went_on = 0
    for path, _project in session_files(SHARED_CORPUS):
        counts = _grow_and_compare(Path(path), tmp_path, steps=12)
        extended += counts[0]
        went_on += counts[1]
    assert extended > 0 and went_on > 0
