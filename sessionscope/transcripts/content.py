"""A transcript message's content as plain parts: text, thinking, tool calls, tool results.

Pure (no Textual, no SDK): export and replay both read messages through this. Text is returned
as the transcript has it — callers make it safe for where it goes (``transcripts.text.inert``
for a terminal, HTML escaping for a page).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

TEXT = "text"
THINKING = "thinking"
TOOL_USE = "tool_use"
TOOL_RESULT = "tool_result"
OTHER = "other"


@dataclass(frozen=True, slots=True)
class Part:
    """One content block, reduced to what a reader needs."""

    kind: str
    """``text``, ``thinking``, ``tool_use``, ``tool_result`` or ``other``."""
    body: str
    """The text; a tool call's input as indented JSON; a result's text."""
    name: str | None = None
    """Tool name for ``tool_use``; the block's own type for ``other``."""
    tool_use_id: str | None = None
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    """One visible transcript message (a ``user`` or ``assistant`` entry)."""

    uuid: str | None
    parent_uuid: str | None
    type: str
    """The entry's type: ``user`` or ``assistant``."""
    role: str
    """Who speaks, for a reader: ``user``, ``assistant``, ``tool result``, ``meta``, ``summary``."""
    timestamp: str | None
    parts: tuple[Part, ...]
    model: str | None = None
    is_sidechain: bool = False

    @property
    def is_user_turn(self) -> bool:
        """A prompt a person typed (not a tool result, not an injected meta message)."""
        return self.role == "user"


def _json(value: Any) -> str:
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _result_text(content: Any) -> str:
    """A tool result's content: a string, or a list of text/image blocks."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        pieces = []
        for block in content:
            if isinstance(block, dict):
                kind = block.get("type")
                if kind == "text":
                    pieces.append(str(block.get("text", "")))
                elif kind == "image":
                    source = block.get("source") or {}
                    media = source.get("media_type") if isinstance(source, dict) else None
                    pieces.append(f"[image{': ' + str(media) if media else ''}]")
                else:
                    pieces.append(_json(block))
            else:
                pieces.append(str(block))
        return "\n".join(pieces)
    return _json(content)


def block_part(block: Any) -> Part:
    """One content block as a :class:`Part`; unknown blocks are kept as JSON."""
    if isinstance(block, str):
        return Part(TEXT, block)
    if not isinstance(block, dict):
        return Part(OTHER, _json(block), name=type(block).__name__)
    kind = block.get("type")
    if kind == "text":
        return Part(TEXT, str(block.get("text", "")))
    if kind == "thinking":
        return Part(THINKING, str(block.get("thinking", "")))
    if kind == "redacted_thinking":
        return Part(THINKING, "[redacted thinking]")
    if kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        return Part(
            TOOL_USE,
            _json(block.get("input", {})),
            name=str(block.get("name", "?")),
            tool_use_id=block.get("id") if isinstance(block.get("id"), str) else None,
        )
    if kind == "tool_result" or (isinstance(kind, str) and kind.endswith("_tool_result")):
        return Part(
            TOOL_RESULT,
            _result_text(block.get("content")),
            name=None if kind == "tool_result" else kind,
            tool_use_id=block.get("tool_use_id")
            if isinstance(block.get("tool_use_id"), str)
            else None,
            is_error=bool(block.get("is_error")),
        )
    if kind == "image":
        return Part(OTHER, _result_text([block]), name="image")
    return Part(OTHER, _json(block), name=str(kind))


def message_from_entry(raw: dict) -> Message:
    """A ``user``/``assistant`` entry (the parsed JSON line) as a :class:`Message`."""
    message = raw.get("message")
    content: Any = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str) or content is None:
        parts: tuple[Part, ...] = (Part(TEXT, content or ""),)
    elif isinstance(content, list):
        parts = tuple(block_part(block) for block in content)
    else:
        parts = (Part(OTHER, _json(content), name="content"),)
    entry_type = str(raw.get("type") or "?")
    if entry_type == "assistant":
        role = "assistant"
    elif raw.get("isCompactSummary"):
        role = "summary"
    elif raw.get("isMeta"):
        role = "meta"
    elif parts and all(part.kind == TOOL_RESULT for part in parts):
        role = "tool result"
    else:
        role = "user"
    return Message(
        uuid=raw.get("uuid") if isinstance(raw.get("uuid"), str) else None,
        parent_uuid=raw.get("parentUuid") if isinstance(raw.get("parentUuid"), str) else None,
        type=entry_type,
        role=role,
        timestamp=raw.get("timestamp") if isinstance(raw.get("timestamp"), str) else None,
        parts=parts,
        model=message.get("model") if isinstance(message, dict) else None,
        is_sidechain=bool(raw.get("isSidechain")),
    )


def tool_summary(name: str, tool_input: Any) -> str:
    """A tool call on one line: the inputs that say what it does (the command, the file, the
    pattern...), else its first plain value; ``""`` when it has none. Not yet inert."""
    if not isinstance(tool_input, dict):
        return ""
    preferred = {
        "Bash": ("command",),
        "Read": ("file_path",),
        "Write": ("file_path",),
        "Edit": ("file_path",),
        "MultiEdit": ("file_path",),
        "NotebookEdit": ("notebook_path",),
        "Glob": ("pattern", "path"),
        "Grep": ("pattern", "path"),
        "WebFetch": ("url",),
        "WebSearch": ("query",),
        "Task": ("description", "subagent_type"),
        "Agent": ("description", "subagent_type"),
        "Skill": ("skill",),
    }.get(name, ())
    parts = [str(tool_input[key]) for key in preferred if isinstance(tool_input.get(key), str)]
    if not parts and name == "TodoWrite" and isinstance(tool_input.get("todos"), list):
        parts = [f"{len(tool_input['todos'])} todos"]
    if not parts:
        for value in tool_input.values():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                parts = [str(value)]
                break
    first = " · ".join(parts)
    return first.splitlines()[0] if first else ""
