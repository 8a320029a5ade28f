"""Pilot tests: every key and action of the explorer, on the gallery transcripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sessionscope.tui.app import SessionscopeApp
from sessionscope.tui.screens.help import HelpScreen
from sessionscope.tui.widgets.message_view import MessageView
from tests.helpers.pilot import block_text, settle, uuids
from tests.tui.gallery import (
    FORK,
    GALLERY,
    NOTES,
    PROJECT,
    RELEASE,
    u,
)

SIZE = (120, 40)


async def open_gallery(app: SessionscopeApp, pilot) -> MessageView:
    await settle(app, pilot)
    app.main_screen.session_list.select_session(GALLERY)
    await settle(app, pilot)
    assert app.main_screen.opened is not None and app.main_screen.opened.meta.session_id == GALLERY
    return app.main_screen.message_view


async def select_uuid(app: SessionscopeApp, pilot, uuid: str) -> None:
    view = app.main_screen.message_view
    view.select(uuids(view).index(uuid))
    await pilot.pause()


def fork_files(gallery: Path) -> set[Path]:
    return set((gallery / "projects" / PROJECT).glob("*.jsonl"))


def transcript_entries(path: Path) -> list[dict]:
    return [
        json.loads(line)
        for line in path.read_text().splitlines()
        if line.strip() and json.loads(line).get("type") in ("user", "assistant", "system")
    ]


async def test_list_groups_projects_newest_first_with_forks_nested(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        rows = app.main_screen.session_list.rows
        shape = [
            (row.kind, row.meta.session_id if row.meta else row.project, row.depth) for row in rows
        ]
        assert shape == [
            ("project", PROJECT, 0),
            ("session", GALLERY, 0),
            ("session", FORK, 1),
            ("session", RELEASE, 0),
            ("project", "-home-ada-notes", 0),
            ("session", NOTES, 0),
        ]
        # The newest session is selected and its messages are shown, newest message selected.
        assert app.main_screen.session_list.current.session_id == GALLERY
        view = app.main_screen.message_view
        assert view.cursor == view.block_count - 1
        assert view.current_entry.uuid == u(17)
        assert app.sub_title == "4 sessions · 2 projects"


async def test_session_keys_move_and_open(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        session_list = app.main_screen.session_list
        assert app.focused is session_list
        await pilot.press("j")
        await settle(app, pilot)
        assert session_list.current.session_id == FORK
        assert app.main_screen.opened.meta.session_id == FORK
        await pilot.press("G")
        await settle(app, pilot)
        assert session_list.current.session_id == NOTES
        await pilot.press("k")
        assert session_list.current.session_id == RELEASE
        await pilot.press("g")
        await settle(app, pilot)
        assert session_list.current.session_id == GALLERY
        await pilot.press("enter")
        assert app.focused is app.main_screen.message_view
        await pilot.press("tab")
        assert app.focused is session_list
        await pilot.press("shift+tab")
        assert app.focused is app.main_screen.message_view


async def test_filter_is_fuzzy_and_escape_clears(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        await pilot.press(*"rls chk")
        ids = [row.meta.session_id for row in app.main_screen.session_list.rows if row.meta]
        assert ids == [RELEASE]
        # Branch, tag and id prefix match too.
        for query, expected in (("release/1.2", RELEASE), ("#", None), ("4444", NOTES)):
            app.main_screen.session_list.set_query(query)
            ids = [row.meta.session_id for row in app.main_screen.session_list.rows if row.meta]
            if expected:
                assert ids == [expected], query
        app.main_screen.session_list.set_query("no such thing")
        assert app.main_screen.session_list.rows == []
        await pilot.press("down")  # back to the list, the filter kept
        assert (
            app.focused is app.main_screen.session_list and app.main_screen.session_list.rows == []
        )
        await pilot.press("slash", "escape")
        assert app.main_screen.session_list.query_text == ""
        assert len([row for row in app.main_screen.session_list.rows if row.meta]) == 4
        assert app.focused is app.main_screen.session_list


async def test_every_message_shows_its_full_uuid_and_time(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_gallery(app, pilot)
        for index in range(view.block_count):
            entry = view.source.entry(index)
            text = block_text(view, index)
            assert entry.uuid in text.splitlines()[0] + text.splitlines()[1]
        # Local time in the viewer's zone (UTC here), role on each header.
        first = block_text(view, 0)
        assert first.startswith("user  01 Mar 09:00:00")


async def test_body_rendering_of_each_kind(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_gallery(app, pilot)
        ids = uuids(view)
        text = {uuid: block_text(view, i) for i, uuid in enumerate(ids)}
        assert "∴ thinking · 3 lines" in text[u(2)]
        assert "Then the sync module." not in text[u(2)]  # collapsed
        assert "⚙ Bash  cat .github/workflows/ci.yml" in text[u(4)]
        assert (
            "↳ result · 12 lines" in text[u(5)] and "… 8 more lines · enter expands" in text[u(5)]
        )
        assert "⚙ Read  /home/ada/src/orbit/orbit/sync.py" in text[u(6)]
        assert "✗ error" in text[u(9)]
        assert "def connect(remote, timeout=30):" in text[u(10)]  # Markdown code block
        assert "context compacted · 151,234 tokens before" in text[u(11)]
        assert "[image: image/png, 1 KB]" in text[u(13)]
        assert "system · informational" in text[u(14)]
        assert "⚙ Task  Find flaky tests · Explore" in text[u(15)]


async def test_no_control_character_reaches_the_screen(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_gallery(app, pilot)
        for raw in (False, True):
            if raw:
                await pilot.press("a")
            for index in range(view.block_count):
                view.toggle(index)
                for strip in view.rendered(index).strips:
                    for segment in strip:
                        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in segment.text)
        text = block_text(view, 0) if not raw else ""
        del text
        first = "\n".join(s.text for s in app.main_screen.message_view.rendered(0).strips)
        assert first  # the raw row of line 1


async def test_escape_sequences_are_shown_inert(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_gallery(app, pilot)
        assert "␛[2J␛]0;pwned␇" in block_text(view, 0)
        view.toggle(uuids(view).index(u(5)))
        assert "␛[31mpytest -q␛[0m" in block_text(view, uuids(view).index(u(5)))


async def test_message_cursor_keys(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_gallery(app, pilot)
        await pilot.press("tab")
        assert app.focused is view
        last = view.block_count - 1
        assert view.cursor == last
        await pilot.press("k")
        assert view.cursor == last - 1
        await pilot.press("up")
        assert view.cursor == last - 2
        await pilot.press("j", "down")
        assert view.cursor == last
        await pilot.press("g")
        assert view.cursor == 0 and view.scroll_y == 0
        await pilot.press("G")
        assert view.cursor == last
        assert view.scroll_y == view.max_scroll_y
        await pilot.press("g", "pagedown")
        assert view.cursor > 0
        await pilot.press("pageup")
        assert view.cursor == 0


async def test_enter_expands_and_collapses_a_tool_result(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_gallery(app, pilot)
        view.focus()
        await select_uuid(app, pilot, u(5))
        collapsed = len(view.rendered(view.cursor).strips)
        await pilot.press("enter")
        assert view.is_expanded(view.cursor)
        expanded = block_text(view, view.cursor)
        assert "ORBIT_REMOTE: https://example.invalid" in expanded
        assert len(view.rendered(view.cursor).strips) > collapsed
        await pilot.press("enter")
        assert not view.is_expanded(view.cursor)
        assert len(view.rendered(view.cursor).strips) == collapsed


async def test_raw_view_lists_every_line_with_bad_ones(make, gallery: Path) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_gallery(app, pilot)
        await select_uuid(app, pilot, u(10))
        await pilot.press("a")
        assert app.main_screen.raw
        lines = (gallery / "projects" / PROJECT / f"{GALLERY}.jsonl").read_bytes().split(b"\n")
        # Every complete line, plus the torn tail row.
        assert view.block_count == len(lines)
        assert view.current_entry.uuid == u(10)  # the selection follows into the raw view
        texts = [block_text(view, i) for i in range(view.block_count)]
        assert any("queue-operation" in t for t in texts)
        assert any("bad line" in t for t in texts)
        assert "torn last line, not yet written" in texts[-1]
        assert any("system/compact_boundary" in t and u(11) in t for t in texts)
        bad = next(i for i, t in enumerate(texts) if "bad line" in t)
        view.select(bad)
        view.focus()
        await pilot.press("enter")
        assert "{this line is not JSON" in block_text(view, bad)
        await pilot.press("a")
        assert not app.main_screen.raw


async def test_y_copies_the_selected_uuid(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_gallery(app, pilot)
        await pilot.press("y")  # the list has focus: the session id
        assert app.clipboard == GALLERY
        await pilot.press("tab", "k", "y")
        assert app.clipboard == app.main_screen.message_view.current_entry.uuid == u(16)
        notes = [n.message for n in app._notifications]
        assert f"Copied {u(16)}" in notes


async def test_b_switches_rewind_branches(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_gallery(app, pilot)
        assert u(19) not in uuids(view)
        await pilot.press("b")
        await settle(app, pilot)
        assert uuids(view)[-2:] == [u(18), u(19)]
        assert view.current_entry.uuid == u(19)
        await pilot.press("b")
        await settle(app, pilot)
        assert uuids(view)[-1] == u(17)


async def test_enter_on_task_opens_the_subagent(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_gallery(app, pilot)
        app.main_screen.message_view.focus()
        await select_uuid(app, pilot, u(15))
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        sub_view = screen.query_one(MessageView)
        assert [sub_view.source.entry(i).uuid for i in range(sub_view.block_count)] == [
            u(101),
            u(102),
            u(103),
            u(104),
        ]
        await pilot.press("f")  # forks start from the main session
        assert "escape to go back" in list(app._notifications)[-1].message
        await pilot.press("j", "y", "b", "a", "tab")
        assert app.clipboard == u(102)
        assert app.screen is not app.screen_stack[0]
        await pilot.press("escape")
        assert app.screen.query_one("#messages") is app.main_screen.message_view


async def test_fork_inside_a_response_ends_at_the_group_end(make, gallery: Path) -> None:
    app = make()
    source = gallery / "projects" / PROJECT / f"{GALLERY}.jsonl"
    before = source.read_bytes()
    existing = fork_files(gallery)
    async with app.run_test(size=SIZE) as pilot:
        await open_gallery(app, pilot)
        app.main_screen.message_view.focus()
        # u(3) is the text block of msg_01, whose tool_use u(4) waits for result u(5).
        await select_uuid(app, pilot, u(3))
        await pilot.press("f")
        await settle(app, pilot)
        new = fork_files(gallery) - existing
        assert len(new) == 1
        new_path = new.pop()
        entries = transcript_entries(new_path)
        assert entries[-1]["forkedFrom"] == {"sessionId": GALLERY, "messageUuid": u(5)}
        assert [e["forkedFrom"]["messageUuid"] for e in entries] == [u(1), u(2), u(3), u(4), u(5)]
        assert source.read_bytes() == before
        # The new session is in the list, selected, nested under its parent, its messages shown.
        new_id = new_path.stem
        assert app.main_screen.session_list.current.session_id == new_id
        row = app.main_screen.session_list.rows[app.main_screen.session_list.cursor]
        assert row.depth == 1
        assert app.main_screen.opened.meta.session_id == new_id
        assert app.main_screen.message_view.block_count == 5
        # Its message count comes from the transcript just read (not a second read of it),
        # and says what reading the file for the list says.
        from sessionscope.transcripts.sessions import read_session_meta

        listed, read = app.main_screen.session_list.current, read_session_meta(new_path)
        assert (listed.message_count, listed.root_uuid) == (read.message_count, read.root_uuid)
        assert listed.message_count == 5
        assert app.focused is app.main_screen.message_view
        messages = " ".join(n.message for n in app._notifications)
        assert f"Forked → {new_id}" in messages and u(5) in messages


async def test_fork_at_a_plain_answer_ends_there(make, gallery: Path) -> None:
    app = make()
    existing = fork_files(gallery)
    async with app.run_test(size=SIZE) as pilot:
        await open_gallery(app, pilot)
        await select_uuid(app, pilot, u(10))
        await pilot.press("f")
        await settle(app, pilot)
        (new_path,) = fork_files(gallery) - existing
        assert transcript_entries(new_path)[-1]["forkedFrom"]["messageUuid"] == u(10)
        assert app.sub_title == "5 sessions · 2 projects"  # the fork is counted


@pytest.mark.parametrize("target", [u(1), u(5), u(11)])
async def test_fork_elsewhere_says_why_not(make, gallery: Path, target: str) -> None:
    app = make()
    existing = fork_files(gallery)
    async with app.run_test(size=SIZE) as pilot:
        await open_gallery(app, pilot)
        await select_uuid(app, pilot, target)
        await pilot.press("f")
        await settle(app, pilot)
        assert fork_files(gallery) == existing
        last = list(app._notifications)[-1].message
        assert last.startswith("Cannot fork here:")


async def test_fork_in_raw_view_is_refused(make, gallery: Path) -> None:
    app = make()
    existing = fork_files(gallery)
    async with app.run_test(size=SIZE) as pilot:
        await open_gallery(app, pilot)
        await pilot.press("a", "f")
        await settle(app, pilot)
        assert fork_files(gallery) == existing
        assert "raw view" in list(app._notifications)[-1].message


async def test_help_lists_every_key(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.markdown
        for binding_id in (
            "quit",
            "help",
            "filter",
            "fork",
            "copy-uuid",
            "raw-view",
            "branch",
            "next-pane",
            "session-next",
            "session-open",
        ):
            assert f"`{binding_id}`" in text, binding_id
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_runs_actions(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_gallery(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Raw")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.main_screen.raw


async def test_command_palette_provider_lists_every_action(make) -> None:
    from sessionscope.tui.palette import ActionsProvider

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_gallery(app, pilot)
        provider = ActionsProvider(app.screen)
        titles = [title for title, _help, _command in provider.actions()]
        for expected in ("Fork", "Copy UUID", "Raw", "Branch", "Help", "Quit", "Filter", "Expand"):
            assert any(title.startswith(expected + " (") for title in titles), expected


async def test_keys_can_be_remapped(make, gallery: Path) -> None:
    app = make(keymap={"fork": "F", "copy-uuid": "c"})
    existing = fork_files(gallery)
    async with app.run_test(size=SIZE) as pilot:
        await open_gallery(app, pilot)
        await select_uuid(app, pilot, u(10))
        await pilot.press("f")
        await settle(app, pilot)
        assert fork_files(gallery) == existing
        await pilot.press("F")
        await settle(app, pilot)
        assert len(fork_files(gallery) - existing) == 1
        await pilot.press("c")
        assert app.clipboard


async def test_open_with_session_and_message(make) -> None:
    app = make(session_id=RELEASE, message_uuid=u(201))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.main_screen.session_list.current.session_id == RELEASE
        assert app.main_screen.message_view.current_entry.uuid == u(201)
        assert app.focused is app.main_screen.message_view


async def test_empty_config_shows_what_to_do(make, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "projects").mkdir(parents=True)
    app = make(config_dir=empty)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.main_screen.session_list.rows == []
        assert "No sessions in" in app.main_screen.session_list.placeholder
        await pilot.press("f", "y", "a", "b", "j", "tab", "j", "enter")
        assert app.is_running


async def test_q_quits(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_showing_the_same_file_again_keeps_what_was_rendered(make) -> None:
    """The whole of a big session replaces its newest messages (and a branch, or the file after
    a new turn, replaces the conversation) without rendering again the blocks on screen; the raw
    view, which numbers lines, keeps a block only if its line number is the same."""
    from sessionscope.transcripts.conversation import build_conversation
    from sessionscope.transcripts.reader import index_transcript
    from sessionscope.tui.sources import ConversationSource, RawSource

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_gallery(app, pilot)
        await pilot.pause()
        drawn = view.rendered_blocks
        assert drawn
        path = app.main_screen.opened.path
        index = index_transcript(path)
        again = ConversationSource(path, index, build_conversation(index))
        rendered: list[int] = []
        original = again.render
        again.render = lambda i, *a: rendered.append(i) or original(i, *a)
        view.show(again)
        await pilot.pause()
        assert rendered == []  # every block on screen came from the earlier rendering
        assert {uuids(view)[i] for i in view.rendered_blocks} >= {
            app.main_screen.opened.source.entry(i).uuid for i in drawn
        }
        # Raw rows numbered differently (as a tail read numbers them) are drawn again.
        raw = RawSource(path, index)
        view.show(raw)
        await pilot.pause()
        numbered_from_tail = RawSource(path, index_transcript(path, count_lines_before=False))
        for entry in numbered_from_tail.rows:
            entry.line_no += 1000
        redrawn: list[int] = []
        original_raw = numbered_from_tail.render
        numbered_from_tail.render = lambda i, *a: redrawn.append(i) or original_raw(i, *a)
        view.show(numbered_from_tail)
        await pilot.pause()
        assert redrawn and "1001" in block_text(view, 0)


async def test_start_up_defers_the_prompt_box_and_the_collector(make) -> None:
    """The first list is painted before the prompt box is mounted and with the cyclic
    collector paused; both come back right after, the box aimed at the selected session.
    (The list's first highlight is the first list: it is posted when the list is set.)"""
    import gc

    from sessionscope.tui.widgets.prompt_box import PromptBox
    from sessionscope.tui.widgets.session_list import SessionList

    app = make()
    seen_at_first_list: dict[str, bool] = {}

    def first_list(event) -> None:
        if "box" not in seen_at_first_list:
            seen_at_first_list["box"] = bool(app.screen.query(PromptBox))
            seen_at_first_list["collector"] = gc.isenabled()

    assert gc.isenabled()
    async with app.run_test(
        size=SIZE,
        message_hook=lambda m: first_list(m) if isinstance(m, SessionList.Highlighted) else None,
    ) as pilot:
        await settle(app, pilot)
        assert seen_at_first_list == {"box": False, "collector": False}
        assert gc.isenabled()
        box = app.screen.query_one(PromptBox)
        current = app.main_screen.session_list.current
        assert current is not None and box.target is not None
        assert box.target.session_id == current.session_id
    assert gc.isenabled()


async def test_the_first_list_comes_from_the_index_at_mount(make) -> None:
    """With the index holding the list, it is read as the screen mounts (the first frame has
    it), not by a worker whose list came frames later; with none yet (the first start), the
    files' heads and tails are read there too, when they take less than the wait (a few
    files). No worker is described by the repr of the sessions (2,000 of them took 20 ms of
    the screen's thread)."""
    from textual.worker import Worker

    for start in ("first", "again"):
        app = make()
        workers: dict[str, str] = {}

        def seen(message, workers: dict[str, str] = workers) -> None:
            if isinstance(message, Worker.StateChanged):
                workers[message.worker.name] = message.worker.description

        async with app.run_test(size=SIZE, message_hook=seen) as pilot:
            await settle(app, pilot)
            sessions = list(app.main_screen.session_list.sessions)
        assert len(sessions) > 2
        assert "load_sessions" not in workers, start
        assert "count_sessions" in workers
        two = len(repr(sessions[:2]))
        assert all(len(description) < two for description in workers.values()), workers


async def test_a_first_list_read_late_comes_from_the_worker(make) -> None:
    """The screen waits only briefly (FIRST_LIST_WAIT) for the index's list: when the read is
    later than that (a cold disk), the first frame says the list is being read, and the list
    comes from the worker, once, with nothing said of the read left behind."""
    from textual.worker import Worker

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        listed = len(app.main_screen.session_list.sessions)
    assert listed > 2
    app = make()
    workers: list[str] = []

    def seen(message) -> None:
        # Started (it may be cancelled by the count that follows it once it has posted the
        # list: its group's workers are exclusive).
        if isinstance(message, Worker.StateChanged) and message.state.name == "RUNNING":
            workers.append(message.worker.name)

    # The index's connections held by this thread (the app's): the read at mount waits for
    # them, as for a cold disk, until they are let go.
    db = app.context.catalog.db
    held = [db._lock, db._readers_lock]
    for lock in held:
        lock.acquire()
    try:
        async with app.run_test(size=SIZE, message_hook=seen) as pilot:
            await pilot.pause()
            assert not app.main_screen.session_list.sessions  # the first frame: still reading
            while held:
                held.pop().release()
            await settle(app, pilot)
            assert len(app.main_screen.session_list.sessions) == listed
            assert not app._notifications  # no error said
    finally:
        while held:
            held.pop().release()
    assert workers.count("load_sessions") == 1


async def test_a_list_read_at_mount_starts_at_its_top(make) -> None:
    """The list read from the index as the screen mounts is set before the list has a size:
    the first session and its project's heading are still on screen once it has one (the
    cursor's row was scrolled into a view of one line: two lines down). A terminal of ten
    lines: the list is longer than its pane."""
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
    app = make()
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(app, pilot)
        session_list = app.main_screen.session_list
        assert session_list.virtual_size.height > session_list.scrollable_content_region.height
        assert session_list.current.session_id == GALLERY
        assert session_list.scroll_y == 0
        assert "▾ /home/ada/src/orbit" in session_list.render_line(0).text


async def test_the_compose_target_line_is_cut_not_wrapped(make) -> None:
    """A target line wider than the pane ends in "…" on its one line: it was wrapped, the rest
    of it on a second line that is not drawn (a title without spaces was not shown at all)."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        line = app.main_screen.prompt_box.query_one("#prompt-target")
        drawn = line.render_line(0).text.rstrip()
        assert drawn.startswith(f"compose → to {GALLERY[:8]} · Why does `orbit sync` f")
        assert drawn.endswith("…")


async def test_the_list_cursor_is_drawn_in_the_colours_of_its_focus(make) -> None:
    """The list's styles are looked up once per style change: the cursor's row still takes
    the focused colours while the list has the focus, the blurred ones once it has not, and
    a new theme's."""
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        session_list = app.main_screen.session_list
        line = session_list._map.start(session_list.cursor) - round(session_list.scroll_y)

        def cursor_colour():
            session_list.refresh()
            return session_list.render_line(line)._segments[-1].style.bgcolor

        def wanted():
            return session_list.get_component_rich_style("session-list--cursor").bgcolor

        assert session_list.has_focus
        focused = cursor_colour()
        assert focused == wanted()
        app.main_screen.message_view.focus()
        await pilot.pause()
        assert not session_list.has_focus
        blurred = cursor_colour()
        assert blurred == wanted() != focused
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        assert cursor_colour() == wanted() != blurred


async def test_quitting_as_the_first_list_is_painted_is_clean(make) -> None:
    """``q`` the moment the list appears: the prompt box, mounted right after the first
    paint, may be mounted while the app quits, and must not fail for its missing children."""
    from sessionscope.tui.widgets.session_list import SessionList

    for _ in range(3):
        app = make()

        def quit_at_first_list(message, app=app) -> None:
            if isinstance(message, SessionList.Highlighted):
                app.call_after_refresh(app.exit)

        async with app.run_test(size=SIZE, message_hook=quit_at_first_list) as pilot:
            await pilot.pause(0.2)
        assert app.return_code in (0, None)


def test_long_lived_objects_are_frozen_once_the_sdk_is_imported(gallery: Path) -> None:
    """After start-up and the background SDK import, what is alive is moved out of the cyclic
    collector's reach (a full collection walked it all: 30-100 ms pauses). A fresh process:
    the freeze happens once per process."""
    import subprocess
    import sys

    code = (
        "import asyncio, gc, sys\n"
        "from pathlib import Path\n"
        "from sessionscope.tui.app import make_app\n"
        f"app = make_app(Path({str(gallery)!r}))\n"
        "async def main():\n"
        "    async with app.run_test(size=(120, 40)) as pilot:\n"
        "        for _ in range(3):\n"
        "            await app.workers.wait_for_complete()\n"
        "            await pilot.pause()\n"
        "        print('claude_agent_sdk' in sys.modules, gc.get_freeze_count() > 10000)\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-2:] == ["True", "True"]
