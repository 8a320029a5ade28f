"""Hand a session to Claude Code itself (the ``o`` key): ``claude --resume ID [--fork-session]``.

For people who use Claude Code with a subscription rather than an API key: the TUI suspends, the
real ``claude`` runs in the terminal on the session, and sessionscope comes back when it exits.
The ``claude`` on PATH is preferred; otherwise the CLI bundled in the claude-agent-sdk wheel is
used (found without importing the SDK, which is slow to import).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

__all__ = ["HandoffError", "claude_executable", "resume_command"]


class HandoffError(Exception):
    """Claude Code cannot be started; the message is one clear line."""


def bundled_cli() -> Path | None:
    """The Claude Code binary inside the installed claude-agent-sdk wheel, if there is one."""
    spec = importlib.util.find_spec("claude_agent_sdk")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "_bundled" / "claude"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def claude_executable() -> str:
    """``claude`` from PATH, else the bundled CLI; :class:`HandoffError` when neither exists."""
    found = shutil.which("claude")
    if found:
        return found
    bundled = bundled_cli()
    if bundled is not None:
        return str(bundled)
    raise HandoffError(
        "Claude Code is not installed: install it (`npm install -g @anthropic-ai/claude-code`) "
        "or reinstall sessionscope, whose SDK bundles it."
    )


def resume_command(session_id: str, fork: bool = False, executable: str | None = None):
    """The argv that opens ``session_id`` in Claude Code (a new forked session when ``fork``)."""
    command = [executable or claude_executable(), "--resume", session_id]
    if fork:
        command.append("--fork-session")
    return command
