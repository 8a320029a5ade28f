"""A session's rewind branches (what the branch tree shows of each) and the family of forks."""

from __future__ import annotations

from pathlib import Path

from sessionscope.transcripts.branches import fork_tree, session_branches
from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.meta import SessionMeta
from sessionscope.transcripts.reader import index_transcript
from tests.helpers.entries import assistant, entry, user


def at(second: int) -> dict:
    return {"timestamp": f"2026-01-01T00:00:{second:02d}.000Z"}


def test_branches_their_points_prompts_and_parents(write_transcript):
    path = write_transcript(
        [
            user("u1", None, "start", **at(1)),
            assistant("a1", "u1", "one", message_id="m1", **at(2)),
            user("u2", "a1", "branch A", **at(3)),
            assistant("a2", "u2", "A done", message_id="m2", **at(4)),
            # Rewound to a1: a new prompt.
            user("u3", "a1", "branch B", **at(5)),
            assistant("a3", "u3", "B done", message_id="m3", **at(6)),
            # Rewound to a3: another prompt, then the answer retried.
            user("u5", "a3", "branch C", **at(7)),
            assistant("a5", "u5", "C done", message_id="m5", **at(8)),
            user("u4", "a3", "B, go on", **at(9)),
            assistant("a4r", "u4", "first try", message_id="m6", **at(10)),
            assistant("a4", "u4", "second try", message_id="m7", **at(11)),
        ]
    )
    index = index_transcript(path)
    branches = session_branches(path, index)
    summary = [
        (b.leaf_uuid, b.main, b.parent, b.branch_point, b.messages, b.first_prompt)
        for b in branches
    ]
    assert summary == [
        ("a4", True, None, None, 6, "start"),
        ("a4r", False, 0, "u4", 6, ""),  # a retried answer: no prompt of its own
        ("a5", False, 0, "a3", 6, "branch C"),
        ("a2", False, 0, "a1", 4, "branch A"),
    ]
    assert branches[2].last_timestamp == "2026-01-01T00:00:08.000Z"
    # Each branch's conversation (a whole chain) is not kept on the index: only the SDK's.
    assert list(index.graph.built) == [None]


def test_a_branch_from_before_a_compaction_is_found_through_it(write_transcript):
    """Compaction starts a new root; its ``logicalParentUuid`` carries the history, so a branch
    left before it still hangs off the main branch."""
    path = write_transcript(
        [
            user("u1", None, "start"),
            assistant("a1", "u1", "one", message_id="m1"),
            user("u2", "a1", "the old way"),
            assistant("a2", "u2", "old", message_id="m2"),
            user("u3", "a1", "the new way"),
            assistant("a3", "u3", "new", message_id="m3"),
            entry("system", "c1", None, subtype="compact_boundary", logicalParentUuid="a3"),
            user("s1", "c1", "summary of it all", isCompactSummary=True),
            user("u4", "s1", "after the compaction"),
            assistant("a4", "u4", "fine", message_id="m4"),
        ]
    )
    branches = session_branches(path, index_transcript(path))
    assert [(b.leaf_uuid, b.parent, b.branch_point, b.first_prompt) for b in branches] == [
        ("a4", None, None, "start"),
        ("a2", 0, "a1", "the old way"),
    ]


def test_one_branch_and_an_empty_file(write_transcript):
    path = write_transcript([user("u1", None, "only"), assistant("a1", "u1", message_id="m1")])
    (only,) = session_branches(path, index_transcript(path))
    assert only.main and only.leaf_uuid == "a1" and only.messages == 2
    empty = write_transcript(
        [{"type": "summary", "summary": "nothing"}],
        session_id="99999999-2222-4333-8444-555555555555",
    )
    assert session_branches(empty, index_transcript(empty)) == []


def meta(session_id: str, forked_from: str | None = None, created: int = 0) -> SessionMeta:
    return SessionMeta(session_id, session_id, created, forked_from=forked_from, created_at=created)


def test_the_family_of_forks_from_the_oldest_ancestor():
    sessions = [
        meta("root", created=1),
        meta("fork-b", "root", created=3),
        meta("fork-a", "root", created=2),
        meta("fork-of-a", "fork-a", created=4),
        meta("stranger", created=5),
        meta("orphan", "gone", created=6),  # its source is not listed: it is its own root
    ]
    tree = fork_tree(sessions, "fork-of-a")
    assert tree is not None and tree.meta.session_id == "root"
    assert [node.meta.session_id for node in tree.walk()] == [
        "root",
        "fork-a",
        "fork-of-a",
        "fork-b",
    ]
    assert [node.meta.session_id for node in fork_tree(sessions, "orphan").walk()] == ["orphan"]
    assert fork_tree(sessions, "unknown") is None


def test_a_loop_of_forks_ends():
    sessions = [meta("a", "b"), meta("b", "a"), meta("c", "c")]
    assert {node.meta.session_id for node in fork_tree(sessions, "a").walk()} == {"a", "b"}
    assert [node.meta.session_id for node in fork_tree(sessions, "c").walk()] == ["c"]


def test_branches_of_the_real_corpus(shared_corpus: Path):
    """Every session of the corpus: the main branch is the SDK's conversation, each branch's
    count is what opening it shows, and each hangs off a branch listed before it, at a
    message of both."""
    with_branches = 0
    for path in sorted((shared_corpus / "projects").rglob("*.jsonl")):
        if "subagents" in path.parts:
            continue
        index = index_transcript(path)
        branches = session_branches(path, index)
        conversation = build_conversation(index)
        if not conversation.messages:
            assert branches == []
            continue
        assert branches[0].main and branches[0].leaf_uuid == conversation.messages[-1].uuid
        assert len({b.leaf_uuid for b in branches}) == len(branches)
        for number, branch in enumerate(branches):
            shown = [e.uuid for e in build_conversation(index, branch.leaf_uuid).messages]
            assert branch.messages == len(shown) and shown[-1] == branch.leaf_uuid
            if branch.parent is not None:
                assert branch.parent < number
        with_branches += len(branches) > 1
    assert with_branches > 0
