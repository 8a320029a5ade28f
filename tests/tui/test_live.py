"""Live: transcripts written while the explorer runs show on screen, in the list and in search.

Each test appends to (or creates, or deletes) a transcript while the app runs, with the real
file watcher, and waits (with a generous deadline) for what the screen must show.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from sessionscope.index import Index
from sessionscope.tui.context import system_clock
from tests.helpers.pilot import block_text, settle, uuids, wait_for
from tests.helpers.tmuxterm import Tmux, installed_sessionscope
from tests.tui.gallery import (
    GALLERY,
    NOTES,
    NOTES_PROJECT,
    PROJECT,
    RELEASE,
    assistant,
    u,
    user,
)

SIZE = (120, 40)


def transcript(gallery: Path, session_id: str, project: str = PROJECT) -> Path:
    return gallery / "projects" / project / f"{session_id}.jsonl"


def append(path: Path, *entries: dict, raw: bytes = b"") -> None:
    with open(path, "ab") as handle:
        for entry in entries:
            handle.write(json.dumps(entry).encode() + b"\n")
        handle.write(raw)


def view_uuids(app) -> list[str | None]:
    return uuids(app.main_screen.message_view)


def screen_text(app) -> str:
    """What the list and the message pane show now, line by line."""
    widgets = (app.main_screen.session_list, app.main_screen.message_view)
    return "\n".join(
        widget.render_line(y).text for widget in widgets for y in range(widget.size.height)
    )


async def start(app, pilot, session_id: str) -> None:
    await settle(app, pilot)
    if app.main_screen.session_list.current.session_id != session_id:
        app.main_screen.session_list.select_session(session_id)
        await settle(app, pilot)
    assert (
        app.main_screen.opened is not None and app.main_screen.opened.meta.session_id == session_id
    )
    await wait_for(
        pilot,
        lambda: app.main_screen.watching is not None and app.main_screen.watching.is_set(),
        "watching",
    )


def complete_the_torn_line(path) -> None:
    """Append the rest of the torn last line the gallery ends with: the message u(903)."""
    append(
        path,
        raw=b'er","content":"and the release notes?"},"uuid":"'
        + u(903).encode()
        + b'","parentUuid":"'
        + u(17).encode()
        + b'","sessionId":"'
        + GALLERY.encode()
        + b'","timestamp":"2026-03-01T10:00:00.000Z"}\n',
    )


async def test_the_scrollbar_follows_the_blocks_as_they_are_measured(make, gallery) -> None:
    """Measuring a block changes the pane's height without laying out the screen again: the
    scrollbar shows up once a session outgrows the pane and stays true to the measured height
    while paging through blocks drawn for the first time."""
    path = transcript(gallery, NOTES, NOTES_PROJECT)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, NOTES)
        view = app.main_screen.message_view
        assert view.virtual_size.height <= view.scrollable_content_region.height
        assert not view.show_vertical_scrollbar
        parent = view_uuids(app)[-1]
        entries = []
        for n in range(30):
            text = "\n".join(f"line {k} of answer {n}" for k in range(n % 7 + 1))
            entries.append(
                assistant(
                    NOTES,
                    u(950 + n),
                    parent,
                    100 + n,
                    f"msg_grow{n}",
                    {"type": "text", "text": text},
                )
            )
            parent = u(950 + n)
        append(path, *entries)
        await wait_for(pilot, lambda: u(979) in view_uuids(app), "the appended messages")
        await pilot.pause()
        assert view.show_vertical_scrollbar
        view.focus()
        await pilot.press("g")
        while view.cursor < view.block_count - 1:
            await pilot.press("pagedown")
            await pilot.pause()
            bar = view.vertical_scrollbar
            assert bar.window_virtual_size == view.virtual_size.height
            assert bar.position == view.scroll_y
        assert view.scroll_y == view.max_scroll_y


async def test_an_appended_message_shows_and_the_pane_follows_at_the_end(make, gallery) -> None:
    path = transcript(gallery, NOTES, NOTES_PROJECT)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, NOTES)
        view = app.main_screen.message_view
        before = view.block_count
        assert view.cursor == before - 1  # at the end: the pane follows
        last = view_uuids(app)[-1]
        append(
            path,
            user(NOTES, u(901), last, 100, "Live question: is the staging sync green?"),
            assistant(
                NOTES, u(902), u(901), 101, "msg_live", {"type": "text", "text": "Green, 14:02."}
            ),
        )
        await wait_for(pilot, lambda: u(902) in view_uuids(app), "the appended messages")
        assert view.block_count == before + 2
        assert view.current_entry.uuid == u(902)  # followed to the new end
        assert "Green, 14:02." in screen_text(app)
        assert view.scroll_y == view.max_scroll_y
        # Its count in the header and the list.
        await wait_for(
            pilot,
            lambda: app.main_screen.session_list.current.message_count == before + 2,
            "the new count",
        )


async def test_a_session_read_again_at_the_end_follows_what_was_appended(make, gallery) -> None:
    """The list read again opens the session again (whole, the cursor kept): a reader at the
    end, whose file grew meanwhile, is taken to the new end, as the file's growth does."""
    path = transcript(gallery, NOTES, NOTES_PROJECT)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, NOTES)
        screen = app.main_screen
        view = screen.message_view
        assert view.cursor == view.block_count - 1
        last = view_uuids(app)[-1]
        append(
            path,
            user(NOTES, u(911), last, 100, "Asked while the list was read again"),
            assistant(NOTES, u(912), u(911), 101, "msg_911", {"type": "text", "text": "Seen."}),
        )
        screen.open_session(screen.session_list.current)  # as a re-read list does
        await wait_for(pilot, lambda: u(912) in view_uuids(app), "the appended messages")
        await settle(app, pilot)
        assert view.current_entry.uuid == u(912)


async def test_the_cursor_stays_where_the_reader_is(make, gallery) -> None:
    path = transcript(gallery, GALLERY)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, GALLERY)
        view = app.main_screen.message_view
        view.focus()
        view.select(2)
        await pilot.pause()
        await pilot.press("enter")  # unfolded: stays unfolded
        await pilot.pause()
        chosen = view.current_entry.uuid
        expanded = view.is_expanded(2)
        place = view.block_start(view.cursor) - round(view.scroll_y)
        before = view.block_count
        # Completes the torn last line the gallery ends with, then one more message.
        complete_the_torn_line(path)
        await wait_for(pilot, lambda: u(903) in view_uuids(app), "the completed line")
        assert view.block_count == before + 1
        assert view.current_entry.uuid == chosen
        assert view.is_expanded(view.cursor) == expanded
        assert view.block_start(view.cursor) - round(view.scroll_y) == place
        assert "and the release notes?" in block_text(
            app.main_screen.message_view, view.block_count - 1
        )


async def test_a_growing_session_shows_what_opening_it_afresh_shows(make, gallery) -> None:
    """Each append adds to what the pane holds (the history before the compaction, the
    conversation, the blocks' places and estimates) rather than working it all out again; what
    it shows is what opening the file afresh shows, and a response written a piece at a time
    shows its tokens on its last piece only."""
    from sessionscope.transcripts.conversation import build_conversation
    from sessionscope.transcripts.reader import index_transcript
    from sessionscope.tui.sources import ConversationSource

    path = transcript(gallery, GALLERY)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, GALLERY)
        view = app.main_screen.message_view

        def afresh() -> ConversationSource:
            index = index_transcript(path)
            return ConversationSource(path, index, build_conversation(index))

        def shown() -> tuple:
            source = view.source
            blocks = range(len(source))
            return (
                [source.entry(i).uuid for i in blocks],
                [source.ends_response(i) for i in blocks],
                source.estimates(view.content_width),
                [m.uuid for m in source.messages],
            )

        first = view.source
        # The torn last line completed, then a response in two pieces, one append each.
        complete_the_torn_line(path)
        await wait_for(pilot, lambda: u(903) in view_uuids(app), "the completed line")
        piece = {"type": "text", "text": "Notes drafted."}
        append(path, assistant(GALLERY, u(904), u(903), 601, "msg_split", piece))
        await wait_for(pilot, lambda: u(904) in view_uuids(app), "the response's first piece")
        assert shown() == shown_afresh(afresh(), view.content_width)
        assert "10 in · 20 out" in block_text(view, view.block_count - 1)
        second = {"type": "text", "text": "Published them."}
        append(path, assistant(GALLERY, u(905), u(904), 602, "msg_split", second))
        await wait_for(pilot, lambda: u(905) in view_uuids(app), "the response's last piece")
        await settle(app, pilot)
        assert shown() == shown_afresh(afresh(), view.content_width)
        assert view.current_entry.uuid == u(905)
        assert "10 in · 20 out" not in block_text(view, view.block_count - 2)
        assert "10 in · 20 out" in block_text(view, view.block_count - 1)
        # It went on from the source before: the same history, the blocks kept, not rebuilt.
        grown = view.source
        assert grown.segments[0].lineage is first.segments[0].lineage
        assert grown.segments[-1].lineage is first.segments[-1].lineage
        assert grown.blocks[: len(first.blocks)] == first.blocks


async def test_the_index_catches_up_once_the_appended_message_is_painted(make, gallery) -> None:
    """The index's catch-up (its thread slows the screen's) starts only once the pane has
    asked for the paint of what was appended: it waited for the screen's refresh, which could
    run before the pane's."""
    from textual.messages import Update
    from textual.worker import Worker, WorkerState

    from sessionscope.tui.messages import TranscriptGrew

    path = transcript(gallery, NOTES, NOTES_PROJECT)
    seen: list[str] = []

    def hook(message) -> None:
        if isinstance(message, TranscriptGrew):
            seen.append("grew")
        elif isinstance(message, Update) and message.widget is app.main_screen.message_view:
            seen.append("pane painted")
        elif (
            isinstance(message, Worker.StateChanged)
            and message.worker.group == "live-index"
            and message.state == WorkerState.RUNNING
        ):
            seen.append("index")

    app = make()
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await start(app, pilot, NOTES)
        last = view_uuids(app)[-1]
        for number in range(3):
            await settle(app, pilot)
            del seen[:]
            asked = u(960 + 2 * number)
            append(
                path,
                user(NOTES, asked, last, 100 + number, f"Question {number}"),
                assistant(
                    NOTES,
                    u(961 + 2 * number),
                    asked,
                    100.5 + number,
                    f"msg_order{number}",
                    {"type": "text", "text": f"Answer {number}"},
                ),
            )
            last = u(961 + 2 * number)
            await wait_for(pilot, lambda last=last: last in view_uuids(app), "the appended turn")
            await wait_for(pilot, lambda: "index" in seen, "the index's catch-up")
            grew = seen.index("grew")
            assert "pane painted" in seen[grew : seen.index("index")], seen


def shown_afresh(source, width: int) -> tuple:
    blocks = range(len(source))
    return (
        [source.entry(i).uuid for i in blocks],
        [source.ends_response(i) for i in blocks],
        source.estimates(width),
        [m.uuid for m in source.messages],
    )


async def test_a_torn_line_is_not_shown_until_its_newline(make, gallery) -> None:
    path = transcript(gallery, RELEASE)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, RELEASE)
        before = view_uuids(app)
        line = json.dumps(user(RELEASE, u(904), before[-1], 200, "half now, half later")).encode()
        with open(path, "ab") as handle:
            handle.write(line[:40])
        await wait_for(
            pilot, lambda: app.main_screen.opened.index.torn_tail == line[:40], "the torn line read"
        )
        await settle(app, pilot)
        assert view_uuids(app) == before
        assert "half now" not in screen_text(app)
        with open(path, "ab") as handle:
            handle.write(line[40:] + b"\n")
        await wait_for(pilot, lambda: u(904) in view_uuids(app), "the whole line")
        assert "half now, half later" in screen_text(app)


async def test_new_sessions_appear_deleted_ones_go_and_live_ones_are_marked(make, gallery) -> None:
    app = make(clock=system_clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, GALLERY)
        listed = lambda: {s.session_id for s in app.main_screen.session_list.sessions}  # noqa: E731
        assert app.main_screen.session_list.live == set()  # the gallery was written minutes ago
        arrived = "77777777-7777-4777-8777-777777777777"
        transcript(gallery, arrived).write_text(
            json.dumps(user(arrived, u(905), None, 0, "A brand new session appears")) + "\n"
        )
        await wait_for(pilot, lambda: arrived in listed(), "the new session listed")
        # Listed, not selected: the session being read stays open.
        assert app.main_screen.session_list.current.session_id == GALLERY
        assert app.main_screen.opened.meta.session_id == GALLERY
        assert arrived in app.main_screen.session_list.live
        assert "● A brand new session appears" in screen_text(app)

        transcript(gallery, RELEASE).unlink()
        await wait_for(pilot, lambda: RELEASE not in listed(), "the deleted session gone")
        assert app.main_screen.session_list.current.session_id == GALLERY

        # The open session deleted: its neighbour is selected and shown.
        transcript(gallery, GALLERY).unlink()
        await wait_for(pilot, lambda: GALLERY not in listed(), "the open session gone")
        await settle(app, pilot)
        assert app.main_screen.session_list.current.session_id != GALLERY
        assert (
            app.main_screen.opened.meta.session_id
            == app.main_screen.session_list.current.session_id
        )


async def test_a_draft_keeps_its_session_through_live_updates(make, gallery) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, NOTES)
        await wait_for(pilot, lambda: app.main_screen.prompt_ready, "the prompt box")
        await pilot.press("c", *"draft")
        await pilot.press("escape")
        assert app.main_screen.prompt_box.target.session_id == NOTES
        append(
            transcript(gallery, NOTES, NOTES_PROJECT),
            user(NOTES, u(906), None, 300, "written by an agent meanwhile"),
        )
        arrived = "88888888-8888-4888-8888-888888888888"
        transcript(gallery, arrived).write_text(
            json.dumps(user(arrived, u(907), None, 0, "another new session")) + "\n"
        )
        await wait_for(
            pilot,
            lambda: any(s.session_id == arrived for s in app.main_screen.session_list.sessions),
            "the new session",
        )
        await wait_for(pilot, lambda: u(906) in view_uuids(app), "the appended message")
        assert app.main_screen.prompt_box.prompt_area.text == "draft"
        assert app.main_screen.prompt_box.target.session_id == NOTES


async def test_an_appended_message_is_findable_while_the_app_runs(make, gallery) -> None:
    word = "zanzibarquokka"
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, NOTES)
        append(
            transcript(gallery, NOTES, NOTES_PROJECT),
            user(NOTES, u(908), None, 400, f"where did the {word} go?"),
        )
        index = Index(gallery)
        try:
            await wait_for(
                pilot,
                lambda: [h.uuid for h in index.search(word, catch_up=False)] == [u(908)],
                "the app's index to have the new message",
            )
        finally:
            index.close()
        await pilot.press("ctrl+f", *word)
        screen = app.screen
        await wait_for(pilot, lambda: screen.answered == word, "the search screen's answer")
        assert [hit.uuid for hit in screen.hits] == [u(908)]


async def test_an_open_search_finds_a_message_written_after_it_was_asked(make, gallery) -> None:
    word = "wombatlighthouse"
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, NOTES)
        await pilot.press("ctrl+f", *word)
        screen = app.screen
        await wait_for(pilot, lambda: screen.answered == word, "the first answer")
        assert screen.hits == []
        append(
            transcript(gallery, NOTES, NOTES_PROJECT),
            user(NOTES, u(909), None, 500, f"the {word} is lit"),
        )
        await wait_for(pilot, lambda: [h.uuid for h in screen.hits] == [u(909)], "the new hit")


@pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)
def test_installed_command_shows_a_message_appended_while_it_runs(
    gallery: Path, tmp_path: Path
) -> None:
    """In a real terminal: the session is open, an agent appends a message (first half a
    line, then the rest), the message appears on screen (its text and UUID), never half."""
    term = Tmux(tmp_path)
    env = {
        "CLAUDE_CONFIG_DIR": str(gallery),
        "SESSIONSCOPE_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "TERM": "xterm-256color",
        "TZ": "UTC",
    }
    exports = " ".join(f"{key}={value}" for key, value in env.items())
    term.start(f"env {exports} {installed_sessionscope()} --session {NOTES}", width=120, height=40)
    try:
        term.wait_for("Three decisions")
        time.sleep(1)  # the watcher starts right after the first paint
        path = transcript(gallery, NOTES, NOTES_PROJECT)
        line = json.dumps(
            assistant(
                NOTES, u(910), u(402), 600, "msg_tmux", {"type": "text", "text": "Live from tmux"}
            )
        ).encode()
        with open(path, "ab") as handle:
            handle.write(line[:60])
        time.sleep(1.5)
        assert u(910) not in term.screen()
        with open(path, "ab") as handle:
            handle.write(line[60:] + b"\n")
        screen = term.wait_for("Live from tmux", timeout=30)
        assert u(910) in screen
    finally:
        term.kill()


async def test_the_raw_view_grows_too(make, gallery) -> None:
    path = transcript(gallery, NOTES, NOTES_PROJECT)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, NOTES)
        app.main_screen.message_view.focus()
        await pilot.press("a")
        await settle(app, pilot)
        view = app.main_screen.message_view
        rows = view.block_count
        assert view.cursor == rows - 1
        append(path, {"type": "custom-title", "customTitle": "Renamed live", "sessionId": NOTES})
        await wait_for(pilot, lambda: view.block_count == rows + 1, "the new raw row")
        assert view.cursor == rows  # followed to the new last line
        assert "custom-title" in block_text(app.main_screen.message_view, rows)
        # The list and the header take the new title.
        await wait_for(
            pilot,
            lambda: app.main_screen.session_list.current.custom_title == "Renamed live",
            "the title",
        )


async def test_the_open_session_deleted_under_the_pane_is_no_crash(make, gallery) -> None:
    """The transcript shown is deleted (another terminal's ``sessionscope delete``, Claude
    Code's clean-up) and the pane draws blocks it has not read yet before the watcher has
    noticed: those blocks are drawn as unreadable, the app carries on, and the session goes."""
    app = make(clock=system_clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, GALLERY)
        view = app.main_screen.message_view
        view.focus()
        await pilot.press("G")
        await settle(app, pilot)
        transcript(gallery, GALLERY).unlink()
        await pilot.press("g")
        await pilot.pause()
        listed = lambda: {s.session_id for s in app.main_screen.session_list.sessions}  # noqa: E731
        await wait_for(pilot, lambda: GALLERY not in listed(), "the open session gone")
        await settle(app, pilot)
        assert app.main_screen.opened.meta.session_id != GALLERY
