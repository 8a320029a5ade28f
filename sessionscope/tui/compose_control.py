"""Compose in the app: send a prompt from the compose box to the selected session (or a new one),
show the reply as it streams, ask tool permissions in a dialog, interrupt with ``esc``, and hand a
session to Claude Code itself with ``o``.

:class:`ComposeControl` is mixed into the app. One turn runs at a time, in an async worker on the
app's loop (the SDK is asyncio); the worker's events come back as :class:`TurnEventArrived`
messages and only the handlers change widgets. A turn is bound to its target when it is sent:
selecting another session while it streams changes neither where it writes nor what the other
session shows (the live panel shows only with the turn's own session).

A draft is bound to its target too: while the box holds text, nothing the selection does (moving
in the list, the filter, a refresh, a fork, a new session arriving) changes where it goes; only
``ctrl+n`` does, in the box, where it is seen before ``enter``. An empty box follows the selection.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from sessionscope.transcripts.model import SessionMeta, session_title
from sessionscope.transcripts.text import inert

if TYPE_CHECKING:
    from textual.app import App

    from sessionscope.agent.compose import (
        ComposeSettings,
        ComposeTurn,
        PermissionDecision,
        PermissionRequest,
        SessionPermissions,
        TurnEvent,
        TurnTarget,
    )
    from sessionscope.tui.widgets.compose_box import ComposeBox
    from sessionscope.tui.widgets.live_turn import LiveTurn, TurnState

# The compose machinery (the SDK bridge, the box's TextArea) is imported when the box is
# mounted, after the first list is painted: nothing of it is needed to show the list.

NEW_FILE_WAIT_S = 10.0
"""How long to wait for a new session's transcript file after the CLI names the session."""


def _import_sdk() -> None:
    import claude_agent_sdk  # noqa: F401 - imported off the event loop: it takes over a second


class ComposeControl:
    """Compose behaviour for ``SessionscopeApp`` (which supplies ``context``, ``session_list``,
    ``message_view``, ``open_session`` and ``load_sessions``)."""

    class TurnEventArrived(Message):
        """Something happened in the running turn (posted from the turn's worker)."""

        def __init__(self, turn: ComposeTurn, event: TurnEvent) -> None:
            super().__init__()
            self.turn = turn
            self.event = event

    class SessionAppeared(Message):
        """A session a turn created (new or forked) can be listed."""

        def __init__(self, meta: SessionMeta, select: bool) -> None:
            super().__init__()
            self.meta = meta
            self.select = select

    class TurnSessionRead(Message):
        """The metadata of the session a finished turn wrote to, read again."""

        def __init__(self, meta: SessionMeta) -> None:
            super().__init__()
            self.meta = meta

    turn: ComposeTurn | None = None
    """The running turn, if any."""
    turn_state: TurnState | None = None
    """What the live panel shows about the latest turn."""
    selected_at_send: str | None = None
    """The session selected when the running turn was sent: a session the turn creates is
    selected when it is listed only if the selection is still there."""
    compose_ready: bool = False
    """The live panel and the compose box are mounted (:meth:`mount_compose`)."""
    _compose_mounting: bool = False

    # -- wiring ---------------------------------------------------------------------------------

    def mount_compose(self: App) -> None:
        """Mount the live panel and the compose box under the messages (once): called when the
        first list is painted, so that neither they nor the modules they need delay it."""
        if self._compose_mounting:
            return
        self._compose_mounting = True
        self.call_later(self._mount_compose_widgets)

    async def _mount_compose_widgets(self: App) -> None:
        from sessionscope.tui.widgets.compose_box import ComposeBox
        from sessionscope.tui.widgets.live_turn import LiveTurn

        if not self.screen_stack:
            return  # the app is closing
        pane = self.screen_stack[0].query_one("#messages-pane")
        if not pane.is_attached:
            return  # the app is closing
        await pane.mount(LiveTurn(id="live-turn"), ComposeBox(id="compose"))
        self.compose_ready = True
        self.compose_session_changed()

    @property
    def compose_box(self: App) -> ComposeBox:
        from sessionscope.tui.widgets.compose_box import ComposeBox

        return self.screen_stack[0].query_one(ComposeBox)

    @property
    def live_turn(self: App) -> LiveTurn:
        from sessionscope.tui.widgets.live_turn import LiveTurn

        return self.screen_stack[0].query_one(LiveTurn)

    def compose_settings(self) -> ComposeSettings:
        from dataclasses import replace

        from sessionscope.agent.settings import ComposeSettings

        settings = self.context.compose or ComposeSettings()
        if settings.config_dir is None:
            settings = replace(settings, config_dir=self.context.config_dir)
        store = self.context.store
        if store is not None and settings.store_url is None:
            # Every turn is mirrored into the store; a resumed session is loaded from it.
            settings = replace(settings, store_url=store.store.url, store_table=store.store.table)
        return settings

    @property
    def session_permissions(self) -> SessionPermissions:
        from sessionscope.agent.compose import SessionPermissions

        if "_session_permissions" not in self.__dict__:
            self.__dict__["_session_permissions"] = SessionPermissions()
        return self.__dict__["_session_permissions"]

    def compose_target(self, *, new: bool = False, at_message: bool = False) -> TurnTarget:
        """The selected session as a target; a new session here with ``new`` or when no
        session is selected. ``at_message``: from the message selected in the pane — a new
        branch from it when it is an older assistant message (``agent.compose.continue_from``)."""
        from sessionscope.agent.compose import TurnTarget

        meta = self.session_list.current
        if new or meta is None:
            return TurnTarget(None, os.getcwd())
        store = self.context.store
        if store is not None:
            from dataclasses import replace

            # The store's project key and who owns the session go with the target.
            plain = self._compose_target(meta, at_message)
            read_only = store.read_only(meta.session_id)
            return replace(plain, project_key=meta.project, read_only=read_only)
        return self._compose_target(meta, at_message)

    def _compose_target(self, meta: SessionMeta, at_message: bool) -> TurnTarget:
        from sessionscope.agent.compose import TurnTarget, continue_from

        cwd, title = meta.cwd or os.getcwd(), session_title(meta)
        opened = self.opened
        if (
            at_message
            and not self.raw
            and opened is not None
            and not opened.partial
            and opened.meta.session_id == meta.session_id
        ):
            messages = opened.source.messages
            entry = self.message_view.current_entry
            position = next((i for i, m in enumerate(messages) if m is entry), -1)
            other_branch = meta.session_id in self.leaf_choice
            return continue_from(
                meta.session_id, cwd, title, messages, position, other_branch=other_branch
            )
        return TurnTarget(meta.session_id, cwd, title=title)

    def compose_session_changed(self) -> None:
        """The selection moved: an empty box follows it (a draft keeps its target); the live
        panel shows only with its session."""
        if not self.compose_ready:
            return  # mounted soon: it takes the target then
        box = self.compose_box
        if not box.has_draft:
            box.set_target(self.compose_target())
        self._sync_live_panel()

    def _sync_live_panel(self) -> None:
        state = self.turn_state
        if state is None:
            self.live_turn.state = None
            return
        current = self.session_list.current
        mine = state.session_id is None or (
            current is not None and current.session_id == state.session_id
        )
        self.live_turn.state = state if mine else None

    # -- actions --------------------------------------------------------------------------------

    def action_compose(self) -> None:
        if not self.compose_ready:
            # Pressed before the first list was painted: as soon as the box is there.
            self.mount_compose()
            self.call_after_refresh(self.action_compose)
            return
        box = self.compose_box
        if not box.has_draft:
            # From a message in the pane: a new branch there when it is an older answer.
            box.set_target(self.compose_target(at_message=self.focused is self.message_view))
        box.prompt_area.activate()

    def action_interrupt(self) -> None:
        turn = self.turn
        if turn is not None:
            self.notify("Interrupting…", timeout=3)
            self.run_worker(turn.interrupt(), group="interrupt", exclusive=True)
        elif self.compose_ready and self.focused is self.compose_box.prompt_area:
            self.message_view.focus()

    def on_compose_box_new_session_toggled(self) -> None:
        """``ctrl+n``: a new session, or back from one to the selected session."""
        box = self.compose_box
        was_new = box.target is not None and box.target.session_id is None
        box.set_target(self.compose_target(new=not was_new))

    def on_compose_box_draft_emptied(self) -> None:
        self.compose_session_changed()

    def on_compose_box_sent(self, event: ComposeBox.Sent) -> None:
        target = event.target
        listed = {meta.session_id for meta in self.session_list.sessions}
        if target.session_id is not None and target.session_id not in listed:
            self.notify(
                f"Session {target.session_id[:8]} is gone (deleted?): nothing was sent. "
                "ctrl+n sends the draft to a new session or the selected one",
                severity="warning",
                timeout=10,
            )
            return
        if self.turn is not None:
            where = self.turn_state.target if self.turn_state else "another session"
            self.notify(
                f"A reply is still streaming ({where}): wait, or press esc to interrupt it",
                severity="warning",
            )
            return
        if not Path(target.cwd).is_dir():
            self.notify(
                f"The session's folder {inert(target.cwd)} is not here: Claude Code needs it "
                "to resume the session",
                severity="error",
                timeout=10,
            )
            return
        self.start_turn(event.prompt, target)
        self.compose_box.clear()  # the empty box follows the selection again
        self.compose_session_changed()

    # -- the turn -------------------------------------------------------------------------------

    def start_turn(self, prompt: str, target: TurnTarget) -> ComposeTurn:
        from sessionscope.agent.compose import ComposeTurn
        from sessionscope.tui.widgets.live_turn import TurnState

        turn = ComposeTurn(
            prompt,
            target,
            self.compose_settings(),
            on_event=lambda event: self.post_message(self.TurnEventArrived(turn, event)),
            ask=self.ask_permission,
            permissions=self.session_permissions,
        )
        self.turn = turn
        current = self.session_list.current
        self.selected_at_send = current.session_id if current else None
        state = TurnState(target=target.describe(), prompt=prompt)
        state.session_id = None if target.fork else target.session_id
        self.turn_state = state
        self.compose_box.set_busy("reply streaming, esc interrupts")
        self._sync_live_panel()
        self.run_compose_turn(turn)
        return turn

    @work(exclusive=False, group="compose")
    async def run_compose_turn(self, turn: ComposeTurn) -> None:
        # The SDK is imported off the loop the first time (over a second), so the app stays live.
        await asyncio.to_thread(_import_sdk)
        await turn.run()

    async def ask_permission(self, request: PermissionRequest) -> PermissionDecision:
        """``can_use_tool``: a dialog; the turn waits for the answer."""
        from sessionscope.agent.compose import PermissionDecision
        from sessionscope.tui.screens.permission import PermissionScreen

        answered: asyncio.Future[PermissionDecision] = asyncio.get_running_loop().create_future()

        def decided(decision: PermissionDecision | None) -> None:
            if not answered.done():
                answered.set_result(decision or PermissionDecision.DENY)

        label = self.turn_state.target if self.turn_state else ""
        self.push_screen(PermissionScreen(request, label), callback=decided)
        return await answered

    def on_compose_control_turn_event_arrived(self, message: ComposeControl.TurnEventArrived):
        from sessionscope.agent.compose import SessionAssigned, TurnFinished

        if message.turn is not self.turn and not isinstance(message.event, TurnFinished):
            return
        state = self.turn_state
        event = message.event
        if state is not None and message.turn is self.turn:
            state.apply(event)
        if isinstance(event, SessionAssigned) and message.turn.target.session_id != (
            event.session_id
        ):
            # A new session (or a fork): list it at once, selected if the user is still here.
            current = self.session_list.current
            still_here = (current.session_id if current else None) == self.selected_at_send
            self.find_new_session(event.session_id, select=still_here)
        if isinstance(event, TurnFinished) and message.turn is self.turn:
            self.turn = None
            self.compose_box.set_busy(None)
            if event.session_id:
                self.reread_turn_session(event.session_id)
        self._sync_live_panel()
        if self.live_turn.state is not None:
            self.live_turn.update_state()

    @work(thread=True, group="compose-files")
    def find_new_session(self, session_id: str, select: bool) -> None:
        from sessionscope.transcripts.files import SessionLookupError

        deadline = time.monotonic() + NEW_FILE_WAIT_S
        while True:
            try:
                meta = self._find_session(session_id)
            except (SessionLookupError, OSError):
                meta = None
            if meta is not None:
                self.post_message(self.SessionAppeared(meta, select))
                return
            if time.monotonic() > deadline:
                return
            time.sleep(0.1)

    def on_compose_control_session_appeared(self, message: ComposeControl.SessionAppeared):
        self.session_list.add_session(message.meta, select=message.select)
        if self.turn_state is not None and self.turn_state.session_id == message.meta.session_id:
            self._sync_live_panel()

    @work(thread=True, group="compose-files")
    def reread_turn_session(self, session_id: str) -> None:
        from sessionscope.transcripts.files import SessionLookupError

        try:
            meta = self._find_session(session_id)
        except (SessionLookupError, OSError):
            return
        if meta is not None:
            self.post_message(self.TurnSessionRead(meta))

    def _find_session(self, session_id: str) -> SessionMeta | None:
        """A session's metadata read now (in a worker): its transcript file, or the store's
        row (``None``: not there, or the store cannot be reached: the list says so)."""
        from sessionscope.transcripts.files import find_session_file

        store = self.context.store
        if store is None:
            return self.context.catalog.session_meta(
                find_session_file(self.context.config_dir, session_id)
            )
        from sessionscope.stores import StoreError

        try:
            return store.find(session_id)
        except StoreError:
            return None

    def on_compose_control_turn_session_read(self, message: ComposeControl.TurnSessionRead):
        """Show the transcript's real entries (with UUIDs) once the turn is over."""
        session_list = self.session_list
        current = session_list.current
        others = [s for s in session_list.sessions if s.session_id != message.meta.session_id]
        keep = current.session_id if current else message.meta.session_id
        state = self.turn_state
        if current is not None and current.session_id == message.meta.session_id and state:
            # Reopened by the list's highlight below: select the turn's last entry there.
            self.initial_message = state.last_uuid
        session_list.set_sessions([message.meta, *others], select=keep)

    # -- o: Claude Code itself ------------------------------------------------------------------

    def action_open_in_claude(self, fork: bool = False) -> None:
        from textual.app import SuspendNotSupported

        from sessionscope.agent.handoff import HandoffError, resume_command

        meta = self.session_list.current
        if meta is None:
            self.notify("Select a session to open in Claude Code", severity="warning")
            return
        if self.context.store is not None:
            self.notify(
                "Claude Code reads its own folder, not the store: c continues the session "
                "in the store",
                severity="warning",
            )
            return
        if self.turn is not None:
            self.notify("A reply is streaming: wait, or esc to interrupt", severity="warning")
            return
        try:
            command = resume_command(meta.session_id, fork=fork)
        except HandoffError as error:
            self.notify(str(error), severity="error", timeout=10)
            return
        cwd = meta.cwd if meta.cwd and Path(meta.cwd).is_dir() else None
        settings = self.compose_settings()
        env = {**os.environ, **settings.env, "CLAUDE_CONFIG_DIR": str(self.context.config_dir)}
        try:
            with self.suspend():
                done = subprocess.run(command, cwd=cwd, env=env, check=False)
        except SuspendNotSupported:
            self.notify(
                f"This terminal cannot hand over; run: {' '.join(command)}",
                severity="warning",
                timeout=15,
            )
            return
        except OSError as error:
            self.notify(f"Cannot start Claude Code: {error}", severity="error", timeout=10)
            return
        if done.returncode:
            self.notify(
                f"Claude Code exited with code {done.returncode}", severity="warning", timeout=10
            )
        else:
            self.notify("Back from Claude Code", timeout=4)
        self.load_sessions()

    def action_open_fork_in_claude(self) -> None:
        self.action_open_in_claude(fork=True)
