"""A session as the list shows it: the SDK's ``SDKSessionInfo`` fields and our own, and the
title it is called by everywhere.

Apart from ``transcripts.model`` (the entries, which need msgspec): a listing from the index
imports only this.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import inert, json_line

__all__ = ["JSON_FIELDS", "UNTITLED", "SessionMeta", "as_json", "session_title"]


@dataclass(slots=True)
class SessionMeta:
    """What the session list needs: the SDK's ``SDKSessionInfo`` fields, plus our own."""

    session_id: str
    summary: str
    last_modified: int
    """Milliseconds since the epoch (the file's mtime), as the SDK gives it."""
    file_size: int | None = None
    custom_title: str | None = None
    first_prompt: str | None = None
    git_branch: str | None = None
    cwd: str | None = None
    tag: str | None = None
    created_at: int | None = None
    message_count: int | None = None
    """Visible messages (user and assistant) in the conversation; ``None`` until counted (the
    SDK's head and tail read does not count them: the index does)."""
    forked_from: str | None = None
    """Session id this one was forked from: ``forkedFrom.sessionId`` (the SDK's forks), or, for
    forks the CLI made (``resume`` + ``fork_session``, which copy entries with their UUIDs and
    no ``forkedFrom``), the older session it shares the longest run of messages with
    (``sessions.infer_forks``)."""
    root_uuid: str | None = None
    """UUID of the first visible message: sessions the CLI forked share it with their parent."""
    listed_by_sdk: bool = True
    """False for a session the SDK's ``list_sessions`` leaves out for having no title, summary or
    prompt in its first and last 64 KiB, though it has messages (we list it all the same)."""
    path: str = ""
    """The transcript file."""
    project: str = ""
    """The project folder's name under ``projects/`` (the slugged working directory)."""


UNTITLED = "(no prompt yet)"
"""What :func:`session_title` says of a session with no title, summary or prompt."""


def session_title(meta: SessionMeta) -> str:
    """What a session is called wherever it is named: its custom title, else its summary, else
    its first prompt, on one line and inert; :data:`UNTITLED` when it has none of them."""
    for candidate in (meta.custom_title, meta.summary, meta.first_prompt):
        if candidate and candidate.strip():
            return inert(" ".join(candidate.split()))
    return UNTITLED


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
"""What ``sessionscope list --json`` gives of a session: the SDK's ``SDKSessionInfo`` field
names, then ours."""


def as_json(meta: SessionMeta) -> str:
    """One session as one line of terminal-safe JSON (no newline)."""
    return json_line({name: getattr(meta, name) for name in JSON_FIELDS})
