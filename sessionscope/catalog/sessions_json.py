"""Sessions as ``sessionscope list --json`` prints them: one JSON object a line, with the SDK's
``SDKSessionInfo`` field names, then ours. The catalog stores these lines with a listing, so a
warm ``list --json`` writes them as they are."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

from ..transcripts.text import json_line

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..transcripts.model import SessionMeta

JSON_FIELDS = (
    "session_id",
    "summary",
    "last_modified",
    "file_size",
    "custom_title",
    "first_prompt",
    "git_branch",
    "cwd",
    "tag",
    "created_at",
    "message_count",
    "forked_from",
)
"""The SDK's ``SDKSessionInfo`` field names, then ours."""

_json_values = attrgetter(*JSON_FIELDS)


def session_json(meta: SessionMeta) -> str:
    """One session as one line of terminal-safe JSON (no newline)."""
    return json_line(dict(zip(JSON_FIELDS, _json_values(meta), strict=True)))


def sessions_json(metas: Iterable[SessionMeta]) -> str:
    """Sessions as JSON lines, each ending in a newline."""
    return "".join([session_json(meta) + "\n" for meta in metas])
