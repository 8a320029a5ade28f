"""What a message is made of, read one way: each block's kind, the Parts export and replay show,
show's plain text, the search index's words, a tool call on one line."""

from __future__ import annotations

import pytest

from sessionscope.transcripts.content import (
    IMAGE,
    OTHER,
    REDACTED_THINKING,
    TEXT,
    THINKING,
    TOOL_RESULT,
    TOOL_USE,
    block_kind,
    block_part,
    plain_text,
    searchable_text,
    tool_summary,
)


@pytest.mark.parametrize(
    ("block", "kind"),
    [
        ("a plain string", TEXT),
        ({"type": "text", "text": "hi"}, TEXT),
        ({"type": "thinking", "thinking": "hmm"}, THINKING),
        ({"type": "redacted_thinking", "data": "x"}, REDACTED_THINKING),
        ({"type": "tool_use", "name": "Bash"}, TOOL_USE),
        ({"type": "server_tool_use", "name": "web_search"}, TOOL_USE),
        ({"type": "mcp_tool_use", "name": "query"}, TOOL_USE),
        ({"type": "tool_result", "tool_use_id": "t1"}, TOOL_RESULT),
        ({"type": "web_search_tool_result", "tool_use_id": "t2"}, TOOL_RESULT),
        ({"type": "image", "source": {}}, IMAGE),
        ({"type": "document"}, OTHER),
        ({"no type": 1}, OTHER),
        (42, OTHER),
    ],
)
def test_block_kind(block, kind) -> None:
    assert block_kind(block) == kind


def test_a_tool_call_part_keeps_its_input() -> None:
    block = {"type": "tool_use", "id": "t1", "name": "Read", "input": {"file_path": "/a.py"}}
    part = block_part(block)
    assert (part.kind, part.name, part.tool_use_id) == (TOOL_USE, "Read", "t1")
    assert part.tool_input == {"file_path": "/a.py"}
    assert '"file_path": "/a.py"' in part.body


@pytest.mark.parametrize(
    ("name", "tool_input", "summary"),
    [
        ("Bash", {"command": "pytest -q\necho done", "timeout": 60}, "pytest -q"),
        ("Grep", {"pattern": "def main", "path": "src"}, "def main · src"),
        ("TodoWrite", {"todos": [{}, {}, {}]}, "3 todos"),
        ("mcp__db__query", {"limit": 5, "sql": "select 1"}, "5"),
        ("Anything", {"flag": True}, ""),
        ("Anything", "not a dict", ""),
    ],
)
def test_tool_summary_is_one_line(name, tool_input, summary) -> None:
    assert tool_summary(name, tool_input) == summary


def test_searchable_text_keeps_words_and_tool_names() -> None:
    entry = {
        "type": "assistant",
        "message": {
            "content": [
                {"type": "text", "text": "Let me look."},
                {
                    "type": "tool_use",
                    "id": "t1",
                    "name": "Grep",
                    "input": {"pattern": "parse_line"},
                },
            ]
        },
    }
    assert searchable_text(entry) == ("assistant", "Let me look.\nGrep\nparse_line", ["Grep"])
    result = {
        "type": "user",
        "message": {"content": [{"type": "tool_result", "tool_use_id": "t1", "content": "x"}]},
    }
    assert searchable_text(result) == ("tool", "x", [])


def test_plain_text_of_blocks():
    message = {
        "content": [
            {"type": "text", "text": "hi"},
            {"type": "thinking", "thinking": "hmm"},
            {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "ls"}},
            {
                "type": "tool_result",
                "tool_use_id": "t1",
                "content": [{"type": "text", "text": "a"}],
            },
            {"type": "mystery", "x": 1},
        ]
    }
    assert plain_text(message).split("\n") == [
        "hi",
        "[thinking] hmm",
        '[tool_use Bash t1] {"command": "ls"}',
        "[tool_result t1] a",
        '[mystery] {"type": "mystery", "x": 1}',
    ]
    assert plain_text({"content": "plain"}) == "plain"
    assert plain_text(None) == ""
