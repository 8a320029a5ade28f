"""What a message is made of: text, thinking, tool calls, tool results, images and other blocks.

The one place that reads a message's content: :func:`block_kind` says what a block is;
:func:`message_from_entry` makes the :class:`Message` of :class:`Part` s that export and replay
show; :func:`plain_text` is ``show``'s text, :func:`searchable_text` what the search index keeps,
:func:`result_text` a tool result's text, :func:`tool_summary` a tool call on one line. Text is
returned as the transcript has it: callers make it safe for where it goes
(``transcripts.text.inert`` for a terminal, HTML escaping for a page).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import orjson

from sessionscope.transcripts.images import ImageSource, image_source

TEXT = "text"
THINKING = "thinking"
REDACTED_THINKING = "redacted_thinking"
TOOL_USE = "tool_use"
TOOL_RESULT = "tool_result"
IMAGE = "image"
OTHER = "other"

SEARCH_ROLES = ("user", "assistant", "tool")
"""``role:`` values of the search index: a prompt or other user message, the assistant (text,
thinking, tool calls), a tool result (a ``user`` entry whose blocks are all tool results)."""


def block_kind(block: Any) -> str:
    """What a content block is: :data:`TEXT` (a string too), :data:`THINKING`,
    :data:`REDACTED_THINKING`, :data:`TOOL_USE` (the server's and MCP's tool calls too),
    :data:`TOOL_RESULT` (``*_tool_result`` too), :data:`IMAGE` or :data:`OTHER`."""
    if isinstance(block, str):
        return TEXT
    if not isinstance(block, dict):
        return OTHER
    return kind_of_type(block.get("type"))


def kind_of_type(kind: object) -> str:
    """What a block whose ``type`` is ``kind`` is (:func:`block_kind`)."""
    if kind in (TEXT, THINKING, REDACTED_THINKING, IMAGE):
        return kind
    if kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        return TOOL_USE
    if kind == "tool_result" or (isinstance(kind, str) and kind.endswith("_tool_result")):
        return TOOL_RESULT
    return OTHER


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
    tool_input: Any = None
    """A tool call's input as the transcript has it."""
    images: tuple[ImageSource, ...] = ()
    """The images of an ``image`` block or a tool result (their labels are in ``body``)."""


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


def result_text(content: Any) -> str:
    """A tool result's content as text: a string as it is; of a list of blocks, text blocks as
    they are, images by their labels (``[image: image/png, 120 KB]``), other blocks as JSON."""
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
                    pieces.append(image_source(block).label())
                else:
                    pieces.append(_json(block))
            else:
                pieces.append(str(block))
        return "\n".join(pieces)
    return _json(content)


def content_blocks(data: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The content blocks of a user/assistant entry (its parsed line); a plain string becomes
    one text block, anything not a block is left out."""
    if not isinstance(data, dict):
        return []
    message = data.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [block for block in content if isinstance(block, dict)]
    return []


def block_part(block: Any) -> Part:
    """One content block as a :class:`Part`; unknown blocks are kept as JSON."""
    kind = block_kind(block)
    if isinstance(block, str):
        return Part(TEXT, block)
    if not isinstance(block, dict):
        return Part(OTHER, _json(block), name=type(block).__name__)
    if kind == TEXT:
        return Part(TEXT, str(block.get("text", "")))
    if kind == THINKING:
        return Part(THINKING, str(block.get("thinking", "")))
    if kind == REDACTED_THINKING:
        return Part(THINKING, "[redacted thinking]")
    if kind == TOOL_USE:
        return Part(
            TOOL_USE,
            _json(block.get("input", {})),
            name=str(block.get("name", "?")),
            tool_use_id=block.get("id") if isinstance(block.get("id"), str) else None,
            tool_input=block.get("input", {}),
        )
    if kind == TOOL_RESULT:
        content = block.get("content")
        images = tuple(
            image_source(item)
            for item in (content if isinstance(content, list) else ())
            if block_kind(item) == IMAGE
        )
        return Part(
            TOOL_RESULT,
            result_text(block.get("content")),
            name=None if block.get("type") == "tool_result" else block.get("type"),
            tool_use_id=block.get("tool_use_id")
            if isinstance(block.get("tool_use_id"), str)
            else None,
            is_error=bool(block.get("is_error")),
            images=images,
        )
    if kind == IMAGE:
        source = image_source(block)
        return Part(OTHER, source.label(), name="image", images=(source,))
    return Part(OTHER, _json(block), name=str(block.get("type")))


def speaker(entry_type: str, *, is_compact_summary: bool, is_meta: bool, kinds: list[str]) -> str:
    """Who speaks in a ``user``/``assistant`` entry (:attr:`Message.role`), from its type, its
    ``isCompactSummary`` and ``isMeta`` and the kinds of its blocks (:func:`block_kind`)."""
    if entry_type == "assistant":
        return "assistant"
    if is_compact_summary:
        return "summary"
    if is_meta:
        return "meta"
    if kinds and all(kind == TOOL_RESULT for kind in kinds):
        return "tool result"
    return "user"


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
    return Message(
        uuid=raw.get("uuid") if isinstance(raw.get("uuid"), str) else None,
        parent_uuid=raw.get("parentUuid") if isinstance(raw.get("parentUuid"), str) else None,
        type=entry_type,
        role=speaker(
            entry_type,
            is_compact_summary=bool(raw.get("isCompactSummary")),
            is_meta=bool(raw.get("isMeta")),
            kinds=[part.kind for part in parts],
        ),
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


def plain_text(message: object) -> str:
    """A message's content as ``show`` prints it (not yet inert): text blocks as they are, every
    other block as one ``[kind ...]`` line (tool calls with their input, tool results with their
    text)."""
    if not isinstance(message, dict):
        return "" if message is None else str(message)
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_plain_block(block) for block in content)
    return "" if content is None else str(content)


def _plain_block(block: object) -> str:
    kind = block_kind(block)
    if not isinstance(block, dict):
        return str(block)
    if kind == TEXT:
        return str(block.get("text", ""))
    if kind == THINKING:
        return f"[thinking] {block.get('thinking', '')}"
    if kind == REDACTED_THINKING:
        return "[redacted thinking]"
    if kind == IMAGE:
        return "[image]"
    if kind == TOOL_USE and block.get("type") == "tool_use":
        arguments = json.dumps(block.get("input"), ensure_ascii=False)
        return f"[tool_use {block.get('name', '?')} {block.get('id', '')}] {arguments}"
    if kind == TOOL_RESULT and block.get("type") == "tool_result":
        inner = block.get("content")
        if isinstance(inner, list):
            inner = "\n".join(_plain_block(part) for part in inner)
        error = " error" if block.get("is_error") else ""
        return (
            f"[tool_result{error} {block.get('tool_use_id', '')}] {'' if inner is None else inner}"
        )
    return f"[{block.get('type')}] {json.dumps(block, ensure_ascii=False)}"


def _input_text(value: object) -> str:
    """A tool call's input as words: strings as they are (a command, a path, a pattern),
    anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(_input_text(item) for item in value.values())
    if isinstance(value, list):
        return "\n".join(_input_text(item) for item in value)
    if value is None or isinstance(value, bool):
        return ""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


def _searchable_block(block: object, tools: list[str]) -> list[str]:
    if isinstance(block, str):
        return [block]
    if not isinstance(block, dict):
        return []
    kind = block.get("type")
    if kind == TEXT:
        text = block.get("text")
        return [text] if isinstance(text, str) else []
    if kind == THINKING:
        text = block.get("thinking")
        return [text] if isinstance(text, str) else []
    if kind == "tool_use":
        name = block.get("name")
        if isinstance(name, str):
            tools.append(name)
            return [name, _input_text(block.get("input"))]
        return [_input_text(block.get("input"))]
    if kind == "tool_result":
        inner = block.get("content")
        if isinstance(inner, list):
            return [text for part in inner for text in _searchable_block(part, tools)]
        return [inner] if isinstance(inner, str) else []
    return []


def searchable_text(value: dict) -> tuple[str, str, list[str]]:
    """``(role, text, tool names)`` the search index keeps of one ``user`` or ``assistant``
    entry (its parsed line): the text of every text, thinking, tool call (name and input) and
    tool result block, one block a line; the role one of :data:`SEARCH_ROLES`. The same text
    is read again for a hit's snippet, so the snippet shows what matched."""
    message = value.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    tools: list[str] = []
    role = "assistant" if value.get("type") == "assistant" else "user"
    if isinstance(content, str):
        return role, _encodable(content), tools
    if not isinstance(content, list):
        return role, "", tools
    texts = [text for block in content for text in _searchable_block(block, tools)]
    if (
        role == "user"
        and content
        and all(isinstance(block, dict) and block.get("type") == "tool_result" for block in content)
    ):
        role = "tool"
    return role, _encodable("\n".join(texts)), [_encodable(name) for name in tools]


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> str:
    """``text`` with each lone surrogate (JSON's "\\ud800", as the SDK reads it) made U+FFFD:
    UTF-8, and so SQLite, cannot hold one."""
    if text.isascii() or not _LONE_SURROGATE.search(text):
        return text
    return _LONE_SURROGATE.sub("\ufffd", text)
