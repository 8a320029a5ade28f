"""Follow a config folder's transcripts as they are written: which files changed, and the index
caught up on them.

:class:`TranscriptWatcher` watches ``<config>/projects`` with the operating system's file
notifications (inotify on Linux, through ``watchfiles``' Rust watcher; polling only where
notifications cannot be had) in a thread of its own, and hands each batch of changed
``.jsonl`` paths to a callback, in that thread. Nothing polls while nothing changes: the
thread sleeps in the watcher until a change or :meth:`TranscriptWatcher.stop`.

:func:`catch_up_changes` brings the index up to date with a batch (appended bytes only, a file
that is gone forgotten) and says which sessions are new or changed and which are gone.

Pure: no Textual, no SDK.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..transcripts.files import projects_dir, session_file_id
from ..transcripts.meta import SessionMeta

if TYPE_CHECKING:
    from ..transcripts.model import TranscriptIndex

__all__ = ["Changes", "TranscriptWatcher", "catch_up_changes"]

STEP_MS = 30
"""Once a change is seen, the watcher waits this long for more before handing the batch on."""
DEBOUNCE_MS = 150
"""At most this long a batch keeps growing while changes keep coming."""
RETRY_SECONDS = 1.0
"""How long to wait before watching again when there is nothing to watch yet (no projects
folder) or the watcher failed."""


class TranscriptWatcher:
    """Calls ``on_change(paths)`` (in its own thread) with every batch of transcript files
    (``*.jsonl`` under ``<config>/projects``, absolute paths) that were written, created or
    deleted. :meth:`start` once, :meth:`stop` when done."""

    def __init__(
        self,
        config_dir: str | os.PathLike[str],
        on_change: Callable[[set[str]], None],
        *,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.root = os.path.abspath(projects_dir(config_dir))
        self.config_dir = os.path.dirname(self.root)
        self.on_change = on_change
        self.on_error = on_error
        self.ready = threading.Event()
        """Set once the projects folder is watched (changes from then on are reported)."""
        self.polling = False
        """True when notifications could not be had and the folder is polled instead."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="transcript-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        """True while the watching thread is alive."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop watching and wait (a little) for the thread to end."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        from watchfiles._rust_notify import RustNotify

        said = False
        while not self._stop.is_set():
            # Until the projects folder exists, watch the config folder for its creation.
            watching_root = os.path.isdir(self.root)
            target = self.root if watching_root else self.config_dir
            if not os.path.isdir(target):
                self._stop.wait(RETRY_SECONDS)
                continue
            try:
                with RustNotify([target], False, self.polling, 300, watching_root, False) as notify:
                    if watching_root:
                        self.ready.set()
                    self._watch(notify, watching_root)
            except Exception as error:  # noqa: BLE001 - the inotify watch limit, a folder gone...
                if not self.polling:
                    # No notifications to be had (the watch limit reached): poll instead.
                    self.polling = True
                    if self.on_error is not None and not said:
                        said = True
                        self.on_error(f"watching {self.root} by polling: {error}")
                self._stop.wait(RETRY_SECONDS)

    def _watch(self, notify, watching_root: bool) -> None:
        prefix = self.root + os.sep
        while not self._stop.is_set():
            changes = notify.watch(DEBOUNCE_MS, STEP_MS, 0, self._stop)
            if not isinstance(changes, set):
                return  # stopped (or a signal): the loop above decides
            if not watching_root:
                if os.path.isdir(self.root):
                    return  # the projects folder appeared: watch it instead
                continue
            paths = {
                path
                for _change, path in changes
                if path.endswith(".jsonl") and path.startswith(prefix)
            }
            if not os.path.isdir(self.root):
                return  # the projects folder went: wait for it again
            if paths:
                self.on_change(paths)


@dataclass(slots=True)
class Changes:
    """What a batch of changed files did to the session list."""

    listed: list[SessionMeta] = field(default_factory=list)
    """Sessions new or changed (their fields as the index has them now)."""
    gone: list[str] = field(default_factory=list)
    """Ids of sessions whose transcript is gone."""
    indexed: bool = False
    """Whether the index changed (search may find more)."""


def catch_up_changes(
    index, paths: set[str] | list[str], read: dict[str, TranscriptIndex] | None = None
) -> Changes:
    """Catch ``index`` (an :class:`~sessionscope.index.Index`) up on each changed file: only
    the bytes appended are read, a file that is gone is forgotten. Subagent transcripts are
    indexed for search; sessions' own transcripts come back listed or gone. ``read``: files
    the caller has read already, by path (:meth:`Index.catch_up`)."""
    read = read or {}
    changes = Changes()
    root = index.root
    for path in sorted(paths):
        session_id = session_file_id(path, root)
        if not os.path.exists(path):
            changes.indexed |= index.catch_up(path)
            if session_id is not None:
                changes.gone.append(session_id)
            continue
        try:
            changed = index.catch_up(path, read=read.get(path))
        except OSError:
            continue  # unreadable now: the next change tries again
        changes.indexed |= changed
        if session_id is None:
            continue
        meta = index.session_meta(path)
        if meta is not None:
            changes.listed.append(meta)
    return changes
