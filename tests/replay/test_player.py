"""The replay clock on its own, with a fake wall clock."""

from __future__ import annotations

import pytest

from sessionscope.replay.player import Frame, Player, Timing, cut_label


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


T0 = 1_700_000_000.0


def timings() -> list[Timing]:
    return [
        Timing(T0, is_user_turn=True),  # 0: prompt
        Timing(T0 + 2),  # 1: thinking, appears at 2
        Timing(T0 + 4, typed_length=100),  # 2: text typed over 2..4
        Timing(T0 + 4 + 600, is_user_turn=True),  # 3: 10 minutes later, cut to 3 s
        Timing(None),  # 4: no timestamp: no gap
        Timing(T0 + 605),  # 5
    ]


def test_steps_appear_at_their_recorded_pace_and_long_gaps_are_cut() -> None:
    clock = FakeClock()
    player = Player(timings(), clock=clock)
    assert player.ends == pytest.approx([0, 2, 4, 7, 7.05, 8.05])
    assert player.tick() == Frame(1, None, T0)
    clock.now += 1.9
    assert player.tick().complete == 1
    clock.now += 0.2
    assert player.tick().complete == 2
    clock.now += 0.9  # halfway through the typing of step 2
    frame = player.tick()
    assert frame.complete == 2 and frame.typing_chars == 50
    assert frame.recorded_at == pytest.approx(T0 + 3)
    clock.now += 1.0
    assert player.tick() == Frame(3, None, T0 + 4)
    assert player.gap_is_cut(3) and not player.gap_is_cut(2)
    assert player.recorded_gaps[3] == 600
    clock.now += 3.0
    assert player.tick().complete == 4  # the cut gap took 3 s
    clock.now += 0.1  # step 4 had no time of its own: it comes just after step 3
    assert player.tick().complete == 5
    clock.now += 0.8
    assert player.tick().complete == 5
    clock.now += 0.2
    assert player.tick().complete == 6
    assert player.finished and not player.playing
    assert player.progress() == 1.0


def test_pause_stops_time_and_resume_goes_on() -> None:
    clock = FakeClock()
    player = Player(timings(), clock=clock)
    clock.now += 1
    player.tick()
    assert player.toggle_pause() is False
    clock.now += 100
    assert player.tick().complete == 1
    assert player.position == 1
    assert player.toggle_pause() is True
    clock.now += 1.5
    assert player.tick().complete == 2


def test_speed_multiplies_and_ladders() -> None:
    clock = FakeClock()
    player = Player(timings(), clock=clock, speed=4)
    clock.now += 0.5  # 2 replay seconds at 4x
    assert player.tick().complete == 2
    assert player.faster() == 8
    assert player.slower() == 4
    assert player.slower() == 2
    player.speed = 128
    assert player.faster() == 128
    player.speed = 0.25
    assert player.slower() == 0.25
    player.speed = 3  # from --speed 3
    assert player.faster() == 4
    with pytest.raises(ValueError):
        Player(timings(), speed=0)


def test_steps_pause_and_finish_typing_first() -> None:
    clock = FakeClock()
    player = Player(timings(), clock=clock)
    clock.now += 3  # typing step 2
    assert player.tick().typing_chars == 50
    player.step_forward()
    assert not player.playing
    assert player.frame() == Frame(3, None, T0 + 4)
    player.step_forward()
    assert player.frame().complete == 4
    player.step_back()
    assert player.frame().complete == 3
    for _ in range(10):
        player.step_back()
    assert player.frame().complete == 1  # the first step stays
    for _ in range(10):
        player.step_forward()
    assert player.finished


def test_next_user_turn_and_start_from_a_step() -> None:
    clock = FakeClock()
    player = Player(timings(), clock=clock)
    player.next_user_turn()
    assert player.frame().complete == 4
    player.next_user_turn()
    assert player.finished
    late = Player(timings(), clock=clock, start_at=3)
    assert late.frame().complete == 3


def test_replay_restarts_after_the_end() -> None:
    clock = FakeClock()
    player = Player(timings(), clock=clock, speed=128)
    clock.now += 1
    player.tick()
    assert player.finished
    assert player.toggle_pause() is True
    assert player.frame().complete == 1


def test_an_empty_replay_is_finished() -> None:
    player = Player([], clock=FakeClock())
    assert player.tick() == Frame(0, None, None) and player.finished


@pytest.mark.parametrize(
    ("seconds", "label"),
    [
        (45, "… 45 s later"),
        (14 * 60, "… 14 min later"),
        (3 * 3600, "… 3 h later"),
        (5400 + 1800, "… 2 h later"),
        (3 * 86400, "… 3 days later"),
    ],
)
def test_cut_labels(seconds: float, label: str) -> None:
    assert cut_label(seconds) == label
