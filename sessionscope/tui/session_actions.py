"""Rename (``R``), tag (``t``), delete (``D``), undo a delete (``u``), export (``e``) and replay
(``r``) the selected session, for :class:`sessionscope.tui.app.SessionscopeApp`.

The app mixes in :class:`SessionActions` and lists :data:`SESSION_ACTION_BINDINGS` among its
bindings. Writes go through the SDK (``agent.manage``) in thread workers; the list changes as
soon as each one is done. Deleted sessions are kept in a :class:`~sessionscope.agent.manage.Trash`
until the app exits, so ``u`` (or "Undo delete" in the command palette) can bring them back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding, BindingType

from sessionscope.transcripts.model import SessionMeta, session_title
from sessionscope.transcripts.text import inert

if TYPE_CHECKING:
    from sessionscope.agent.manage import Trash

SESSION_ACTION_BINDINGS: list[BindingType] = [
    Binding(
        "r", "replay", "Replay", id="replay", tooltip="Replay the session at its recorded pace"
    ),
    Binding("e", "export", "Export", id="export", tooltip="Export the session (md, html, json)"),
    Binding("R", "rename", "Rename", id="rename", tooltip="Rename the selected session"),
    Binding("t", "tag", "Tag", id="tag", tooltip="Tag the selected session (empty: no tag)"),
    Binding("D", "delete", "Delete", id="delete", tooltip="Delete the selected session"),
    Binding(
        "u",
        "undo_delete",
        "Undo delete",
        id="undo-delete",
        tooltip="Restore the last deleted session",
    ),
]
"""The keys these actions add to the app (ids let users remap them)."""


def describe(meta: SessionMeta) -> str:
    """How a session is named to the user: its title and id, made inert."""
    title = session_title(meta)
    if len(title) > 60:
        title = title[:59] + "…"
    return f"“{title}” ({meta.session_id})"


class SessionActions:
    """Actions on the selected session, mixed into the app (which provides the attributes)."""

    _trash: Trash | None = None

    # The app provides: context (config_dir, catalog), session_list, message_view, opened,
    # notify, push_screen, call_from_thread.

    @property
    def trash(self) -> Trash:
        if self._trash is None:
            from sessionscope.agent.manage import Trash

            self._trash = Trash()
        return self._trash

    def _selected(self) -> SessionMeta | None:
        """The session the list's cursor is on; ``None`` (and nothing done) when there is none,
        or when a replay, dialog or other screen is on top (these keys belong to the list)."""
        if len(self.screen_stack) > 1:
            return None
        meta = self.session_list.current
        if meta is None:
            self.notify("Select a session first", severity="warning")
        return meta

    def _refresh_session(self, meta: SessionMeta, message: str) -> None:
        """Re-read one session's metadata after a change and show it in the list at once."""
        fresh = self.context.catalog.session_meta(Path(meta.path)) or meta
        self.call_from_thread(self._show_changed, fresh, message)

    def _show_changed(self, fresh: SessionMeta, message: str) -> None:
        self.session_list.add_session(fresh, select=True)
        self.notify(message)

    def _failed(self, what: str, error: Exception) -> None:
        self.call_from_thread(self.notify, f"{what} failed: {inert(str(error))}", severity="error")

    def _transcript_file(self, meta: SessionMeta) -> Path:
        """Where the session's transcript is read (a store's: its mirror, brought up to date)."""
        store = self.context.store
        return store.transcript_file(meta) if store is not None else Path(meta.path)

    def _change_in_store(self, meta: SessionMeta, what: str, value: str | None = None) -> bool:
        """Rename, tag or delete through the store when the sessions are a store's (in a
        worker); whether it was (failures are said)."""
        store = self.context.store
        if store is None:
            return False
        from sessionscope.stores import StoreError

        try:
            store.change(meta, what, value)
        except StoreError as error:
            self._failed(what.capitalize(), error)
            return True
        if what == "delete":
            self.call_from_thread(self._show_deleted, meta, "from the store (no undo there).")
        else:
            said = {"rename": f"Renamed to “{inert((value or '').strip())}”", "tag": ""}[what]
            said = said or (f"Tagged “{inert(value)}”" if value else "Tag cleared")
            self._refresh_session(meta, said)
        return True

    # -- rename / tag ------------------------------------------------------------------------

    def action_rename(self) -> None:
        meta = self._selected()
        if meta is None:
            return
        current = meta.custom_title or meta.summary or ""

        def renamed(title: str | None) -> None:
            if title is None:
                return
            if not title.strip():
                self.notify("A title cannot be empty; nothing changed", severity="warning")
                return
            self.rename_worker(meta, title)

        from sessionscope.tui.screens.session_dialogs import TextPrompt

        self.push_screen(
            TextPrompt(f"New title for {describe(meta)}", inert(current, keep_newlines=False)),
            renamed,
        )

    @work(thread=True, group="session-actions")
    def rename_worker(self, meta: SessionMeta, title: str) -> None:
        from sessionscope.agent.manage import SessionActionError, rename_session

        if self._change_in_store(meta, "rename", title):
            return
        try:
            rename_session(self.context.config_dir, meta.session_id, title)
            self._refresh_session(meta, f"Renamed to “{inert(title.strip())}”")
        except (SessionActionError, OSError) as error:
            self._failed("Rename", error)

    def action_tag(self) -> None:
        meta = self._selected()
        if meta is None:
            return

        def tagged(tag: str | None) -> None:
            if tag is not None:
                self.tag_worker(meta, tag.strip() or None)

        from sessionscope.tui.screens.session_dialogs import TextPrompt

        self.push_screen(
            TextPrompt(
                f"Tag {describe(meta)} (empty clears it)",
                inert(meta.tag or "", keep_newlines=False),
                placeholder="e.g. bug, keep, experiment",
            ),
            tagged,
        )

    @work(thread=True, group="session-actions")
    def tag_worker(self, meta: SessionMeta, tag: str | None) -> None:
        from sessionscope.agent.manage import SessionActionError, tag_session

        if self._change_in_store(meta, "tag", tag):
            return
        try:
            tag_session(self.context.config_dir, meta.session_id, tag)
            said = f"Tagged “{inert(tag)}”" if tag else "Tag cleared"
            self._refresh_session(meta, said)
        except (SessionActionError, OSError) as error:
            self._failed("Tag", error)

    # -- delete / restore --------------------------------------------------------------------

    def action_delete(self) -> None:
        meta = self._selected()
        if meta is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete_worker(meta)

        from sessionscope.tui.screens.session_dialogs import ConfirmDelete

        self.push_screen(ConfirmDelete(meta), confirmed)

    @work(thread=True, group="session-actions")
    def delete_worker(self, meta: SessionMeta) -> None:
        from sessionscope.agent.manage import SessionActionError

        if self._change_in_store(meta, "delete"):
            return
        try:
            self.trash.delete(self.context.config_dir, meta.session_id, title=describe(meta))
        except (SessionActionError, OSError) as error:
            self._failed("Delete", error)
            return
        self.call_from_thread(self._show_deleted, meta)

    def _show_deleted(self, meta: SessionMeta, after: str = "Press u to restore it.") -> None:
        self.session_list.remove_session(meta.session_id)
        self.notify(f"Deleted {describe(meta)}. {after}", timeout=8)

    def action_undo_delete(self) -> None:
        if len(self.screen_stack) > 1:
            return
        if self._trash is None or self._trash.last() is None:
            self.notify("Nothing to restore", severity="warning")
            return
        self.restore_worker()

    @work(thread=True, group="session-actions")
    def restore_worker(self) -> None:
        from sessionscope.agent.manage import SessionActionError

        try:
            record = self.trash.restore()
        except (SessionActionError, OSError) as error:
            self._failed("Restore", error)
            return
        fresh = self.context.catalog.session_meta(record.path)
        if fresh is None:
            self.call_from_thread(
                self.notify, "Restored, but it cannot be read back", severity="warning"
            )
            return
        self.call_from_thread(
            self._show_changed, fresh, f"Restored {record.title or record.session_id}"
        )

    def purge_trash(self) -> None:
        """Make this run's deletes final."""
        if self._trash is not None:
            self._trash.purge()

    def on_unmount(self) -> None:
        # The app is closing: the copies kept for "undo delete" go with it.
        self.purge_trash()

    # -- export ------------------------------------------------------------------------------

    def action_export(self) -> None:
        meta = self._selected()
        if meta is None:
            return

        def chosen(answer: tuple[str, str, bool, bool] | None) -> None:
            if answer is not None:
                self.export_worker(meta, *answer)

        from sessionscope.tui.screens.session_dialogs import ExportDialog

        self.push_screen(ExportDialog(meta, Path.cwd()), chosen)

    @work(thread=True, group="session-actions")
    def export_worker(
        self, meta: SessionMeta, fmt: str, target: str, force: bool, redact: bool
    ) -> None:
        from sessionscope.export import ExportError, render, render_redacted, write_atomically
        from sessionscope.stores import StoreError

        path = Path(target).expanduser()
        summary = ""
        try:
            if path.exists() and not force:
                raise ExportError(f"{path} exists; tick “Replace” to overwrite it")
            transcript = self._transcript_file(meta)
            if redact:
                text, summary = render_redacted(transcript, fmt)
            else:
                text = render(transcript, fmt)
            write_atomically(text, path, force=force)
        except (ExportError, OSError, StoreError) as error:
            self._failed("Export", error)
            return
        done = f"Exported to {inert(str(path))}" + (f" ({summary})" if summary else "")
        self.call_from_thread(self.notify, done, timeout=8)

    # -- replay ------------------------------------------------------------------------------

    def action_replay(self) -> None:
        meta = self._selected()
        if meta is None:
            return
        start_uuid = None
        if self.focused is self.message_view and self.opened is not None:
            entry = self.message_view.current_entry
            if entry is not None and self.opened.meta.session_id == meta.session_id:
                start_uuid = entry.uuid
        self.notify("Loading the replay…", timeout=2)
        self.replay_worker(meta, start_uuid)

    @work(thread=True, exclusive=True, group="replay")
    def replay_worker(self, meta: SessionMeta, start_uuid: str | None) -> None:
        from sessionscope.replay.steps import load_steps
        from sessionscope.stores import StoreError

        try:
            steps = load_steps(self._transcript_file(meta))
        except (OSError, StoreError) as error:
            self._failed("Replay", error)
            return
        start_at = 0
        if start_uuid:
            start_at = next((i for i, s in enumerate(steps) if s.message.uuid == start_uuid), 0)
        self.call_from_thread(self._start_replay, meta, steps, start_at)

    def _start_replay(self, meta: SessionMeta, steps: list, start_at: int) -> None:
        from sessionscope.tui.screens.replay import ReplayScreen

        if not steps:
            self.notify("This session has no messages to replay", severity="warning")
            return
        self.push_screen(ReplayScreen(steps, title=session_title(meta), start_at=start_at))
