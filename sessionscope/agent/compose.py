"""Compose: send one prompt to a session through the SDK and report what comes back, as it comes.

A :class:`ComposeTurn` runs one turn: it resumes the target session with
``ClaudeAgentOptions(resume=ID, cwd=<the session's cwd>)`` (``fork_session=True`` to continue in a
new session), or starts a new session when there is no target. It streams partial text
(``include_partial_messages``), then each finished assistant block and tool result, and reports:

- the session id the moment the first message carries it (:class:`SessionAssigned`),
- each API retry the CLI makes (:class:`ApiRetried`), so a failing API never looks like a hang,
- the end of the turn with duration and cost (:class:`TurnFinished`), or a failure as one clear
  sentence (:class:`TurnFailed`): no credentials, CLI not found, API 500/529/429, API
  unreachable, the CLI exiting.

Tool permission requests go to an ``ask`` callback (the SDK's ``can_use_tool``); "allow for this
session" is remembered in :class:`SessionPermissions` for the next turns too.

Nothing here knows about Textual: events go to a plain callback. The SDK is imported when a turn
starts, never at import time (it costs over a second).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sessionscope.agent.settings import ComposeSettings
from sessionscope.transcripts.content import result_text, tool_summary
from sessionscope.transcripts.files import home_as_tilde
from sessionscope.transcripts.text import inert

__all__ = [
    "ApiRetried",
    "BlockReceived",
    "ComposeSettings",
    "ComposeTurn",
    "FailureKind",
    "PermissionDecision",
    "PermissionRequest",
    "SessionAssigned",
    "SessionPermissions",
    "TextStreamed",
    "ThinkingStreamed",
    "ToolResultReceived",
    "TurnEvent",
    "TurnFailed",
    "TurnFinished",
    "TurnTarget",
]

OPEN_HINT = "press o to continue this session in Claude Code (it can use your subscription)"
"""Said with every credentials failure: ``o`` runs ``claude --resume`` in the terminal."""


# --- What a turn is sent to, and how ------------------------------------------------------------


@dataclass(frozen=True)
class TurnTarget:
    """Where a prompt goes."""

    session_id: str | None
    """The session to resume; ``None`` starts a new session."""
    cwd: str
    """The working directory: the session's ``cwd`` (resume needs it), or the new session's."""
    fork: bool = False
    """Resume into a new session (``fork_session=True``) rather than appending to this one."""
    title: str | None = None
    """How the target is named on screen (the session's title), if known."""
    at_uuid: str | None = None
    """Continue from this message rather than from the end (``resume_session_at``): the
    conversation up to it, then the new prompt, in a new session (only with ``fork``)."""
    project_key: str | None = None
    """The session's project key in a store (a pushed session keeps its machine's): resumed
    and forked sessions are loaded from and written to it there, whatever the ``cwd``."""
    read_only: bool = False
    """The session is another role's in the store, shared with us: it can be forked, never
    resumed in place (``refusal``)."""

    @property
    def refusal(self) -> str:
        """Why a prompt cannot go to this target (``""``: it can)."""
        if self.read_only and not self.fork and self.session_id is not None:
            return (
                "shared with you, read only: f forks it into your space, "
                "ctrl+n writes to a new session"
            )
        return ""

    def describe(self) -> str:
        """One line for the compose box: which session a prompt will go to."""
        if self.session_id is None:
            return f"new session in {inert(home_as_tilde(self.cwd), keep_newlines=False)}"
        short = self.session_id[:8]
        verb = "fork of" if self.fork else "to"
        if self.at_uuid and self.fork:
            verb = f"new branch from {inert(self.at_uuid[:8], keep_newlines=False)} of"
        described = f"{verb} {short}"
        if self.title:
            described += f" · {inert(self.title, keep_newlines=False)}"
        if self.refusal:
            described += f" · {self.refusal}"
        return described


def continue_from(
    session_id: str,
    cwd: str,
    title: str | None,
    messages: list,
    position: int,
    *,
    other_branch: bool = False,
) -> TurnTarget:
    """Where a prompt written on ``messages[position]`` goes: the session itself when that is
    its last message (or not an assistant's), else a new branch from that message — moved, as
    a fork's end is, past the rest of its API response and the results its tool calls wait
    for, so that the branch can be resumed. ``other_branch``: ``messages`` are a rewind branch
    that is not the one a resume continues, so even its last message starts a new branch."""
    from sessionscope.agent.fork import ForkRefused, fork_point

    plain = TurnTarget(session_id, cwd, title=title)
    if not 0 <= position < len(messages) or messages[position].type != "assistant":
        return plain
    try:
        point = fork_point(messages, position)
    except ForkRefused:
        return plain
    if (point.end is messages[-1] and not other_branch) or not point.end.uuid:
        return plain
    return TurnTarget(session_id, cwd, fork=True, title=title, at_uuid=point.end.uuid)


# --- Events -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnEvent:
    """Something that happened during a turn."""


@dataclass(frozen=True)
class SessionAssigned(TurnEvent):
    """The turn's session id is known (a new session, a fork, or the resumed one)."""

    session_id: str


@dataclass(frozen=True)
class TextStreamed(TurnEvent):
    """A piece of the assistant's text, as it streams (main agent only)."""

    text: str


@dataclass(frozen=True)
class ThinkingStreamed(TurnEvent):
    """A piece of the assistant's thinking, as it streams."""

    text: str


@dataclass(frozen=True)
class BlockReceived(TurnEvent):
    """A finished assistant content block: ``text``, ``thinking`` or ``tool_use``."""

    kind: str
    text: str
    """The text or thinking; for a tool call a one-line summary of its input."""
    uuid: str | None = None
    """The transcript entry's UUID."""
    tool_name: str | None = None
    tool_use_id: str | None = None
    tool_input: dict[str, Any] | None = None
    subagent: bool = False
    """Written by a subagent (its parent is an Agent tool call)."""


@dataclass(frozen=True)
class ToolResultReceived(TurnEvent):
    """A tool's result came back."""

    tool_use_id: str
    text: str
    is_error: bool
    uuid: str | None = None
    subagent: bool = False


@dataclass(frozen=True)
class ApiRetried(TurnEvent):
    """The CLI's API call failed and will be retried (the CLI keeps trying for minutes)."""

    attempt: int
    max_retries: int | None
    delay_ms: int | None
    status: int | None
    error: str | None

    def describe(self) -> str:
        what = f"API error {self.status}" if self.status else "API unreachable"
        if self.error and self.error != "unknown":
            what += f" ({self.error})"
        of = f"/{self.max_retries}" if self.max_retries else ""
        delay = f" in {self.delay_ms / 1000:.1f} s" if self.delay_ms is not None else ""
        return f"{what}; retry {self.attempt}{of}{delay}"


@dataclass(frozen=True)
class TurnFinished(TurnEvent):
    """The turn ended (also after an interrupt or a failure: nothing else follows it)."""

    session_id: str | None
    duration_ms: int | None = None
    cost_usd: float | None = None
    interrupted: bool = False
    failed: bool = False


class FailureKind(enum.StrEnum):
    """Why a turn failed, as far as the CLI's report says."""

    CREDENTIALS = "credentials"
    CLI_MISSING = "cli-missing"
    RATE_LIMITED = "rate-limited"
    OVERLOADED = "overloaded"
    API_ERROR = "api-error"
    UNREACHABLE = "unreachable"
    CLI_EXITED = "cli-exited"
    OTHER = "other"


@dataclass(frozen=True)
class TurnFailed(TurnEvent):
    """The turn failed; ``message`` says why in one or two plain sentences."""

    kind: FailureKind
    message: str


# --- Permissions --------------------------------------------------------------------------------


class PermissionDecision(enum.Enum):
    """What the person answered to a tool's permission request."""

    ALLOW_ONCE = "allow once"
    ALLOW_SESSION = "allow for this session"
    DENY = "deny"


@dataclass(frozen=True)
class PermissionRequest:
    """A tool call waiting for the person's answer."""

    tool_name: str
    tool_input: dict[str, Any]
    title: str
    """What the CLI says it wants to do ("Claude wants to run ..."), made inert."""
    tool_use_id: str | None = None
    subagent: bool = False


AskPermission = Callable[[PermissionRequest], Awaitable[PermissionDecision]]


@dataclass
class SessionPermissions:
    """Tools the person allowed "for this session", by session id (kept for this run)."""

    allowed: dict[str, set[str]] = field(default_factory=dict)

    def allows(self, session_id: str | None, tool_name: str) -> bool:
        return session_id is not None and tool_name in self.allowed.get(session_id, set())

    def allow(self, session_id: str | None, tool_name: str) -> None:
        if session_id is not None:
            self.allowed.setdefault(session_id, set()).add(tool_name)


def summarize_tool_input(tool_name: str, tool_input: dict[str, Any]) -> str:
    """:func:`~sessionscope.transcripts.content.tool_summary`, inert and at most 300 characters."""
    return inert(tool_summary(tool_name, tool_input), keep_newlines=False, keep_tabs=False)[:300]


# --- Failures -----------------------------------------------------------------------------------


def classify_failure(
    text: str | None,
    status: int | None = None,
    assistant_error: str | None = None,
    base_url: str | None = None,
) -> TurnFailed:
    """One clear message for a failed turn, from what the CLI reported."""
    detail = inert((text or "").strip(), keep_newlines=False)
    lowered = detail.lower()
    if (
        assistant_error == "authentication_failed"
        or status in (401, 403)
        or ("not logged in" in lowered or "invalid api key" in lowered or "/login" in lowered)
    ):
        return TurnFailed(
            FailureKind.CREDENTIALS,
            "No credentials for the Claude API: set ANTHROPIC_API_KEY (or log in with "
            f"`claude /login`), or {OPEN_HINT}.",
        )
    if status == 429 or assistant_error == "rate_limit" or "rate limit" in lowered:
        return TurnFailed(
            FailureKind.RATE_LIMITED,
            f"Rate limited by the API (429) after the CLI's retries. Wait a little and send "
            f"again. [{detail}]",
        )
    if status == 529 or "overloaded" in lowered:
        return TurnFailed(
            FailureKind.OVERLOADED,
            f"The API is overloaded (529) and the CLI's retries ran out. Try again in a "
            f"moment. [{detail}]",
        )
    if any(
        sign in lowered
        for sign in (
            "econnrefused",
            "connection refused",
            "unable to connect",
            "enotfound",
            "network",
            "etimedout",
            "fetch failed",
            "connection error",
        )
    ):
        where = f" at {base_url}" if base_url else ""
        return TurnFailed(
            FailureKind.UNREACHABLE,
            f"Cannot reach the Claude API{where}: check the network, a proxy, or "
            f"ANTHROPIC_BASE_URL. [{detail}]",
        )
    if status is not None or lowered.startswith("api error"):
        code = f" ({status})" if status else ""
        return TurnFailed(
            FailureKind.API_ERROR,
            f"The API returned an error{code} after the CLI's retries. [{detail}]",
        )
    return TurnFailed(
        FailureKind.CLI_EXITED,
        f"Claude Code stopped with an error: {detail or 'it gave no reason'}",
    )


# --- The turn -----------------------------------------------------------------------------------

COST_TAIL_BYTES = 1 << 20
"""How much of a transcript's end is read for its last ``cost-state`` entry."""


def cost_so_far(config_dir: Path | None, session_id: str) -> float | None:
    """The running total a resumed (or forked) session's CLI starts from: the ``totalCostUSD``
    of the transcript's last ``cost-state`` entry, which the CLI writes after every turn and
    restores on resume (``None``: none found)."""
    from sessionscope.transcripts.files import default_config_dir, find_session_file, open_regular
    from sessionscope.transcripts.reader import parse_line

    try:
        fd = open_regular(find_session_file(config_dir or default_config_dir(), session_id))
        try:
            size = os.fstat(fd).st_size
            start = max(0, size - COST_TAIL_BYTES)
            tail = os.pread(fd, size - start, start)
        finally:
            os.close(fd)
    except (OSError, LookupError):
        return None
    for line in reversed(tail.split(b"\n")):
        if b'"cost-state"' not in line:
            continue
        data, _error = parse_line(line)
        if isinstance(data, dict) and data.get("type") == "cost-state":
            total = data.get("totalCostUSD")
            if isinstance(total, int | float) and not isinstance(total, bool):
                return float(total)
    return None


class ComposeTurn:
    """One prompt sent to one target. ``await run()`` once; ``interrupt()`` from elsewhere."""

    def __init__(
        self,
        prompt: str,
        target: TurnTarget,
        settings: ComposeSettings,
        on_event: Callable[[TurnEvent], None],
        ask: AskPermission | None = None,
        permissions: SessionPermissions | None = None,
    ) -> None:
        self.prompt = prompt
        self.target = target
        self.settings = settings
        self.on_event = on_event
        self.ask = ask
        self.permissions = permissions if permissions is not None else SessionPermissions()
        self.session_id: str | None = None if target.fork else target.session_id
        """The session this turn writes to; known once :class:`SessionAssigned` is sent."""
        self._assigned = False
        self._client: Any = None
        self._interrupted = False
        self._failed: TurnFailed | None = None
        self._assistant_error: str | None = None
        self._stderr: deque[str] = deque(maxlen=20)
        self._started = 0.0

    # options -------------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = dict(self.settings.env)
        if self.settings.config_dir is not None:
            env["CLAUDE_CONFIG_DIR"] = str(self.settings.config_dir)
        return env

    def base_url(self) -> str:
        return self._env().get("ANTHROPIC_BASE_URL") or os.environ.get(
            "ANTHROPIC_BASE_URL", "https://api.anthropic.com"
        )

    def session_store(self) -> Any:
        """The store the turn is mirrored into (``settings.store_url``; ``None``: none), seen
        through the target session's project key when it resumes one; a store of its own for
        the turn (its connection belongs to this event loop)."""
        if not self.settings.store_url:
            return None
        from sessionscope.stores import DEFAULT_TABLE, PostgresSessionStore

        store = PostgresSessionStore(
            self.settings.store_url, table=self.settings.store_table or DEFAULT_TABLE
        )
        if self.target.session_id is not None and self.target.project_key:
            return store.for_project(self.target.project_key)
        return store

    def options(self, session_store: Any = None) -> Any:
        """The ``ClaudeAgentOptions`` for this turn (mirrored into ``session_store``)."""
        from claude_agent_sdk import ClaudeAgentOptions

        options: dict[str, Any] = {
            "cwd": self.target.cwd,
            "env": self._env(),
            "include_partial_messages": True,
            "stderr": self._stderr.append,
            "allowed_tools": list(self.settings.allowed_tools),
        }
        if self.target.session_id is not None:
            options["resume"] = self.target.session_id
            options["fork_session"] = self.target.fork
            if self.target.at_uuid and self.target.fork:
                options["resume_session_at"] = self.target.at_uuid
        if self.settings.permission_mode:
            options["permission_mode"] = self.settings.permission_mode
        if self.settings.model:
            options["model"] = self.settings.model
        if self.settings.cli_path:
            options["cli_path"] = self.settings.cli_path
        if self.settings.permission_mode != "bypassPermissions":
            options["can_use_tool"] = self._can_use_tool
        if session_store is not None:
            options["session_store"] = session_store
        return ClaudeAgentOptions(**options)

    # permission callback ---------------------------------------------------------------------

    async def _can_use_tool(self, tool_name: str, tool_input: dict[str, Any], context: Any):
        from claude_agent_sdk import PermissionResultAllow, PermissionResultDeny
        from claude_agent_sdk.types import PermissionRuleValue, PermissionUpdate

        if self.permissions.allows(self.session_id, tool_name):
            return PermissionResultAllow()
        if self.ask is None:
            return PermissionResultDeny(message="sessionscope has no way to ask; denied")
        title = getattr(context, "title", None) or (
            f"{tool_name}: {summarize_tool_input(tool_name, tool_input)}"
        )
        request = PermissionRequest(
            tool_name=tool_name,
            tool_input=tool_input,
            title=inert(title, keep_newlines=False),
            tool_use_id=getattr(context, "tool_use_id", None),
            subagent=getattr(context, "agent_id", None) is not None,
        )
        decision = await self.ask(request)
        if decision is PermissionDecision.DENY:
            return PermissionResultDeny(message="The user denied this tool call in sessionscope.")
        if decision is PermissionDecision.ALLOW_SESSION:
            self.permissions.allow(self.session_id, tool_name)
            rule = PermissionRuleValue(tool_name=tool_name)
            update = PermissionUpdate(
                type="addRules", rules=[rule], behavior="allow", destination="session"
            )
            return PermissionResultAllow(updated_permissions=[update])
        return PermissionResultAllow()

    # running ---------------------------------------------------------------------------------

    def _emit(self, event: TurnEvent) -> None:
        self.on_event(event)

    def _assign(self, session_id: str | None) -> None:
        if session_id and not self._assigned:
            self._assigned = True
            self.session_id = session_id
            self._emit(SessionAssigned(session_id))

    def _fail(self, failure: TurnFailed) -> None:
        if self._failed is None:
            self._failed = failure
            self._emit(failure)

    async def interrupt(self) -> None:
        """Stop the running turn (what is already written stays written)."""
        self._interrupted = True
        client = self._client
        if client is not None:
            # The CLI may already be gone; the turn ends either way.
            with contextlib.suppress(Exception):
                await client.interrupt()

    async def run(self) -> TurnFinished:
        """Run the turn to its end; every outcome ends with one :class:`TurnFinished`."""
        self._started = time.monotonic()
        finished: TurnFinished | None = None
        try:
            finished = await self._run()
        except Exception as error:  # noqa: BLE001 - every failure becomes a message
            self._fail(self._describe_exception(error))
        except asyncio.CancelledError:
            self._interrupted = True
            raise
        finally:
            if finished is None:
                finished = TurnFinished(
                    session_id=self.session_id,
                    duration_ms=int((time.monotonic() - self._started) * 1000),
                    interrupted=self._interrupted,
                    failed=self._failed is not None,
                )
            self._emit(finished)
        return finished

    async def _run(self) -> TurnFinished | None:
        from claude_agent_sdk import ClaudeSDKClient

        if self.target.refusal:
            raise ValueError(f"not sent: the session is {self.target.refusal}")
        if self.target.session_id is not None and not os.path.isdir(self.target.cwd):
            # Else the CLI's "Working directory does not exist", as a lost connection.
            self._fail(
                TurnFailed(
                    FailureKind.OTHER,
                    f"Not sent: this session's folder "
                    f"{inert(home_as_tilde(self.target.cwd), keep_newlines=False)} does not "
                    "exist here, and Claude Code resumes a session in its folder. ctrl+n sends the "
                    "prompt to a new session instead.",
                )
            )
            return None
        session_store = self.session_store()
        cost_before = None
        if self.target.session_id is not None and session_store is None:
            cost_before = await asyncio.to_thread(
                cost_so_far, self.settings.config_dir, self.target.session_id
            )
        client = ClaudeSDKClient(self.options(session_store))
        self._client = client
        result = None
        try:
            await client.connect()
            if self._interrupted:
                return None
            await client.query(self.prompt)
            async for message in client.receive_response():
                outcome = self._handle(message)
                if outcome is not None:
                    result = outcome
        finally:
            self._client = None
            # The turn's outcome is already known.
            with contextlib.suppress(Exception):
                await client.disconnect()
            if session_store is not None:
                with contextlib.suppress(Exception):
                    await session_store.close()
        if result is None:
            return None
        interrupted = self._interrupted or (result.terminal_reason or "").startswith("aborted")
        if result.is_error and not interrupted:
            self._fail(
                classify_failure(
                    result.result or "; ".join(result.errors or []),
                    result.api_error_status,
                    self._assistant_error,
                    self.base_url(),
                )
            )
        return TurnFinished(
            session_id=self.session_id,
            duration_ms=result.duration_ms,
            cost_usd=_turn_cost(result.total_cost_usd, cost_before),
            interrupted=interrupted,
            failed=self._failed is not None,
        )

    def _handle(self, message: Any) -> Any:
        """Turn one SDK message into events; the ResultMessage is returned."""
        from claude_agent_sdk import (
            AssistantMessage,
            ResultMessage,
            StreamEvent,
            SystemMessage,
            TextBlock,
            ThinkingBlock,
            ToolResultBlock,
            ToolUseBlock,
            UserMessage,
        )

        self._assign(getattr(message, "session_id", None))
        if isinstance(message, StreamEvent):
            self._assign(message.session_id)
            if message.parent_tool_use_id is None:
                self._stream_event(message.event)
        elif isinstance(message, SystemMessage):
            self._assign(message.data.get("session_id"))
            if message.subtype == "api_retry":
                data = message.data
                self._emit(
                    ApiRetried(
                        attempt=int(data.get("attempt") or 0),
                        max_retries=data.get("max_retries"),
                        delay_ms=data.get("retry_delay_ms"),
                        status=data.get("error_status"),
                        error=data.get("error"),
                    )
                )
        elif isinstance(message, AssistantMessage):
            if message.error:
                self._assistant_error = message.error
                return None  # the CLI's synthetic "API Error: ..." text: reported as a failure
            subagent = message.parent_tool_use_id is not None
            for block in message.content:
                if isinstance(block, TextBlock):
                    self._emit(BlockReceived("text", block.text, message.uuid, subagent=subagent))
                elif isinstance(block, ThinkingBlock):
                    self._emit(
                        BlockReceived("thinking", block.thinking, message.uuid, subagent=subagent)
                    )
                elif isinstance(block, ToolUseBlock):
                    self._emit(
                        BlockReceived(
                            "tool_use",
                            summarize_tool_input(block.name, block.input),
                            message.uuid,
                            tool_name=block.name,
                            tool_use_id=block.id,
                            tool_input=block.input,
                            subagent=subagent,
                        )
                    )
        elif isinstance(message, UserMessage) and isinstance(message.content, list):
            for block in message.content:
                if isinstance(block, ToolResultBlock):
                    self._emit(
                        ToolResultReceived(
                            tool_use_id=block.tool_use_id,
                            text=result_text(block.content),
                            is_error=bool(block.is_error),
                            uuid=message.uuid,
                            subagent=message.parent_tool_use_id is not None,
                        )
                    )
        elif isinstance(message, ResultMessage):
            self._assign(message.session_id)
            return message
        return None

    def _stream_event(self, event: dict[str, Any]) -> None:
        if event.get("type") != "content_block_delta":
            return
        delta = event.get("delta") or {}
        if delta.get("type") == "text_delta" and delta.get("text"):
            self._emit(TextStreamed(delta["text"]))
        elif delta.get("type") == "thinking_delta" and delta.get("thinking"):
            self._emit(ThinkingStreamed(delta["thinking"]))

    def _describe_exception(self, error: Exception) -> TurnFailed:
        from claude_agent_sdk import (
            CLIConnectionError,
            CLINotFoundError,
            ProcessError,
            ResultError,
        )

        if isinstance(error, CLINotFoundError):
            where = f" at {self.settings.cli_path}" if self.settings.cli_path else ""
            return TurnFailed(
                FailureKind.CLI_MISSING,
                f"Claude Code CLI not found{where}. Reinstall sessionscope (the CLI comes in the "
                "claude-agent-sdk wheel) or install Claude Code (`npm install -g "
                "@anthropic-ai/claude-code`).",
            )
        if isinstance(error, ResultError):
            return classify_failure(
                error.result or "; ".join(error.errors),
                error.api_error_status,
                self._assistant_error,
                self.base_url(),
            )
        if isinstance(error, ProcessError):
            last = next((line for line in reversed(self._stderr) if line.strip()), "")
            said = f": {inert(last.strip(), keep_newlines=False)[:300]}" if last else ""
            code = f" with code {error.exit_code}" if error.exit_code is not None else ""
            return TurnFailed(FailureKind.CLI_EXITED, f"Claude Code exited{code}{said}.")
        if isinstance(error, CLIConnectionError):
            return TurnFailed(
                FailureKind.CLI_EXITED,
                f"Lost the connection to Claude Code: {inert(str(error), keep_newlines=False)}",
            )
        return TurnFailed(
            FailureKind.OTHER,
            f"{type(error).__name__}: {inert(str(error), keep_newlines=False)[:300]}",
        )


def _turn_cost(total: float | None, before: float | None) -> float | None:
    """This turn's cost from the CLI's running total and the total it started from."""
    if total is None or before is None or total < before:
        return total
    return total - before
