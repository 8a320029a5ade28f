"""Our reader against the SDK: on every session of the shared corpus of real transcripts, and
on the transcripts the real CLI writes in the test session (``cli_transcripts``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sessionscope import cli
from sessionscope.transcripts.files import session_files
from sessionscope.transcripts.reader import index_transcript
from sessionscope.transcripts.sessions import list_sessions
from sessionscope.transcripts.subagents import list_subagents, subagent_messages
from tests.helpers.sdkparity import SDK_FIELDS, compare_listing, compare_messages, compare_subagents


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory) -> Path:
    from tests.conftest import SHARED_CORPUS

    if SHARED_CORPUS is None:
        pytest.skip("../shared/corpus is not here (set SESSIONSCOPE_CORPUS to use one)")
    target = tmp_path_factory.mktemp("corpus") / "claude"
    shutil.copytree(SHARED_CORPUS, target)
    return target


@pytest.fixture(params=["shared_corpus", "cli_transcripts"])
def tree(request, monkeypatch) -> Path:
    """A CLAUDE_CONFIG_DIR-shaped tree of real transcripts; the SDK is pointed at it."""
    if request.param == "shared_corpus":
        config_dir = request.getfixturevalue("corpus_copy")
    else:
        config_dir = request.getfixturevalue("cli_transcripts").config_dir
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(config_dir))
    return config_dir


def test_messages_match_get_session_messages(tree):
    sessions, messages, differences = compare_messages(tree)
    assert sessions >= 4 and messages >= 20
    assert differences == []


def test_listing_matches_list_sessions_field_by_field(tree):
    sessions, differences = compare_listing(tree)
    assert sessions >= 4
    assert differences == []


def test_subagents_match_the_sdk(tree):
    _count, _messages, differences = compare_subagents(tree)
    assert differences == []


def test_show_json_gives_the_sdk_uuids_in_order(tree, capsys):
    from claude_agent_sdk import get_session_messages

    compared = 0
    for path in [Path(path) for path, _ in session_files(tree)]:
        session_id = path.name[:-6]
        assert cli.main(["show", session_id, "--json"]) == 0
        records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        expected = get_session_messages(session_id)
        assert [r["uuid"] for r in records] == [m.uuid for m in expected], session_id
        assert [r["type"] for r in records] == [m.type for m in expected]
        assert [r["message"] for r in records] == [m.message for m in expected]
        compared += 1
    assert compared >= 4


def test_list_json_gives_the_sdk_sessions_and_fields(tree, capsys):
    from claude_agent_sdk import get_session_messages
    from claude_agent_sdk import list_sessions as sdk_list_sessions

    assert cli.main(["index"]) == 0
    capsys.readouterr()
    assert cli.main(["list", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected = sdk_list_sessions()
    assert sorted(r["session_id"] for r in records) == sorted(i.session_id for i in expected)
    by_id = {info.session_id: info for info in expected}
    for record in records:
        info = by_id[record["session_id"]]
        assert {name: record[name] for name in SDK_FIELDS} == {
            name: getattr(info, name) for name in SDK_FIELDS
        }
        assert record["message_count"] == len(get_session_messages(record["session_id"]))


def test_cli_transcripts_forks_subagents_and_project_filter(cli_transcripts, monkeypatch):
    from claude_agent_sdk import list_sessions as sdk_list_sessions

    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(cli_transcripts.config_dir))
    metas = {meta.session_id: meta for meta in list_sessions(cli_transcripts.config_dir)}
    main = cli_transcripts.sessions["main"]
    assert metas[main].custom_title == "Shop: what the cart does"
    assert metas[main].tag == "review"
    assert metas[main].forked_from is None
    assert metas[cli_transcripts.sessions["offline_fork"]].forked_from == main
    assert metas[cli_transcripts.sessions["resumed_fork"]].forked_from == main
    (subagent,) = list_subagents(cli_transcripts.path("main"))
    assert (subagent.layout, subagent.description, subagent.agent_type) == (
        "subagents",
        "Count cart lines",
        "general-purpose",
    )
    main_calls = {
        call
        for entry in index_transcript(cli_transcripts.path("main")).entries
        for call in entry.tool_use_ids
    }
    assert subagent.parent_tool_use_id in main_calls
    assert len(subagent_messages(subagent)) >= 3
    for name, project in cli_transcripts.projects.items():
        ours = list_sessions(cli_transcripts.config_dir, str(project))
        sdk = sdk_list_sessions(directory=str(project))
        assert [m.session_id for m in ours] == [i.session_id for i in sdk], name
        assert [m.cwd for m in ours] == [i.cwd for i in sdk]
