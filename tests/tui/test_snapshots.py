"""SVG snapshots of the explorer: empty, demo, expanded tool result, raw view, help, a fork, 80×24.

Deterministic: a fixed clock and UTC, file mtimes set from the clock, and for the fork the SDK's
own ``fork_session`` with its new UUIDs and "now" made repeatable.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sessionscope.tui.demo import DEMO_TREE
from tests.helpers.pilot import settle
from tests.tui.gallery import GALLERY, NOTES, NOW, u


def select(uuid_: str):
    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(app, pilot)
        app.main_screen.session_list.select_session(GALLERY)
        await settle(app, pilot)
        view = app.main_screen.message_view
        view.focus()
        view.select([view.source.entry(i).uuid for i in range(view.block_count)].index(uuid_))
        await pilot.pause()

    return run_before


async def loaded(pilot) -> None:
    await settle(pilot.app, pilot)


def test_empty_state(make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, snap_compare) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # a new session "in ~": the same on every run
    (tmp_path / "nothing" / "projects").mkdir(parents=True)
    app = make(config_dir=Path("nothing"))
    assert snap_compare(app, terminal_size=(100, 30), run_before=loaded)


def demo_copy(target: Path) -> Path:
    """The bundled demo with each file's mtime at its last entry's time (stable ages)."""
    shutil.copytree(DEMO_TREE / "projects", target / "projects")
    for path in (target / "projects").rglob("*.jsonl"):
        stamps = []
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                stamp = json.loads(line).get("timestamp")
            except (ValueError, AttributeError):
                continue
            if isinstance(stamp, str):
                stamps.append(datetime.fromisoformat(stamp.replace("Z", "+00:00")))
        if stamps:
            moment = max(stamps).timestamp()
            os.utime(path, (moment, moment))
    return target


DEMO_NOW = datetime(2026, 11, 26, 9, 0, 0, tzinfo=UTC)
"""After the demo was recorded: ages read as hours."""


def test_demo_main_screen(make, tmp_path: Path, snap_compare) -> None:
    config = demo_copy(tmp_path / "demo")
    app = make(config_dir=config, clock=lambda: DEMO_NOW, demo=True)
    assert snap_compare(app, terminal_size=(120, 36), run_before=loaded)


def test_gallery_main_screen(make, snap_compare) -> None:
    assert snap_compare(make(), terminal_size=(120, 36), run_before=select(u(10)))


def test_expanded_tool_result(make, snap_compare) -> None:
    assert snap_compare(make(), terminal_size=(120, 36), press=["enter"], run_before=select(u(5)))


def test_raw_view(make, snap_compare) -> None:
    assert snap_compare(make(), terminal_size=(120, 36), press=["a"], run_before=select(u(10)))


def test_help(make, snap_compare) -> None:
    async def help_shown(pilot) -> None:
        # Over a short session: behind the dialog, the pane's scrollbar does not depend on
        # how many of a long session's blocks were measured by then.
        await loaded(pilot)
        pilot.app.main_screen.session_list.select_session(NOTES)
        await settle(pilot.app, pilot)
        await pilot.press("question_mark")
        # Textual's Markdown parses in a thread and mounts its blocks in batches: the picture
        # is taken once they stop coming.
        counts = [-1]
        while counts[-3:] != [counts[-1]] * 3 or counts[-1] <= 0:
            await pilot.pause()
            counts.append(len(pilot.app.screen.query("MarkdownBlock")))

    assert snap_compare(make(), terminal_size=(100, 36), run_before=help_shown)


@pytest.fixture
def repeatable_sdk_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's fork_session, with its random UUIDs and clock made repeatable."""
    from claude_agent_sdk._internal import session_mutations

    counter = itertools.count(1)

    class Uuids:
        @staticmethod
        def uuid4() -> uuid.UUID:
            return uuid.UUID(f"99999999-0000-4000-8000-{next(counter):012d}")

    class FixedDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return NOW.astimezone(tz)

    monkeypatch.setattr(session_mutations, "uuid_mod", Uuids)
    monkeypatch.setattr(session_mutations, "datetime", FixedDatetime)


def test_after_fork(make, repeatable_sdk_fork, snap_compare) -> None:
    async def fork_then_settle(pilot) -> None:
        await select(u(3))(pilot)
        await pilot.press("f")
        await settle(pilot.app, pilot)

    assert snap_compare(make(), terminal_size=(120, 36), run_before=fork_then_settle)


def test_80x24(make, snap_compare) -> None:
    assert snap_compare(make(), terminal_size=(80, 24), run_before=select(u(4)))


def open_long(tmp_path: Path):
    from tests.tui.gallery import LONG, write_long_answers

    return write_long_answers(tmp_path / "long"), LONG


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_last_answer_taller_than_the_pane_keeps_its_header(
    make, tmp_path: Path, snap_compare, size
) -> None:
    """Opened at its end, the last answer fills the pane: its header (UUID) is pinned on top."""
    config, session = open_long(tmp_path)
    assert snap_compare(
        make(config_dir=config, session_id=session), terminal_size=size, run_before=loaded
    )


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_header_stays_while_paging_through_a_tall_answer(
    make, tmp_path: Path, snap_compare, size
) -> None:
    config, session = open_long(tmp_path)

    async def page_into_the_first_answer(pilot) -> None:
        await settle(pilot.app, pilot)
        view = pilot.app.main_screen.message_view
        view.focus()
        view.select(1)
        await pilot.pause()
        await pilot.press("pagedown")
        await pilot.pause()

    assert snap_compare(
        make(config_dir=config, session_id=session),
        terminal_size=size,
        run_before=page_into_the_first_answer,
    )
