"""Live updates in the explorer, for :class:`sessionscope.tui.app.SessionscopeApp`: transcripts
being written show what is appended as it is written.

A :class:`~sessionscope.index.watch.TranscriptWatcher` thread (started once the first list is
painted) posts :class:`TranscriptsChanged` with each batch of changed files. When the open
session's file is among them, :meth:`LiveActions.follow_transcript` reads what was appended
(from the byte where the open index stopped: a 100 MB session is not read again) and posts
:class:`TranscriptGrew`; the message pane keeps the reader's place, or follows the end like
``tail -f`` when the cursor was on the last message. A torn last line is not an entry until its
newline arrives, so it is never shown half. Then :meth:`LiveActions.catch_up_index` catches the
index up on the changed files (appended bytes only) and posts :class:`SessionsChanged`: new
sessions join the list, deleted ones go, changed ones get their new fields, and search finds
the new messages.

The app mixes in :class:`LiveActions`, calls :meth:`LiveActions.start_watching` once its first
list is painted, :meth:`LiveActions.stop_watching` when it closes, and
:meth:`LiveActions.follow_if_grown` when a whole transcript is on screen.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from sessionscope.transcripts.model import SessionMeta

if TYPE_CHECKING:
    from sessionscope.index.watch import TranscriptWatcher
    from sessionscope.stores.explorer import StoreWatcher
    from sessionscope.tui.app import OpenTranscript

LIVE_SECONDS = 10
"""A session whose transcript was written this recently is marked live (● in the list)."""

USAGE_LIVE_BYTES = 8 << 20
"""A growing session's tokens are counted again only below this size (counting reads the file
whole); a bigger one is counted when it is opened again."""


class TranscriptsChanged(Message):
    """Transcript files were written, created or deleted (posted by the watcher's thread)."""

    def __init__(self, paths: set[str]) -> None:
        super().__init__()
        self.paths = paths
        """Absolute paths of the ``.jsonl`` files that changed."""


class SessionsChanged(Message):
    """The index caught up on changed files: sessions new or changed, and sessions gone."""

    def __init__(
        self,
        listed: list[SessionMeta],
        gone: list[str],
        indexed: bool,
        error: str = "",
        *,
        caught_up: bool = True,
    ) -> None:
        super().__init__()
        self.caught_up = caught_up
        """Posted by an index catch-up (``False``: by the watcher, to say it polls)."""
        self.listed = listed
        self.gone = gone
        self.indexed = indexed
        """The index has new words (an open search asks again)."""
        self.error = error
        """What went wrong following the files, to say once (the next change tries again)."""


class TranscriptGrew(Message):
    """The open session's file was read from where its index stopped."""

    def __init__(self, before: OpenTranscript, after: OpenTranscript | None) -> None:
        super().__init__()
        self.before = before
        self.after = after
        """``None``: nothing new to show (a torn line, a write that changed nothing)."""


class LiveActions:
    """The live parts of the app (which provides context, opened, raw, leaf_choice,
    session_list, message_view, _show_info, _show_current and count_session_usage)."""

    _watcher: TranscriptWatcher | StoreWatcher | None = None
    _following: OpenTranscript | None = None
    """The open transcript a follow is reading from, while one runs."""
    _follow_again = False
    """A change came while a follow was running: read again when it is done."""
    _index_pending: set[str] = frozenset()
    """Changed files the index catches up on once the open session's follow is on screen."""
    _indexing = False
    """An index catch-up runs (one at a time: two of one file at once would both write what
    was appended)."""

    # -- watching ---------------------------------------------------------------------------------

    def start_watching(self) -> None:
        """Watch the transcripts (once): after the first paint, so the list comes first."""
        if self._watcher is not None:
            return
        store = self.context.store
        if store is not None:
            # The store is polled; the open session's mirror grows as a watched file does.
            self._watcher = store.watcher(
                list(self.session_list.sessions),
                self._transcripts_changed,
                self._store_changed,
                self._watch_error,
            )
        else:
            from sessionscope.index.watch import TranscriptWatcher

            self._watcher = TranscriptWatcher(
                self.context.config_dir, self._transcripts_changed, on_error=self._watch_error
            )
        self._watcher.start()
        self.set_interval(1.0, self._mark_live)

    def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()

    @property
    def watching(self):
        """The watcher's ``ready`` event (set once changes are reported), or ``None``."""
        return self._watcher.ready if self._watcher is not None else None

    def _watch_error(self, error: str) -> None:
        """In the watcher's thread: notifications failed; it polls instead."""
        self.post_message(SessionsChanged([], [], False, error=error, caught_up=False))

    def _store_changed(self, listed: list[SessionMeta], gone: list[str]) -> None:
        """In the store watcher's thread: sessions new, changed or gone in the store (what
        was appended is searchable there already: an open search asks again)."""
        self.post_message(SessionsChanged(listed, gone, True, caught_up=False))

    def _transcripts_changed(self, paths: set[str]) -> None:
        """In the watcher's thread: tell the app (it reads the open session first, then has the
        index catch up: the two would only slow each other down)."""
        self.post_message(TranscriptsChanged(paths))

    @work(thread=True, group="live-index", description="index changes")
    def catch_up_index(self, paths: set[str]) -> None:
        """Catch the index up on changed files and say what that did to the list."""
        from sessionscope.index import Index
        from sessionscope.index.watch import catch_up_changes

        catalog = self.context.catalog
        if not isinstance(catalog, Index):
            self.post_message(SessionsChanged([], [], False))
            return
        try:
            changes = catch_up_changes(catalog, paths)
        except Exception as error:  # noqa: BLE001 - a locked or broken index: the next change retries
            self.post_message(
                SessionsChanged([], [], False, error=f"cannot update the index: {error}")
            )
            return
        self.post_message(SessionsChanged(changes.listed, changes.gone, changes.indexed))

    # -- the list ---------------------------------------------------------------------------------

    def on_sessions_changed(self, event: SessionsChanged) -> None:
        if not self.main_screen_up():
            return  # the app is closing
        if event.caught_up:
            self._indexing = False
        if event.error:
            from sessionscope.transcripts.text import inert

            self.notify(inert(event.error), severity="warning", timeout=8)
        listed = event.listed
        self.session_list.apply_changes(listed, event.gone)
        self._mark_live()
        opened = self.opened
        if opened is not None:
            fresh = next((m for m in listed if m.session_id == opened.meta.session_id), None)
            if fresh is not None:
                opened.meta = fresh
                self._show_info(fresh)
        if event.indexed:
            from sessionscope.tui.screens.search import SearchScreen

            for screen in self.screen_stack:
                if isinstance(screen, SearchScreen):
                    screen.ask_again()
        if self._following is None:
            self._catch_up_pending()  # what changed while it caught up

    def _mark_live(self) -> None:
        """Mark the sessions written to in the last :data:`LIVE_SECONDS` (by the app's clock)."""
        if not self.main_screen_up():
            return  # the app is closing
        now = self.context.now_ms()
        live = {
            meta.session_id
            for meta in self.session_list.sessions
            if 0 <= now - (meta.last_modified or 0) < LIVE_SECONDS * 1000
        }
        self.session_list.set_live(live)

    # -- the open session -------------------------------------------------------------------------

    def on_transcripts_changed(self, event: TranscriptsChanged) -> None:
        if not self.main_screen_up():
            return  # the app is closing
        opened = self.opened
        if opened is not None and os.path.abspath(opened.path) in event.paths:
            # The open session first; the index once it is on screen.
            self._index_pending |= event.paths
            self.follow_if_grown()
            if self._following is not None:
                return
        self._catch_up_pending(event.paths)

    def _catch_up_pending(self, paths: set[str] = frozenset()) -> None:
        """Have the index catch up on the changed files, or, while it is catching up already,
        once it is done (all that changed meanwhile in one go)."""
        paths = self._index_pending | paths
        if self._indexing:
            self._index_pending = paths
            return
        self._index_pending = set()
        if paths:
            self._indexing = True
            self.catch_up_index(paths)

    def follow_if_grown(self) -> None:
        """Read what was appended to the open session (if anything was), unless a read of it is
        running: then once more when that one is done."""
        opened = self.opened
        if opened is None or opened.partial:
            return  # a big session's newest messages: its whole file is being read
        if self._following is not None:
            self._follow_again = True
            return
        self._following = opened
        self._follow_again = False
        self.follow_transcript(
            opened, self.leaf_choice.get(opened.meta.session_id), self.message_view.content_width
        )

    @work(thread=True, group="follow", description="follow")
    def follow_transcript(self, opened: OpenTranscript, leaf: str | None, width: int) -> None:
        """Index what was appended to ``opened``'s file since its index stopped, and build
        what the pane shows from it (with the blocks' estimated heights at ``width``; the whole
        file again only if it was rewritten)."""
        from sessionscope.transcripts.conversation import build_conversation
        from sessionscope.transcripts.reader import index_transcript
        from sessionscope.tui.sources import ConversationSource

        before = opened.index
        try:
            # A file shorter than what was read was rewritten: it is read again whole.
            index = index_transcript(opened.path, base=before)
            if (index.size, index.torn_tail) == (before.size, before.torn_tail):
                self.post_message(TranscriptGrew(opened, None))
                return
            conversation = (
                build_conversation(index, leaf_uuid=leaf) if leaf else build_conversation(index)
            )
            source = ConversationSource(opened.path, index, conversation)
            source.estimates(width)
        except Exception:  # noqa: BLE001 - gone or unreadable now: the list says so when it goes
            self.post_message(TranscriptGrew(opened, None))
            return
        after = replace(
            opened,
            index=index,
            conversation=conversation,
            source=source,
            bad_lines=len(index.bad_lines),
        )
        self.post_message(TranscriptGrew(opened, after))

    def on_transcript_grew(self, event: TranscriptGrew) -> None:
        if not self.main_screen_up():
            return  # the app is closing
        self._following = None
        # The index catches up once this is painted (its thread would slow the paint down).
        self.call_after_refresh(self._catch_up_pending)
        after = event.after
        if after is not None and self.opened is event.before:
            self.opened = after
            view = self.message_view
            follow = view.cursor >= view.block_count - 1
            if self.raw:
                from sessionscope.tui.sources import RawSource

                view.grow(RawSource(after.path, after.index), follow=follow)
            else:
                view.grow(after.source, follow=follow)
            self._show_info(after.meta)
            if after.index.size < USAGE_LIVE_BYTES:
                self.count_session_usage(after.path, after.index)
        if self._follow_again:
            self.follow_if_grown()
