"""Sessions' list metadata, as the SDK's ``list_sessions`` reads it (``transcripts.files``
finds the files).

The metadata fields are a faithful port of the SDK's lite read (``_read_session_lite``,
``_parse_session_info_from_lite``, ``_extract_first_prompt_from_head`` and the JSON string field
scanners in ``claude_agent_sdk/_internal/sessions.py``): the first and last 64 KiB of the file,
scanned as text, never fully parsed. ``tests/transcripts`` compares them with the SDK field by
field. On top of those, :func:`read_session_meta` counts the visible messages (a full read of
the file) and reads ``forkedFrom``.

Which files are listed follows the SDK too: session files deduplicated by session id (newest
wins), minus sidechain transcripts (first line ``isSidechain: true``) and metadata-only files
(no title, summary or prompt). Nothing here raises because of one bad file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .files import open_regular, session_files, validate_session_id
from .meta import SessionMeta

if TYPE_CHECKING:
    from .model import Entry, TranscriptIndex

# The reading of whole transcripts (reader, conversation, content) is imported by the
# functions that count messages: a listing from the SDK's fields or the index needs none of it.

__all__ = [
    "infer_forks",
    "list_sessions",
    "order_sessions",
    "read_session_meta",
]

LITE_READ_BUF_SIZE = 65536
"""Bytes read from each end of a file for its list metadata (the SDK's constant)."""

_SKIP_FIRST_PROMPT_PATTERN = re.compile(
    r"^(?:<local-command-stdout>|<session-start-hook>|<tick>|<goal>|"
    r"\[Request interrupted by user[^\]]*\]|"
    r"\s*<ide_opened_file>[\s\S]*</ide_opened_file>\s*$|"
    r"\s*<ide_selection>[\s\S]*</ide_selection>\s*$)"
)

_COMMAND_NAME_RE = re.compile(r"<command-name>(.*?)</command-name>")

# --- the lite read (port of the SDK) -----------------------------------------------------------
#
# The SDK decodes the head and tail (UTF-8, invalid bytes replaced) and scans the text; we scan
# the bytes and decode only the values found, which gives the same strings: the markers searched
# for are ASCII, and the decoder never merges an ASCII byte into a replaced sequence, so every
# ASCII character sits at the same place in the text as in the bytes, and a value cut at ASCII
# characters decodes alone as it does in the whole (docs/performance.md says why).
# tests/transcripts/test_lite.py compares the two on hostile heads and tails.


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _unescape_json_string(raw: str) -> str:
    if "\\" not in raw:
        return raw
    try:
        result = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return result if isinstance(result, str) else raw


def string_value_end(data: bytes, value_start: int) -> int:
    """Index of the quote closing the JSON string value starting at ``value_start``; -1 if cut.

    The SDK walks the value a character at a time, a backslash skipping the next one: the end
    is the first quote after an even run of backslashes (counted from ``value_start``).
    """
    find = data.find
    quote = find(b'"', value_start)
    while quote >= 0:
        before = quote - 1
        while before >= value_start and data[before] == 92:  # a backslash
            before -= 1
        if (quote - 1 - before) % 2 == 0:
            return quote
        quote = find(b'"', quote + 1)
    return -1


def extract_json_string_field(data: bytes, key: str) -> str | None:
    """The SDK's scan for the first value: the first ``"key":"``, else the first ``"key": "``
    (a value cut short by the end of ``data`` counts as not found)."""
    for pattern in (f'"{key}":"'.encode(), f'"{key}": "'.encode()):
        found = data.find(pattern)
        if found < 0:
            continue
        value_start = found + len(pattern)
        value_end = string_value_end(data, value_start)
        if value_end >= 0:
            return _unescape_json_string(_text(data[value_start:value_end]))
    return None


def extract_last_json_string_field(data: bytes, key: str) -> str | None:
    """The SDK's scan for the last value: it walks the ``"key":"`` values (each search going on
    after the value found), then the ``"key": "`` ones, stopping at a value cut short; the last
    value found wins."""
    last_value: bytes | None = None
    for pattern in (f'"{key}":"'.encode(), f'"{key}": "'.encode()):
        search_from = 0
        while (found := data.find(pattern, search_from)) >= 0:
            value_start = found + len(pattern)
            value_end = string_value_end(data, value_start)
            if value_end < 0:
                break
            last_value = data[value_start:value_end]
            search_from = value_end + 1
    if last_value is None:
        return None
    return _unescape_json_string(_text(last_value))


def _extract_first_prompt_from_head(head: bytes) -> str:
    start = 0
    command_fallback = ""
    head_len = len(head)
    while start < head_len:
        newline = head.find(b"\n", start)
        if newline >= 0:
            line = head[start:newline]
            start = newline + 1
        else:
            line = head[start:]
            start = head_len

        if b'"type":"user"' not in line and b'"type": "user"' not in line:
            continue
        if b'"tool_result"' in line:
            continue
        if b'"isMeta":true' in line or b'"isMeta": true' in line:
            continue
        if b'"isCompactSummary":true' in line or b'"isCompactSummary": true' in line:
            continue
        try:
            entry = json.loads(_text(line))
        except (ValueError, RecursionError):
            # RecursionError: the SDK would raise here; one deep line must not hide a session.
            continue
        if not isinstance(entry, dict) or entry.get("type") != "user":
            continue
        message = entry.get("message")
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        texts: list[str] = []
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            for block in content:
                if (
                    isinstance(block, dict)
                    and block.get("type") == "text"
                    and isinstance(block.get("text"), str)
                ):
                    texts.append(block["text"])
        for raw in texts:
            result = raw.replace("\n", " ").strip()
            if not result:
                continue
            command = _COMMAND_NAME_RE.search(result)
            if command:
                if not command_fallback:
                    command_fallback = command.group(1)
                continue
            if _SKIP_FIRST_PROMPT_PATTERN.match(result):
                continue
            if len(result) > 200:
                result = result[:200].rstrip() + "\u2026"
            return result
    return command_fallback


class Lite:
    """A file's size, modification time (ms) and first and last 64 KiB: what the lite read sees."""

    __slots__ = ("mtime", "size", "head", "tail")

    def __init__(self, mtime: int, size: int, head: bytes, tail: bytes) -> None:
        self.mtime = mtime
        self.size = size
        self.head = head
        self.tail = tail


def read_lite(path: str | os.PathLike[str]) -> Lite | None:
    """Stat + head + tail (bytes); ``None`` on any error or for an empty file (as the SDK)."""
    try:
        fd = open_regular(path)
    except OSError:
        return None
    try:
        status = os.fstat(fd)
        size = status.st_size
        mtime = int(status.st_mtime * 1000)
        head = os.read(fd, LITE_READ_BUF_SIZE)
        if not head:
            return None
        # The SDK reads the file in order from its start, which a read of a pipe or a file
        # cut short under us does too: keep reading until the buffer is full.
        while len(head) < LITE_READ_BUF_SIZE:
            more = os.read(fd, LITE_READ_BUF_SIZE - len(head))
            if not more:
                break
            head += more
        tail_offset = max(0, size - LITE_READ_BUF_SIZE)
        tail = head if tail_offset == 0 else os.pread(fd, LITE_READ_BUF_SIZE, tail_offset)
        return Lite(mtime, size, head, tail)
    except OSError:
        return None
    finally:
        os.close(fd)


_TAG_LINE = b'{"type":"tag"'
_NEWLINE_TAG_LINE = b"\n" + _TAG_LINE
_TITLES = b'Title":'
"""In both ``"customTitle":`` and ``"aiTitle":`` (how either spelling of either key starts)."""


def _last_tag_line(tail: bytes) -> bytes | None:
    """The last line of ``tail`` that starts with ``{"type":"tag"`` (lines split at ``\\n``)."""
    found = tail.rfind(_NEWLINE_TAG_LINE)
    if found >= 0:
        start = found + 1
    elif tail.startswith(_TAG_LINE):
        start = 0
    else:
        return None
    end = tail.find(b"\n", start)
    return tail[start:] if end < 0 else tail[start:end]


def parse_lite(
    session_id: str, lite: Lite, project_path: str | None, *, keep_unsummarized: bool = False
) -> SessionMeta | None:
    """The SDK's ``_parse_session_info_from_lite``. ``keep_unsummarized`` returns a session the
    SDK drops for having no title, summary or prompt in its head and tail, with ``summary=""``
    (sidechain transcripts are dropped either way)."""
    head, tail = lite.head, lite.tail
    first_newline = head.find(b"\n")
    first_line = head[:first_newline] if first_newline >= 0 else head
    if b'"isSidechain":true' in first_line or b'"isSidechain": true' in first_line:
        return None

    in_head = partial(extract_json_string_field, head)
    last_in_tail = partial(extract_last_json_string_field, tail)
    # Each title is looked for in the tail, then the head (the same bytes for a file of up to
    # 64 KiB: looked at once), and a window without 'Title":' holds neither.
    custom_title = None
    tail_titles = _TITLES in tail
    if tail_titles:
        custom_title = last_in_tail("customTitle")
    head_titles = head is not tail and _TITLES in head
    if not custom_title and head_titles:
        custom_title = extract_last_json_string_field(head, "customTitle")
    if not custom_title and tail_titles:
        custom_title = last_in_tail("aiTitle")
    if not custom_title and head_titles:
        custom_title = extract_last_json_string_field(head, "aiTitle")
    custom_title = custom_title or None
    first_prompt = _extract_first_prompt_from_head(head) or None
    summary = custom_title or last_in_tail("lastPrompt") or last_in_tail("summary") or first_prompt
    if not summary:
        if not keep_unsummarized:
            return None
        summary = ""

    git_branch = last_in_tail("gitBranch") or in_head("gitBranch") or None
    session_cwd = in_head("cwd") or project_path or None
    tag_line = _last_tag_line(tail)
    tag = (extract_last_json_string_field(tag_line, "tag") or None) if tag_line else None

    created_at: int | None = None
    first_timestamp = in_head("timestamp")
    if first_timestamp:
        try:
            stamp = (
                first_timestamp.replace("Z", "+00:00")
                if first_timestamp.endswith("Z")
                else first_timestamp
            )
            created_at = int(datetime.fromisoformat(stamp).timestamp() * 1000)
        except ValueError:
            pass

    return SessionMeta(
        session_id=session_id,
        summary=summary,
        last_modified=lite.mtime,
        file_size=lite.size,
        custom_title=custom_title,
        first_prompt=first_prompt,
        git_branch=git_branch,
        cwd=session_cwd,
        tag=tag,
        created_at=created_at,
    )


# --- public API ------------------------------------------------------------------------------


def read_session_meta(
    path: str | os.PathLike[str], project_path: str | None = None, *, count_messages: bool = True
) -> SessionMeta | None:
    """The list metadata of one session file, or ``None`` where there is no session to list.

    ``None`` for: a name that is not ``<uuid>.jsonl``, an unreadable or empty file (or a
    directory), a sidechain transcript. ``project_path`` is the working directory the SDK falls
    back to for ``cwd`` (``list_sessions(directory=...)``). ``count_messages`` indexes the whole
    file for ``message_count``, ``root_uuid`` and ``forked_from`` (:func:`add_counts`).

    The SDK also drops a session with no title, summary or prompt in the first and last 64 KiB
    (a first prompt longer than that, a head of corrupt lines): we keep it if it has a visible
    message (``listed_by_sdk=False``, summary from its first message), or return ``None`` if it
    has none, as the SDK. Without ``count_messages`` such a file is ``None``.
    """
    meta = read_lite_meta(path, project_path, keep_unsummarized=count_messages)
    if meta is None or not count_messages:
        return meta
    from .reader import index_transcript

    try:
        index = index_transcript(meta.path)
    except OSError:
        return meta if meta.summary else None
    return add_counts(meta, index)


def read_lite_meta(
    path: str | os.PathLike[str],
    project_path: str | None = None,
    *,
    keep_unsummarized: bool = False,
) -> SessionMeta | None:
    """The SDK's list fields of one session file from its first and last 64 KiB (its lite
    read), or ``None`` where the SDK lists nothing. ``keep_unsummarized`` keeps a session the
    SDK drops for having no title, summary or prompt there, with ``summary=""``: only a count
    (:func:`add_counts`) can say whether it has messages."""
    path = str(Path(path))
    folder, name = os.path.split(path)
    if not name.endswith(".jsonl"):
        return None
    session_id = validate_session_id(name[:-6])
    if session_id is None:
        return None
    lite = read_lite(path)
    if lite is None:
        return None
    meta = parse_lite(session_id, lite, project_path, keep_unsummarized=keep_unsummarized)
    if meta is None:
        return None
    meta.path = path
    meta.project = os.path.basename(folder)
    return meta


def add_counts(meta: SessionMeta, index: TranscriptIndex) -> SessionMeta | None:
    """``meta`` with ``message_count``, ``root_uuid`` and ``forked_from`` from an index of its
    file; a session only a count lists gets its summary from its first message, and ``None``
    if it has no message at all."""
    from .conversation import build_conversation

    messages = build_conversation(index).messages
    meta.message_count = len(messages)
    meta.root_uuid = messages[0].uuid if messages else None
    meta.forked_from = next(
        (entry.forked_from for entry in index.entries if entry.forked_from), None
    )
    if not meta.summary:
        if not messages:
            return None
        meta.listed_by_sdk = False
        meta.summary = _fallback_summary(meta.path, messages)
    return meta


def _fallback_summary(path: Path, messages: list[Entry]) -> str:
    """The first prompt-like text among the first visible messages (as the SDK shortens it)."""
    from .content import plain_text
    from .reader import load_entries

    first_text = ""
    for data in load_entries(path, messages[:20]):
        message = data.get("message") if data else None
        text = plain_text(message).replace("\n", " ").strip()
        if not text:
            continue
        if data.get("type") == "user" and not text.startswith("[tool_result"):
            first_text = text
            break
        first_text = first_text or text
    if len(first_text) > 200:
        first_text = first_text[:200].rstrip() + "\u2026"
    return first_text or "(no text)"


def order_sessions(sessions: Iterable[SessionMeta]) -> list[SessionMeta]:
    """One entry per session id (the newest file wins), newest first; ties keep file order."""
    by_id: dict[str, SessionMeta] = {}
    for session in sessions:
        existing = by_id.get(session.session_id)
        if existing is None or session.last_modified > existing.last_modified:
            by_id[session.session_id] = session
    result = list(by_id.values())
    result.sort(key=lambda session: session.last_modified, reverse=True)
    return result


def _message_uuids(path: str) -> list[str]:
    from .conversation import build_conversation
    from .reader import index_transcript

    try:
        index = index_transcript(path)
    except OSError:
        return []
    return [entry.uuid for entry in build_conversation(index).messages]


def _common_prefix(one: list[str], other: list[str]) -> int:
    length = 0
    for left, right in zip(one, other, strict=False):
        if left != right:
            break
        length += 1
    return length


def infer_forks(sessions: list[SessionMeta]) -> None:
    """Fill ``forked_from`` for forks the CLI made, which do not say what they were forked from.

    Such a fork copies its parent's entries with their UUIDs, so it starts with the same message
    (``root_uuid``), and its file starts later (``created_at``). Its parent is the older session
    it shares the longest run of messages with (the oldest on a tie), which finds the right
    parent for forks of forks and for sibling forks. Only files that share a first message with
    another session are read again. Sessions that already know (the SDK's ``forkedFrom``) and
    sessions without ``created_at`` are left as they are.
    """
    groups: dict[str, list[SessionMeta]] = {}
    for meta in sessions:
        if meta.root_uuid:
            groups.setdefault(meta.root_uuid, []).append(meta)
    for group in groups.values():
        if len(group) < 2 or all(meta.forked_from for meta in group):
            continue
        uuids = {meta.session_id: _message_uuids(meta.path) for meta in group}
        for meta in group:
            if meta.forked_from or meta.created_at is None:
                continue
            older = [
                other
                for other in group
                if other.created_at is not None and other.created_at < meta.created_at
            ]
            if not older:
                continue
            mine = uuids[meta.session_id]
            parent = max(
                older,
                key=lambda other: (
                    _common_prefix(mine, uuids[other.session_id]),
                    -other.created_at,
                ),
            )
            meta.forked_from = parent.session_id


def list_sessions(
    config_dir: str | os.PathLike[str],
    project: str | None = None,
    *,
    count_messages: bool = True,
) -> list[SessionMeta]:
    """Every session the SDK's ``list_sessions`` lists, newest first.

    ``project`` is a working directory (with its git worktrees, as
    ``list_sessions(directory=...)``) or a folder name under ``projects/``. With
    ``count_messages`` (a full read of each file), ``message_count``, ``root_uuid`` and
    ``forked_from`` are filled, CLI-made forks included (:func:`infer_forks`).
    """
    sessions: list[SessionMeta] = []
    for path, project_path in session_files(config_dir, project):
        meta = read_session_meta(path, project_path, count_messages=count_messages)
        if meta is not None:
            sessions.append(meta)
    sessions = order_sessions(sessions)
    if count_messages:
        infer_forks(sessions)
    return sessions
