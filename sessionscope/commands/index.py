"""``sessionscope index``: build the search index, or catch it up with the transcripts."""

from __future__ import annotations

import argparse
import sys
import time

from ._common import CommandError, check_config_dir

NAME = "index"
HELP = "build the index of every transcript, or catch it up (a progress bar on a terminal)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options of its own


class _Bar:
    """A one-line progress bar, redrawn in place (only on a terminal)."""

    WIDTH = 30

    def __init__(self, stream) -> None:
        self.stream = stream
        self.shown = ""

    def __call__(self, done: int, total: int) -> None:
        if not total:
            return
        filled = self.WIDTH * done // total
        line = f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} files"
        if line != self.shown:
            self.stream.write(line)
            self.stream.flush()
            self.shown = line

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def run(args: argparse.Namespace) -> int:
    from ..index.index import Index

    check_config_dir(args.config_dir)
    index = Index(args.config_dir)
    if not index.db.enabled:
        raise CommandError(f"cannot build the index: {index.db.problem}")
    bar = _Bar(sys.stdout) if sys.stdout.isatty() else None
    started = time.monotonic()
    try:
        read = index.catch_up_all(progress=bar)
    finally:
        if bar is not None:
            bar.close()
    seconds = time.monotonic() - started
    if not index.db.enabled:  # unusable midway (and could not be made again)
        raise CommandError(f"cannot build the index: {index.db.problem}")
    if index.db.unwritten:  # a full disk: what was read is not all in the index
        raise CommandError(f"the index is not complete: {index.db.problem}")
    if index.db.problem:
        print(f"sessionscope: {index.db.problem}", file=sys.stderr)
    size = sum(
        path.stat().st_size
        for path in index.db.path.parent.glob(index.db.path.name + "*")
        if path.is_file()
    )
    print(
        f"{read} transcript{'s' if read != 1 else ''} read in {seconds:.1f} s; "
        f"index: {index.db.path} ({size / 1e6:.1f} MB)"
    )
    return 0
