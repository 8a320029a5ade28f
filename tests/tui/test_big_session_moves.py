"""A move asked for while a big session is still loading (its newest messages shown first, the
whole read next) is kept and carried out on the whole session: ``g``, ``G``, ``--message``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from sessionscope.tui.open_transcript import TAIL_FIRST_BYTES
from tests.agent.test_compose_tui import settle
from tests.tui.gallery import PROJECT, assistant, u, user

BIG = "77777777-7777-4777-8777-777777777777"
MESSAGES = 24_000


@pytest.fixture(scope="module")
def big_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config folder with one session of 24,000 messages, about 30 MB (tail-first)."""
    config = tmp_path_factory.mktemp("big") / "claude"
    path = config / "projects" / PROJECT / f"{BIG}.jsonl"
    path.parent.mkdir(parents=True)
    parent = None
    with path.open("w", encoding="utf-8") as handle:
        for n in range(MESSAGES):
            if n % 2 == 0:
                entry = user(BIG, u(n), parent, n / 10, f"question {n} " + "q" * 1200)
            else:
                block = {"type": "text", "text": f"answer {n} " + "a" * 1200}
                entry = assistant(BIG, u(n), parent, n / 10, f"msg_{n}", block)
            handle.write(json.dumps(entry) + "\n")
            parent = u(n)
    assert path.stat().st_size > 3 * TAIL_FIRST_BYTES
    return config


async def newest_messages_shown(app) -> None:
    """Until the newest messages (not yet the whole session) are on screen."""
    for _ in range(6000):
        if app.main_screen.opened is not None and app.main_screen.opened.partial:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the newest messages were never shown on their own")


async def whole_session_shown(app, pilot) -> None:
    await settle(app, pilot)
    assert app.main_screen.opened is not None and not app.main_screen.opened.partial
    assert app.main_screen.message_view.block_count == MESSAGES


@pytest.mark.parametrize(("key", "expected"), [("g", 0), ("G", MESSAGES - 1)])
async def test_g_or_G_pressed_while_loading_lands_on_the_whole_sessions_end(
    make, big_session: Path, key: str, expected: int
) -> None:
    app = make(config_dir=big_session, session_id=BIG)
    async with app.run_test(size=(120, 36)) as pilot:
        await newest_messages_shown(app)
        app.main_screen.message_view.focus()
        await pilot.press(key)
        pressed_on = app.main_screen.message_view.current_entry.uuid
        await whole_session_shown(app, pilot)
        view = app.main_screen.message_view
        assert view.current_entry.uuid == u(expected), f"stayed at {pressed_on}"
        # Asked once, done once: moving on works as usual.
        await pilot.press("j" if key == "g" else "k")
        assert view.current_entry.uuid == u(1 if key == "g" else MESSAGES - 2)


async def test_a_message_asked_for_is_selected_even_if_the_session_is_opened_again(
    make, big_session: Path
) -> None:
    """``--message``: the session is opened again while it loads (the list read again)."""
    app = make(config_dir=big_session, session_id=BIG, message_uuid=u(7))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        while app.main_screen.session_list.current is None:
            await pilot.pause(0.01)
        # The list posted again (a refresh) while the session loads: it is opened again.
        app.main_screen.session_list.set_sessions(list(app.main_screen.session_list.sessions))
        await whole_session_shown(app, pilot)
        assert app.main_screen.message_view.current_entry.uuid == u(7)
