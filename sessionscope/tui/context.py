"""What the app is built from: where transcripts are, how sessions are listed, what time it is.

The app never reaches for globals: ``make_app`` passes these in, so tests give it a temporary
config folder, a fixed clock and time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sessionscope.transcripts.meta import SessionMeta

if TYPE_CHECKING:
    from sessionscope.agent.settings import ComposeSettings
    from sessionscope.stores.explorer import StoreExplorer
    from sessionscope.transcripts.model import TranscriptIndex


class Catalog(Protocol):
    """Where the session list comes from (``sessionscope.index.Index``: the one index)."""

    progress: tuple[int, int] | None
    """``(done, total)`` files of the catch-up running or last run (``None``: none yet)."""

    def cached_sessions(
        self, *, first: Callable[[list[SessionMeta]], None] | None = None
    ) -> list[SessionMeta]:
        """Every session, at once, without reading transcripts whole (may be stale or empty:
        the index's rows, and the head and tail of a session file not in it yet). ``first``
        may be given the newest sessions while many others are still to be read."""

    def list_sessions(
        self,
        *,
        count_messages: bool = True,
        counted: Callable[[list[SessionMeta]], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> list[SessionMeta]:
        """Every session now, newest first; without ``count_messages`` only each file's head
        and tail are read (no message counts). While counting, ``counted`` is given now and
        then the sessions counted so far, and ``stop()``, when true, ends the counting early."""

    def session_meta(self, path: Path, *, count_messages: bool = True) -> SessionMeta | None:
        """One session's metadata, read now (after a fork, a rename...); without
        ``count_messages`` only the file's head and tail are read."""

    def read_before(self, path: Path | str) -> TranscriptIndex | None:
        """What the index read of a local transcript, to read on from (``None``: read it
        whole); a store's catalog is not asked."""


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class AppContext:
    """Everything the app depends on."""

    config_dir: Path
    catalog: Catalog
    clock: Callable[[], datetime] = system_clock
    """Now, as an aware datetime: ages in the list are measured from it."""
    tz: tzinfo | None = None
    """Time zone for message times; ``None`` is the machine's local zone."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id → keys (``App.set_keymap``)."""
    demo: bool = False
    """True when showing the bundled demo transcripts (a private copy)."""
    notice: str = ""
    """Said once at start-up (e.g. why the demo is shown)."""
    compose: ComposeSettings | None = None
    """How compose runs turns (permission mode, model, CLI); ``None``: the defaults."""
    store: StoreExplorer | None = None
    """The PostgreSQL store the sessions come from (``--store``; it is the catalog too, and
    ``config_dir`` is its mirror in the cache); ``None``: local transcripts."""
    images: str = "off"
    """How image blocks are drawn: ``kitty``, ``halfblock`` or ``off`` (their labels)."""

    def now_ms(self) -> int:
        return int(self.clock().timestamp() * 1000)
