"""The replay screen driven by a fake clock: order, pauses, steps, speed, gap cutting, the end."""

from __future__ import annotations

from pathlib import Path

from sessionscope.replay.steps import load_steps
from sessionscope.tui.replay_app import ReplayApp
from sessionscope.tui.screens.replay import ReplayScreen


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def _content_text(screen: ReplayScreen, position: int) -> str:
    return str(screen._mounted[position][2].visual)


async def test_replay_plays_in_order_pauses_steps_speeds_and_ends(sample_session: Path) -> None:
    clock = FakeClock()
    app = ReplayApp(load_steps(sample_session), title="sample", clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)

        async def advance(seconds: float) -> None:
            clock.now += seconds
            screen.tick()
            await pilot.pause()

        # Only the first prompt at the start.
        await pilot.pause()
        assert screen.shown() == [(uuid(1), None)]
        assert screen.status_line.startswith("▶ 1/8  2026-03-01 10:00:00  1×")

        # Thinking at +2 s; text typed over 2..3 s; tool call at 3.5 s; result at 4 s.
        await advance(2.0)
        assert screen.shown() == [(uuid(1), None), (uuid(2), None)]
        await advance(0.5)
        assert screen.shown()[-1] == (uuid(3), len("Let me read the parser first.") // 2)
        await advance(1.5)
        assert [u for u, _ in screen.shown()] == [uuid(n) for n in range(1, 6)]
        assert all(typed is None for _, typed in screen.shown())

        # space pauses: time passes, nothing moves; the status line says so.
        await pilot.press("space")
        before = screen.shown()
        await advance(60)
        assert screen.shown() == before
        assert screen.status_line.startswith("❚❚ 5/8")

        # . shows the next message whole; , takes it back.
        await pilot.press("full_stop")
        assert screen.shown()[-1] == (uuid(6), None)
        await pilot.press("comma")
        assert screen.shown()[-1] == (uuid(5), None)

        # + and - change the speed. At 4x, the 5 s before message 6 (cut to 3 s) take 0.75 s.
        await pilot.press("plus", "plus")
        assert "4×" in screen.status_line
        await pilot.press("minus")
        assert "2×" in screen.status_line
        await pilot.press("plus")
        await pilot.press("space")
        await advance(0.7)  # 2.8 of the 3 s: message 6 is being typed
        last_uuid, typed = screen.shown()[-1]
        assert last_uuid == uuid(6) and 80 < typed < 100
        await advance(0.1)
        assert screen.shown()[-1] == (uuid(6), None)
        assert "… 5 s later" in _content_text(screen, -1)

        # The 14-minute pause is cut to 3 s (0.75 s at 4x) and said.
        await advance(0.65)
        assert screen.shown()[-1][0] == uuid(6)
        await advance(0.1)
        assert screen.shown()[-2:] == [(uuid(7), None), (uuid(8), 3)]
        assert "… 14 min later" in _content_text(screen, -2)

        # The end.
        await advance(1.0)
        assert screen.shown()[-1] == (uuid(8), None)
        assert screen.status_line.startswith("■ end 8/8  2026-03-01 10:14:33  4×")
        assert not screen.player.playing

        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_next_prompt_and_escape(sample_session: Path) -> None:
    clock = FakeClock()
    app = ReplayApp(load_steps(sample_session), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("right_square_bracket")
        assert screen.shown()[-1] == (uuid(7), None)
        assert len(screen.shown()) == 7
        await pilot.press("escape")
        await pilot.pause()
    assert not app.is_running


async def test_start_from_a_message(sample_session: Path) -> None:
    app = ReplayApp(load_steps(sample_session), clock=FakeClock(), start_at=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert [u for u, _ in app.screen.shown()] == [uuid(n) for n in range(1, 6)]


async def test_hostile_text_reaches_the_screen_inert(hostile_session: Path) -> None:
    app = ReplayApp(load_steps(hostile_session), clock=FakeClock(), start_at=4)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("full_stop")
        screen = app.screen
        text = "\n".join(_content_text(screen, i) for i in range(len(screen.shown())))
        assert "␛[2J" in text and "\x1b" not in text and "\x9b" not in text


async def test_subagent_work_shows_where_it_happened(isolated_user_dirs: Path) -> None:
    from tests.helpers.sample import subagent_session

    steps = load_steps(subagent_session(isolated_user_dirs))
    order = [(step.agent, step.message.uuid) for step in steps]
    assert order == [
        (None, uuid(1)),
        (None, uuid(2)),  # the Task call
        ("search files", uuid(101)),
        ("search files", uuid(102)),
        ("search files", uuid(103)),
        ("search files", uuid(104)),
        (None, uuid(3)),  # its result
        (None, uuid(4)),
    ]
    assert not steps[2].is_user_turn  # ] skips the subagent's own prompt
    app = ReplayApp(steps, clock=FakeClock(), start_at=len(steps))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        texts = [_content_text(screen, i) for i in range(len(screen.shown()))]
        assert texts[2].startswith("↳ search files")
        assert "-subagent" in screen._mounted[2][2].classes
