"""Reply from any message: ``c`` on an older assistant message in the pane targets a new branch
from it (the box says so before Enter), and Enter resumes with ``resume_session_at`` and
``fork_session`` — through the real CLI against the fake Messages API. The source is untouched,
the new session is selected with the reply in it."""

from __future__ import annotations

import json

from sessionscope.transcripts.files import find_session_file
from tests.agent.test_compose_tui import SIZE, app_for, finish, select, wait_for
from tests.helpers import fakeapi
from tests.helpers.realcli import PROMPTS


async def test_c_on_an_older_answer_branches_from_it(fake_api, cli_transcripts_copy):
    copy = cli_transcripts_copy
    main = copy.sessions["main"]
    source = copy.path("main")
    source_bytes = source.read_bytes()
    at = copy.messages["end_of_turn_1"]
    fake_api.reply(fakeapi.text("Taking it from the first answer."), when="From here instead")
    app = app_for(copy.config_dir, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, main)
        view = app.main_screen.message_view
        view.focus()
        entries = [view.source.entry(i) for i in range(view.block_count)]
        view.select(next(i for i, e in enumerate(entries) if e.uuid == at))
        await pilot.pause()
        await pilot.press("c")
        box = app.main_screen.prompt_box
        assert box.target.fork and box.target.at_uuid == at
        line = str(box.query_one("#prompt-target").render())
        assert f"new branch from {at[:8]} of {main[:8]}" in line  # said before Enter
        assert app.focused is box.prompt_area
        box.prompt_area.insert("From here instead")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main_screen.turn is not None, what="the turn to start")
        await finish(app, pilot)
        await wait_for(
            pilot,
            lambda: app.main_screen.session_list.current.session_id != main,
            what="the new branch to be selected",
        )
        branch = app.main_screen.session_list.current.session_id
    assert source.read_bytes() == source_bytes
    text = find_session_file(copy.config_dir, branch).read_text(encoding="utf-8")
    assert "Taking it from the first answer." in text and PROMPTS["tools"] not in text
    sent = json.dumps(fake_api.message_requests[-1].body)
    assert PROMPTS["think"] in sent and PROMPTS["tools"] not in sent


async def test_c_on_the_last_answer_or_from_the_list_continues_the_session(
    fake_api, cli_transcripts_copy
):
    copy = cli_transcripts_copy
    main = copy.sessions["main"]
    app = app_for(copy.config_dir, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, main)
        view = app.main_screen.message_view
        view.focus()
        view.select(view.block_count - 1)
        await pilot.pause()
        await pilot.press("c")
        assert (
            app.main_screen.prompt_box.target.session_id == main
            and not app.main_screen.prompt_box.target.fork
        )
        await pilot.press("escape")
        # From the session list, whatever message the pane had selected: the session's end.
        entries = [view.source.entry(i) for i in range(view.block_count)]
        view.select(
            next(i for i, e in enumerate(entries) if e.uuid == copy.messages["end_of_turn_1"])
        )
        app.main_screen.session_list.focus()
        await pilot.pause()
        await pilot.press("c")
        assert (
            app.main_screen.prompt_box.target.session_id == main
            and not app.main_screen.prompt_box.target.fork
        )
