"""Compare our reader with the SDK on a CLAUDE_CONFIG_DIR-shaped tree (helpers for the tests)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from claude_agent_sdk.types import SDKSessionInfo

from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.files import session_files
from sessionscope.transcripts.reader import index_transcript
from sessionscope.transcripts.sessions import list_sessions
from sessionscope.transcripts.subagents import list_subagents, subagent_messages

SDK_FIELDS = tuple(field.name for field in dataclasses.fields(SDKSessionInfo))
"""The fields of the SDK's ``SDKSessionInfo``, as the installed SDK defines them."""


def compare_messages(config_dir: Path) -> tuple[int, int, list[str]]:
    """``(sessions, messages, differences)``: our conversation vs ``get_session_messages``."""
    from claude_agent_sdk import get_session_messages

    differences: list[str] = []
    sessions = messages = 0
    for path in [Path(path) for path, _ in session_files(config_dir)]:
        session_id = path.name[:-6]
        sdk = [message.uuid for message in get_session_messages(session_id)]
        ours = [entry.uuid for entry in build_conversation(index_transcript(path)).messages]
        sessions += 1
        messages += len(sdk)
        if ours != sdk:
            differences.append(f"{path}: ours {len(ours)} messages, SDK {len(sdk)}")
    return sessions, messages, differences


def compare_listing(config_dir: Path) -> tuple[int, list[str]]:
    """``(sessions, differences)``: our ``list_sessions`` vs the SDK's, field by field."""
    from claude_agent_sdk import list_sessions as sdk_list_sessions

    sdk = sdk_list_sessions()
    ours = [meta for meta in list_sessions(config_dir) if meta.listed_by_sdk]
    differences = []
    if sorted(s.session_id for s in ours) != sorted(s.session_id for s in sdk):
        differences.append(
            f"sessions: ours {sorted(s.session_id for s in ours)} SDK {sorted(s.session_id for s in sdk)}"
        )
    by_id = {info.session_id: info for info in sdk}
    for meta in ours:
        info = by_id.get(meta.session_id)
        if info is None:
            continue
        for name in SDK_FIELDS:
            if getattr(meta, name) != getattr(info, name):
                differences.append(
                    f"{meta.session_id} {name}: ours {getattr(meta, name)!r} SDK {getattr(info, name)!r}"
                )
    modified = [meta.last_modified for meta in ours]
    if modified != sorted(modified, reverse=True):
        differences.append("not newest first")
    return len(sdk), differences


def compare_subagents(config_dir: Path) -> tuple[int, int, list[str]]:
    """``(subagents, messages, differences)`` against ``list_subagents`` / ``get_subagent_messages``."""
    from claude_agent_sdk import get_subagent_messages
    from claude_agent_sdk import list_subagents as sdk_list_subagents

    differences = []
    count = messages = 0
    for path in [Path(path) for path, _ in session_files(config_dir)]:
        session_id = path.name[:-6]
        sdk_ids = sdk_list_subagents(session_id)
        ours = [sub for sub in list_subagents(path) if sub.layout == "subagents"]
        if [sub.agent_id for sub in ours] != sdk_ids:
            differences.append(f"{session_id}: ours {[s.agent_id for s in ours]} SDK {sdk_ids}")
            continue
        for sub in ours:
            sdk_messages = get_subagent_messages(session_id, sub.agent_id)
            expected = [m.uuid for m in sdk_messages]
            got = [entry.uuid for entry in subagent_messages(sub)]
            count += 1
            messages += len(expected)
            if got != expected:
                differences.append(f"{session_id}/{sub.agent_id}: ours {got} SDK {expected}")
            parents = {(m.parent_tool_use_id, m.parent_agent_id) for m in sdk_messages}
            if parents and parents != {(sub.parent_tool_use_id, sub.parent_agent_id)}:
                differences.append(f"{session_id}/{sub.agent_id}: parent ids {parents}")
    return count, messages, differences
