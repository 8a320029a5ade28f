"""Fork a session from a chosen assistant message, through the SDK's ``fork_session``.

A fork must be resumable: it never splits one API response (entries sharing ``message.id``) and
never leaves a ``tool_use`` without its ``tool_result``. ``fork_point`` moves the cut to the end of
the group the chosen message belongs to, and says so. The SDK is imported only when a fork is made
(importing it costs over a second); the source file is only read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sessionscope.transcripts.model import Entry


class ForkRefused(ValueError):
    """The chosen message cannot end a fork; the text says why."""


@dataclass(frozen=True, slots=True)
class ForkPoint:
    """Where a fork ends."""

    chosen: Entry
    end: Entry
    """The entry the fork ends at: the chosen one, or the end of its group."""
    reason: str = ""
    """Why the end moved ('' when the fork ends at the chosen entry)."""

    @property
    def moved(self) -> bool:
        return self.end is not self.chosen


@dataclass(frozen=True, slots=True)
class ForkResult:
    """A fork the SDK wrote: the new session's id, its file, and where it ends."""

    session_id: str
    path: Path
    point: ForkPoint


def fork_point(messages: Sequence[Entry], position: int) -> ForkPoint:
    """Where a fork from ``messages[position]`` must end so that it can be resumed.

    ``messages`` are the conversation's visible messages (the SDK's ``get_session_messages``
    order). Raises ``ForkRefused`` for anything but an assistant message.
    """
    if not 0 <= position < len(messages):
        raise ForkRefused("no message is selected")
    chosen = messages[position]
    if chosen.type != "assistant":
        if "tool_result" in chosen.role_blocks:
            kind = "tool result"
        elif chosen.type == "user":
            kind = "user message"
        else:
            kind = f"{chosen.type or 'untyped'} entry"
        raise ForkRefused(f"this is a {kind}; a fork ends at an assistant message")
    if not chosen.uuid:
        raise ForkRefused("this assistant entry has no UUID to fork at")

    response_id = chosen.message_id
    start = position
    if response_id:
        while start > 0 and messages[start - 1].message_id == response_id:
            start -= 1
    pending: set[str] = set()
    last = position
    index = start
    # The response itself (before and after the chosen block), then the results it waits for.
    while index < len(messages):
        entry = messages[index]
        same_response = (
            response_id is not None
            and entry.type == "assistant"
            and entry.message_id == response_id
        )
        if index <= position or same_response:
            pending.update(entry.tool_use_ids)
            pending.difference_update(entry.tool_result_ids)
            last = max(last, index)
        elif pending and entry.type == "user" and pending.intersection(entry.tool_result_ids):
            pending.difference_update(entry.tool_result_ids)
            last = index
        else:
            break
        index += 1
    group = messages[start : last + 1]
    end = max(group, key=lambda entry: entry.index)
    if pending:
        # A tool call that never got its result (the session was interrupted there): end the
        # fork before that response instead.
        if start == 0 or not messages[start - 1].uuid:
            raise ForkRefused(
                "the tool call here has no result in the transcript, and nothing precedes it"
            )
        before = messages[start - 1]
        return ForkPoint(
            chosen,
            before,
            f"the tool call in this response has no result; the fork ends before it, "
            f"at {before.uuid}",
        )
    if end is chosen:
        return ForkPoint(chosen, chosen)
    if any(entry.type == "user" for entry in group[position - start + 1 :]):
        reason = f"a tool call here waits for its result; the fork ends at {end.uuid}"
    else:
        reason = f"this API response continues; the fork ends at its last block, {end.uuid}"
    return ForkPoint(chosen, end, reason)


def fork(
    source_path: Path,
    session_id: str,
    point: ForkPoint,
    *,
    title: str | None = None,
) -> ForkResult:
    """Fork ``session_id`` (the file ``source_path``) at ``point`` with the SDK's
    ``fork_session``; the new file sits beside the source."""
    from claude_agent_sdk import fork_session  # lazy: the SDK import costs over a second

    from sessionscope.agent.manage import sdk_session_view
    from sessionscope.transcripts.reader import gc_paused

    # The SDK shown only the source's folder: it forks that very file, not a copy of it in
    # another project folder. With the cyclic collector paused: the SDK parses every line of
    # the source into dicts that hold no cycles, which every collection meanwhile would walk.
    with sdk_session_view(source_path), gc_paused():
        result = fork_session(session_id, up_to_message_id=point.end.uuid, title=title)
    return ForkResult(
        result.session_id, Path(source_path).parent / f"{result.session_id}.jsonl", point
    )
