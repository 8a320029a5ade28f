"""The launch figure as issue 14 words it: in tmux, from the launch of the installed command to
the session list on the terminal, against a bare Textual app's first paint there.

``python benchmarks/launch_tmux.py [--runs N]`` (default 9 pairs, in turn). Each app runs in a
pane of a tmux server of its own (120 x 40, ``TERM=xterm-256color``): the pane's command notes
the time just before it starts the app, and the pane's output goes (``pipe-pane``) to a reader
that notes when the app's marker is first written: the bare app's one line, or the header's
"N sessions" that the explorer writes in the frame that paints its list. Nothing polls the app.

``run.py``'s launch figure is :func:`launches`. The corpus and the install are ``run.py``'s
(its index warmed first).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import BENCH_CACHE, CORPUS_ROOT, ensure_corpus  # noqa: E402
from benchmarks.install import regular_install  # noqa: E402
from benchmarks.launch import SIZE  # noqa: E402

BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App[None]):
    def compose(self):
        yield Static("bare Textual app, one line")

    def on_mount(self) -> None:
        self.call_after_refresh(lambda: self.set_timer(0.3, self.exit))

Bare().run()
"""

READER = """
import os, sys, time
out, marker = sys.argv[1], sys.argv[2].encode()
seen = b""
while chunk := os.read(0, 65536):
    seen += chunk
    if marker in seen:
        with open(out, "w") as handle:
            handle.write(repr(time.time()))
        break
while os.read(0, 65536):
    pass
"""
"""Notes the time the marker is first written to the pane (and then drains the pane)."""


def _tmux(socket: str, *argv: str) -> None:
    subprocess.run(["tmux", "-L", socket, *argv], check=True, capture_output=True)


def _launch(socket: str, scratch: Path, command: str, marker: str, env: str) -> float:
    """Seconds from just before ``command`` starts to ``marker`` on the pane."""
    started, seen = scratch / "started", scratch / "seen"
    for path in (started, seen):
        path.unlink(missing_ok=True)
    # The pause lets pipe-pane attach before the app writes anything.
    _tmux(
        socket,
        "respawn-pane",
        "-k",
        "-t",
        "bench",
        f"sleep 0.4; date +%s.%N > {started}; cd {scratch}; env {env} {command}; sleep 60",
    )
    _tmux(
        socket,
        "pipe-pane",
        "-t",
        "bench",
        f"{sys.executable} {scratch / 'reader.py'} {seen} '{marker}'",
    )
    deadline = time.time() + 30
    while not (seen.exists() and seen.stat().st_size):
        if time.time() > deadline:
            raise SystemExit(f"{marker!r} never reached the pane: {command}")
        time.sleep(0.05)
    _tmux(socket, "pipe-pane", "-t", "bench")
    return float(seen.read_text()) - float(started.read_text())


def launches(runs: int) -> tuple[list[float], list[float], int]:
    """``runs`` launches of the bare app and of ours, in turn: their times (seconds) to their
    marker on the terminal, and how many sessions our list shows. The index is warmed
    first. ``RuntimeError`` without tmux."""
    if shutil.which("tmux") is None:
        raise RuntimeError("tmux is not installed")
    install = regular_install(CORPUS_ROOT)
    corpus = ensure_corpus()
    env = f"SESSIONSCOPE_CACHE_DIR={BENCH_CACHE} TERM=xterm-256color"
    subprocess.run(
        [str(install / "bin" / "sessionscope"), "--config-dir", corpus.config_dir, "index"],
        env={**os.environ, "SESSIONSCOPE_CACHE_DIR": str(BENCH_CACHE)},
        check=True,
        capture_output=True,
    )
    sessions = len(list(Path(corpus.config_dir, "projects").glob("*/*.jsonl")))
    apps = {
        "bare": (f"{install / 'bin' / 'python'} bare.py", "bare Textual app, one line"),
        "ours": (
            f"{install / 'bin' / 'sessionscope'} --config-dir {corpus.config_dir}",
            f"{sessions} sessions",
        ),
    }
    socket = f"sessionscope-bench-{os.getpid()}"
    times: dict[str, list[float]] = {"bare": [], "ours": []}
    with tempfile.TemporaryDirectory(prefix="sessionscope-tmux-") as folder:
        scratch = Path(folder)
        (scratch / "bare.py").write_text(BARE_APP)
        (scratch / "reader.py").write_text(READER)
        width, height = SIZE
        _tmux(socket, "new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height))
        try:
            for _ in range(runs):
                for name, (command, marker) in apps.items():
                    times[name].append(_launch(socket, scratch, command, marker, env))
        finally:
            subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
    return times["bare"], times["ours"], sessions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="launches of each app, in turn")
    args = parser.parse_args(argv)
    try:
        bare_times, ours_times, sessions = launches(args.runs)
    except RuntimeError as error:
        print(f"cannot run: {error}", file=sys.stderr)
        return 1
    bare, ours = statistics.median(bare_times), statistics.median(ours_times)
    print(
        f"launch in tmux to the list of {sessions:,} sessions on the terminal, median of "
        f"{args.runs} in turn: {ours * 1000:.0f} ms ({ours / bare:.2f}x); the bare Textual app's "
        f"first paint: {bare * 1000:.0f} ms; target <= 1.5x: {'met' if ours <= 1.5 * bare else 'NOT met'}"
    )
    for name, times in (("bare", bare_times), ("ours", ours_times)):
        print(f"  {name}: {', '.join(f'{t * 1000:.0f}' for t in times)} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
