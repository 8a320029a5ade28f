"""Subagent transcripts in all three layouts; the SDK's layout compared with the SDK."""

from __future__ import annotations

import json

from sessionscope.transcripts.subagents import list_subagents, subagent_messages
from tests.helpers.entries import SESSION_ID, assistant, dumps, user
from tests.helpers.sdkparity import compare_subagents


def _write(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(dumps(line) + b"\n" for line in lines))


def _agent_lines(agent_id: str, prefix: str):
    side = {"isSidechain": True, "agentId": agent_id}
    return [
        user(f"{prefix}u1", None, "do the search", **side),
        assistant(f"{prefix}a1", f"{prefix}u1", "searching", message_id=f"m{prefix}1", **side),
        {"type": "progress", "uuid": f"{prefix}p1", "parentUuid": f"{prefix}a1"},
        user(f"{prefix}u2", f"{prefix}p1", "meta note", isMeta=True, **side),
        assistant(f"{prefix}a2", f"{prefix}u2", "found it", message_id=f"m{prefix}2", **side),
    ]


def test_three_layouts_and_sdk_parity(write_transcript, isolated_user_dirs, monkeypatch):
    session = write_transcript(
        [
            user("u1", None, "start"),
            assistant("a1", "u1", "delegating"),
            user("s1", "a1", "inline task", isSidechain=True, agentId="inl"),
            assistant("s2", "s1", "inline done", isSidechain=True, agentId="inl", message_id="ms"),
        ]
    )
    folder = session.parent
    base = folder / SESSION_ID / "subagents"
    _write(base / "agent-abc.jsonl", _agent_lines("abc", "x"))
    (base / "agent-abc.meta.json").write_text(
        json.dumps({"toolUseId": "toolu_1", "description": "search", "agentType": "Explore"})
    )
    _write(base / "workflows" / "run1" / "agent-def.jsonl", _agent_lines("def", "y"))
    (base / "workflows" / "run1" / "agent-def.meta.json").write_text("{broken")
    _write(folder / "agent-old.jsonl", _agent_lines("old", "z"))
    other = [dict(line, sessionId="someone-else") for line in _agent_lines("foreign", "w")]
    _write(folder / "agent-foreign.jsonl", other)

    found = list_subagents(session)
    assert [(s.agent_id, s.layout) for s in found] == [
        ("abc", "subagents"),
        ("def", "subagents"),
        ("old", "beside"),
        ("inl", "inline"),
    ]
    abc = found[0]
    assert (abc.parent_tool_use_id, abc.description) == ("toolu_1", "search")
    assert found[1].parent_tool_use_id is None
    assert [e.uuid for e in subagent_messages(abc)] == ["xu1", "xa1", "xu2", "xa2"]
    assert [e.uuid for e in subagent_messages(found[2])] == ["zu1", "za1", "zu2", "za2"]
    assert [e.uuid for e in subagent_messages(found[3])] == ["s1", "s2"]

    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(isolated_user_dirs))
    count, messages, differences = compare_subagents(isolated_user_dirs)
    assert (count, messages, differences) == (2, 8, [])
