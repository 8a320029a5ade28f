"""The explorer on a store, from a process's start to its list painted (``benchmarks/store.py``),
and the timing hooks of the TUI figures (:func:`timed`).

``python benchmarks/launch.py store SPAWNED_AT URL``: ``sessionscope --store URL`` through the
real command line, headless at the benchmarks' size, in an interpreter that imports nothing else
first; prints one JSON object, times from ``SPAWNED_AT`` (the parent's ``time.time()`` just
before it started this process). The local launch figure is measured in tmux instead
(``benchmarks/launch_tmux.py``), as issue 14 words it.
"""

from __future__ import annotations

import json
import sys
import time

SIZE = (120, 40)
"""Terminal size for every run."""


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
    import sessionscope.commands._common as common
    from sessionscope.cli import main

    # Run headless (above), the app needs no terminal: this probe's stdout is a pipe.
    common.need_terminal = lambda *_args, **_kwargs: None

    main(list(argv))
    marks = made[0].main_screen.marks
    return {"painted": marks["list"] - spawned_at, "rows": marks["rows"]}


if __name__ == "__main__":
    which, spawned_at, *rest = sys.argv[1:]
    option = "--store" if which == "store" else "--config-dir"
    print(json.dumps(ours(float(spawned_at), option, *rest)))
