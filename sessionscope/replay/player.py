"""The replay clock: where a replay is, given the recorded times of its steps and a wall clock.

Pure and terminal-free, so it can be driven by a fake clock in tests. A replay walks *steps*
(one per transcript message, or per subagent message shown where it happened). Each step has
the time it was recorded; the gap before a step is played at the chosen speed, except that a gap
longer than ``max_gap`` recorded seconds is cut to ``max_gap`` (and the screen says how long it
really was). Assistant text is typed out over the gap before it — the time it took to write it —
while everything else appears at once when its time comes.

Positions are in *replay seconds*: recorded seconds after cutting gaps, before speed. The wall
clock advances the position by ``elapsed × speed`` while playing.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

SPEEDS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)
"""The speeds ``+`` and ``-`` move between."""

DEFAULT_MAX_GAP = 3.0
"""Recorded gaps longer than this (seconds) are cut to it."""

MIN_STEP = 0.05
"""Replay seconds between two steps recorded at the same instant, so they still come one by one
(and ``.`` can step through them)."""


class Timed(Protocol):
    """What the player needs to know about one step (:class:`Timing`; a replay's
    ``replay.steps.Step``, which reads its message only when ``typed_length`` is asked for:
    the player asks it of the step being typed only)."""

    @property
    def recorded_at(self) -> float | None: ...

    @property
    def typed_length(self) -> int: ...

    @property
    def is_user_turn(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Timing:
    """What the player needs to know about one step, as plain values."""

    recorded_at: float | None
    """Seconds since the epoch when the step was written; ``None`` if the entry had no time."""
    typed_length: int = 0
    """Characters typed out over the gap before the step (assistant text); 0 appears at once."""
    is_user_turn: bool = False
    """A prompt the user typed (where ``]`` stops)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """What is on screen at one position."""

    complete: int
    """Steps shown in full (the first ``complete`` steps)."""
    typing_chars: int | None
    """Characters of step ``complete`` typed so far, when it is being typed; else ``None``."""
    recorded_at: float | None
    """The recorded time at this position (interpolated while typing)."""


def cut_label(seconds: float) -> str:
    """How a cut gap is announced: ``… 14 min later``."""
    if seconds < 90:
        return f"… {seconds:.0f} s later"
    if seconds < 90 * 60:
        return f"… {seconds / 60:.0f} min later"
    if seconds < 36 * 3600:
        hours = seconds / 3600
        return f"… {hours:.1f} h later".replace(".0 h", " h")
    return f"… {seconds / 86400:.0f} days later"


class Player:
    """Position, speed and pause state of one replay, driven by an injectable clock."""

    def __init__(
        self,
        timings: Sequence[Timed],
        *,
        speed: float = 1.0,
        max_gap: float = DEFAULT_MAX_GAP,
        clock: Callable[[], float] = time.monotonic,
        start_at: int = 0,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        if max_gap < 0:
            raise ValueError("max gap cannot be negative")
        self.timings = list(timings)
        self.speed = speed
        self.max_gap = max_gap
        self.clock = clock
        self.recorded_gaps: list[float] = []
        """Real gap before each step, in recorded seconds (0 for the first)."""
        self.ends: list[float] = []
        """Replay position at which each step is shown in full."""
        previous: float | None = None
        position = 0.0
        for index, timing in enumerate(self.timings):
            gap = 0.0
            if timing.recorded_at is not None:
                if previous is not None:
                    gap = max(0.0, timing.recorded_at - previous)
                previous = timing.recorded_at
            self.recorded_gaps.append(gap)
            position += min(gap, max_gap) if gap > MIN_STEP or not index else MIN_STEP
            self.ends.append(position)
        self.position = 0.0
        self.playing = True
        self._last_tick = clock()
        if start_at > 0 and self.timings:
            # Everything before the chosen step is shown at once; play resumes from there.
            self.position = self.ends[min(start_at, len(self.ends)) - 1]

    # -- time ------------------------------------------------------------------------------------

    @property
    def total(self) -> float:
        """The replay position at which everything has been shown."""
        return self.ends[-1] if self.ends else 0.0

    @property
    def finished(self) -> bool:
        return self.position >= self.total

    def _advance(self) -> None:
        now = self.clock()
        if self.playing and not self.finished:
            self.position = min(self.total, self.position + (now - self._last_tick) * self.speed)
        self._last_tick = now
        if self.finished:
            self.playing = False

    def tick(self) -> Frame:
        """Advance by the wall time since the last tick (while playing) and say what shows."""
        self._advance()
        return self.frame()

    def gap_is_cut(self, index: int) -> bool:
        """Whether the gap before step ``index`` was shortened."""
        return self.recorded_gaps[index] > self.max_gap

    def frame(self) -> Frame:
        """What shows at the current position, without moving."""
        if not self.timings:
            return Frame(0, None, None)
        complete = bisect.bisect_right(self.ends, self.position)
        typing_chars = None
        if complete < len(self.timings):
            timing = self.timings[complete]
            start = self.ends[complete - 1] if complete else 0.0
            span = self.ends[complete] - start
            if timing.typed_length and span > 0 and self.position > start:
                typing_chars = int(timing.typed_length * (self.position - start) / span)
        return Frame(complete, typing_chars, self._recorded_time(complete, typing_chars))

    def _recorded_time(self, complete: int, typing_chars: int | None) -> float | None:
        shown = complete + (1 if typing_chars is not None else 0)
        for index in range(shown - 1, -1, -1):
            recorded = self.timings[index].recorded_at
            if recorded is None:
                continue
            if index == complete and typing_chars is not None:
                # Between the step before and this one, in proportion to the text typed so far.
                fraction = typing_chars / max(1, self.timings[index].typed_length)
                return recorded - self.recorded_gaps[index] * (1 - fraction)
            return recorded
        return None

    def progress(self) -> float:
        """0.0 at the start, 1.0 at the end (by position, so cut gaps take little of the bar)."""
        return 1.0 if self.total == 0 else self.position / self.total

    # -- controls --------------------------------------------------------------------------------

    def toggle_pause(self) -> bool:
        """Pause or play; at the end, play starts again from the beginning. Returns ``playing``."""
        self._advance()
        if self.playing:
            self.playing = False
        else:
            if self.finished:
                self.position = 0.0
            self.playing = True
            self._last_tick = self.clock()
        return self.playing

    def _shown(self) -> int:
        frame = self.frame()
        return frame.complete + (1 if frame.typing_chars is not None else 0)

    def step_forward(self) -> None:
        """Show the next step in full (or finish the one being typed), and pause."""
        self._advance()
        self.playing = False
        complete = self.frame().complete
        if complete < len(self.ends):
            self.position = self.ends[complete]

    def step_back(self) -> None:
        """Hide the last step shown (the first step always stays), and pause."""
        self._advance()
        self.playing = False
        shown = self._shown()
        self.position = self.ends[max(0, shown - 2)] if self.ends else 0.0

    def next_user_turn(self) -> None:
        """Jump to the next prompt the user typed, shown in full (or to the end)."""
        self._advance()
        complete = self.frame().complete
        for index in range(complete, len(self.timings)):
            if self.timings[index].is_user_turn and self.ends[index] > self.position:
                self.position = self.ends[index]
                break
        else:
            self.position = self.total

    def faster(self) -> float:
        self._advance()
        self.speed = next((s for s in SPEEDS if s > self.speed), self.speed)
        return self.speed

    def slower(self) -> float:
        self._advance()
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), self.speed)
        return self.speed
