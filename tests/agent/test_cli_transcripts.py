"""The shared ``cli_transcripts`` fixture: the real CLI wrote what its scenarios promise, read
back through the SDK (the reference) and from the raw JSONL lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.realcli import PROMPTS, SUBAGENT_PROMPT


@pytest.fixture(autouse=True)
def sdk_reads_the_fixture(cli_transcripts):
    """The SDK's readers look in CLAUDE_CONFIG_DIR: point it at the fixture's transcripts."""
    with cli_transcripts.use():
        yield


def entries(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def content_blocks(entry: dict) -> list[dict]:
    content = (entry.get("message") or {}).get("content")
    return content if isinstance(content, list) else []


def prompts_of(messages) -> list[str]:
    found = []
    for message in messages:
        content = message.message.get("content")
        if message.type == "user" and isinstance(content, str):
            found.append(content)
        elif message.type == "user":
            found += [b["text"] for b in content if b.get("type") == "text"]
    return found


def test_sessions_in_two_projects_with_titles_tags_and_branch(cli_transcripts):
    from claude_agent_sdk import list_sessions

    listed = {info.session_id: info for info in list_sessions()}
    assert set(listed) == set(cli_transcripts.sessions.values())
    main = listed[cli_transcripts.sessions["main"]]
    assert main.custom_title == "Shop: what the cart does"
    assert main.tag == "review"
    assert main.git_branch == "main"
    assert main.cwd == str(cli_transcripts.projects["shop"])
    notes = listed[cli_transcripts.sessions["notes"]]
    assert notes.cwd == str(cli_transcripts.projects["notes"])
    folders = {p.parent.name for p in (cli_transcripts.config_dir / "projects").glob("*/*.jsonl")}
    assert len(folders) == 2


def test_main_session_has_thinking_tools_and_paired_results(cli_transcripts):
    from claude_agent_sdk import get_session_messages

    lines = entries(cli_transcripts.path("main"))
    kinds = [b["type"] for e in lines if e.get("type") == "assistant" for b in content_blocks(e)]
    assert "thinking" in kinds and "text" in kinds
    thinking = [b for e in lines for b in content_blocks(e) if b["type"] == "thinking"]
    assert all(b["signature"] for b in thinking)
    uses = {b["id"]: b["name"] for e in lines for b in content_blocks(e) if b["type"] == "tool_use"}
    results = {
        b["tool_use_id"]: b for e in lines for b in content_blocks(e) if b["type"] == "tool_result"
    }
    assert sorted(uses.values()) == ["Agent", "Bash", "Grep", "Read"]
    assert set(uses) == set(results), "every tool_use has its tool_result"
    assert not any(r.get("is_error") for r in results.values())
    # Bash and Grep were called in one API response: several assistant entries share its id.
    message_ids = [e["message"]["id"] for e in lines if e.get("type") == "assistant"]
    assert any(message_ids.count(i) >= 3 for i in message_ids)

    visible = get_session_messages(
        cli_transcripts.sessions["main"], directory=str(cli_transcripts.projects["shop"])
    )
    assert prompts_of(visible) == [PROMPTS["think"], PROMPTS["tools"], PROMPTS["subagent"]]


def test_subagent_transcript_sits_beside_the_session(cli_transcripts):
    from claude_agent_sdk import get_subagent_messages, list_subagents

    main_id = cli_transcripts.sessions["main"]
    shop = str(cli_transcripts.projects["shop"])
    files = list(cli_transcripts.path("main").with_suffix("").glob("subagents/agent-*.jsonl"))
    assert len(files) == 1
    agents = list_subagents(main_id, directory=shop)
    assert len(agents) == 1
    messages = get_subagent_messages(main_id, agents[0], directory=shop)
    assert prompts_of(messages)[0] == SUBAGENT_PROMPT
    names = [
        b["name"]
        for m in messages
        for b in m.message.get("content", [])
        if isinstance(b, dict) and b.get("type") == "tool_use"
    ]
    assert names == ["Bash"]
    assert all(e.get("isSidechain") for e in entries(files[0]) if e.get("type") == "assistant")


def test_resumed_fork_keeps_turn_one_and_adds_its_own_turn(cli_transcripts):
    from claude_agent_sdk import get_session_messages

    shop = str(cli_transcripts.projects["shop"])
    fork = get_session_messages(cli_transcripts.sessions["resumed_fork"], directory=shop)
    main = get_session_messages(cli_transcripts.sessions["main"], directory=shop)
    assert prompts_of(fork) == [PROMPTS["think"], PROMPTS["fork_turn"]]
    cut = [m.uuid for m in fork].index(cli_transcripts.messages["end_of_turn_1"])
    assert [m.uuid for m in fork[: cut + 1]] == [m.uuid for m in main[: cut + 1]]
    assert cli_transcripts.sessions["resumed_fork"] != cli_transcripts.sessions["main"]


def test_offline_fork_records_forked_from(cli_transcripts):
    from claude_agent_sdk import get_session_messages

    lines = entries(cli_transcripts.path("offline_fork"))
    forked = [e["forkedFrom"] for e in lines if "forkedFrom" in e]
    assert forked and {f["sessionId"] for f in forked} == {cli_transcripts.sessions["main"]}
    visible = get_session_messages(
        cli_transcripts.sessions["offline_fork"], directory=str(cli_transcripts.projects["shop"])
    )
    assert prompts_of(visible) == [PROMPTS["think"], PROMPTS["tools"]]
    assert visible[-1].message["content"][0]["type"] == "text"


def test_plain_resume_appends_to_the_same_file(cli_transcripts):
    lines = entries(cli_transcripts.path("notes"))
    prompts = [e["message"]["content"] for e in lines if e.get("type") == "user"]
    assert prompts == [PROMPTS["notes"], PROMPTS["notes_again"]]
    assert len({e["sessionId"] for e in lines if "sessionId" in e}) == 1


def test_copy_is_independent(cli_transcripts, tmp_path):
    from claude_agent_sdk import tag_session

    copy = cli_transcripts.copy_to(tmp_path / "claude")
    before = cli_transcripts.path("notes").read_bytes()
    with copy.use():
        tag_session(copy.sessions["notes"], "copied")
    assert cli_transcripts.path("notes").read_bytes() == before
    assert copy.path("notes").read_bytes() != before
