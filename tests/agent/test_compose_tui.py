"""Compose in the app (Pilot), with the real bundled CLI against the fake Messages API: resume,
a new session, fork then compose, the permission dialog, failures, interrupt, switching sessions
while a reply streams, and ``o``."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC
from pathlib import Path

import pytest

from sessionscope.agent.compose import ComposeSettings
from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.files import find_session_file
from sessionscope.transcripts.reader import index_transcript
from sessionscope.tui.app import make_app
from sessionscope.tui.screens.permission import PermissionScreen
from tests.helpers import fakeapi
from tests.helpers.fakeapi import unused_url
from tests.helpers.pilot import settle
from tests.helpers.pilot import wait_for as pilot_wait_for

SIZE = (120, 40)


def app_for(config_dir: Path, env: dict[str, str]):
    settings = ComposeSettings(config_dir=config_dir, env=env)
    return make_app(config_dir, tz=UTC, compose=settings)


async def wait_for(pilot, condition, timeout: float = 90.0, what: str = "") -> None:
    """A turn through the real CLI takes longer than the pane's own work."""
    await pilot_wait_for(pilot, condition, what or str(condition), timeout)


async def select(app, pilot, session_id: str) -> None:
    await wait_for(pilot, lambda: app.main_screen.session_list.current is not None, what="the list")
    assert app.main_screen.session_list.select_session(session_id)
    await wait_for(
        pilot,
        lambda: (
            app.main_screen.opened is not None
            and app.main_screen.opened.meta.session_id == session_id
        ),
        what="the session to open",
    )
    # The prompt box is mounted once the first list is painted; on a busy machine the session
    # can open before it is there (it takes the selection's target when it is).
    await wait_for(pilot, lambda: app.main_screen.prompt_ready, what="the prompt box")


async def send(app, pilot, prompt: str, *, new: bool = False) -> None:
    await pilot.press("c")
    if new:
        await pilot.press("ctrl+n")
    assert app.focused is app.main_screen.prompt_box.prompt_area
    app.main_screen.prompt_box.prompt_area.insert(prompt)
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.main_screen.turn is not None, what="the turn to start")


async def finish(app, pilot) -> None:
    await wait_for(pilot, lambda: app.main_screen.turn is None, what="the turn to end")
    await settle(app, pilot)


def visible_uuids(path: Path) -> list[str]:
    return [e.uuid for e in build_conversation(index_transcript(path)).messages]


def live_text(app) -> str:
    return app.main_screen.live_turn.render().plain


async def test_compose_resumes_the_selected_session(fake_api, cli_transcripts_copy):
    copy = cli_transcripts_copy
    fake_api.reply(fakeapi.text("Rotate the keys first."), when="Which first?")
    path = copy.path("notes")
    before = path.read_bytes()
    app = app_for(copy.config_dir, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, copy.sessions["notes"])
        assert app.main_screen.prompt_box.target.session_id == copy.sessions["notes"]
        assert copy.sessions["notes"][:8] in str(
            app.main_screen.prompt_box.query_one("#prompt-target").render()
        )
        await send(app, pilot, "Which first?")
        await finish(app, pilot)
        assert path.read_bytes().startswith(before)
        uuids = visible_uuids(path)
        # The pane shows the transcript's real entries, the new reply last and selected.
        view = app.main_screen.message_view
        assert view.current_entry is not None and view.current_entry.uuid == uuids[-1]
        assert "✓ done" in live_text(app)
        assert app.main_screen.prompt_box.target.session_id == copy.sessions["notes"]
    assert fake_api.message_requests[-1].prompt_text.endswith("Which first?")


async def test_a_new_session_is_listed_while_its_reply_streams(
    fake_api, isolated_user_dirs, tmp_path, monkeypatch
):
    project = tmp_path / "fresh"
    project.mkdir()
    monkeypatch.chdir(project)
    fake_api.reply(fakeapi.text("Hello " * 60, chunk=6, delay=0.03))
    app = app_for(isolated_user_dirs, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.main_screen.prompt_box.target.session_id is None
        assert "new session in" in app.main_screen.prompt_box.target.describe()
        await send(app, pilot, "Say hello")
        await wait_for(pilot, lambda: app.main_screen.session_list.sessions, what="the new session")
        assert app.main_screen.turn is not None, "listed before the reply ended"
        new_id = app.main_screen.session_list.sessions[0].session_id
        assert app.main_screen.session_list.current.session_id == new_id
        await finish(app, pilot)
        assert find_session_file(isolated_user_dirs, new_id).exists()
        assert app.main_screen.session_list.sessions[0].cwd == str(project)


async def test_fork_then_compose_continues_the_fork(fake_api, cli_transcripts_copy):
    copy = cli_transcripts_copy
    source = copy.path("main")
    source_bytes = source.read_bytes()
    fake_api.reply(fakeapi.text("Continuing the branch."), when="On the branch")
    app = app_for(copy.config_dir, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, copy.sessions["main"])
        view = app.main_screen.message_view
        view.focus()
        entries = [view.source.entry(i) for i in range(view.block_count)]
        view.select(
            next(i for i, e in enumerate(entries) if e.uuid == copy.messages["end_of_turn_1"])
        )
        await pilot.press("f")
        await wait_for(
            pilot,
            lambda: app.main_screen.session_list.current.session_id not in (copy.sessions["main"],),
            what="the fork",
        )
        fork_id = app.main_screen.session_list.current.session_id
        await wait_for(pilot, lambda: app.main_screen.prompt_box.target.session_id == fork_id)
        await send(app, pilot, "On the branch")
        await finish(app, pilot)
    assert source.read_bytes() == source_bytes
    fork_path = find_session_file(copy.config_dir, fork_id)
    assert "Continuing the branch." in fork_path.read_text()
    assert "Continuing the branch." not in source.read_text()


async def test_permission_dialog_is_keyboard_driven(
    fake_api, isolated_user_dirs, tmp_path, monkeypatch
):
    """Three tool calls in one turn, three dialogs: ``a`` allows, ``d`` denies, and ``tab`` to
    the Deny button then ``enter`` denies too."""
    project = tmp_path / "work"
    project.mkdir()
    monkeypatch.chdir(project)
    commands = ["echo a > a.txt", "echo d > d.txt", "echo t > t.txt"]
    fake_api.reply(
        *[fakeapi.tool_use("Bash", {"command": c, "description": "Make"}) for c in commands],
        fakeapi.text("Over."),
    )
    app = app_for(isolated_user_dirs, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await send(app, pilot, "Make files", new=True)
        for command, keys in zip(commands, [["a"], ["d"], ["tab", "tab", "enter"]], strict=True):
            await wait_for(
                pilot,
                lambda command=command: (
                    isinstance(app.screen, PermissionScreen)
                    and app.screen.request.tool_input["command"] == command
                    and app.screen.focused is not None  # mounted: its first button has the focus
                ),
                what=f"the dialog for {command}",
            )
            assert command in str(app.screen.query_one("#permission-input").render())
            await pilot.press(*keys)
        await finish(app, pilot)
        assert not isinstance(app.screen, PermissionScreen)
        assert "✓ done" in live_text(app)
    assert [(project / name).exists() for name in ("a.txt", "d.txt", "t.txt")] == [
        True,
        False,
        False,
    ]
    results = [r.tool_results()[0] for r in fake_api.message_requests[1:]]
    assert [bool(r.get("is_error")) for r in results] == [False, True, True]


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (fakeapi.error(), "API returned an error (500)"),
        (fakeapi.rate_limited(retry_after=0), "Rate limited by the API (429)"),
        (None, "Cannot reach the Claude API"),
    ],
)
async def test_failures_are_clear_and_the_app_stays_usable(
    fake_api, cli_transcripts_copy, reply, said
):
    copy = cli_transcripts_copy
    env = fake_api.env(CLAUDE_CODE_MAX_RETRIES="1")
    if reply is None:
        env["ANTHROPIC_BASE_URL"] = unused_url()
    else:
        fake_api.reply(reply, repeat=True)
    path = copy.path("notes")
    before = path.read_bytes()
    app = app_for(copy.config_dir, env)
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, copy.sessions["notes"])
        await send(app, pilot, "Anything?")
        await wait_for(pilot, lambda: "retry 1/1" in live_text(app), what="the retry shown")
        await finish(app, pilot)
        shown = live_text(app)
        assert "✗ failed" in shown and said in shown
        # Still usable: move in the list, and compose again.
        app.main_screen.session_list.focus()
        await pilot.press("g")
        await settle(app, pilot)
        await pilot.press("c")
        assert app.focused is app.main_screen.prompt_box.prompt_area
    after = path.read_bytes()
    assert after.startswith(before), "nothing already written is lost or rewritten"


async def test_escape_interrupts_a_slow_reply(fake_api, cli_transcripts_copy):
    copy = cli_transcripts_copy
    fake_api.reply(fakeapi.text("slowly " * 500, chunk=7, delay=0.02))
    app = app_for(copy.config_dir, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, copy.sessions["notes"])
        await send(app, pilot, "Tell me everything")
        await wait_for(pilot, lambda: "slowly" in live_text(app), what="streamed text")
        await pilot.press("escape")
        await finish(app, pilot)
        assert "■ interrupted" in live_text(app)
    assert "Tell me everything" in copy.path("notes").read_text()


async def test_quitting_while_a_reply_streams_asks_then_keeps_what_arrived(
    fake_api, cli_transcripts_copy
):
    """q mid-reply asks; n keeps the reply running; ctrl+q twice (as y) stops it as esc does,
    so Claude Code writes the prompt and the reply so far before the app quits (killed, it
    wrote no reply)."""
    from sessionscope.tui.screens.confirm_quit import ConfirmQuit

    copy = cli_transcripts_copy
    release = threading.Event()  # never set: the reply is surely still streaming
    fake_api.reply(fakeapi.text("half of the answer " * 20, chunk=9, hold=release))
    path = copy.path("notes")
    before = path.read_bytes()
    app = app_for(copy.config_dir, fake_api.env())
    try:
        async with app.run_test(size=SIZE) as pilot:
            await select(app, pilot, copy.sessions["notes"])
            await send(app, pilot, "Tell me half")
            await wait_for(pilot, lambda: "half of the answer" in live_text(app), what="text")
            app.main_screen.message_view.focus()  # out of the box, where q is a letter
            await pilot.press("q")
            assert isinstance(app.screen, ConfirmQuit)
            shown = " ".join(str(label.render()) for label in app.screen.query("Label"))
            assert f"A reply is still streaming → to {copy.sessions['notes'][:8]}" in shown
            await pilot.press("n")
            await pilot.pause(0.5)
            assert not isinstance(app.screen, ConfirmQuit)
            assert app.main_screen.turn is not None, live_text(app)
            await pilot.press("ctrl+q", "ctrl+q")  # asked again: stop and quit, as y
            await wait_for(pilot, lambda: app.return_code is not None, what="the app to quit")
    finally:
        release.set()
    written = path.read_bytes()[len(before) :].decode()
    assert path.read_bytes().startswith(before)
    assert "Tell me half" in written and "half of the answer" in written
    assert "[Request interrupted by user]" in written


async def test_switching_sessions_while_streaming_keeps_the_reply_in_its_session(
    fake_api, cli_transcripts_copy
):
    copy = cli_transcripts_copy
    release = threading.Event()
    fake_api.reply(fakeapi.text("notes answer " * 80, chunk=8, delay=0.005, hold=release))
    main_before = copy.path("main").read_bytes()
    app = app_for(copy.config_dir, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, copy.sessions["notes"])
        await send(app, pilot, "Long answer please")
        await wait_for(pilot, lambda: "notes answer" in live_text(app), what="streaming")
        await select(app, pilot, copy.sessions["main"])
        assert app.main_screen.live_turn.state is None, (
            "the other session's reply is not shown here"
        )
        assert app.main_screen.prompt_box.target.session_id == copy.sessions["main"]
        await pilot.press("c")
        app.main_screen.prompt_box.prompt_area.insert("not now")
        await pilot.press("enter")
        assert app.main_screen.turn.target.session_id == copy.sessions["notes"], (
            "one turn at a time"
        )
        release.set()
        await finish(app, pilot)
        assert app.main_screen.session_list.current.session_id == copy.sessions["main"]
        assert app.main_screen.opened.meta.session_id == copy.sessions["main"]
        await select(app, pilot, copy.sessions["notes"])
        assert "✓ done" in live_text(app)
    assert copy.path("main").read_bytes() == main_before
    assert "notes answer" in copy.path("notes").read_text()
    assert len(fake_api.message_requests) == 1


async def test_o_without_a_real_terminal_says_the_command(fake_api, cli_transcripts_copy):
    copy = cli_transcripts_copy
    app = app_for(copy.config_dir, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, copy.sessions["notes"])
        app.main_screen.message_view.focus()
        await pilot.press("o")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("--resume" in m and copy.sessions["notes"] in m for m in said), said


async def test_sdk_is_not_imported_for_the_first_paint(cli_transcripts_copy):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from sessionscope.tui.app import make_app\n"
        f"app = make_app({str(cli_transcripts_copy.config_dir)!r})\n"
        "print('claude_agent_sdk' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
    await asyncio.sleep(0)


async def test_the_session_a_reply_streams_into_is_not_deleted(fake_api, cli_transcripts_copy):
    """``D`` on the session a reply is being written into: deleting it would leave the CLI
    writing the rest of the turn into a new file (a fragment with no history) that ``u`` then
    refuses to overwrite. It is refused until the reply ends; other sessions can be deleted."""
    from sessionscope.tui.screens.session_dialogs import ConfirmDelete

    copy = cli_transcripts_copy
    notes = copy.sessions["notes"]
    release = threading.Event()
    fake_api.reply(fakeapi.text("kept answer " * 40, chunk=8, hold=release))
    app = app_for(copy.config_dir, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, notes)
        await send(app, pilot, "Answer while I delete")
        await wait_for(pilot, lambda: "kept answer" in live_text(app), what="streaming")
        app.main_screen.session_list.focus()
        await pilot.press("D")
        await pilot.pause()
        if isinstance(app.screen, ConfirmDelete):
            await pilot.press("y")
        # (settle would wait for the held turn too)
        await wait_for(
            pilot,
            lambda: any(
                "streaming" in n.message or "Deleted" in n.message for n in app._notifications
            ),
            what="the answer to D",
        )
        said = [n.message for n in app._notifications]
        assert any("streaming" in m for m in said), said
        assert any(s.session_id == notes for s in app.main_screen.session_list.sessions)
        release.set()
        await finish(app, pilot)
    text = copy.path("notes").read_text()
    assert "Summarise my todo list." in text, "the history is still there"
    assert "kept answer" in text and "Answer while I delete" in text


async def test_a_failed_prompt_is_given_back_to_send_again(fake_api, cli_transcripts_copy):
    """The rate-limit message says "send again": the prompt is back in the box, for the same
    session, so enter sends it again (nobody types it twice)."""
    copy = cli_transcripts_copy
    notes, main = copy.sessions["notes"], copy.sessions["main"]
    prompt = 'Check "src/app.py" and ~/notes\\todo.md for $HOME — déjà vu'
    fake_api.reply(fakeapi.rate_limited(retry_after=0), fakeapi.rate_limited(retry_after=0))
    fake_api.reply(fakeapi.text("Second time lucky."))
    app = app_for(copy.config_dir, fake_api.env(CLAUDE_CODE_MAX_RETRIES="1"))
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, notes)
        await send(app, pilot, prompt)
        await finish(app, pilot)
        assert "Rate limited" in live_text(app)
        box = app.main_screen.prompt_box
        assert box.prompt_area.text == prompt
        assert box.target.session_id == notes
        # It stays a draft for notes whatever the selection does; enter sends it there.
        await select(app, pilot, main)
        assert box.target.session_id == notes
        await pilot.press("c", "enter")
        await wait_for(pilot, lambda: app.main_screen.turn is not None, what="the second turn")
        await finish(app, pilot)
        assert box.prompt_area.text == ""
    assert "Second time lucky." in copy.path("notes").read_text()
    assert fake_api.message_requests[-1].prompt_text.endswith(prompt)


async def test_a_pasted_indented_block_is_sent_as_typed(fake_api, cli_transcripts_copy):
    """Only blank lines around the prompt are dropped: the first line's indentation (a pasted
    code block, a quoted log line) is the prompt's text."""
    from tests.agent.test_draft_target import keys

    copy = cli_transcripts_copy
    app = app_for(copy.config_dir, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, copy.sessions["notes"])
        await pilot.press("c", "ctrl+j", *keys("    def f():"), "ctrl+j")
        await pilot.press(*keys("        return '\\\\' + \"$x\""), "ctrl+j", *keys("  "))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main_screen.turn is not None, what="the turn")
        await finish(app, pilot)
    sent = "    def f():\n        return '\\\\' + \"$x\""
    assert fake_api.message_requests[-1].prompt_text.endswith(sent)
