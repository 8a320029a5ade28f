"""Tokens and cost in the explorer, for :class:`sessionscope.tui.app.SessionscopeApp`: the
selected session's totals in its header, and the usage screen (``$``, or "Usage" in the command
palette) over every session.

The app mixes in :class:`UsageActions`, lists :data:`USAGE_BINDINGS` among its bindings, calls
:meth:`UsageActions.schedule_session_usage` when a session's whole transcript is read, and adds
:meth:`UsageActions.usage_summary` to the session's header. Counting is ``transcripts.usage``'s
(each API response once, subagents included, a fork's inherited history left out), in thread
workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message

if TYPE_CHECKING:
    from sessionscope.transcripts.model import TranscriptIndex
    from sessionscope.transcripts.prices import PriceTable
    from sessionscope.transcripts.usage import Response, Totals

USAGE_BINDINGS: list[BindingType] = [
    Binding(
        "dollar_sign",
        "usage",
        "Usage",
        id="usage",
        tooltip="Tokens and cost: by day, project and model, and the dearest sessions",
    ),
]
"""The key this adds to the app (its id lets users remap it)."""


COUNT_AFTER = 1.0
"""Seconds after a big session is read before its usage is counted (a 100 MB transcript
takes a quarter of a second of the interpreter)."""
BIG_TRANSCRIPT_BYTES = 8 << 20
"""Transcripts from this size on are counted after :data:`COUNT_AFTER`; smaller ones at once
(a few milliseconds)."""


class SessionUsageCounted(Message):
    """One session's own tokens and cost were counted."""

    def __init__(self, session_id: str, totals: Totals) -> None:
        super().__init__()
        self.session_id = session_id
        self.totals = totals


class UsageActions:
    """The usage parts of the app (which provides context, session_list, message_view,
    _show_info, notify, push_screen and post_message)."""

    _prices: PriceTable | None = None
    _price_error: str | None = None
    _session_usage: dict[str, Totals] | None = None

    @property
    def session_usage(self) -> dict[str, Totals]:
        """Each counted session's own totals, by id."""
        if self._session_usage is None:
            self._session_usage = {}
        return self._session_usage

    def price_of(self, response: Response) -> float | None:
        """What a response cost, from the price table (read once; a bad user file is said
        once and leaves every cost out). Called from the counting workers' threads."""
        if self._prices is None and self._price_error is None:
            from sessionscope.transcripts.prices import PriceTableError, load_prices

            try:
                self._prices = load_prices()
            except PriceTableError as error:
                self._price_error = str(error)
                self.call_from_thread(self.notify, self._price_error, severity="error")
        return self._prices.cost(response) if self._prices is not None else None

    def usage_summary(self, session_id: str) -> str | None:
        """``1.23M tokens · $3.45`` for the header, once the session is counted."""
        from sessionscope.transcripts.usage import cost_text, tokens_text

        totals = self.session_usage.get(session_id)
        if totals is None or not totals.responses:
            return None
        return f"{tokens_text(totals.tokens)} tokens · {cost_text(totals)}"

    def schedule_session_usage(self, path: Path, index: TranscriptIndex) -> None:
        """Count the session's usage: at once, or for a big transcript once the screen has
        settled (:data:`COUNT_AFTER`), so that what the user asked for (its messages, the
        first moves through them) comes first."""
        timer = getattr(self, "_usage_timer", None)
        if timer is not None:
            timer.stop()
        if index.size < BIG_TRANSCRIPT_BYTES:
            self.count_session_usage(path, index)
            return
        session_id = path.name.removesuffix(".jsonl")

        def count_if_still_shown() -> None:
            if not self.main_screen_up():
                return
            current = self.session_list.current
            if current is not None and current.session_id == session_id:
                self.count_session_usage(path, index)

        self._usage_timer = self.set_timer(COUNT_AFTER, count_if_still_shown)

    @work(thread=True, exclusive=True, group="session-usage")
    def count_session_usage(self, path: Path, index: TranscriptIndex) -> None:
        """Count the session's own responses (its file and its subagents'), off the screen."""
        from sessionscope.index.usage_cache import session_usage_files
        from sessionscope.transcripts.usage import Totals, own_responses

        session_id = path.name.removesuffix(".jsonl")
        try:
            files = session_usage_files(str(path), index)
        except OSError:
            return
        totals = Totals()
        for response in own_responses(files):
            totals.add(response, self.price_of(response))
        self.post_message(SessionUsageCounted(session_id, totals))

    def on_session_usage_counted(self, event: SessionUsageCounted) -> None:
        self.session_usage[event.session_id] = event.totals
        if not self.main_screen_up():
            return  # counted as the app closes
        current = self.session_list.current
        if current is not None and current.session_id == event.session_id:
            self._show_info(current)

    def action_usage(self) -> None:
        from sessionscope.transcripts.model import session_title
        from sessionscope.tui.screens.usage import UsageScreen

        titles = {meta.session_id: session_title(meta) for meta in self.session_list.sessions}

        def chosen(session_id: str | None) -> None:
            if session_id and self.session_list.select_session(session_id):
                self.message_view.focus()
            elif session_id:
                self.notify(f"Session {session_id} is not in the list", severity="warning")

        self.push_screen(
            UsageScreen(self.context.config_dir, titles, self.price_of, self.prices_note),
            chosen,
        )

    def prices_note(self) -> str:
        """Which prices the costs come from (after :meth:`price_of` first ran)."""
        if self._price_error is not None:
            return f"no costs: {self._price_error}"
        if self._prices is None:
            return "no prices read"
        return f"prices of {self._prices.date}"
