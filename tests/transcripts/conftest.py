"""Fixtures for the transcripts layer: small transcript files written line by line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

SESSION_ID = "11111111-2222-4333-8444-555555555555"


def entry(kind: str, uuid: str, parent: str | None, **fields) -> dict:
    """A transcript entry as the CLI writes it (enough fields for chain building)."""
    data = {
        "type": kind,
        "uuid": uuid,
        "parentUuid": parent,
        "sessionId": SESSION_ID,
        "timestamp": fields.pop("timestamp", "2026-01-01T00:00:00.000Z"),
        "cwd": "/work/project",
    }
    data.update(fields)
    return data


def user(uuid: str, parent: str | None, text: str = "hello", **fields) -> dict:
    return entry("user", uuid, parent, message={"role": "user", "content": text}, **fields)


def assistant(uuid: str, parent: str | None, text: str = "hi", message_id: str = "msg_1", **fields):
    content = fields.pop("content", [{"type": "text", "text": text}])
    return entry(
        "assistant",
        uuid,
        parent,
        message={"id": message_id, "role": "assistant", "content": content},
        **fields,
    )


def dumps(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@pytest.fixture
def write_transcript(isolated_user_dirs: Path) -> Callable[..., Path]:
    """Write lines (dicts or raw bytes) as a session file in the test's config dir."""

    def write(lines, *, session_id: str = SESSION_ID, project: str = "-work-project", end=b"\n"):
        folder = isolated_user_dirs / "projects" / project
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{session_id}.jsonl"
        chunks = [line if isinstance(line, bytes) else dumps(line) for line in lines]
        path.write_bytes(b"\n".join(chunks) + (end if chunks else b""))
        return path

    return write
