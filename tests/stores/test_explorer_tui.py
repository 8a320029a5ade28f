"""The explorer over a store (``sessionscope --store URL``), driven with Pilot against a real
PostgreSQL server: the same list and messages as locally, search in the server, fork, rename,
tag and delete through the store, a shared session read only, a store that cannot be reached."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from datetime import UTC
from pathlib import Path

import psycopg
import pytest

from sessionscope import cli
from sessionscope.stores.explorer import StoreExplorer
from sessionscope.transcripts.conversation import build_conversation
from sessionscope.transcripts.reader import index_transcript
from sessionscope.tui.app import make_app
from sessionscope.tui.screens.search import SearchScreen
from sessionscope.tui.sources import ConversationSource
from tests.tui.gallery import GALLERY, NOTES, NOW, RELEASE, u, write_gallery

SIZE = (120, 40)


async def wait_for(pilot, condition, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.05)


async def settle(app, pilot) -> None:
    from textual.worker import WorkerCancelled

    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()


def push(config: Path, url: str, capsys) -> None:
    status = cli.main(["push", "--all", "--config-dir", str(config), "--store", url])
    _out, err = capsys.readouterr()
    assert status == 0, err


@contextlib.contextmanager
def explorer_on(url: str):
    explorer = StoreExplorer(url)
    try:
        assert explorer.connect() == ""
        yield explorer
    finally:
        explorer.close()


def app_on(explorer: StoreExplorer, **kwargs):
    return make_app(explorer.config_dir, clock=lambda: NOW, tz=UTC, store=explorer, **kwargs)


@pytest.fixture
def gallery_store(tmp_path, pg_url, capsys):
    """The gallery transcripts pushed into a fresh store; (local config folder, store URL)."""
    config = write_gallery(tmp_path / "claude")
    push(config, pg_url, capsys)
    return config, pg_url


def listed_locally(config: Path, capsys) -> dict[str, dict]:
    assert cli.main(["index", "--config-dir", str(config)]) == 0  # the counts
    capsys.readouterr()
    assert cli.main(["list", "--json", "--config-dir", str(config)]) == 0
    return {row["session_id"]: row for row in map(json.loads, capsys.readouterr().out.splitlines())}


async def open_session(app, pilot, session_id: str) -> None:
    await wait_for(pilot, lambda: app.main_screen.session_list.current is not None, what="the list")
    assert app.main_screen.session_list.select_session(session_id)
    await wait_for(
        pilot,
        lambda: (
            app.main_screen.opened is not None
            and app.main_screen.opened.meta.session_id == session_id
            and not app.main_screen.opened.partial
        ),
        what="the session to open",
    )


async def listed(app, pilot) -> None:
    await wait_for(pilot, lambda: app.main_screen.session_list.current is not None, what="the list")
    await settle(app, pilot)


async def search_screen(app, pilot) -> SearchScreen:
    await pilot.press("ctrl+f")
    await pilot.pause()
    assert isinstance(app.screen, SearchScreen)
    return app.screen


async def test_the_store_lists_and_shows_its_sessions_as_local_files_do(
    gallery_store, capsys
) -> None:
    config, url = gallery_store
    local = listed_locally(config, capsys)
    with explorer_on(url) as explorer:
        app = app_on(explorer)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.main_screen.session_list.sessions, what="the list")
            await settle(app, pilot)
            # The list is counted after it is painted, as locally, and nothing goes wrong.
            assert [n.message for n in app._notifications if n.severity == "error"] == []
            shown = {meta.session_id: meta for meta in app.main_screen.session_list.sessions}
            assert sorted(shown) == sorted(local)
            for session_id, row in local.items():
                meta = shown[session_id]
                assert (meta.summary, meta.first_prompt, meta.git_branch, meta.cwd) == (
                    row["summary"],
                    row["first_prompt"],
                    row["git_branch"],
                    row["cwd"],
                )
                assert meta.message_count == row["message_count"]
            await open_session(app, pilot, GALLERY)
            local_file = next(config.glob(f"projects/*/{GALLERY}.jsonl"))
            index = index_transcript(local_file)
            local_source = ConversationSource(local_file, index, build_conversation(index))
            expected = [m.uuid for m in local_source.messages]
            assert [m.uuid for m in app.main_screen.opened.source.messages] == expected
            # Opened at its newest message, from the mirror in the cache (0600).
            assert (
                app.main_screen.message_view.current_entry.uuid
                == app.main_screen.opened.source.blocks[-1].uuid
            )
            assert app.main_screen.opened.path.is_relative_to(explorer.config_dir)
            assert app.main_screen.opened.path.stat().st_mode & 0o777 == 0o600
            assert explorer.display_url in app.sub_title or "sessions" in app.sub_title


async def test_ctrl_f_searches_in_the_server_and_opens_the_hit(gallery_store) -> None:
    _config, url = gallery_store
    with explorer_on(url) as explorer:
        app = app_on(explorer)
        async with app.run_test(size=SIZE) as pilot:
            await listed(app, pilot)
            screen = await search_screen(app, pilot)
            for key in "decisions freeze":
                await pilot.press(key if key != " " else "space")
            await wait_for(pilot, lambda: screen.hits, what="the hits")
            assert [(hit.session_id, hit.uuid) for hit in screen.hits] == [(NOTES, u(402))]
            await pilot.press("enter")
            await wait_for(
                pilot,
                lambda: (
                    app.main_screen.message_view.current_entry is not None
                    and app.main_screen.message_view.current_entry.uuid == u(402)
                ),
                what="the hit's message",
            )
            assert app.main_screen.session_list.current.session_id == NOTES


async def test_a_search_while_the_server_is_down_is_said_and_the_app_stays(
    gallery_store, pg_server
) -> None:
    """ctrl+f with the server stopped: the search screen says it cannot search (the worker's
    StoreUnavailable ended the app with a traceback); once it is back, the next query finds."""
    _config, url = gallery_store
    with explorer_on(url) as explorer:
        app = app_on(explorer)
        async with app.run_test(size=SIZE) as pilot:
            await listed(app, pilot)
            await asyncio.to_thread(pg_server.stop)
            try:
                screen = await search_screen(app, pilot)
                for key in "decisions":
                    await pilot.press(key)
                status = screen.query_one("#search-status")
                await wait_for(
                    pilot, lambda: "cannot search" in str(status.render()), what="the error"
                )
                assert explorer.display_url in str(status.render())
            finally:
                await asyncio.to_thread(pg_server.start)
            for key in ("space", *"freeze"):
                await pilot.press(key)
            await wait_for(pilot, lambda: screen.hits, what="the hits once the server is back")
            assert [(hit.session_id, hit.uuid) for hit in screen.hits] == [(NOTES, u(402))]
            assert app.is_running and app.screen is screen


def store_rows(url: str) -> dict[str, tuple]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            """SELECT session_id, size, meta ->> 'custom_title', meta ->> 'tag'
            FROM claude_session_store_sessions WHERE subpath = ''"""
        ).fetchall()
    return {session_id: rest for session_id, *rest in rows}


async def test_fork_rename_tag_and_delete_go_through_the_store(gallery_store) -> None:
    _config, url = gallery_store
    before = store_rows(url)
    with explorer_on(url) as explorer:
        app = app_on(explorer)
        async with app.run_test(size=SIZE) as pilot:
            await open_session(app, pilot, RELEASE)
            view = app.main_screen.message_view
            view.focus()
            # The last assistant message: the fork is the whole conversation.
            assistant = max(
                i for i in range(view.block_count) if view.source.entry(i).type == "assistant"
            )
            view.select(assistant)
            await pilot.press("f")
            await wait_for(pilot, lambda: not app.main_screen.forking, what="the fork")
            await settle(app, pilot)
            rows = store_rows(url)
            forks = set(rows) - set(before)
            assert len(forks) == 1
            fork_id = forks.pop()
            assert rows[RELEASE] == before[RELEASE]  # the source is unchanged
            assert app.main_screen.session_list.current.session_id == fork_id

            await pilot.press("tab")  # to the list
            await wait_for(pilot, lambda: app.focused is app.main_screen.session_list)
            await pilot.press("R")
            await pilot.pause()
            box = app.screen.query_one("Input")
            box.value = ""
            for key in "Fork é/1":
                await pilot.press(key if key != " " else "space")
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: store_rows(url)[fork_id][1] == "Fork é/1", what="the rename"
            )
            await wait_for(
                pilot,
                lambda: app.main_screen.session_list.current.custom_title == "Fork é/1",
                what="the list to show it",
            )
            await pilot.press("t")
            await pilot.pause()
            for key in "keep":
                await pilot.press(key)
            await pilot.press("enter")
            await wait_for(pilot, lambda: store_rows(url)[fork_id][2] == "keep", what="the tag")

            await pilot.press("D")
            await pilot.pause()
            await pilot.press("y")
            await wait_for(pilot, lambda: fork_id not in store_rows(url), what="the delete")
            await wait_for(
                pilot,
                lambda: (
                    fork_id not in {m.session_id for m in app.main_screen.session_list.sessions}
                ),
                what="the list to drop it",
            )


async def test_an_unreachable_store_is_said_and_the_app_still_runs(tmp_path) -> None:
    from tests.helpers.fakeapi import unused_url

    port = unused_url().rsplit(":", 1)[1]
    url = f"postgresql://alice:s3cret-pw@127.0.0.1:{port}/team"
    explorer = StoreExplorer(url)
    try:
        reason = explorer.connect()
        assert "cannot connect" in reason and "s3cret-pw" not in reason
        app = app_on(explorer, notice=reason)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert app.main_screen.session_list.sessions == []
            placeholder = str(app.main_screen.message_view.placeholder)
            assert "cannot" in placeholder and "s3cret-pw" not in placeholder
            shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
            assert "s3cret-pw" not in shown
            await pilot.press("question_mark")  # still usable
            await pilot.pause()
            assert app.screen is not app.screen_stack[0]
    finally:
        explorer.close()


async def test_a_session_shared_with_you_is_forked_never_resumed_in_place(
    pg_server, pg_url, tmp_path, capsys
) -> None:
    assert await asyncio.to_thread(cli.main, ["store", "init", pg_url]) == 0
    db = pg_url.rsplit("/", 1)[1]
    urls = {}
    for name, session in (("alice", GALLERY), ("bob", RELEASE)):
        role, password = f"{name}_{db}", f"pw-{name}!"
        pg_server.create_role(role, password)
        urls[name] = (role, pg_server.url(role, password, db))
        config = write_gallery(tmp_path / name)
        for other in config.glob("projects/*/*.jsonl"):
            if other.stem != session:
                other.unlink()
        await asyncio.to_thread(push, config, urls[name][1], capsys)
    share = ["store", "share", urls["bob"][0], "--store", urls["alice"][1]]
    assert await asyncio.to_thread(cli.main, share) == 0
    capsys.readouterr()
    with explorer_on(urls["bob"][1]) as explorer:
        app = app_on(explorer)
        async with app.run_test(size=SIZE) as pilot:
            await open_session(app, pilot, GALLERY)
            await wait_for(pilot, lambda: app.main_screen.prompt_ready, what="the prompt box")
            await pilot.press("c")
            box = app.main_screen.prompt_box
            assert box.target.session_id == GALLERY and box.target.read_only
            assert "read only" in str(box.query_one("#prompt-target").render())
            box.prompt_area.insert("a turn of mine in alice's session?")
            await pilot.press("enter")
            await pilot.pause()
            assert app.main_screen.turn is None  # refused in the box, said there
            assert box.prompt_area.text == "a turn of mine in alice's session?"
            # Forking it is fine: the fork is bob's.
            await pilot.press("escape")
            view = app.main_screen.message_view
            view.focus()
            assistant = max(
                i for i in range(view.block_count) if view.source.entry(i).type == "assistant"
            )
            view.select(assistant)
            await pilot.press("f")
            await wait_for(pilot, lambda: not app.main_screen.forking, what="the fork")
            await settle(app, pilot)
            fork = app.main_screen.session_list.current
            assert fork.session_id not in (GALLERY, RELEASE)
            assert not explorer.read_only(fork.session_id)
    with psycopg.connect(urls["bob"][1]) as connection:
        owners = dict(
            connection.execute(
                "SELECT session_id, owner FROM claude_session_store_sessions WHERE subpath = ''"
            ).fetchall()
        )
    assert owners[fork.session_id] == urls["bob"][0]
    assert owners[GALLERY] == urls["alice"][0]


async def test_compose_resumes_a_stored_session_and_the_turn_lands_in_the_store(
    fake_api, pg_url, tmp_path
) -> None:
    from sessionscope.agent.settings import ComposeSettings
    from sessionscope.stores import PostgresSessionStore
    from tests.helpers import fakeapi
    from tests.helpers.realcli import make_project, run_session

    project = make_project(tmp_path / "work" / "teal", {"notes.txt": "teal\n"})
    fake_api.reply(fakeapi.text("Noted: teal."), when="remember the word teal")
    fake_api.reply(fakeapi.text("The word was teal."), when="which word")
    store = PostgresSessionStore(pg_url)
    session_id, _ = await run_session(
        fake_api, tmp_path / "machine-a", project, ["remember the word teal"], session_store=store
    )
    await store.close()
    # Another machine: nothing local; the session comes from the store.
    machine_b = tmp_path / "machine-b"
    (machine_b / "projects").mkdir(parents=True)
    settings = ComposeSettings(config_dir=machine_b, env=fake_api.env(str(machine_b)))
    with explorer_on(pg_url) as explorer:
        app = app_on(explorer, compose=settings)
        async with app.run_test(size=SIZE) as pilot:
            await open_session(app, pilot, session_id)
            await wait_for(pilot, lambda: app.main_screen.prompt_ready, what="the prompt box")
            await pilot.press("c")
            assert app.main_screen.prompt_box.target.session_id == session_id
            app.main_screen.prompt_box.prompt_area.insert("which word did I ask you to remember?")
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: app.main_screen.turn is not None, what="the turn to start"
            )
            await wait_for(
                pilot, lambda: app.main_screen.turn is None, timeout=90, what="the turn to end"
            )
            assert "remember the word teal" in json.dumps(fake_api.message_requests[-1].messages)
            # The new turn is in the store, and on screen from it.
            with psycopg.connect(pg_url) as connection:
                texts = connection.execute(
                    """SELECT e.entry::text FROM claude_session_store e
                    JOIN claude_session_store_sessions k ON k.id = e.key_id
                    WHERE k.session_id = %s AND k.subpath = '' ORDER BY e.seq""",
                    [session_id],
                ).fetchall()
            assert any("The word was teal." in text for (text,) in texts)
            await wait_for(
                pilot,
                lambda: (
                    app.main_screen.opened is not None
                    and "The word was teal." in json.dumps(app.main_screen.opened.source.load(-1))
                ),
                what="the reply on screen",
            )


async def test_a_big_stored_session_shows_its_newest_messages_first(
    tmp_path, pg_url, capsys
) -> None:
    from sessionscope.tui.open_transcript import TAIL_FIRST_BYTES
    from tests.tui.gallery import PROJECT, assistant, user

    big = "77777777-7777-4777-8777-777777777777"
    messages = 8_000
    config = tmp_path / "claude"
    path = config / "projects" / PROJECT / f"{big}.jsonl"
    path.parent.mkdir(parents=True)
    parent = None
    with path.open("w", encoding="utf-8") as handle:
        for n in range(messages):
            text = f"{'question' if n % 2 == 0 else 'answer'} {n} " + "x" * 1200
            if n % 2 == 0:
                entry = user(big, u(n), parent, n / 10, text)
            else:
                entry = assistant(
                    big, u(n), parent, n / 10, f"msg_{n}", {"type": "text", "text": text}
                )
            handle.write(json.dumps(entry) + "\n")
            parent = u(n)
    assert path.stat().st_size > TAIL_FIRST_BYTES
    await asyncio.to_thread(push, config, pg_url, capsys)
    with explorer_on(pg_url) as explorer:
        app = app_on(explorer)
        shown: list[tuple[bool, int, str]] = []
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot, lambda: app.main_screen.session_list.current is not None, what="the list"
            )
            deadline = time.monotonic() + 60
            while app.main_screen.opened is None or app.main_screen.opened.partial:
                if app.main_screen.opened is not None and not shown:
                    view = app.main_screen.message_view
                    shown.append((True, view.block_count, view.current_entry.uuid))
                assert time.monotonic() < deadline, str(app.main_screen.message_view.placeholder)
                await asyncio.sleep(0.005)
            await settle(app, pilot)
            # First the newest messages alone (fetched on their own from the store), then all.
            assert shown and shown[0][1] < messages / 4 and shown[0][2] == u(messages - 1)
            assert app.main_screen.message_view.block_count == messages
            assert app.main_screen.message_view.current_entry.uuid == u(messages - 1)
            assert app.main_screen.opened.path.read_bytes() == path.read_bytes()


def other_writer(url: str, work) -> None:
    """``work(store)`` by another writer: its own connection, in its own event loop."""
    from sessionscope.stores import PostgresSessionStore

    async def run() -> None:
        async with PostgresSessionStore(url) as store:
            await work(store)

    asyncio.run(run())


def test_two_readers_at_once_mirror_a_session_once(gallery_store) -> None:
    """The watcher and an opened session may bring one mirror up to date at the same moment:
    every entry is written to it once."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.tui.gallery import NOTES_PROJECT, user

    _config, url = gallery_store
    key = {"project_key": NOTES_PROJECT, "session_id": NOTES}
    with explorer_on(url) as explorer:
        meta = explorer.find(NOTES)
        path = explorer.transcript_file(meta)
        last = json.loads(path.read_text().splitlines()[-1])["uuid"]
        entries = []
        for n in range(40):
            entries.append(user(NOTES, u(800 + n), last, 400 + n, f"appended elsewhere {n}"))
            last = u(800 + n)
        other_writer(url, lambda store: store.append(key, entries))
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: explorer.transcript_file(meta), range(4)))
        stored = explorer.call(lambda store: store.load(key))
    mirrored = [json.loads(line) for line in path.read_text().splitlines()]
    assert mirrored == stored


async def test_what_another_writer_changes_shows_live(gallery_store) -> None:
    from tests.tui.gallery import NOTES_PROJECT, PROJECT, assistant, user

    _config, url = gallery_store
    with explorer_on(url) as explorer:
        app = app_on(explorer)
        async with app.run_test(size=SIZE) as pilot:
            await open_session(app, pilot, NOTES)
            await wait_for(
                pilot,
                lambda: app.main_screen.watching is not None and app.main_screen.watching.is_set(),
            )
            view = app.main_screen.message_view
            view.select(view.block_count - 1)  # on the last message: the pane follows the end
            last = view.current_entry.uuid
            key = {"project_key": NOTES_PROJECT, "session_id": NOTES}
            entries = [
                user(NOTES, u(900), last, 500, "one more question from elsewhere"),
                assistant(
                    NOTES, u(901), u(900), 501, "msg_900", {"type": "text", "text": "an answer"}
                ),
            ]
            await asyncio.to_thread(other_writer, url, lambda store: store.append(key, entries))
            # (How soon: benchmarks/store.py, against the 2 s target.)
            await wait_for(
                pilot,
                lambda: view.current_entry is not None and view.current_entry.uuid == u(901),
                what="the appended messages on screen",
            )
            # A rename, a new session and a delete by others.
            new = "55555555-5555-4555-8555-555555555555"
            first = user(new, u(950), None, 600, "a session written on another machine")

            async def changes(store) -> None:
                import claude_agent_sdk as sdk

                await sdk.rename_session_via_store(
                    store.for_project(NOTES_PROJECT), NOTES, "Renamed elsewhere"
                )
                await store.append({"project_key": NOTES_PROJECT, "session_id": new}, [first])
                await store.delete({"project_key": PROJECT, "session_id": GALLERY})

            await asyncio.to_thread(other_writer, url, changes)

            def listed() -> dict:
                return {meta.session_id: meta for meta in app.main_screen.session_list.sessions}

            await wait_for(
                pilot,
                lambda: new in listed() and GALLERY not in listed(),
                what="the new session listed, the deleted one gone",
            )
            assert listed()[NOTES].custom_title == "Renamed elsewhere"


async def test_a_server_restart_mid_use_is_ridden_out(gallery_store, pg_server) -> None:
    """The server restarts (every connection cut) while the app is open: the next action
    connects again, and what another writer appends afterwards still shows."""
    from tests.tui.gallery import NOTES_PROJECT, user

    _config, url = gallery_store
    with explorer_on(url) as explorer:
        app = app_on(explorer)
        async with app.run_test(size=SIZE) as pilot:
            await open_session(app, pilot, RELEASE)
            await wait_for(
                pilot,
                lambda: app.main_screen.watching is not None and app.main_screen.watching.is_set(),
            )
            await asyncio.to_thread(pg_server.restart)
            await open_session(app, pilot, NOTES)  # the next action: connected again
            view = app.main_screen.message_view
            view.select(view.block_count - 1)
            last = view.current_entry.uuid
            entry = user(NOTES, u(990), last, 700, "after the restart")
            key = {"project_key": NOTES_PROJECT, "session_id": NOTES}
            await asyncio.to_thread(other_writer, url, lambda store: store.append(key, [entry]))
            await wait_for(
                pilot,
                lambda: view.current_entry is not None and view.current_entry.uuid == u(990),
                what="what was appended after the restart",
            )


def test_a_call_waiting_when_the_explorer_closes_is_told_so(pg_url) -> None:
    """A worker waiting on the store when the app quits gets a StoreError, not a wait without
    end (a thread left waiting on the stopped loop held the test run's shutdown for ever)."""
    import threading

    from sessionscope.stores.postgres import StoreError

    explorer = StoreExplorer(pg_url)
    assert explorer.connect() == ""
    started = threading.Event()
    outcome: list[BaseException | None] = []

    async def never_done(store) -> None:
        started.set()
        await asyncio.sleep(3600)

    def worker() -> None:
        try:
            explorer.call(never_done)
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - what the worker gets is the test
            outcome.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    assert started.wait(10)
    explorer.close()
    thread.join(10)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], StoreError)
    with pytest.raises(StoreError, match="closed"):
        explorer.call(never_done)
