"""The launch figures: from a process's start to its first screen, in an interpreter that
imports nothing else first (what the harness imports would be paid by both apps, and flatter
the ratio between them).

``python benchmarks/launch.py bare SPAWNED_AT``: a bare Textual app showing one line, to its
first paint. ``python benchmarks/launch.py ours SPAWNED_AT CONFIG_DIR``: ``sessionscope
--config-dir CONFIG_DIR`` through the real command line, to its session list painted (the
cache is warm); ``... store SPAWNED_AT URL``: ``sessionscope --store URL`` likewise. Each
runs headless at the benchmarks' size and prints one JSON object; times are from ``SPAWNED_AT`` (the parent's ``time.time()`` just before it started this process).
"""

from __future__ import annotations

import json
import sys
import time

SIZE = (120, 40)
"""Terminal size for every run."""


def bare(spawned_at: float) -> dict:
    from textual.app import App
    from textual.widgets import Static

    marks: dict[str, float] = {}

    class Bare(App[None]):
        def compose(self):
            yield Static("sessionscope")

        def on_mount(self) -> None:
            self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            marks["painted"] = time.time()
            self.exit()

    Bare().run(headless=True, size=SIZE)
    return {"painted": marks["painted"] - spawned_at}


def timed(app):
    """``app`` with its main screen noting when each list and transcript reaches the screen
    (the TUI figures of ``benchmarks/tui.py`` use it too): ``app.main_screen.marks``."""
    from sessionscope.tui.screens.main import MainScreen

    class Timed(MainScreen):
        marks: dict[str, float]
        exit_when_listed = False

        def show_list(self, sessions, *args, **kwargs) -> None:
            super().show_list(sessions, *args, **kwargs)
            if "list" not in self.marks and sessions:
                self.call_after_refresh(self._listed)

        def _listed(self) -> None:
            self.marks.setdefault("list", time.time())
            self.marks["rows"] = len(self.session_list.rows)
            if self.exit_when_listed:
                self.app.exit()

        def on_transcript_loaded(self, event) -> None:
            key = f"transcript:{event.opened.meta.session_id}"
            self.call_after_refresh(lambda: self.marks.setdefault(key, time.time()))
            if not event.opened.partial:
                whole = f"whole:{event.opened.meta.session_id}"
                self.call_after_refresh(lambda: self.marks.setdefault(whole, time.time()))

    app.main_screen.__class__ = Timed  # the same screen, with the timing hooks above
    app.main_screen.marks = {}
    return app


def ours(spawned_at: float, *argv: str) -> dict:
    """``sessionscope ARGV`` to its session list painted. The app's module is imported when
    the command imports it, as it is without the timing (the explorer on a store connects
    while it is imported), and its ``make_app`` wrapped then."""
    import importlib.machinery

    made = []

    def make_timed(make_app):
        def made_timed(*args, **kwargs):
            app = timed(make_app(*args, **kwargs))
            app.main_screen.exit_when_listed = True
            run = app.run
            app.run = lambda *_args, **_kwargs: run(headless=True, size=SIZE)
            made.append(app)
            return app

        return made_timed

    class WrapWhenImported:
        """A finder of ``sys.meta_path`` (not an ``importlib.abc.MetaPathFinder``: importing
        that costs 9 ms, which the bare app would not pay)."""

        def find_spec(self, name, path, target=None):
            if name != "sessionscope.tui.app":
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            execute = spec.loader.exec_module

            def exec_module(module) -> None:
                execute(module)
                module.make_app = make_timed(module.make_app)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, WrapWhenImported())
    from sessionscope.cli import main

    main(list(argv))
    marks = made[0].main_screen.marks
    return {"painted": marks["list"] - spawned_at, "rows": marks["rows"]}


if __name__ == "__main__":
    which, spawned_at, *rest = sys.argv[1:]
    if which == "bare":
        result = bare(float(spawned_at))
    elif which == "store":
        result = ours(float(spawned_at), "--store", *rest)
    else:
        result = ours(float(spawned_at), "--config-dir", *rest)
    print(json.dumps(result))
