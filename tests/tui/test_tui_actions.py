"""R, t, D, u, e and r in the explorer, on a private config folder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from claude_agent_sdk import list_sessions
from textual.widgets import Input, Label

from sessionscope.tui.app import make_app
from sessionscope.tui.screens.replay import ReplayScreen
from sessionscope.tui.screens.session_dialogs import ConfirmDelete, ExportDialog, TextPrompt
from tests.helpers.pilot import settle
from tests.helpers.sample import HOSTILE_ID, SAMPLE_ID, hostile_entries, write_session

SIZE = (100, 30)
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def _app(config_dir: Path):
    return make_app(config_dir, clock=lambda: NOW, tz=UTC)


def _sdk(session_id: str):
    return {info.session_id: info for info in list_sessions()}.get(session_id)


async def _select(app, pilot, session_id: str) -> None:
    await settle(app, pilot)
    assert app.main_screen.session_list.select_session(session_id)
    await settle(app, pilot)


async def test_rename_and_tag_show_at_once(sample_session: Path, isolated_user_dirs: Path) -> None:
    app = _app(isolated_user_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, SAMPLE_ID)
        await pilot.press("R")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        assert SAMPLE_ID in prompt.question
        prompt.query_one(Input).value = "Empty-line parser bug"
        await pilot.press("enter")
        await settle(app, pilot)
        assert _sdk(SAMPLE_ID).custom_title == "Empty-line parser bug"
        assert app.main_screen.session_list.current.custom_title == "Empty-line parser bug"

        await pilot.press("t")
        app.screen.query_one(Input).value = "bug"
        await pilot.press("enter")
        await settle(app, pilot)
        assert _sdk(SAMPLE_ID).tag == "bug"
        assert app.main_screen.session_list.current.tag == "bug"

        await pilot.press("t")  # escape leaves it as it is
        await pilot.press("escape")
        await settle(app, pilot)
        assert _sdk(SAMPLE_ID).tag == "bug"


async def test_delete_asks_naming_the_session_and_undo_restores_it(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    write_session(isolated_user_dirs, hostile_entries())
    before = sample_session.read_bytes()
    app = _app(isolated_user_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, SAMPLE_ID)
        assert app.sub_title == "2 sessions · 1 project"
        await pilot.press("D")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDelete)
        question = str(dialog.query(Label).first().visual)
        assert SAMPLE_ID in question and "Why does the parser fail" in question
        await pilot.press("n")
        await settle(app, pilot)
        assert sample_session.exists()

        await pilot.press("D", "y")
        await settle(app, pilot)
        assert not sample_session.exists() and _sdk(SAMPLE_ID) is None
        listed = [meta.session_id for meta in app.main_screen.session_list.sessions]
        assert listed == [HOSTILE_ID]
        assert app.main_screen.session_list.current.session_id == HOSTILE_ID
        assert app.sub_title == "1 session · 1 project"  # the header counts what is listed

        # Undo through the command palette (u does the same).
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Undo delete")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert sample_session.read_bytes() == before
        assert _sdk(SAMPLE_ID) is not None
        assert app.main_screen.session_list.current.session_id == SAMPLE_ID
        assert app.sub_title == "2 sessions · 1 project"
        await pilot.press("u")  # nothing left to restore: said, not a crash
        await settle(app, pilot)
        trash_folder = app.main_screen.trash.folder
    assert trash_folder is None or not trash_folder.exists()


async def test_export_from_the_app(
    sample_session: Path, isolated_user_dirs: Path, tmp_path: Path
) -> None:
    target = tmp_path / "exported.html"
    app = _app(isolated_user_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, SAMPLE_ID)
        await pilot.press("e")
        assert isinstance(app.screen, ExportDialog)
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        page = target.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and SAMPLE_ID in page

        # A second export to the same name is refused unless "Replace" is ticked.
        target.write_text("mine")
        await pilot.press("e")
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert target.read_text() == "mine"


async def test_replay_opens_and_q_returns_where_you_were(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    app = _app(isolated_user_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, SAMPLE_ID)
        main_screen = app.screen
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, ReplayScreen)
        replay = app.screen
        assert replay.shown()[0][0] == "00000000-0000-4000-8000-000000000001"
        await pilot.press("r", "D", "e", "t", "R")  # the list's keys do nothing here
        await settle(app, pilot)
        assert app.screen is replay and len(app.screen_stack) == 2
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is main_screen
        assert app.main_screen.session_list.current.session_id == SAMPLE_ID
        assert app.is_running


async def test_replay_of_the_open_session_does_not_read_its_file_again(
    sample_session: Path, isolated_user_dirs: Path, monkeypatch
) -> None:
    import sessionscope.replay.steps as steps_module

    reads: list[object] = []
    index_transcript = steps_module.index_transcript

    def counted(path, *args, **kwargs):
        reads.append(kwargs.get("base"))
        return index_transcript(path, *args, **kwargs)

    monkeypatch.setattr(steps_module, "index_transcript", counted)
    app = _app(isolated_user_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, SAMPLE_ID)
        opened = app.main_screen.opened
        assert opened is not None and not opened.partial
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, ReplayScreen)
        assert reads == [opened.index]  # caught up from where the open session's read stopped


async def test_dialogs_show_a_title_with_brackets_as_written(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    """A title like "[/INST] prompt [bold]" is text in the rename, tag, delete and export
    dialogs, not markup (its unmatched closing tag stopped the explorer)."""
    from sessionscope.agent.manage import rename_session

    title = "[/INST] prompt [bold]format[/bold]"
    rename_session(isolated_user_dirs, SAMPLE_ID, title)
    app = _app(isolated_user_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, SAMPLE_ID)
        for key in ("R", "t", "D", "e"):
            await pilot.press(key)
            await settle(app, pilot)
            shown = str(app.screen.query(Label).first().render())
            assert f"“{title}”" in shown, key
            await pilot.press("escape")
            await settle(app, pilot)
        assert app.is_running


async def test_rename_and_tag_of_a_session_in_two_project_folders_change_the_copy_listed(
    sample_session: Path, isolated_user_dirs: Path
) -> None:
    """A session id in two project folders (a copied project): the explorer lists one copy, and
    R and t change that one (they were refused: which copy was meant was not said)."""
    import shutil

    twin = isolated_user_dirs / "projects" / "-other" / sample_session.name
    twin.parent.mkdir()
    shutil.copyfile(sample_session, twin)
    app = _app(isolated_user_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, SAMPLE_ID)
        listed = Path(app.main_screen.session_list.current.path)
        other = twin if listed == sample_session else sample_session
        untouched = other.read_bytes()
        await pilot.press("R")
        app.screen.query_one(Input).value = "the listed copy"
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("t")
        app.screen.query_one(Input).value = "copy"
        await pilot.press("enter")
        await settle(app, pilot)
        assert not app._notifications or all(
            note.severity != "error" for note in app._notifications
        )
        assert b'"customTitle":"the listed copy"' in listed.read_bytes()
        assert b'"tag":"copy"' in listed.read_bytes()
        assert other.read_bytes() == untouched
