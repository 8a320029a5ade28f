"""Small transcripts of a precise shape for the TUI tests and snapshots.

Shaped like the CLI's files (split API responses sharing ``message.id``, tool results as user
entries, parallel tool calls, thinking, an image, a compaction, a system note, a rewind, a Task
subagent, a fork, a bad line, a torn tail, escape sequences). Times are fixed; ``write_gallery``
sets every file's mtime from ``NOW`` so ages are stable.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
"""The tests' fixed clock."""
PROJECT = "-home-ada-src-orbit"
NOTES_PROJECT = "-home-ada-notes"
CWD = "/home/ada/src/orbit"

GALLERY = "11111111-1111-4111-8111-111111111111"
RELEASE = "22222222-2222-4222-8222-222222222222"
FORK = "33333333-3333-4333-8333-333333333333"
NOTES = "44444444-4444-4444-8444-444444444444"
AGENT_ID = "a5b6c7d8e9"


def u(n: int) -> str:
    """A readable, valid UUID for message ``n``."""
    return f"00000000-0000-4000-8000-{n:012d}"


def _time(minutes: float) -> str:
    moment = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _base(session: str, uuid: str, parent: str | None, minutes: float, **extra) -> dict:
    entry = {
        "parentUuid": parent,
        "isSidechain": False,
        "userType": "external",
        "cwd": CWD,
        "sessionId": session,
        "version": "2.1.332",
        "gitBranch": "main",
        "uuid": uuid,
        "timestamp": _time(minutes),
    }
    entry.update(extra)
    return entry


def user(session, uuid, parent, minutes, content, **extra) -> dict:
    entry = _base(session, uuid, parent, minutes, **extra)
    entry.update(type="user", message={"role": "user", "content": content})
    return entry


def assistant(session, uuid, parent, minutes, message_id, block, **extra) -> dict:
    entry = _base(session, uuid, parent, minutes, **extra)
    entry.update(
        type="assistant",
        requestId=f"req_{message_id}",
        message={
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5",
            "content": [block],
            "stop_reason": None,
            "usage": {"input_tokens": 10, "output_tokens": 20},
        },
    )
    return entry


def result(session, uuid, parent, minutes, tool_use_id, content, is_error=False, **extra):
    block = {"type": "tool_result", "tool_use_id": tool_use_id, "content": content}
    if is_error:
        block["is_error"] = True
    return user(session, uuid, parent, minutes, [block], **extra)


CI_LOG = "\n".join(
    [
        "name: ci",
        "on: [push]",
        "jobs:",
        "  test:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - run: orbit sync --timeout 5",
        "      - run: \x1b[31mpytest -q\x1b[0m",
        "      - run: orbit report",
        "env:",
        "  ORBIT_REMOTE: https://example.invalid",
    ]
)

ANSWER = """The sync step times out because **`--timeout 5`** is shorter than the remote's
first handshake on a cold runner.

1. Raise the timeout to `30` in `ci.yml`.
2. Retry the handshake once in `sync.py`:

```python
def connect(remote, timeout=30):
    return Session(remote).open(timeout=timeout)
```

That keeps local runs fast and makes CI reliable."""


def gallery_entries() -> list[dict]:
    s = GALLERY
    return [
        {"type": "queue-operation", "operation": "enqueue", "sessionId": s, "timestamp": _time(0)},
        user(
            s,
            u(1),
            None,
            0,
            "Why does `orbit sync` fail on CI?\nThe log says \x1b[2J\x1b]0;pwned\x07 timeout.",
        ),
        assistant(
            s,
            u(2),
            u(1),
            0.2,
            "msg_01",
            {
                "type": "thinking",
                "thinking": "The user asks about CI.\nI should read the workflow first.\n"
                "Then the sync module.",
                "signature": "sig",
            },
        ),
        assistant(
            s,
            u(3),
            u(2),
            0.3,
            "msg_01",
            {"type": "text", "text": "Let me look at the workflow."},
        ),
        assistant(
            s,
            u(4),
            u(3),
            0.4,
            "msg_01",
            {
                "type": "tool_use",
                "id": "toolu_01",
                "name": "Bash",
                "input": {"command": "cat .github/workflows/ci.yml", "description": "Show CI"},
            },
        ),
        result(s, u(5), u(4), 0.5, "toolu_01", CI_LOG, sourceToolAssistantUUID=u(4)),
        assistant(
            s,
            u(6),
            u(5),
            0.7,
            "msg_02",
            {
                "type": "tool_use",
                "id": "toolu_02",
                "name": "Read",
                "input": {"file_path": f"{CWD}/orbit/sync.py"},
            },
        ),
        assistant(
            s,
            u(7),
            u(6),
            0.7,
            "msg_02",
            {
                "type": "tool_use",
                "id": "toolu_03",
                "name": "Grep",
                "input": {"pattern": "handshake", "path": CWD},
            },
        ),
        result(
            s,
            u(8),
            u(7),
            0.8,
            "toolu_02",
            [{"type": "text", "text": "def connect(remote, timeout=5):\n    ..."}],
        ),
        result(s, u(9), u(8), 0.8, "toolu_03", "No matches found", is_error=True),
        assistant(s, u(10), u(9), 1.0, "msg_03", {"type": "text", "text": ANSWER}),
        # A rewind: the user went back to u(10)'s answer and asked something else first.
        user(s, u(18), u(10), 20, "Could we cache the handshake instead?"),
        assistant(
            s,
            u(19),
            u(18),
            20.5,
            "msg_06",
            {"type": "text", "text": "Caching would hide real outages; I would not."},
        ),
        {
            "type": "system",
            "subtype": "compact_boundary",
            "content": "Conversation compacted",
            "isMeta": False,
            "level": "info",
            "parentUuid": None,
            "logicalParentUuid": u(10),
            "sessionId": s,
            "cwd": CWD,
            "uuid": u(11),
            "timestamp": _time(30),
            "compactMetadata": {"trigger": "auto", "preTokens": 151234},
        },
        user(
            s,
            u(12),
            u(11),
            30.1,
            "This session is being continued from a previous conversation. Summary: the CI "
            "timeout was raised to 30 s.",
            isCompactSummary=True,
            isVisibleInTranscriptOnly=True,
        ),
        b"{this line is not JSON",
        user(
            s,
            u(13),
            u(12),
            31,
            [
                {"type": "text", "text": "Here is the flaky run:"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR" * 400},
                },
            ],
        ),
        {
            "type": "system",
            "subtype": "informational",
            "content": "PostToolUse hook: formatted 2 files",
            "isMeta": False,
            "level": "info",
            "parentUuid": u(13),
            "sessionId": s,
            "cwd": CWD,
            "uuid": u(14),
            "timestamp": _time(31.5),
        },
        assistant(
            s,
            u(15),
            u(14),
            32,
            "msg_04",
            {
                "type": "tool_use",
                "id": "toolu_04",
                "name": "Task",
                "input": {
                    "description": "Find flaky tests",
                    "prompt": "List tests that failed intermittently.",
                    "subagent_type": "Explore",
                },
            },
        ),
        result(
            s,
            u(16),
            u(15),
            34,
            "toolu_04",
            [{"type": "text", "text": "Two flaky tests: test_sync_retry, test_report."}],
            toolUseResult={"agentId": AGENT_ID, "status": "completed"},
        ),
        assistant(
            s,
            u(17),
            u(16),
            35,
            "msg_05",
            {"type": "text", "text": "Both flaky tests now retry the handshake. CI is green."},
        ),
    ]


def subagent_entries() -> list[dict]:
    s = GALLERY
    extra = {"isSidechain": True, "agentId": AGENT_ID}
    return [
        user(s, u(101), None, 32.1, "List tests that failed intermittently.", **extra),
        assistant(
            s,
            u(102),
            u(101),
            32.5,
            "msg_s1",
            {"type": "tool_use", "id": "toolu_s1", "name": "Grep", "input": {"pattern": "flaky"}},
            **extra,
        ),
        result(s, u(103), u(102), 33, "toolu_s1", "tests/test_sync.py:12: @flaky", **extra),
        assistant(
            s,
            u(104),
            u(103),
            33.5,
            "msg_s2",
            {"type": "text", "text": "Two flaky tests: test_sync_retry, test_report."},
            **extra,
        ),
    ]


def release_entries() -> list[dict]:
    s = RELEASE
    extra = {"gitBranch": "release/1.2"}
    return [
        user(s, u(201), None, 120, "Draft the release checklist for 1.2", **extra),
        assistant(
            s,
            u(202),
            u(201),
            121,
            "msg_r1",
            {"type": "text", "text": "- [ ] bump version\n- [ ] changelog\n- [ ] tag"},
            **extra,
        ),
        {"type": "custom-title", "customTitle": "Release checklist", "sessionId": s},
        {"type": "tag", "tag": "release", "sessionId": s},
    ]


def fork_entries() -> list[dict]:
    s = FORK
    fork = {"forkedFrom": {"sessionId": GALLERY, "messageUuid": u(10)}}
    return [
        user(s, u(301), None, 0, "Why does `orbit sync` fail on CI?", **fork),
        assistant(
            s,
            u(302),
            u(301),
            1,
            "msg_03",
            {"type": "text", "text": "It times out on a cold runner."},
            **fork,
        ),
        {"type": "custom-title", "customTitle": "CI timeout (fork)", "sessionId": s},
    ]


def notes_entries() -> list[dict]:
    s = NOTES
    extra = {"cwd": "/home/ada/notes"}
    return [
        user(s, u(401), None, -600, "Summarise yesterday's meeting notes", **extra),
        assistant(
            s,
            u(402),
            u(401),
            -599,
            "msg_n1",
            {"type": "text", "text": "Three decisions: ship 1.2, freeze the API, hire."},
            **extra,
        ),
    ]


def _write(path: Path, entries: list, *, torn: bytes = b"", age: timedelta) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        entry if isinstance(entry, bytes) else json.dumps(entry, ensure_ascii=False).encode()
        for entry in entries
    ]
    path.write_bytes(b"\n".join(lines) + b"\n" + torn)
    stamp = (NOW - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def write_gallery(config_dir: Path) -> Path:
    """Write the gallery under ``config_dir/projects``; returns ``config_dir``."""
    projects = Path(config_dir) / "projects"
    main = projects / PROJECT
    _write(
        main / f"{GALLERY}.jsonl",
        gallery_entries(),
        torn=b'{"type":"user","message":{"role":"us',
        age=timedelta(minutes=5),
    )
    sub = main / GALLERY / "subagents" / f"agent-{AGENT_ID}.jsonl"
    _write(sub, subagent_entries(), age=timedelta(minutes=40))
    sub.with_name(f"agent-{AGENT_ID}.meta.json").write_text(
        json.dumps({"toolUseId": "toolu_04", "description": "Find flaky tests"})
    )
    _write(main / f"{RELEASE}.jsonl", release_entries(), age=timedelta(hours=3))
    _write(main / f"{FORK}.jsonl", fork_entries(), age=timedelta(hours=1))
    _write(projects / NOTES_PROJECT / f"{NOTES}.jsonl", notes_entries(), age=timedelta(days=2))
    return Path(config_dir)


LONG = "66666666-6666-4666-8666-666666666666"
"""A session whose answers are taller than the pane (at 80×24 as at 200×60)."""


def long_answer_entries() -> list[dict]:
    s = LONG
    steps = "\n".join(
        f"{n}. Step {n}: check the `orbit` config, then run `orbit sync --dry-run` again."
        for n in range(1, 58)
    )
    return [
        user(s, u(501), None, 0, "How do I migrate the orbit config to v2?"),
        assistant(s, u(502), u(501), 1, "msg_l1", {"type": "text", "text": steps}),
        user(s, u(503), u(502), 2, "And the rollback?"),
        assistant(s, u(504), u(503), 3, "msg_l2", {"type": "text", "text": steps}),
    ]


def write_long_answers(config_dir: Path) -> Path:
    """A config folder holding one session of long answers; returns ``config_dir``."""
    projects = Path(config_dir) / "projects"
    _write(projects / PROJECT / f"{LONG}.jsonl", long_answer_entries(), age=timedelta(hours=1))
    return Path(config_dir)
