"""Our transcript reader against the SDK on the transcripts the real CLI wrote (the shared
fixture and the bundled demo), and what the demo promises a new user."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.files import session_files
from sessionscope.transcripts.reader import index_transcript, load_entries
from sessionscope.transcripts.sessions import list_sessions
from sessionscope.transcripts.subagents import list_subagents
from tests.helpers.sdkparity import compare_listing, compare_messages, compare_subagents

DEMO = Path(str(resources.files("sessionscope") / "demo"))


@pytest.fixture(params=["cli_transcripts", "demo"])
def written_by_cli(request, monkeypatch) -> Path:
    """A config dir the real CLI wrote; CLAUDE_CONFIG_DIR points the SDK at it (read only)."""
    if request.param == "demo":
        config_dir = DEMO
    else:
        config_dir = request.getfixturevalue("cli_transcripts").config_dir
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(config_dir))
    return config_dir


def test_reader_gives_the_sdks_messages(written_by_cli):
    sessions, messages, differences = compare_messages(written_by_cli)
    assert sessions >= 4 and messages >= 20
    assert differences == []


def test_reader_lists_the_sdks_sessions_field_by_field(written_by_cli):
    sessions, differences = compare_listing(written_by_cli)
    assert sessions >= 4
    assert differences == []


def test_reader_gives_the_sdks_subagents(written_by_cli):
    count, messages, differences = compare_subagents(written_by_cli)
    assert count >= 1 and messages >= 2
    assert differences == []


def test_demo_has_projects_forks_subagents_thinking_and_tools():
    sessions = list_sessions(DEMO)
    assert len(sessions) >= 5
    assert len({meta.project for meta in sessions}) >= 3
    by_title = {meta.custom_title: meta for meta in sessions if meta.custom_title}
    fork = by_title["Fix the rounding: try Decimal instead"]
    assert fork.forked_from == by_title["Fix float rounding in Cart.total"].session_id
    assert {meta.tag for meta in sessions} >= {"review", "feature"}
    assert {meta.git_branch for meta in sessions} >= {"main", "feature/units"}

    blocks: set[str] = set()
    tools: set[str] = set()
    subagents = 0
    for meta in sessions:
        index = index_transcript(meta.path)
        assert not [entry for entry in index.entries if entry.error], meta.path
        assert not index.torn_tail
        conversation = build_conversation(index)
        assert meta.message_count == len(conversation.messages) >= 2
        for data in load_entries(meta.path, conversation.messages):
            content = (data or {}).get("message", {}).get("content")
            for block in content if isinstance(content, list) else []:
                blocks.add(block["type"])
                if block["type"] == "tool_use":
                    tools.add(block["name"])
                if block["type"] == "tool_result":
                    assert not block.get("is_error"), f"a failed tool call in {meta.path}"
        subagents += len(list_subagents(meta.path, index))
    assert {"thinking", "text", "tool_use", "tool_result"} <= blocks
    assert {"Read", "Edit", "Bash", "Grep", "Agent"} <= tools
    assert subagents >= 1


def test_demo_files_are_package_data():
    files = [Path(path) for path, _ in session_files(DEMO)]
    assert files and all(path.is_relative_to(DEMO / "projects") for path in files)
    # The demo is small: it ships in the wheel.
    total = sum(path.stat().st_size for path in (DEMO / "projects").rglob("*") if path.is_file())
    assert total < 2_000_000
