"""The compose bridge with the real bundled CLI against the fake Messages API: new sessions,
resume, fork, streaming, permissions, interrupt, and every way a turn can fail."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from sessionscope.agent.compose import (
    ApiRetried,
    BlockReceived,
    ComposeSettings,
    ComposeTurn,
    FailureKind,
    PermissionDecision,
    SessionAssigned,
    SessionPermissions,
    TextStreamed,
    ToolResultReceived,
    TurnFailed,
    TurnFinished,
    TurnTarget,
)
from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.files import find_session_file
from sessionscope.transcripts.reader import index_transcript
from sessionscope.transcripts.sessions import list_sessions
from tests.helpers import fakeapi
from tests.helpers.fakeapi import unused_url


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    (path / "notes.txt").write_text("alpha\nbeta\n")
    return path


def settings_for(api, config_dir: Path, **env: str) -> ComposeSettings:
    return ComposeSettings(config_dir=config_dir, env=api.env(**env))


async def run_turn(prompt, target, settings, ask=None, permissions=None):
    events = []
    turn = ComposeTurn(prompt, target, settings, events.append, ask, permissions)
    finished = await asyncio.wait_for(turn.run(), timeout=120)
    return turn, events, finished


def of(events, kind):
    return [event for event in events if isinstance(event, kind)]


def visible_uuids(config_dir: Path, session_id: str) -> list[str]:
    path = find_session_file(config_dir, session_id)
    return [entry.uuid for entry in build_conversation(index_transcript(path)).messages]


async def test_new_session_streams_and_is_listed(fake_api, isolated_user_dirs, project):
    fake_api.reply(
        fakeapi.thinking(
            "Two lines in the file.", "The file has two lines: alpha and beta.", chunk=6
        )
    )
    target = TurnTarget(None, str(project))
    turn, events, finished = await run_turn(
        "What is in notes.txt?", target, settings_for(fake_api, isolated_user_dirs)
    )
    assert not of(events, TurnFailed)
    assigned = of(events, SessionAssigned)
    assert len(assigned) == 1 and turn.session_id == assigned[0].session_id
    first_content = next(
        i for i, e in enumerate(events) if isinstance(e, TextStreamed | BlockReceived)
    )
    assert events.index(assigned[0]) < first_content, "the id is reported before any reply"
    streamed = "".join(event.text for event in of(events, TextStreamed))
    assert streamed == "The file has two lines: alpha and beta."
    assert len(of(events, TextStreamed)) > 1, "the text arrives in pieces"
    blocks = of(events, BlockReceived)
    assert [b.kind for b in blocks] == ["thinking", "text"]
    assert events[-1] is finished and isinstance(finished, TurnFinished)
    assert finished.cost_usd and finished.cost_usd > 0 and not finished.failed

    listed = {meta.session_id: meta for meta in list_sessions(isolated_user_dirs)}
    assert turn.session_id in listed
    assert listed[turn.session_id].cwd == str(project)
    # The blocks' UUIDs are the transcript's own.
    assert [b.uuid for b in blocks] == visible_uuids(isolated_user_dirs, turn.session_id)[1:]


async def test_resume_appends_a_turn_to_the_same_file(fake_api, cli_transcripts_copy):
    copy = cli_transcripts_copy
    session_id = copy.sessions["notes"]
    path = copy.path("notes")
    before_bytes = path.read_bytes()
    before = visible_uuids(copy.config_dir, session_id)
    fake_api.reply(fakeapi.text("Release notes are next."), when="What next?")
    target = TurnTarget(session_id, str(copy.projects["notes"]), title="notes")
    turn, events, finished = await run_turn(
        "What next?", target, settings_for(fake_api, copy.config_dir)
    )
    assert not of(events, TurnFailed) and not finished.failed
    assert of(events, SessionAssigned) == [SessionAssigned(session_id)]
    after_bytes = path.read_bytes()
    assert after_bytes.startswith(before_bytes), "nothing already written is rewritten"
    after = visible_uuids(copy.config_dir, session_id)
    assert after[: len(before)] == before and len(after) == len(before) + 2
    assert of(events, BlockReceived)[-1].uuid == after[-1]
    # The CLI was sent the earlier conversation.
    assert "Summarise my todo list." in json.dumps(fake_api.message_requests[-1].messages)


async def test_fork_target_continues_in_a_new_session(fake_api, cli_transcripts_copy):
    copy = cli_transcripts_copy
    source = copy.path("main")
    source_bytes = source.read_bytes()
    fake_api.reply(fakeapi.text("On the fork."), when="Carry on")
    target = TurnTarget(copy.sessions["main"], str(copy.projects["shop"]), fork=True)
    turn, events, finished = await run_turn(
        "Carry on", target, settings_for(fake_api, copy.config_dir)
    )
    assert not of(events, TurnFailed)
    assert turn.session_id and turn.session_id != copy.sessions["main"]
    assert of(events, SessionAssigned) == [SessionAssigned(turn.session_id)]
    assert source.read_bytes() == source_bytes
    assert find_session_file(copy.config_dir, turn.session_id).exists()


async def test_reply_from_an_older_message_branches_there(fake_api, cli_transcripts_copy):
    """resume=ID, resume_session_at=UUID, fork_session=True: a new session holding the
    conversation up to that message, then the new turn; the source is untouched."""
    from tests.helpers.realcli import PROMPTS

    copy = cli_transcripts_copy
    source = copy.path("main")
    source_bytes = source.read_bytes()
    at = copy.messages["end_of_turn_1"]
    fake_api.reply(fakeapi.text("From the first answer on."), when="Branch here")
    target = TurnTarget(copy.sessions["main"], str(copy.projects["shop"]), fork=True, at_uuid=at)
    assert target.describe() == f"new branch from {at[:8]} of {copy.sessions['main'][:8]}"
    turn, events, finished = await run_turn(
        "Branch here", target, settings_for(fake_api, copy.config_dir)
    )
    assert not of(events, TurnFailed) and finished is not None
    assert turn.session_id and turn.session_id != copy.sessions["main"]
    assert source.read_bytes() == source_bytes
    # What the API was sent: turn one, not the turns after the branch point.
    sent = json.dumps(fake_api.message_requests[-1].body)
    assert PROMPTS["think"] in sent and "Branch here" in sent
    assert PROMPTS["tools"] not in sent and PROMPTS["subagent"] not in sent
    # The new session: the history up to the message, then the new turn.
    path = find_session_file(copy.config_dir, turn.session_id)
    text = path.read_text(encoding="utf-8")
    assert "From the first answer on." in text and PROMPTS["tools"] not in text
    kept = visible_uuids(copy.config_dir, copy.sessions["main"])
    branch = visible_uuids(copy.config_dir, turn.session_id)
    assert len(branch) == kept.index(at) + 1 + 2  # up to the message, the prompt, the reply


def test_continue_from_picks_the_session_or_a_safe_branch_point(cli_transcripts):
    from sessionscope.agent.compose import continue_from
    from sessionscope.transcripts.conversation import all_messages

    path = cli_transcripts.path("main")
    index = index_transcript(path)
    messages = all_messages(index, build_conversation(index))
    session_id, cwd = cli_transcripts.sessions["main"], "/work/shop"

    def target(position: int) -> TurnTarget:
        return continue_from(session_id, cwd, "Shop", messages, position)

    assert target(len(messages) - 1) == TurnTarget(session_id, cwd, title="Shop")
    assert target(0) == TurnTarget(session_id, cwd, title="Shop")  # a prompt: the session
    at = cli_transcripts.messages["end_of_turn_1"]
    end_of_turn_1 = next(i for i, m in enumerate(messages) if m.uuid == at)
    assert target(end_of_turn_1) == TurnTarget(session_id, cwd, fork=True, title="Shop", at_uuid=at)
    # A tool call inside turn two: the branch starts after its response and its results.
    call = next(
        i
        for i, m in enumerate(messages)
        if i > end_of_turn_1 and m.type == "assistant" and m.tool_use_ids
    )
    moved = target(call)
    assert moved.fork and moved.at_uuid != messages[call].uuid
    end = next(i for i, m in enumerate(messages) if m.uuid == moved.at_uuid)
    waited = set(messages[call].tool_use_ids)
    assert waited <= {r for m in messages[call : end + 1] for r in m.tool_result_ids}


def bash_then_text(command: str) -> list:
    return [
        fakeapi.tool_use("Bash", {"command": command, "description": "Write a file"}),
        fakeapi.text("Finished."),
    ]


async def test_permission_allow_runs_the_tool(fake_api, isolated_user_dirs, project):
    fake_api.reply(*bash_then_text("echo made > made.txt"))
    asked = []

    async def ask(request):
        asked.append(request)
        return PermissionDecision.ALLOW_ONCE

    _, events, _ = await run_turn(
        "Make a file",
        TurnTarget(None, str(project)),
        settings_for(fake_api, isolated_user_dirs),
        ask,
    )
    assert [r.tool_name for r in asked] == ["Bash"]
    assert asked[0].tool_input["command"] == "echo made > made.txt"
    assert asked[0].title
    results = of(events, ToolResultReceived)
    assert len(results) == 1 and not results[0].is_error
    assert (project / "made.txt").read_text() == "made\n"


async def test_permission_deny_reports_it(fake_api, isolated_user_dirs, project):
    fake_api.reply(*bash_then_text("echo no > denied.txt"))

    async def ask(request):
        return PermissionDecision.DENY

    _, events, finished = await run_turn(
        "Make a file",
        TurnTarget(None, str(project)),
        settings_for(fake_api, isolated_user_dirs),
        ask,
    )
    results = of(events, ToolResultReceived)
    assert len(results) == 1 and results[0].is_error and "denied" in results[0].text
    assert not (project / "denied.txt").exists()
    assert not finished.failed
    assert "denied" in json.dumps(fake_api.message_requests[-1].tool_results())


async def test_allow_for_this_session_is_remembered_across_turns(
    fake_api, isolated_user_dirs, project
):
    fake_api.reply(*bash_then_text("echo one > one.txt"), when="first")
    fake_api.reply(*bash_then_text("echo two > two.txt"), when="second")
    asked = []

    async def ask(request):
        asked.append(request)
        return PermissionDecision.ALLOW_SESSION

    permissions = SessionPermissions()
    settings = settings_for(fake_api, isolated_user_dirs)
    turn, _, _ = await run_turn("first", TurnTarget(None, str(project)), settings, ask, permissions)
    await run_turn("second", TurnTarget(turn.session_id, str(project)), settings, ask, permissions)
    assert len(asked) == 1
    assert (project / "one.txt").exists() and (project / "two.txt").exists()


async def test_interrupt_in_the_middle_of_a_slow_reply(fake_api, isolated_user_dirs, project):
    fake_api.reply(fakeapi.text("slowly " * 400, chunk=7, delay=0.02))
    events = []
    first_text = asyncio.Event()

    def on_event(event):
        events.append(event)
        if isinstance(event, TextStreamed):
            first_text.set()

    turn = ComposeTurn(
        "Tell me a long story",
        TurnTarget(None, str(project)),
        settings_for(fake_api, isolated_user_dirs),
        on_event,
    )
    task = asyncio.create_task(turn.run())
    await asyncio.wait_for(first_text.wait(), timeout=60)
    await turn.interrupt()
    finished = await asyncio.wait_for(task, timeout=30)
    assert finished.interrupted and not finished.failed
    assert not of(events, TurnFailed)
    streamed = "".join(e.text for e in of(events, TextStreamed))
    assert 0 < len(streamed) < len("slowly " * 400)
    # The prompt is in the transcript; the session is still readable and listed.
    path = find_session_file(isolated_user_dirs, turn.session_id)
    assert "Tell me a long story" in path.read_text()


@pytest.mark.parametrize(
    ("reply", "kind", "status"),
    [
        (fakeapi.error(), FailureKind.API_ERROR, 500),
        (fakeapi.overloaded(), FailureKind.OVERLOADED, 529),
        (fakeapi.rate_limited(retry_after=0), FailureKind.RATE_LIMITED, 429),
    ],
)
async def test_api_errors_are_retried_then_explained(
    fake_api, isolated_user_dirs, project, reply, kind, status
):
    fake_api.reply(reply, repeat=True)
    settings = settings_for(fake_api, isolated_user_dirs, CLAUDE_CODE_MAX_RETRIES="1")
    turn, events, finished = await run_turn("hello", TurnTarget(None, str(project)), settings)
    retries = of(events, ApiRetried)
    assert [r.status for r in retries] == [status]
    assert str(status) in retries[0].describe()
    failures = of(events, TurnFailed)
    assert len(failures) == 1 and failures[0].kind is kind
    assert str(status) in failures[0].message
    assert finished.failed and events[-1] is finished
    # Retries come before the failure, as they happen.
    assert events.index(retries[0]) < events.index(failures[0])
    assert len(fake_api.message_requests) == 2


async def test_rate_limit_then_success(fake_api, isolated_user_dirs, project):
    fake_api.reply(fakeapi.rate_limited(retry_after=0), fakeapi.text("Made it."))
    _, events, finished = await run_turn(
        "hello", TurnTarget(None, str(project)), settings_for(fake_api, isolated_user_dirs)
    )
    assert [r.status for r in of(events, ApiRetried)] == [429]
    assert not of(events, TurnFailed) and not finished.failed
    assert of(events, BlockReceived)[-1].text == "Made it."


async def test_unreachable_api(isolated_user_dirs, project):
    url = unused_url()
    settings = ComposeSettings(
        config_dir=isolated_user_dirs,
        env={
            "ANTHROPIC_BASE_URL": url,
            "ANTHROPIC_API_KEY": "sk-test",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "CLAUDE_CODE_MAX_RETRIES": "1",
        },
    )
    _, events, finished = await run_turn("hello", TurnTarget(None, str(project)), settings)
    failures = of(events, TurnFailed)
    assert [f.kind for f in failures] == [FailureKind.UNREACHABLE]
    assert url in failures[0].message
    assert of(events, ApiRetried) and finished.failed


async def test_no_credentials_says_what_to_set(fake_api, isolated_user_dirs, project):
    settings = settings_for(fake_api, isolated_user_dirs, ANTHROPIC_API_KEY="")
    _, events, finished = await run_turn("hello", TurnTarget(None, str(project)), settings)
    failures = of(events, TurnFailed)
    assert [f.kind for f in failures] == [FailureKind.CREDENTIALS]
    assert "ANTHROPIC_API_KEY" in failures[0].message and "press o" in failures[0].message
    assert fake_api.message_requests == []
    assert finished.failed


async def test_cli_not_found(fake_api, isolated_user_dirs, project, tmp_path):
    settings = ComposeSettings(
        config_dir=isolated_user_dirs, env=fake_api.env(), cli_path=str(tmp_path / "no-claude")
    )
    _, events, finished = await run_turn("hello", TurnTarget(None, str(project)), settings)
    failures = of(events, TurnFailed)
    assert [f.kind for f in failures] == [FailureKind.CLI_MISSING]
    assert "not found" in failures[0].message and finished.failed


async def test_cli_exit_on_an_unknown_session(fake_api, isolated_user_dirs, project):
    unknown = "12345678-1234-4234-8234-123456789012"
    _, events, finished = await run_turn(
        "hello", TurnTarget(unknown, str(project)), settings_for(fake_api, isolated_user_dirs)
    )
    failures = of(events, TurnFailed)
    assert [f.kind for f in failures] == [FailureKind.CLI_EXITED]
    assert unknown in failures[0].message
    assert finished.failed and fake_api.message_requests == []


def test_target_describes_itself(monkeypatch):
    assert TurnTarget(None, "/srv/app").describe() == "new session in /srv/app"
    monkeypatch.setenv("HOME", "/home/ada")  # the home folder is ~: the line has room for more
    assert TurnTarget(None, "/home/ada/src/app").describe() == "new session in ~/src/app"
    assert TurnTarget(None, "/home/ada").describe() == "new session in ~"
    assert TurnTarget(None, "/home/adam/x").describe() == "new session in /home/adam/x"
    target = TurnTarget("0123456789abcdef", "/srv/app", title="Fix \x1b[31mbug")
    assert target.describe() == "to 01234567 · Fix \u241b[31mbug", "escape sequences made inert"
    assert TurnTarget("0123456789abcdef", "/x", fork=True).describe().startswith("fork of")


async def test_each_turn_reports_its_own_cost_not_the_sessions_total(fake_api, project):
    """The CLI's total_cost_usd carries on from the session's earlier turns (resumed, or forked
    from); "✓ done · $x" is this turn's cost: the same for three turns of the same size."""
    config_dir = project.parent / "claude"
    settings = settings_for(fake_api, config_dir)
    turn, _, first = await run_turn("One", TurnTarget(None, str(project)), settings)
    session_id = turn.session_id
    assert first.cost_usd and first.cost_usd > 0
    _, _, second = await run_turn("Two", TurnTarget(session_id, str(project)), settings)
    _, _, forked = await run_turn("Six", TurnTarget(session_id, str(project), fork=True), settings)
    assert second.cost_usd == pytest.approx(first.cost_usd)
    assert forked.cost_usd == pytest.approx(first.cost_usd)


async def test_a_session_whose_folder_is_gone_is_not_sent(fake_api, cli_transcripts_copy, tmp_path):
    """A session run in a folder since deleted (a temporary worktree): said as such, before
    Claude Code is started, not as a lost connection."""
    copy = cli_transcripts_copy
    path = copy.path("notes")
    before = path.read_bytes()
    gone = tmp_path / "deleted-worktree"
    target = TurnTarget(copy.sessions["notes"], str(gone), title="notes")
    turn, events, finished = await run_turn(
        "Still there?", target, settings_for(fake_api, copy.config_dir)
    )
    (failed,) = of(events, TurnFailed)
    assert failed.message == (
        f"Not sent: this session's folder {gone} does not exist here, and Claude Code resumes a "
        "session in its folder. ctrl+n sends the prompt to a new session instead."
    )
    assert finished.failed and fake_api.message_requests == []
    assert path.read_bytes() == before
