"""Bytes a one-minute replay sends to the terminal (what an SSH link carries).

Runs the installed ``sessionscope replay`` in a pseudo-terminal of 80×24 (TERM=xterm), on a
generated session that keeps something happening for the whole minute, and counts every byte the
program writes. Compares it with what redrawing the whole screen on every tick would cost, and
with a paused replay (which should send next to nothing).

    python benchmarks/replay_bytes.py [--seconds 60]

Targets: while playing, under a quarter of what redrawing the screen on every tick would send
(a new message scrolls the whole log, so roughly one full paint per message is the floor);
paused, under 1 KB a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import random
import select
import signal
import struct
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fcntl import ioctl
from pathlib import Path

SESSION_ID = "5e55a0e1-0000-4000-8000-00000000beef"
PROJECT = "-bench-replay"
TICKS_PER_SECOND = 10
"""The replay screen's tick rate (ReplayScreen.TICK_SECONDS)."""

WORDS = tuple(
    [
        "the",
        "parser",
        "reads",
        "each",
        "line",
        "splits",
        "it",
        "on",
        "commas",
        "and",
        "returns",
        "the",
        "second",
        "field",
        "which",
        "fails",
        "when",
        "a",
        "line",
        "is",
        "empty",
        "so",
        "we",
        "guard",
        "it",
        "first",
        "then",
        "add",
        "a",
        "test",
        "that",
        "feeds",
        "an",
        "empty",
        "line",
        "and",
        "checks",
        "that",
        "nothing",
        "is",
        "raised",
        "and",
        "None",
        "comes",
        "back",
    ]
)


def _uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def minute_entries(seconds: float = 70.0, seed: int = 7) -> list[dict]:
    """A session with a message every 0.5–2.5 s for ``seconds``: prompts, thinking, typed
    answers, tool calls and results, one long pause (cut to 3 s)."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    at = 0.0
    entries: list[dict] = []
    n = 0
    parent: int | None = None

    def add(kind: str, message: dict, **extra) -> None:
        nonlocal n, parent
        n += 1
        stamp = (start + timedelta(seconds=at)).isoformat(timespec="milliseconds")
        entries.append(
            {
                "parentUuid": _uuid(parent) if parent else None,
                "isSidechain": False,
                "type": kind,
                "cwd": "/bench",
                "sessionId": SESSION_ID,
                "version": "2.1.30",
                "uuid": _uuid(n),
                "timestamp": stamp.replace("+00:00", "Z"),
                "message": message,
                **extra,
            }
        )
        parent = n

    def words(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count))

    turn = 0
    played_skipped = 0.0
    while at - played_skipped < seconds:
        turn += 1
        add("user", {"role": "user", "content": f"Step {turn}: {words(12)}?"})
        at += rng.uniform(0.5, 1.5)
        msg = f"msg_{turn:04d}"

        def assistant(block: dict) -> dict:
            return {"id": msg, "type": "message", "role": "assistant", "content": [block]}  # noqa: B023

        add("assistant", assistant({"type": "thinking", "thinking": words(20), "signature": "s"}))
        at += rng.uniform(1.0, 2.5)
        add("assistant", assistant({"type": "text", "text": words(rng.randint(30, 70))}))
        at += rng.uniform(0.3, 1.0)
        tool_id = f"toolu_{turn:04d}"
        add(
            "assistant",
            assistant(
                {
                    "type": "tool_use",
                    "id": tool_id,
                    "name": "Bash",
                    "input": {"command": f"pytest -q tests/test_{turn}.py"},
                }
            ),
        )
        at += rng.uniform(0.5, 2.0)
        result = "\n".join(words(8) for _ in range(rng.randint(3, 12)))
        add(
            "user",
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": tool_id, "content": result}],
            },
        )
        at += rng.uniform(1.0, 2.5)
        add("assistant", assistant({"type": "text", "text": words(rng.randint(20, 50))}))
        if turn == 3:
            at += 600.0  # played as 3 s
            played_skipped += 597.0
        else:
            at += rng.uniform(0.5, 2.0)
    return entries


def write_session(config_dir: Path, entries: list[dict]) -> Path:
    folder = config_dir / "projects" / PROJECT
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{entries[0]['sessionId']}.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return path


@dataclass
class PtyRun:
    """What a program wrote to its terminal, and when."""

    output: bytearray = field(default_factory=bytearray)
    chunks: list[tuple[float, int]] = field(default_factory=list)
    """(seconds since start, bytes) for each read."""
    exit_status: int | None = None
    ready_at: float = 0.0
    """Seconds from the start until ``ready_marker`` was seen (0 without one)."""

    def bytes_between(self, start: float, end: float) -> int:
        return sum(size for at, size in self.chunks if start <= at < end)


def run_in_pty(
    argv: list[str],
    *,
    env: dict[str, str],
    duration: float,
    keys: list[tuple[float, bytes]] = (),
    cols: int = 80,
    rows: int = 24,
    quit_key: bytes | None = b"q",
    exit_timeout: float = 10.0,
    ready_marker: bytes | None = None,
    ready_timeout: float = 30.0,
) -> PtyRun:
    """Run ``argv`` on a fresh pseudo-terminal of ``cols``×``rows`` for ``duration`` seconds,
    typing ``keys`` at their times; then ``quit_key``, and wait for it to end.

    With ``ready_marker``, times count from when the output first holds it (the program has
    drawn), so a slow start-up on a busy machine changes nothing; ``run.ready_at`` says when.
    """
    pid, master = pty.fork()
    if pid == 0:  # the child: become the program
        try:
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    run = PtyRun()
    started = time.monotonic()
    pending = sorted(keys)
    quit_sent_at: float | None = None

    def read_some(timeout: float) -> bool:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(master, 65536)
        except OSError:
            return False
        if not data:
            return False
        run.output += data
        run.chunks.append((time.monotonic() - started, len(data)))
        return True

    alive = True
    ready_at = None if ready_marker else 0.0
    while alive:
        elapsed = time.monotonic() - started
        if ready_at is None:
            if ready_marker in run.output:
                ready_at = elapsed
                run.ready_at = ready_at
            elif elapsed > ready_timeout:
                ready_at = elapsed  # never drew it: go on, and let the caller see the output
        now = elapsed - ready_at if ready_at is not None else -1.0
        while pending and pending[0][0] <= now:
            os.write(master, pending.pop(0)[1])
        if quit_sent_at is None and ready_at is not None and now >= duration:
            if quit_key is None:
                os.kill(pid, signal.SIGTERM)
            else:
                os.write(master, quit_key)
            quit_sent_at = now
        if quit_sent_at is not None and now - quit_sent_at > exit_timeout:
            os.kill(pid, signal.SIGKILL)
        alive = read_some(0.05)
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            while read_some(0.05):
                pass
            run.exit_status = os.waitstatus_to_exitcode(status)
            break
    os.close(master)
    if run.exit_status is None:
        _, status = os.waitpid(pid, 0)
        run.exit_status = os.waitstatus_to_exitcode(status)
    return run


def sessionscope_command() -> list[str]:
    """The installed command beside this Python, else ``python -m sessionscope``."""
    script = Path(sys.executable).with_name("sessionscope")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sessionscope"]


def _bins(run: PtyRun, start: float, end: float) -> list[int]:
    """Bytes sent in each tick-long slice of ``[start, end)``."""
    width = 1 / TICKS_PER_SECOND
    bins = [0] * max(1, round((end - start) / width))
    for at, size in run.chunks:
        if start <= at < end:
            bins[min(len(bins) - 1, int((at - start) / width))] += size
    return bins


def measure(seconds: float = 60.0, command: list[str] | None = None) -> dict[str, float]:
    """``command``: how to run sessionscope (default: :func:`sessionscope_command`)."""
    with tempfile.TemporaryDirectory() as temp:
        config_dir = Path(temp) / "claude"
        entries = minute_entries(seconds + 10)
        write_session(config_dir, entries)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": temp,
            "TERM": "xterm",
            "LANG": "C.UTF-8",
            "CLAUDE_CONFIG_DIR": str(config_dir),
        }
        argv = [*(command or sessionscope_command()), "replay", SESSION_ID]
        playing = run_in_pty(argv, env=env, duration=seconds)
        paused = run_in_pty(argv, env=env, duration=min(seconds, 20.0), keys=[(4.0, b" ")])
    # The replay starts with the first byte (Python and Textual take a moment to load).
    start = playing.chunks[0][0] if playing.chunks else 0.0
    bins = _bins(playing, start, start + seconds)
    total = sum(bins)
    # A message arriving once the screen is full scrolls the whole log: those ticks are the
    # largest, about one full-screen paint each (the median of the top tenth).
    top = sorted(bins[TICKS_PER_SECOND * 3 :] or bins)[-max(1, len(bins) // 10) :]
    full_screen = top[len(top) // 2]
    shown = len([e for e in entries if e["timestamp"]])  # upper bound; counted below
    idle_start = (paused.chunks[0][0] if paused.chunks else 0.0) + 6.0
    idle_end = min(seconds, 20.0)
    idle = paused.bytes_between(idle_start, idle_end) * 60 / max(1.0, idle_end - idle_start)
    busy_ticks = sum(1 for size in bins if size)
    return {
        "messages": shown,
        "bytes_per_minute": total * 60 / seconds,
        "full_screen_paint": full_screen,
        "full_redraw_every_tick_per_minute": full_screen * TICKS_PER_SECOND * 60,
        "ticks": len(bins),
        "ticks_that_sent_anything": busy_ticks,
        "paused_bytes_per_minute": idle,
        "exit_status": playing.exit_status,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    f = measure(args.seconds)
    ratio = f["bytes_per_minute"] / f["full_redraw_every_tick_per_minute"]
    idle = f["paused_bytes_per_minute"]
    print(f"replay in a pty, 80x24, TERM=xterm, {args.seconds:g} s at 1x, ~1 message a second")
    print(f"  playing:                {f['bytes_per_minute']:>12,.0f} bytes/min")
    print(f"  one full-screen paint:  {f['full_screen_paint']:>12,.0f} bytes")
    print(f"  full redraw every tick: {f['full_redraw_every_tick_per_minute']:>12,.0f} bytes/min")
    print(
        f"  playing / that:         {ratio:>12.1%}    target < 25%  {'OK' if ratio < 0.25 else 'MISSED'}"
    )
    print(f"  ticks that sent bytes:  {f['ticks_that_sent_anything']:>5} of {f['ticks']}")
    print(
        f"  paused:                 {idle:>12,.0f} bytes/min  target < 1,000  {'OK' if idle < 1000 else 'MISSED'}"
    )
    return 0 if ratio < 0.25 and idle < 1000 and f["exit_status"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
