"""What the explorer's background work reports: every message a worker (or the transcript
watcher's thread) posts, named for what happened.

They live together because their senders are threads, not widgets, and most are handled by
another node than the one whose worker posted them (the main screen's handlers, the app's, an
open search screen). A widget's own events (``SessionList.Highlighted``, ``PromptBox.Sent``,
``MessageView.SubagentRequested``) stay nested in the widget, the way Textual's are.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from sessionscope.transcripts.meta import SessionMeta
from sessionscope.tui.sessions_model import ListRows

if TYPE_CHECKING:
    from sessionscope.agent.compose import ComposeTurn, TurnEvent
    from sessionscope.replay.steps import Step
    from sessionscope.transcripts.usage import Totals
    from sessionscope.tui.open_transcript import OpenTranscript
    from sessionscope.tui.sources import ConversationSource


# -- start-up ---------------------------------------------------------------------------------


class StartUpFinished(Message):
    """The first session list is painted (or it is late): what start-up held back may run."""


class SdkImported(Message):
    """The Agent SDK was imported in the background (so ``f`` and the prompt box do not wait)."""


# -- the list ---------------------------------------------------------------------------------


class SessionsLoaded(Message):
    """The session list was read, and its rows built (in the worker, not on the main thread)."""

    def __init__(
        self, sessions: list[SessionMeta], error: str = "", *, counted: bool, whole: bool = True
    ) -> None:
        super().__init__()
        self.sessions = sessions
        self.error = error
        """Why the list is short or empty, to say once."""
        self.counted = counted
        """Every message is counted (``False``: the cached or quick list; the counted one follows)."""
        self.whole = whole
        """Every session is in it (``False``: the newest, read first; the whole list follows)."""
        self.rows = ListRows(sessions)
        """The list's rows, unfiltered."""


class SessionsConfirmed(Message):
    """The list was counted, and it is the one on screen already."""


class SessionsCountedSoFar(Message):
    """The sessions a long catch-up of the index (a first build) has counted so far: the list
    fills in their message counts before the whole is counted."""

    def __init__(self, sessions: list[SessionMeta]) -> None:
        super().__init__()
        self.sessions = sessions


class SessionCounted(Message):
    """A listed session's messages were counted (a new fork is listed before they are)."""

    def __init__(self, meta: SessionMeta) -> None:
        super().__init__()
        self.meta = meta


class SessionChanged(Message):
    """A session was renamed, tagged or restored; ``said`` tells the user which."""

    def __init__(self, meta: SessionMeta, said: str) -> None:
        super().__init__()
        self.meta = meta
        self.said = said


class SessionDeleted(Message):
    """A session was moved to the trash (``u`` brings it back until the app exits), or
    deleted from the store (``from_store``: no undo there)."""

    def __init__(self, meta: SessionMeta, *, from_store: bool = False) -> None:
        super().__init__()
        self.meta = meta
        self.from_store = from_store


class SessionActionFailed(Message):
    """A rename, tag, delete, restore, export or replay failed."""

    def __init__(self, what: str, error: str, *, severity: str = "error") -> None:
        super().__init__()
        self.what = what
        self.error = error
        self.severity = severity


class SessionExported(Message):
    """A session was written to a file."""

    def __init__(self, path: Path, summary: str) -> None:
        super().__init__()
        self.path = path
        self.summary = summary
        """What the redaction replaced, if it ran."""


class ReplayLoaded(Message):
    """A session's replay steps were read."""

    def __init__(self, meta: SessionMeta, steps: list[Step], start_at: int) -> None:
        super().__init__()
        self.meta = meta
        self.steps = steps
        self.start_at = start_at


# -- the open session -------------------------------------------------------------------------


class TranscriptLoaded(Message):
    """A session's transcript was indexed and its conversation built (for a big file, maybe
    only its newest messages: ``opened.partial``)."""

    def __init__(self, opened: OpenTranscript, select_uuid: str | None) -> None:
        super().__init__()
        self.opened = opened
        self.select_uuid = select_uuid


class TranscriptFailed(Message):
    """A session's transcript could not be read."""

    def __init__(self, meta: SessionMeta, error: str) -> None:
        super().__init__()
        self.meta = meta
        self.error = error


class ForkCompleted(Message):
    """A fork was written by the SDK."""

    def __init__(self, meta: SessionMeta, end_uuid: str, reason: str) -> None:
        super().__init__()
        self.meta = meta
        self.end_uuid = end_uuid
        self.reason = reason
        """Why the fork ends later than the selected message (empty: it ends there)."""


class ForkFailed(Message):
    """The SDK could not make the fork."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class SubagentLoaded(Message):
    """A subagent's transcript was read."""

    def __init__(self, title: str, agent_id: str, source: ConversationSource) -> None:
        super().__init__()
        self.title = title
        self.agent_id = agent_id
        self.source = source


class SubagentMissing(Message):
    """A subagent's transcript is not here, or cannot be read."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class SessionUsageCounted(Message):
    """One session's own tokens and cost were counted."""

    def __init__(self, session_id: str, totals: Totals) -> None:
        super().__init__()
        self.session_id = session_id
        self.totals = totals


class PricesUnreadable(Message):
    """The price table could not be read: costs are left out."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


# -- live -------------------------------------------------------------------------------------


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


# -- a turn from the prompt box ---------------------------------------------------------------


class TurnEventArrived(Message):
    """Something happened in the running turn (posted from the turn's worker)."""

    def __init__(self, turn: ComposeTurn, event: TurnEvent) -> None:
        super().__init__()
        self.turn = turn
        self.event = event


class TurnSessionAppeared(Message):
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
