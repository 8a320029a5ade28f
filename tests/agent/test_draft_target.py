"""A draft belongs to the session it was started for: whatever the selection does (moving in
the list, the filter, a refresh with a new session arriving, a fork), the prompt box keeps
naming that session and ``enter`` sends there. The real bundled CLI against the fake API."""

from __future__ import annotations

import json
import uuid

from textual.keys import _character_to_key

from sessionscope.tui.screens.session_dialogs import ConfirmDelete
from tests.agent.test_compose_tui import SIZE, app_for, finish, select, settle, wait_for
from tests.helpers import fakeapi


def keys(text: str) -> list[str]:
    """The key names that type ``text``."""
    return [_character_to_key(character) for character in text]


def target_line(app) -> str:
    return str(app.main_screen.prompt_box.query_one("#prompt-target").render())


def assert_names(app, session_id: str) -> None:
    box = app.main_screen.prompt_box
    assert box.target is not None and box.target.session_id == session_id
    assert f"→ to {session_id[:8]}" in target_line(app)


async def test_a_draft_goes_where_it_was_started_whatever_the_selection_does(
    fake_api, cli_transcripts_copy
):
    copy = cli_transcripts_copy
    notes, main = copy.sessions["notes"], copy.sessions["main"]
    prompt = "draft for notes: see src/app.py"
    fake_api.reply(fakeapi.text("Noted."), when="draft for notes")
    app = app_for(copy.config_dir, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, notes)
        await pilot.press("c", *keys(prompt))
        assert app.main_screen.prompt_box.prompt_area.text == prompt
        assert_names(app, notes)
        await pilot.press("escape")  # out of the box; the draft stays

        # Moving in the list.
        app.main_screen.session_list.focus()
        await pilot.pause()
        for key in ("j", "k", "G", "g", "j"):
            await pilot.press(key)
            await settle(app, pilot)
            assert_names(app, notes)
        assert app.main_screen.session_list.current.session_id != notes

        # The filter: matching nothing (no selection at all), then another session.
        await pilot.press("slash", *keys("zzz-no-such-session"))
        await settle(app, pilot)
        assert app.main_screen.session_list.current is None
        assert_names(app, notes)
        await pilot.press("escape")
        await pilot.press("slash", *keys("Shop"))
        await settle(app, pilot)
        assert app.main_screen.session_list.current.session_id == main
        assert_names(app, notes)
        await pilot.press("escape")

        # A refresh that lists a new session (a copy of main under a new id).
        arrived = str(uuid.uuid4())
        source = copy.path("main")
        lines = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
        for line in lines:
            if "sessionId" in line:
                line["sessionId"] = arrived
        (source.parent / f"{arrived}.jsonl").write_text(
            "".join(json.dumps(line) + "\n" for line in lines)
        )
        app.main_screen.load_sessions()
        await wait_for(
            pilot,
            lambda: any(s.session_id == arrived for s in app.main_screen.session_list.sessions),
            what="the new session listed",
        )
        await settle(app, pilot)
        assert_names(app, notes)

        # A fork of another session: the fork is selected.
        await select(app, pilot, main)
        view = app.main_screen.message_view
        view.focus()
        entries = [view.source.entry(i) for i in range(view.block_count)]
        view.select(
            next(i for i, e in enumerate(entries) if e.uuid == copy.messages["end_of_turn_1"])
        )
        await pilot.press("f")
        await wait_for(
            pilot,
            lambda: app.main_screen.session_list.current.session_id not in (main, notes, arrived),
            what="the fork",
        )
        await settle(app, pilot)
        fork = app.main_screen.session_list.current.session_id
        assert_names(app, notes)

        # Back in the box: the same draft, the same target; enter sends it there.
        await pilot.press("c")
        assert app.focused is app.main_screen.prompt_box.prompt_area
        assert app.main_screen.prompt_box.prompt_area.text == prompt
        assert_names(app, notes)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main_screen.turn is not None, what="the turn to start")
        assert app.main_screen.turn.target.session_id == notes
        await finish(app, pilot)
        # The empty box follows the selection again.
        assert app.main_screen.prompt_box.prompt_area.text == ""
        assert_names(app, app.main_screen.session_list.current.session_id)

    assert fake_api.message_requests[-1].prompt_text.endswith(prompt)
    holding = [
        path.stem
        for path in (copy.config_dir / "projects").rglob("*.jsonl")
        if prompt in path.read_text()
    ]
    assert holding == [notes], f"the prompt went to {holding}, not only to notes"
    assert fork not in holding


async def test_only_ctrl_n_in_the_box_retargets_a_draft_and_a_gone_target_sends_nothing(
    fake_api, cli_transcripts_copy
):
    copy = cli_transcripts_copy
    notes, main = copy.sessions["notes"], copy.sessions["main"]
    app = app_for(copy.config_dir, fake_api.env())
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, notes)
        await pilot.press("c", *keys("a draft"))
        await pilot.press("escape")
        await select(app, pilot, main)
        assert_names(app, notes)
        # ctrl+n: a new session, said in the box; again: the selected session.
        await pilot.press("c", "ctrl+n")
        assert app.main_screen.prompt_box.target.session_id is None
        assert "→ new session in" in target_line(app)
        await pilot.press("ctrl+n")
        assert_names(app, main)
        await pilot.press("ctrl+n", "ctrl+n")  # and back to main
        assert_names(app, main)
        # Deleting the draft's session: enter sends nothing anywhere, and says why.
        await pilot.press("escape")
        await select(app, pilot, notes)
        await select(app, pilot, main)
        app.main_screen.session_list.focus()
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDelete), what="the dialog")
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: all(s.session_id != main for s in app.main_screen.session_list.sessions),
            what="the delete",
        )
        await settle(app, pilot)
        assert_names(app, main)
        await pilot.press("c", "enter")
        await settle(app, pilot)
        assert app.main_screen.turn is None
        assert app.main_screen.prompt_box.prompt_area.text == "a draft", "the draft is kept"
        said = [n.message for n in app._notifications]
        assert any("is gone" in m and main[:8] in m for m in said), said
    assert fake_api.message_requests == []
