"""Small hand-written transcripts in the CLI's shape, for export, replay and rename/tag/delete."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLE_ID = "5e55a0e1-0000-4000-8000-000000000001"
HOSTILE_ID = "5e55a0e1-0000-4000-8000-000000000002"
PROJECT = "-home-ada-parser"
CWD = "/home/ada/parser"


def _uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def _base(session_id: str, n: int, parent: int | None, timestamp: str) -> dict:
    return {
        "parentUuid": _uuid(parent) if parent else None,
        "isSidechain": False,
        "userType": "external",
        "cwd": CWD,
        "sessionId": session_id,
        "version": "2.1.30",
        "gitBranch": "main",
        "uuid": _uuid(n),
        "timestamp": timestamp,
    }


def user(session_id, n, parent, timestamp, content, **extra) -> dict:
    return {
        **_base(session_id, n, parent, timestamp),
        "type": "user",
        "message": {"role": "user", "content": content},
        **extra,
    }


def assistant(session_id, n, parent, timestamp, message_id, block) -> dict:
    return {
        **_base(session_id, n, parent, timestamp),
        "type": "assistant",
        "requestId": f"req_{message_id}",
        "message": {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5",
            "content": [block],
            "stop_reason": None,
            "usage": {"input_tokens": 10, "output_tokens": 20},
        },
    }


def sample_entries(session_id: str = SAMPLE_ID) -> list[dict]:
    """A short session: thinking, text, a tool call and its result, a 14-minute pause."""
    s = session_id
    return [
        user(s, 1, None, "2026-03-01T10:00:00.000Z", "Why does the parser fail on empty lines?"),
        assistant(
            s,
            2,
            1,
            "2026-03-01T10:00:02.000Z",
            "msg_01",
            {
                "type": "thinking",
                "thinking": "Probably split() on an empty string.",
                "signature": "sig",
            },
        ),
        assistant(
            s,
            3,
            2,
            "2026-03-01T10:00:03.000Z",
            "msg_01",
            {"type": "text", "text": "Let me read the parser first."},
        ),
        assistant(
            s,
            4,
            3,
            "2026-03-01T10:00:03.500Z",
            "msg_01",
            {
                "type": "tool_use",
                "id": "toolu_01",
                "name": "Read",
                "input": {"file_path": "/home/ada/parser/parse.py"},
            },
        ),
        user(
            s,
            5,
            4,
            "2026-03-01T10:00:04.000Z",
            [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_01",
                    "content": "def parse(line):\n    return line.split(',')[1]\n",
                }
            ],
            toolUseResult={"type": "text"},
            sourceToolAssistantUUID=_uuid(4),
        ),
        assistant(
            s,
            6,
            5,
            "2026-03-01T10:00:09.000Z",
            "msg_02",
            {
                "type": "text",
                "text": "`parse` indexes `[1]` without checking the line is empty.\n\nGuard it with `if not line: return None`.",
            },
        ),
        user(s, 7, 6, "2026-03-01T10:14:30.000Z", "Thanks. Now add a test."),
        assistant(
            s,
            8,
            7,
            "2026-03-01T10:14:33.000Z",
            "msg_03",
            {"type": "text", "text": "Added `test_empty_line` to tests/test_parse.py."},
        ),
    ]


def hostile_entries(session_id: str = HOSTILE_ID) -> list[dict]:
    """Markup, scripts and terminal escape sequences where a transcript carries text."""
    s = session_id
    return [
        user(
            s,
            1,
            None,
            "2026-03-02T09:00:00.000Z",
            "<script>alert('x')</script> \x1b[2J\x1b]52;c;ZXZpbA==\x07 & <b>bold</b> \x1b[31mred\x1b[0m",
        ),
        assistant(
            s,
            2,
            1,
            "2026-03-02T09:00:01.000Z",
            "msg_h1",
            {
                "type": "tool_use",
                "id": "toolu_h1",
                "name": "Bash",
                "input": {"command": "echo '<img src=x onerror=alert(1)>'\x1b]0;title\x07"},
            },
        ),
        user(
            s,
            3,
            2,
            "2026-03-02T09:00:02.000Z",
            [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_h1",
                    "is_error": True,
                    "content": [
                        {
                            "type": "text",
                            "text": "</pre><script>document.title='pwned'</script>\x9b31m\x00",
                        }
                    ],
                }
            ],
        ),
        assistant(
            s,
            4,
            3,
            "2026-03-02T09:00:03.000Z",
            "msg_h2",
            {"type": "text", "text": 'Done: <iframe src="javascript:alert(1)"></iframe>\r\x08\x08'},
        ),
    ]


def write_session(config_dir: Path, entries: list[dict], project: str = PROJECT) -> Path:
    folder = config_dir / "projects" / project
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{entries[0]['sessionId']}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for entry in entries:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return path


SUBAGENT_PARENT_ID = "5e55a0e1-0000-4000-8000-000000000003"


def subagent_session(config_dir: Path) -> Path:
    """A session whose Task call ran a subagent (current layout: ``<id>/subagents/``)."""
    s = SUBAGENT_PARENT_ID
    main = [
        user(s, 1, None, "2026-03-03T10:00:00.000Z", "Find where empty lines are parsed."),
        assistant(
            s,
            2,
            1,
            "2026-03-03T10:00:03.000Z",
            "msg_s1",
            {
                "type": "tool_use",
                "id": "toolu_t1",
                "name": "Task",
                "input": {
                    "description": "search files",
                    "prompt": "grep for parse(",
                    "subagent_type": "Explore",
                },
            },
        ),
        user(
            s,
            3,
            2,
            "2026-03-03T10:00:08.000Z",
            [{"type": "tool_result", "tool_use_id": "toolu_t1", "content": "parse.py:1"}],
        ),
        assistant(
            s,
            4,
            3,
            "2026-03-03T10:00:09.000Z",
            "msg_s2",
            {"type": "text", "text": "It is in parse.py."},
        ),
    ]
    path = write_session(config_dir, main)
    agent = []
    for n, (stamp, entry) in enumerate(
        [
            ("2026-03-03T10:00:04.000Z", ("user", "grep for parse(")),
            (
                "2026-03-03T10:00:05.000Z",
                (
                    "assistant",
                    {
                        "type": "tool_use",
                        "id": "toolu_g1",
                        "name": "Grep",
                        "input": {"pattern": "parse("},
                    },
                ),
            ),
            (
                "2026-03-03T10:00:06.000Z",
                (
                    "user",
                    [{"type": "tool_result", "tool_use_id": "toolu_g1", "content": "parse.py:1"}],
                ),
            ),
            (
                "2026-03-03T10:00:07.000Z",
                ("assistant", {"type": "text", "text": "Found it in parse.py."}),
            ),
        ],
        start=101,
    ):
        kind, body = entry
        if kind == "user":
            record = user(s, n, n - 1 if n > 101 else None, stamp, body)
        else:
            record = assistant(s, n, n - 1, stamp, f"msg_a{n}", body)
        record.update(isSidechain=True, agentId="a1b2")
        agent.append(record)
    folder = path.parent / s / "subagents"
    folder.mkdir(parents=True)
    (folder / "agent-a1b2.jsonl").write_text(
        "".join(json.dumps(entry) + "\n" for entry in agent), encoding="utf-8"
    )
    (folder / "agent-a1b2.meta.json").write_text(
        json.dumps({"toolUseId": "toolu_t1", "description": "search files"})
    )
    return path
