"""The usage screen: every session's tokens and cost by day (a chart of the last eight weeks),
by project and by model, and the dearest sessions (``enter`` opens one; ``escape`` goes back).

Counting runs in a thread worker (``index.usage_cache`` for local transcripts,
``stores.usage`` for a store: every transcript read once, then only what changed); the screen
says "Counting…" until it is done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from sessionscope.stores import StoreError
from sessionscope.transcripts.text import inert
from sessionscope.transcripts.usage import FileUsage, Totals, cost_text, tokens_text

CHART_DAYS = 56
"""Days the chart shows: the eight weeks up to the last day with usage."""
DEAREST_SESSIONS = 25
"""Sessions listed, dearest first."""


class UsageScreen(Screen[str | None]):
    """Tokens and cost over every session; dismissed with the session id ``enter`` chose."""

    BINDING_GROUP_TITLE = "Usage"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="usage-back", tooltip="Back to the sessions"),
        Binding("q", "back", "Back", id="usage-quit", show=False),
        Binding("j", "move(1)", "Next", id="usage-next", tooltip="Next session", show=False),
        Binding(
            "k", "move(-1)", "Previous", id="usage-previous", tooltip="Previous session", show=False
        ),
        Binding("g", "first", "First", id="usage-first", tooltip="Dearest session", show=False),
        Binding("G", "last", "Last", id="usage-last", tooltip="Last session listed", show=False),
    ]

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"),
        (110, "-wide"),
    ]
    """The project and model tables side by side need 110 columns: below, one under the other."""

    DEFAULT_CSS = """
    UsageScreen VerticalScroll { padding: 0 1; }
    UsageScreen .usage-heading { margin: 1 0 0 0; text-style: bold; }
    UsageScreen Sparkline { height: 3; margin: 0 0; }
    UsageScreen Horizontal { height: auto; }
    UsageScreen Horizontal > DataTable { width: 1fr; margin-right: 2; }
    UsageScreen.-narrow Horizontal { layout: vertical; }
    UsageScreen.-narrow Horizontal > DataTable { width: 100%; margin: 0 0 1 0; }
    UsageScreen DataTable { height: auto; max-height: 14; }
    """

    class Counted(Message):
        """Every session's usage was counted (in a worker)."""

        def __init__(self, groups: dict[str, dict[str, Totals]], note: str) -> None:
            super().__init__()
            self.groups = groups
            self.note = note

    class Failed(Message):
        """The usage could not be counted (a store that does not answer)."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(
        self,
        count_usage: Callable[[], list[FileUsage]],
        titles: dict[str, str],
        price_of: Callable,
        prices_note: Callable[[], str],
    ) -> None:
        """``count_usage()`` gives every transcript's usage (it runs in a thread)."""
        super().__init__()
        self.count_usage = count_usage
        self.titles = titles
        self.price_of = price_of
        self.prices_note = prices_note

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with VerticalScroll():
            yield Static("Counting every session's tokens…", id="usage-summary")
            yield Static("", id="usage-chart-title", classes="usage-heading")
            yield Sparkline([], id="usage-chart")
            yield Static("", id="usage-chart-axis")
            with Horizontal():
                yield DataTable(id="usage-projects", cursor_type="none", zebra_stripes=True)
                yield DataTable(id="usage-models", cursor_type="none", zebra_stripes=True)
            yield Static(
                "Dearest sessions (enter opens one)", classes="usage-heading", id="usage-top"
            )
            yield DataTable(id="usage-sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#usage-sessions", DataTable).focus()
        self.count()

    @work(thread=True, exclusive=True)
    def count(self) -> None:
        from sessionscope.transcripts.usage import owned_responses, totals_by

        try:
            owned = owned_responses(self.count_usage())
        except StoreError as error:
            self.post_message(self.Failed(str(error)))
            return
        keys = {
            "total": lambda item: "total",
            "day": lambda item: item.response.day,
            "project": lambda item: item.cwd or item.project,
            "model": lambda item: item.response.model or "?",
            "session": lambda item: item.session_id,
        }
        groups = {name: totals_by(owned, key, self.price_of) for name, key in keys.items()}
        self.post_message(self.Counted(groups, self.prices_note()))

    def on_usage_screen_failed(self, event: Failed) -> None:
        self.query_one("#usage-summary", Static).update(
            Text(f"⚠ Cannot count the usage: {inert(event.error)}", style="bold")
        )

    def on_usage_screen_counted(self, event: Counted) -> None:
        total = event.groups["total"].get("total") or Totals()
        summary = Text()
        summary.append("All sessions: ", style="bold")
        summary.append(
            f"{total.responses:,} responses · {tokens_text(total.tokens)} tokens "
            f"({tokens_text(total.input_tokens)} in, {tokens_text(total.output_tokens)} out, "
            f"{tokens_text(total.cache_read_input_tokens)} cache read, "
            f"{tokens_text(total.cache_creation_input_tokens)} cache write) · "
        )
        summary.append(cost_text(total), style="bold")
        summary.append(f"\n{inert(event.note)}", style="dim")
        if total.unpriced_responses:
            summary.append(
                f" · {total.unpriced_responses:,} responses of models without a price: "
                "tokens only (+?)",
                style="dim",
            )
        self.query_one("#usage-summary", Static).update(summary)
        self._chart(event.groups["day"])
        self._table("#usage-projects", "project", event.groups["project"], 10)
        self._table("#usage-models", "model", event.groups["model"], 10)
        self._sessions(event.groups["session"])

    def _chart(self, days: dict[str, Totals]) -> None:
        title = self.query_one("#usage-chart-title", Static)
        axis = self.query_one("#usage-chart-axis", Static)
        if not days:
            title.update("No usage recorded yet")
            return
        last = date.fromisoformat(max(days))
        first = last - timedelta(days=CHART_DAYS - 1)
        span = [(first + timedelta(days=n)).isoformat() for n in range(CHART_DAYS)]
        costs = [(days[d].known_cost or 0.0) if d in days else 0.0 for d in span]
        tokens = [days[d].tokens if d in days else 0 for d in span]
        priced = any(costs)
        values = costs if priced else [float(t) for t in tokens]
        self.query_one("#usage-chart", Sparkline).data = values
        what = "Cost" if priced else "Tokens"
        title.update(f"{what} per day, {span[0]} … {span[-1]} (UTC)")
        peak = max(range(CHART_DAYS), key=lambda n: values[n])
        active = sum(1 for d in span if d in days)
        week = sum(values[-7:])
        shown = (lambda v: f"${v:,.2f}") if priced else (lambda v: tokens_text(int(v)))
        axis.update(
            Text(
                f"highest {shown(values[peak])} on {span[peak]} · last 7 days {shown(week)} · "
                f"{active} day{'s' if active != 1 else ''} with usage",
                style="dim",
            )
        )

    def _table(self, selector: str, label: str, groups: dict[str, Totals], limit: int) -> None:
        table = self.query_one(selector, DataTable)
        table.clear(columns=True)
        table.add_column(label)
        table.add_column("tokens", key="tokens")
        table.add_column("cost", key="cost")
        for key, totals in _dearest(groups)[:limit]:
            name = inert(key, keep_newlines=False)
            if len(name) > 32:
                name = "…" + name[-31:]
            table.add_row(name, tokens_text(totals.tokens), cost_text(totals))

    def _sessions(self, groups: dict[str, Totals]) -> None:
        table = self.query_one("#usage-sessions", DataTable)
        table.clear(columns=True)
        for column in ("cost", "tokens", "responses", "session", "title"):
            table.add_column(column, key=column)
        for session_id, totals in _dearest(groups)[:DEAREST_SESSIONS]:
            title = self.titles.get(session_id, "(not listed)")
            if len(title) > 60:
                title = title[:59] + "…"
            table.add_row(
                cost_text(totals),
                tokens_text(totals.tokens),
                str(totals.responses),
                session_id[:8],
                title,
                key=session_id,
            )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "usage-sessions" and event.row_key.value:
            self.dismiss(event.row_key.value)

    def action_move(self, step: int) -> None:
        table = self.query_one("#usage-sessions", DataTable)
        if step > 0:
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def action_first(self) -> None:
        self.query_one("#usage-sessions", DataTable).move_cursor(row=0)

    def action_last(self) -> None:
        table = self.query_one("#usage-sessions", DataTable)
        table.move_cursor(row=table.row_count - 1)

    def action_back(self) -> None:
        self.dismiss(None)


def _dearest(groups: dict[str, Totals]) -> list[tuple[str, Totals]]:
    return sorted(
        groups.items(), key=lambda pair: (-(pair[1].known_cost or 0.0), -pair[1].tokens, pair[0])
    )
