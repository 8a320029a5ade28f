"""What the search index keeps of one message: its role, its words, the tools it names.

One function, :func:`message_text`, used both when a message is indexed and when its snippet is
read back from the transcript (by byte offset), so a hit's snippet shows the text that matched.
"""

from __future__ import annotations

import orjson

__all__ = ["ROLES", "message_text"]

ROLES = ("user", "assistant", "tool")
"""``role:`` values: a prompt or other user message, the assistant (text, thinking, tool calls),
a tool result (a ``user`` entry whose blocks are all tool results)."""


def _json_text(value: object) -> str:
    """A tool call's input as text: strings as they are (a command, a path, a pattern), anything
    else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(_json_text(item) for item in value.values())
    if isinstance(value, list):
        return "\n".join(_json_text(item) for item in value)
    if value is None or isinstance(value, bool):
        return ""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


def _block_texts(block: object, tools: list[str]) -> list[str]:
    if isinstance(block, str):
        return [block]
    if not isinstance(block, dict):
        return []
    kind = block.get("type")
    if kind == "text":
        text = block.get("text")
        return [text] if isinstance(text, str) else []
    if kind == "thinking":
        text = block.get("thinking")
        return [text] if isinstance(text, str) else []
    if kind == "tool_use":
        name = block.get("name")
        if isinstance(name, str):
            tools.append(name)
            return [name, _json_text(block.get("input"))]
        return [_json_text(block.get("input"))]
    if kind == "tool_result":
        inner = block.get("content")
        if isinstance(inner, list):
            return [text for part in inner for text in _block_texts(part, tools)]
        return [inner] if isinstance(inner, str) else []
    return []


def message_text(value: dict) -> tuple[str, str, list[str]]:
    """``(role, text, tool names)`` of one ``user`` or ``assistant`` entry (its parsed line):
    the text of every text, thinking, tool call (name and input) and tool result block, one
    block a line."""
    message = value.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    tools: list[str] = []
    role = "assistant" if value.get("type") == "assistant" else "user"
    if isinstance(content, str):
        return role, content, tools
    if not isinstance(content, list):
        return role, "", tools
    texts = [text for block in content for text in _block_texts(block, tools)]
    if (
        role == "user"
        and content
        and all(isinstance(block, dict) and block.get("type") == "tool_result" for block in content)
    ):
        role = "tool"
    return role, "\n".join(texts), tools
