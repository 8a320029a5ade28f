"""Differential fuzzing: random transcripts (branches, parallel tool calls, sidechains, bad
lines...) read by the SDK and by us must give the same messages and the same list fields."""

from __future__ import annotations

import json
import os
import random

import pytest

from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.reader import index_transcript
from sessionscope.transcripts.sessions import read_session_meta
from tests.helpers.sdkparity import SDK_FIELDS

SEEDS = range(400)

_KINDS = ["user"] * 6 + ["assistant"] * 6 + ["progress", "system", "attachment"]
_OTHER = ["summary", "custom-title", "tag", "last-prompt", "file-history-snapshot", "mode"]


def _session_id(seed: int) -> str:
    return f"{seed:08x}-0000-4000-8000-{seed:012x}"


def random_transcript(rng: random.Random, session_id: str) -> bytes:
    """One transcript file's bytes, built to hit the corners of the SDK's chain building."""
    uuids: list[str] = []
    calls: list[tuple[str, str]] = []  # (tool_use id, assistant uuid)
    lines: list[bytes] = []
    message_id = "msg_0"
    for number in range(rng.randint(0, 40)):
        roll = rng.random()
        if roll < 0.06:
            lines.append(
                rng.choice(
                    [
                        b"not json",
                        b'{"type":"user","uuid":"x"}{"type":"user"}',
                        b'{"type":"user",\x00}',
                        b"[" * 3000 + b"]" * 3000,
                        b"",
                        b"   ",
                        b"[1,2]",
                        b'{"type":"user","uuid":"nan-%d","parentUuid":null,"x":NaN,"message":{"role":"user","content":"nan"}}'
                        % number,
                        '\x1c{"type":"user","uuid":"ws-%d","message":{"content":"padded"}}\u2003'.encode()
                        % number,
                    ]
                )
            )
            continue
        if roll < 0.12:
            kind = rng.choice(_OTHER)
            lines.append(
                json.dumps(
                    {"type": kind, "sessionId": session_id, "summary": "s", "leafUuid": "x"}
                ).encode()
            )
            continue
        kind = rng.choice(_KINDS)
        uuid = rng.choice(uuids) if uuids and rng.random() < 0.05 else f"u{number}"
        if uuids and rng.random() < 0.85:
            parent = uuids[-1] if rng.random() < 0.7 else rng.choice(uuids)
        else:
            parent = rng.choice([None, None, "missing", f"u{number + 3}", ""])
        entry: dict = {
            "type": kind,
            "uuid": uuid,
            "parentUuid": parent,
            "sessionId": session_id,
        }
        if rng.random() < 0.9:
            entry["timestamp"] = f"2026-01-01T00:00:{rng.randint(0, 59):02d}.000Z"
        if rng.random() < 0.08:
            entry["isSidechain"] = True
        if rng.random() < 0.06:
            entry["isMeta"] = True
        if rng.random() < 0.04:
            entry["teamName"] = "team"
        if rng.random() < 0.1:
            entry["agentId"] = rng.choice(["a1", "a2"])
        if kind == "assistant":
            if rng.random() < 0.5:
                message_id = f"msg_{number}"
            blocks = []
            if rng.random() < 0.5:
                call = f"toolu_{number}" if rng.random() < 0.9 else "toolu_dup"
                blocks.append({"type": "tool_use", "id": call, "name": "Bash", "input": {}})
                calls.append((call, uuid))
            else:
                blocks.append({"type": "text", "text": "said"})
            message = {"role": "assistant", "content": blocks}
            if rng.random() < 0.95:
                message["id"] = message_id
            entry["message"] = message
        elif kind == "user":
            if calls and rng.random() < 0.5:
                call, owner = rng.choice(calls)
                entry["message"] = {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": call, "content": "ok"}],
                }
                if rng.random() < 0.5:
                    entry["parentUuid"] = owner
                if rng.random() < 0.3:
                    entry["sourceToolAssistantUUID"] = rng.choice([owner, *uuids[-3:]])
            else:
                entry["message"] = {"role": "user", "content": rng.choice(["hi", "a\ud800b"])}
        elif kind == "system" and rng.random() < 0.5:
            entry["subtype"] = "compact_boundary"
            entry["logicalParentUuid"] = entry["parentUuid"]
            entry["parentUuid"] = None
        uuids.append(uuid)
        raw = json.dumps(entry).encode("utf-8", "surrogatepass")
        if b"\\ud800" not in raw and rng.random() < 0.03:
            raw = raw.replace(b'"sessionId"', b'\r"sessionId"', 1)  # a lone CR splits the line
        lines.append(raw)
    data = b"\n".join(lines)
    if lines and rng.random() < 0.7:
        data += b"\n"
    if rng.random() < 0.1:
        data += b'{"type":"assistant","uuid":"torn'
    return data


@pytest.fixture(scope="module")
def fuzz_tree(tmp_path_factory):
    config_dir = tmp_path_factory.mktemp("fuzz") / "claude"
    folder = config_dir / "projects" / "-fuzz"
    folder.mkdir(parents=True)
    for seed in SEEDS:
        rng = random.Random(seed)
        (folder / f"{_session_id(seed)}.jsonl").write_bytes(
            random_transcript(rng, _session_id(seed))
        )
    return config_dir


def test_random_transcripts_give_the_sdk_messages(fuzz_tree, monkeypatch):
    from claude_agent_sdk import get_session_messages

    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(fuzz_tree))
    folder = fuzz_tree / "projects" / "-fuzz"
    differences, messages, branched = [], 0, 0
    for seed in SEEDS:
        session_id = _session_id(seed)
        path = folder / f"{session_id}.jsonl"
        conversation = build_conversation(index_transcript(path))
        try:
            expected = [m.uuid for m in get_session_messages(session_id)]
        except RecursionError:
            # The SDK's json.loads gives up on a deeply nested line; we skip that line only.
            index = index_transcript(path)
            assert any(e.error for e in index.entries) or index.torn_tail
            continue
        ours = [entry.uuid for entry in conversation.messages]
        messages += len(expected)
        branched += bool(conversation.other_leaves)
        if ours != expected:
            differences.append(f"seed {seed}: ours {ours} SDK {expected}")
    assert differences == []
    assert messages > 1000 and branched > 20


def test_random_transcripts_give_the_sdk_list_fields(fuzz_tree, monkeypatch):
    from claude_agent_sdk import get_session_info

    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(fuzz_tree))
    folder = fuzz_tree / "projects" / "-fuzz"
    listed = 0
    for seed in SEEDS:
        session_id = _session_id(seed)
        info = get_session_info(session_id)
        meta = read_session_meta(folder / f"{session_id}.jsonl")
        if info is None:
            assert meta is None or not meta.listed_by_sdk, seed
            continue
        listed += 1
        assert meta is not None and meta.listed_by_sdk, seed
        assert {n: getattr(meta, n) for n in SDK_FIELDS} == {
            n: getattr(info, n) for n in SDK_FIELDS
        }, seed
    assert listed > 200
    assert os.environ["CLAUDE_CONFIG_DIR"] == str(fuzz_tree)


def _answer(conversation) -> tuple:
    return (
        [entry.uuid for entry in conversation.messages],
        conversation.leaf_uuid,
        conversation.other_leaves,
        [entry.uuid for entry in conversation.compact_boundaries],
        [entry.uuid for entry in conversation.chain],
    )


def test_conversations_of_one_index_share_its_work_and_give_the_same_answers(fuzz_tree):
    """Every leaf built from one index (whose shared graph is then kept on the index) gives
    what a fresh index of the same file gives: the cached work never depends on the leaf."""
    folder = fuzz_tree / "projects" / "-fuzz"
    leaves_tried = 0
    for seed in SEEDS:
        path = folder / f"{_session_id(seed)}.jsonl"
        shared = index_transcript(path)
        main = build_conversation(shared)
        graph = shared.graph
        leaves = [*main.other_leaves, *(b.logical_parent_uuid for b in main.compact_boundaries)]
        leaves += (
            [entry.uuid for entry in random.Random(seed).sample(shared.entries, 3)]
            if (len(shared.entries) >= 3)
            else []
        )
        for leaf in [None, *leaves, "no-such-uuid"]:
            fresh = build_conversation(index_transcript(path), leaf_uuid=leaf)
            assert _answer(build_conversation(shared, leaf_uuid=leaf)) == _answer(fresh), (
                f"seed {seed}, leaf {leaf}"
            )
            leaves_tried += 1
        assert shared.graph is graph  # built once, reused for every leaf
    assert leaves_tried > 4 * len(SEEDS)


def test_random_transcripts_grown_a_piece_at_a_time_answer_as_whole_reads(fuzz_tree, tmp_path):
    """Every random transcript read again at each of its lengths from the read before (the
    conversation going on from the one before where it can) answers as a whole read."""
    from tests.transcripts.test_conversation import _grow_and_compare

    folder = fuzz_tree / "projects" / "-fuzz"
    extended = went_on = 0
    for seed in SEEDS:
        counts = _grow_and_compare(folder / f"{_session_id(seed)}.jsonl", tmp_path, steps=8)
        extended += counts[0]
        went_on += counts[1]
    assert extended > len(SEEDS) and went_on > len(SEEDS) // 2
