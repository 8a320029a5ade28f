"""Search in the explorer, for :class:`sessionscope.tui.app.SessionscopeApp`: ``ctrl+f`` opens
the search screen over every message; the hit chosen opens its session at that message, or
forks it there (``f``).

The app mixes in :class:`SearchActions`, lists :data:`SEARCH_BINDINGS` among its bindings and
calls :meth:`SearchActions.fork_if_asked` when a session's transcript is on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType

from sessionscope.transcripts.text import inert

if TYPE_CHECKING:
    from sessionscope.tui.app import OpenTranscript
    from sessionscope.tui.screens.search import SearchChoice

SEARCH_BINDINGS: list[BindingType] = [
    # Priority: from the filter box or the compose box too (it is no printable key).
    Binding(
        "ctrl+f",
        "search",
        "Search",
        id="search",
        tooltip="Search every message of every session",
        priority=True,
        show=False,  # listed in help (?); the footers stay as they were
    ),
]
"""The key this adds to the app (its id lets users remap it)."""


class SearchActions:
    """The search parts of the app (which provides context, session_list, message_view,
    open_session, initial_message, action_fork, action_filter_clear, notify, push_screen)."""

    _fork_at: str | None = None
    """The message a fork was asked at from the search screen, until its session is open."""

    def action_search(self) -> None:
        from sessionscope.index import Index
        from sessionscope.tui.screens.search import SearchScreen

        # A store is searched in its server, with the same query syntax.
        index = self.context.store or self.context.catalog
        if not isinstance(index, Index) and index is not self.context.store:
            self.notify(
                "Search needs the index (this list is read without one)", severity="warning"
            )
            return
        if isinstance(self.screen, SearchScreen):
            return
        self.push_screen(SearchScreen(index, self.context.tz), self._search_chosen)

    def _search_chosen(self, choice: SearchChoice | None) -> None:
        if choice is None:
            return
        if choice.agent_id:
            self.notify(
                f"That message is in subagent {inert(choice.agent_id)}'s transcript: "
                "its session is open (enter on the Task call shows the subagent)",
                timeout=8,
            )
        uuid = None if choice.agent_id else choice.uuid
        self._fork_at = uuid if choice.fork else None
        current = self.session_list.current
        if current is not None and current.session_id == choice.session_id:
            self.open_session(current, uuid)
        else:
            # The session's selection opens it: at this message (the app's pending selection).
            self.initial_message = uuid
            if not self.session_list.select_session(choice.session_id):
                self.action_filter_clear()  # a filter may hide it
                if not self.session_list.select_session(choice.session_id):
                    self.initial_message = None
                    self.notify(
                        f"Session {inert(choice.session_id)} is not in the list", severity="warning"
                    )
                    return
        self.message_view.focus()

    def fork_if_asked(self, opened: OpenTranscript) -> None:
        """Fork at the message the search screen's ``f`` chose, once it is selected on screen."""
        if self._fork_at is None or opened.partial:
            return
        entry = self.message_view.current_entry
        if entry is None or entry.uuid != self._fork_at:
            return
        self._fork_at = None
        self.action_fork()
