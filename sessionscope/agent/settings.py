"""How compose runs turns: settings the command line gives the app, kept light.

Apart from :mod:`sessionscope.agent.compose` (which is imported when the compose box is first
mounted) so that the command line can make them before the first paint without importing the
turn machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ComposeSettings:
    """How turns run: the same for every turn of one sessionscope run."""

    config_dir: Path | None = None
    """CLAUDE_CONFIG_DIR for the CLI (where it finds and writes transcripts)."""
    permission_mode: str | None = None
    """``--permission-mode``: ``None`` keeps the SDK's default (ask through ``can_use_tool``)."""
    model: str | None = None
    """``--model``; ``None`` keeps the CLI's default."""
    cli_path: str | None = None
    """The Claude Code executable; ``None`` uses the one bundled in the SDK wheel."""
    env: dict[str, str] = field(default_factory=dict)
    """Extra environment for the CLI (tests point ``ANTHROPIC_BASE_URL`` at a fake API)."""
    allowed_tools: tuple[str, ...] = ()
    """Tools that run without asking."""
    store_url: str | None = None
    """A PostgreSQL session store (``--store``): every turn is mirrored into it, and a resumed
    session is loaded from it (the SDK's ``session_store``)."""
    store_table: str | None = None
    """The store's table (``None``: the default)."""
