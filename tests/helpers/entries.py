"""Transcript entries as the CLI writes them (enough fields for chain building), for tests that
write small transcripts line by line."""

from __future__ import annotations

import json

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
