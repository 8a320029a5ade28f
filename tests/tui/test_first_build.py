"""The first build of the index while the explorer runs: the list shows every session at once,
fills in their message counts as the index gets to them, and a bar under it says how far the
build got."""

from __future__ import annotations

import asyncio
import importlib.util
import multiprocessing
import resource
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import ProgressBar

from sessionscope.index import index as index_module
from tests.helpers.pilot import settle

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SIZE = (120, 40)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 small generated sessions (benchmarks/corpus.py): more than the bar's threshold."""
    spec = importlib.util.spec_from_file_location(
        "sessionscope_bench_corpus", PROJECT_ROOT / "benchmarks" / "corpus.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    root = tmp_path_factory.mktemp("corpus") / "claude"
    params = module.CorpusParams(seed=11, sessions=300, total_mb=3, big_mb=0)
    module.ensure_corpus(params, root=root, quiet=True)
    return root


@pytest.mark.parametrize("read_elsewhere", [False, True], ids=["read-here", "read-elsewhere"])
async def test_counts_fill_in_file_by_file_under_a_progress_bar(
    corpus, make, monkeypatch, read_elsewhere
):
    from sessionscope.tui.screens.main import INDEX_BAR_FILES

    # Every file counted is said at once (not once a second), so that a small corpus shows
    # the list half counted.
    monkeypatch.setattr(index_module, "COUNTED_SECONDS", 0.0)
    if read_elsewhere:  # as a big first build is read: by another process, from the app
        monkeypatch.setattr(index_module, "READ_ELSEWHERE_FROM", 1)
        monkeypatch.setattr(index_module, "CHUNK_BYTES", 20_000)
        monkeypatch.setattr(index_module, "AHEAD_BYTES", 60_000)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    app = make(corpus)
    seen_half_counted = seen_bar = False
    async with app.run_test(size=SIZE) as pilot:
        screen = app.main_screen
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            sessions = screen.session_list.sessions
            counts = [meta.message_count for meta in sessions]
            if counts and None in counts and any(c is not None for c in counts):
                seen_half_counted = True
            for bar in screen.query("#index-progress").results(ProgressBar):
                seen_bar = True
                assert (bar.total or 0) > 0 and (bar.progress or 0) < bar.total
            if counts and None not in counts:
                break
            await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        await pilot.pause(0.6)  # the bar's next look
        assert len(screen.session_list.sessions) >= INDEX_BAR_FILES
        assert None not in [meta.message_count for meta in screen.session_list.sessions]
        assert seen_half_counted, "the counts came all at once"
        assert seen_bar, "no progress bar during the first build"
        assert not screen.query("#index-progress")  # gone once the build is done
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - children_before
    assert (children_cpu > 0) == read_elsewhere


async def test_quitting_during_the_first_build_stops_it(corpus, make, monkeypatch):
    # The list said after every file counted: a build of a few seconds.
    monkeypatch.setattr(index_module, "COUNTED_SECONDS", 0.0)
    monkeypatch.setattr(index_module, "READ_ELSEWHERE_FROM", 1)
    monkeypatch.setattr(index_module, "CHUNK_BYTES", 20_000)
    monkeypatch.setattr(index_module, "AHEAD_BYTES", 60_000)
    app = make(corpus)
    async with app.run_test(size=SIZE) as pilot:
        index = app.context.catalog
        deadline = time.monotonic() + 60
        while not (index.progress and index.progress[0] >= 20) and time.monotonic() < deadline:
            await pilot.pause(0.01)
        await pilot.press("q")
    # Thread workers run in the loop's default executor: this waits for the build's thread.
    await asyncio.get_running_loop().shutdown_default_executor()
    done, total = index.progress
    assert 20 <= done < total
    assert multiprocessing.active_children() == []


async def test_a_first_start_shows_the_newest_sessions_while_the_others_are_read(
    corpus, make, monkeypatch
):
    """No index yet: every session is read head and tail before it can be listed (20,000 took
    6 to 7 s on this machine); the newest come first, and the list grows under the cursor."""
    from sessionscope.transcripts.sessions import list_sessions
    from sessionscope.tui.messages import SessionsLoaded
    from sessionscope.tui.screens import main as main_screen

    monkeypatch.setattr(index_module, "FIRST_SHOWN", 20)
    # The list is never in the first frame (as with 20,000 sessions to read): its worker's.
    monkeypatch.setattr(main_screen, "FIRST_LIST_WAIT", 0.0)
    every = list_sessions(corpus, count_messages=False)
    loaded: list[SessionsLoaded] = []

    def hook(message) -> None:
        if isinstance(message, SessionsLoaded) and all(m is not message for m in loaded):
            loaded.append(message)

    app = make(corpus)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        screen = app.main_screen
        deadline = time.monotonic() + 30
        while len(screen.session_list.sessions) < len(every) and time.monotonic() < deadline:
            await pilot.pause(0.01)
        newest, whole = loaded[0], loaded[1]
        assert not newest.whole and whole.whole
        newest_ids = [meta.session_id for meta in newest.sessions]
        by_time = sorted(every, key=lambda meta: meta.last_modified, reverse=True)
        assert set(newest_ids) == {meta.session_id for meta in by_time[:20]}
        assert [meta.session_id for meta in whole.sessions] == [m.session_id for m in every]
        # The newest session was opened from the first part and is still the one selected.
        assert screen.session_list.current.session_id == every[0].session_id
        assert not app.sub_title.endswith("reading the others…")
        assert f"{len(every)} sessions" in app.sub_title


async def test_a_first_start_on_an_old_session_waits_for_the_whole_list(corpus, make, monkeypatch):
    """--session ID of a session not among the newest: no part of the list is shown (its first
    session would be opened for nothing), the whole list is, with that session selected."""
    from sessionscope.transcripts.sessions import list_sessions
    from sessionscope.tui.screens import main as main_screen
    from sessionscope.tui.widgets.session_list import SessionList

    monkeypatch.setattr(index_module, "FIRST_SHOWN", 20)
    monkeypatch.setattr(main_screen, "FIRST_LIST_WAIT", 0.0)
    oldest = list_sessions(corpus, count_messages=False)[-1]
    opened: list[str] = []

    def hook(message) -> None:
        if isinstance(message, SessionList.Highlighted) and (
            not opened or opened[-1] != message.meta.session_id
        ):
            opened.append(message.meta.session_id)

    app = make(corpus, session_id=oldest.session_id)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        screen = app.main_screen
        deadline = time.monotonic() + 30
        while screen.session_list.current is None and time.monotonic() < deadline:
            await pilot.pause(0.01)
        await settle(app, pilot)
        assert screen.session_list.current.session_id == oldest.session_id
        assert opened == [oldest.session_id]  # the newest was never opened on the way
