"""A stored session's list fields, worked out as the local reader works them out of a file.

The local list reads each transcript's first and last 64 KiB (the SDK's lite read, ported in
``transcripts.sessions``). A store keeps each entry's text byte for byte, so the same bytes can
be put together from its first and last rows, and the very same parse gives the very same
title, first prompt, branch, tag and created time as the file did locally. (The SDK's own
``list_sessions_from_store`` folds entries instead, and differs from its disk reading for
some real sessions.)
"""

from __future__ import annotations

from ..transcripts.meta import SessionMeta
from ..transcripts.sessions import LITE_READ_BUF_SIZE, Lite, parse_lite

META_FIELDS = (
    "summary",
    "custom_title",
    "first_prompt",
    "git_branch",
    "cwd",
    "tag",
    "created_at",
)
"""What the ``meta`` column keeps of :class:`SessionMeta` (the rest is the row's own)."""


def head_bytes(texts: list[str]) -> bytes:
    """The first 64 KiB of the JSONL the first entries ``texts`` make."""
    return b"".join(text.encode() + b"\n" for text in texts)[:LITE_READ_BUF_SIZE]


def tail_bytes(texts_newest_first: list[str]) -> bytes:
    """The last 64 KiB of the JSONL the last entries make (given newest first)."""
    data = b"".join(text.encode() + b"\n" for text in reversed(texts_newest_first))
    return data[-LITE_READ_BUF_SIZE:]


def lite_fields(session_id: str, size: int, head: bytes, tail: bytes) -> dict | None:
    """The list fields of a transcript of ``size`` bytes with that head and tail, as the
    local list gives them; ``None`` for a sidechain transcript. A session without title,
    summary or prompt in those windows gets ``summary=""``."""
    if size <= LITE_READ_BUF_SIZE:
        tail = head  # the same object: the parse looks at one window then
    meta = parse_lite(session_id, Lite(0, size, head, tail), None, keep_unsummarized=True)
    if meta is None:
        return None
    return {name: getattr(meta, name) for name in META_FIELDS}


def meta_from_row(row: tuple) -> tuple[SessionMeta, int | None]:
    """A stored session as the session list shows it, from ``PostgresSessionStore.list_all``'s
    row (session id, project key, last modified, size, the :data:`META_FIELDS` in order, message
    count, fork parent, root uuid, size counted at); with the size its counts were taken at."""
    (
        session_id,
        project_key,
        mtime,
        size,
        summary,
        custom_title,
        first_prompt,
        git_branch,
        cwd,
        tag,
        created_at,
        message_count,
        forked_from,
        root_uuid,
        counted_size,
    ) = row
    meta = SessionMeta(
        session_id=session_id,
        summary=summary or "",
        last_modified=mtime,
        file_size=size,
        custom_title=custom_title,
        first_prompt=first_prompt,
        git_branch=git_branch,
        cwd=cwd,
        tag=tag,
        created_at=created_at,
        message_count=message_count or 0,
        forked_from=forked_from,
        root_uuid=root_uuid,
        project=project_key,
    )
    return meta, counted_size
