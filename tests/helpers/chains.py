"""User and assistant entries with fresh UUIDs, chained in order, for tests of the index and the
commands that read it (``line`` writes one as a JSONL line)."""

from __future__ import annotations

import json
import uuid as uuids

SESSION = "11111111-1111-4111-8111-111111111111"
OTHER = "22222222-2222-4222-8222-222222222222"


def user(text, *, uid=None, parent=None, ts="2026-01-02T10:00:00.000Z", session=SESSION, **more):
    return {
        "type": "user",
        "uuid": uid or str(uuids.uuid4()),
        "parentUuid": parent,
        "sessionId": session,
        "timestamp": ts,
        "cwd": "/work/app",
        "gitBranch": "main",
        "message": {"role": "user", "content": text},
        **more,
    }


def assistant(blocks, *, uid=None, parent=None, ts="2026-01-02T10:00:01.000Z", session=SESSION):
    if isinstance(blocks, str):
        blocks = [{"type": "text", "text": blocks}]
    return {
        "type": "assistant",
        "uuid": uid or str(uuids.uuid4()),
        "parentUuid": parent,
        "sessionId": session,
        "timestamp": ts,
        "message": {"id": "msg_" + uuids.uuid4().hex, "role": "assistant", "content": blocks},
    }


def chain(*entries: dict) -> list[dict]:
    """The entries, each the parent of the next."""
    for before, after in zip(entries, entries[1:], strict=False):
        after["parentUuid"] = before["uuid"]
    return list(entries)


def line(entry: dict) -> bytes:
    return json.dumps(entry, separators=(",", ":")).encode() + b"\n"
