"""The TUI's figures, each measured in a child process that drives the app headless.

``benchmarks/run.py`` calls these through its ``--probe`` mechanism; each returns a dict of
measurements (seconds unless said otherwise). Times are taken around the app's own messages:
an ``after_refresh`` callback fires once the screen holding the change has been composed, which
is what "on screen" means here (the headless driver draws into nothing, the same for the
reference app).
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.children import SpawnedPeak
from benchmarks.launch import SIZE, timed


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def count_frames(app) -> list[float]:
    """The times of the frames ``app`` writes from now on (every frame goes through its
    ``_display``), appended as they are written."""
    frames: list[float] = []
    display = app._display

    def counted(screen, update) -> None:
        display(screen, update)
        frames.append(time.perf_counter())

    app._display = counted
    return frames


async def first_frame_after(frames: list[float], moment: float) -> float:
    """When the first frame of ``frames`` (:func:`count_frames`) at or after ``moment`` was
    written, waiting for it."""
    while not frames or frames[-1] < moment:
        await asyncio.sleep(0.0005)
    return next(at for at in frames if at >= moment)


def _make(config_dir: str, **kwargs):
    from sessionscope.tui.app import make_app

    return timed(make_app(Path(config_dir), **kwargs))


async def _until(pilot, condition, timeout: float = 120.0, poll: float = 0.002) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there")
        await pilot.pause(poll)


async def _workers_done(pilot) -> None:
    """Every worker of the app finished. ``workers.wait_for_complete`` raises when one was
    cancelled for a newer one (a session read again while it was being read: the machine's
    load decides), which ended the run."""
    await _until(pilot, lambda: all(worker.is_finished for worker in pilot.app.workers), poll=0.02)


def big_session(config_dir: str, session_id: str, moves: int) -> dict:
    """Select the big session; time its newest messages, g, G and j; peak memory."""
    app = _make(config_dir)
    out: dict[str, float | list[float]] = {}

    async def run() -> None:
        async with app.run_test(headless=True, size=SIZE) as pilot:
            await _until(pilot, lambda: "list" in app.main_screen.marks)
            # Let the list settle (counts, the first session's transcript) before selecting.
            await _workers_done(pilot)
            await pilot.pause()
            view = app.main_screen.message_view
            key = f"transcript:{session_id}"
            started = time.time()
            assert app.main_screen.session_list.select_session(session_id)
            await _until(pilot, lambda: key in app.main_screen.marks)
            out["newest"] = app.main_screen.marks[key] - started
            out["blocks_first_shown"] = view.block_count
            view.focus()
            # Every message reachable: wait until the whole file is indexed (if the app shows
            # the newest messages before that) and time it from the selection, by the app's own
            # mark. Polled gently: a busy poll takes the interpreter from the reading thread (a
            # user at the keyboard does not), and the poll's own delay is not counted below.
            await _until(pilot, lambda: f"whole:{session_id}" in app.main_screen.marks, poll=0.05)
            out["all_reachable"] = app.main_screen.marks[f"whole:{session_id}"] - started
            # Then g and G, each timed from its action to the screen showing its result (the
            # pilot's press waits for the whole process to be idle 20 ms twice, which no user
            # waits for).
            g_times: list[float] = []
            G_times: list[float] = []
            j_times: list[float] = []
            _instrument(view, "first", g_times)
            _instrument(view, "last", G_times)
            _instrument(view, "cursor_down", j_times)
            await pilot.press("g")
            await pilot.pause()
            out["g_done"] = out["all_reachable"] + g_times[0]
            out["g_first"] = view.cursor == 0
            await pilot.press("G")
            await pilot.pause()
            out["gG_done"] = out["g_done"] + G_times[0]
            out["G_last"] = view.cursor == view.block_count - 1
            # Once indexed: g and G each on their own, then j through the last messages.
            for times in (g_times, G_times):
                del times[:], CPU_TIMES[id(times)][:]
            for _ in range(3):
                await pilot.press("g")
                await pilot.pause()
                await pilot.press("G")
                await pilot.pause()
            out["g_indexed"] = statistics.median(g_times)
            out["G_indexed"] = statistics.median(G_times)
            for _ in range(moves):
                await pilot.press("k")
            await pilot.pause()
            for _ in range(moves):
                await pilot.press("j")
                await pilot.pause()
            out["j_median"] = statistics.median(j_times)
            out["j_max"] = max(j_times)
            out["j_cpu"] = statistics.median(CPU_TIMES[id(j_times)])
            out["g_cpu"] = statistics.median(CPU_TIMES[id(g_times)])
            out["G_cpu"] = statistics.median(CPU_TIMES[id(G_times)])
            out["blocks"] = view.block_count

    asyncio.run(run())
    out["rss_mb"] = _peak_rss_mb()
    return out


def j_while_indexing(config_dir: str, big_session_id: str, moves: int) -> dict:
    """The app started with no index (a cache of its own): while it builds the first index of
    every transcript, open a session of some size and move through it with ``j`` at a
    reading pace; time each move made before the build ends, from the key's arrival (the
    app busy with the build's list updates may take a while to get to it) to the move on
    screen."""
    from textual import events

    cache = tempfile.mkdtemp(prefix="sessionscope-jbuild-")
    os.environ["SESSIONSCOPE_CACHE_DIR"] = cache
    app = _make(config_dir)
    out: dict[str, float | list[float]] = {}

    async def run() -> None:
        async with app.run_test(headless=True, size=SIZE) as pilot:
            index = app.context.catalog
            await _until(pilot, lambda: "list" in app.main_screen.marks)
            await _until(pilot, lambda: index.progress is not None and index.progress[1] > 0)
            started = time.perf_counter()
            sessions = app.main_screen.session_list.sessions
            session = next(
                meta
                for meta in sessions
                if meta.session_id != big_session_id and meta.file_size > 1_000_000
            )
            assert app.main_screen.session_list.select_session(session.session_id)
            await _until(pilot, lambda: f"transcript:{session.session_id}" in app.main_screen.marks)
            view = app.main_screen.message_view
            view.focus()
            view.action_first()
            await pilot.pause()
            action_times: list[float] = []  # the move alone (and its main-thread CPU)
            moved = asyncio.Event()
            _instrument(view, "cursor_down", action_times, then=moved.set)
            key_times: list[float] = []  # from the key's arrival to the move on screen
            building = lambda: index.progress[0] < index.progress[1]  # noqa: E731
            while building() and len(key_times) < moves:
                moved.clear()
                sent = time.perf_counter()
                app.post_message(events.Key("j", "j"))
                # Waited for, not polled: each poll through the pilot asks every widget on
                # the screen to answer, work the app would then do beside the key's.
                await asyncio.wait_for(moved.wait(), 60)
                key_times.append(time.perf_counter() - sent)
                await asyncio.sleep(0.05)  # a reading pace
            out["moves"] = len(key_times)
            out["j_median"] = statistics.median(key_times)
            out["j_max"] = max(key_times)
            out["j_action"] = statistics.median(action_times)
            out["j_cpu"] = statistics.median(CPU_TIMES[id(action_times)])
            await _until(pilot, lambda: not building(), timeout=300, poll=0.05)
            out["build"] = time.perf_counter() - started
            out["session_mb"] = session.file_size / 1e6

    try:
        with SpawnedPeak() as spawned:
            asyncio.run(run())
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    out["rss_mb"] = _peak_rss_mb()
    out["children_rss_mb"] = spawned.mb  # the index's reading process
    return out


CPU_TIMES: dict[int, list[float]] = {}
"""Main-thread CPU seconds of each instrumented action (by ``id`` of its wall-time list): on a
busy machine the wall time also holds the time spent waiting for a core."""


def _instrument(view, action: str, times: list[float], then=None) -> None:
    """Time ``action`` from the moment it runs to the moment its result is on screen (the
    key's own dispatch is not counted; the pilot's waits are not either), and call ``then()``
    once it is there."""
    original = getattr(view, f"action_{action}")
    cpu = CPU_TIMES.setdefault(id(times), [])

    def timed() -> None:
        started, started_cpu = time.perf_counter(), time.thread_time()

        def done() -> None:
            times.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
            if then is not None:
                then()

        original()
        view.app.call_after_refresh(done)

    setattr(view, f"action_{action}", timed)


def _fully_loaded(app, session_id: str) -> bool:
    opened = app.main_screen.opened
    if opened is None or opened.meta.session_id != session_id:
        return False
    return not getattr(opened, "partial", False)


def fork_near_end(big_path: str, session_id: str) -> dict:
    """Fork the big session near its end from the app (``f``), in a private copy."""
    folder = Path(tempfile.mkdtemp(prefix="sessionscope-fork-"))
    try:
        project = folder / "projects" / Path(big_path).parent.name
        project.mkdir(parents=True)
        shutil.copyfile(big_path, project / Path(big_path).name)
        app = _make(str(folder))
        out: dict[str, float] = {}

        async def run() -> None:
            async with app.run_test(headless=True, size=SIZE) as pilot:
                await _until(pilot, lambda: _fully_loaded(app, session_id))
                await _workers_done(pilot)
                view = app.main_screen.message_view
                view.focus()
                # An assistant message a few blocks from the end.
                index = view.block_count - 1
                while index > 0 and (view.source.entry(index).type != "assistant"):
                    index -= 1
                view.select(max(0, index - 6))
                await pilot.pause()
                await _until(pilot, lambda: "claude_agent_sdk" in __import__("sys").modules, 30)
                await pilot.pause(0.5)  # a user reads before forking; the SDK is warm by then
                forks_before = len(app.main_screen.session_list.sessions)
                started = time.perf_counter()
                await pilot.press("f")
                # Polled gently: a busy poll would take the interpreter from the fork's thread.
                await _until(
                    pilot,
                    lambda: (
                        not app.main_screen.forking
                        and len(app.main_screen.session_list.sessions) > forks_before
                    ),
                    poll=0.05,
                )
                await pilot.pause()
                out["fork"] = time.perf_counter() - started

        asyncio.run(run())
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sdk_fork(big_path: str, session_id: str, runs: int) -> dict:
    """The SDK's ``fork_session`` alone near the end of the same session (import not timed)."""
    from claude_agent_sdk import fork_session, get_session_messages

    times = []
    for _ in range(runs):
        folder = Path(tempfile.mkdtemp(prefix="sessionscope-sdkfork-"))
        try:
            project = folder / "projects" / Path(big_path).parent.name
            project.mkdir(parents=True)
            shutil.copyfile(big_path, project / Path(big_path).name)
            os.environ["CLAUDE_CONFIG_DIR"] = str(folder)
            if not times:
                messages = get_session_messages(session_id)
                target = next(m.uuid for m in reversed(messages[:-6]) if m.type == "assistant")
            started = time.perf_counter()
            fork_session(session_id, up_to_message_id=target)
            times.append(time.perf_counter() - started)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return {"times": times}


def search_keystrokes(config_dir: str, queries: list[str]) -> dict:
    """Each query typed a key at a time into the search screen (the index already built):
    from each key reaching the app (as a terminal's bytes do: a ``Key`` event posted to it) to
    the first frame written after the screen took the hits of the query so far. The pilot's
    ``press`` is not used for the keys: it waits until the whole process has been idle for 20
    ms twice, which is no part of what a user waits for (and was 40 to 60 ms of every key)."""
    from textual import events

    from sessionscope.tui.screens.search import SearchScreen

    async def run() -> dict:
        app = _make(config_dir)
        times: list[float] = []
        cpu: list[float] = []
        async with app.run_test(size=SIZE) as pilot:
            frames = count_frames(app)
            index = app.context.catalog
            await _until(pilot, lambda: app.main_screen.session_list.sessions)
            await _until(pilot, lambda: index.progress and index.progress[0] == index.progress[1])
            await pilot.press("ctrl+f")
            await _until(pilot, lambda: isinstance(app.screen, SearchScreen))
            screen = app.screen
            box = screen.query_one("#search-query")
            for query in queries:
                box.value = ""
                await _until(pilot, lambda: screen.answered == "")
                await pilot.pause()
                for at, key in enumerate(query):
                    wanted = query[: at + 1]
                    started, started_cpu = time.perf_counter(), time.process_time()
                    app.post_message(events.Key(key if key != " " else "space", key))
                    not_yet = started
                    while screen.answered != wanted:
                        not_yet = time.perf_counter()
                        await asyncio.sleep(0.0005)
                    # The frame with the hits: the first one after the answer was taken
                    # (the answer's handler and a frame never overlap: one thread).
                    painted = await first_frame_after(frames, not_yet)
                    times.append(painted - started)
                    cpu.append(time.process_time() - started_cpu)
                    await pilot.pause()  # settled before the next key, as between a person's keys
        return {"times": times, "cpu": cpu}

    return asyncio.run(run())
