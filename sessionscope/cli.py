"""The command line: ``sessionscope [options] [COMMAND ...]``.

Each subcommand lives in ``sessionscope/commands/<name>.py`` and exposes ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``. Heavy imports (Textual, the SDK) happen
inside ``run`` so that ``sessionscope list`` stays as quick as a Python start-up allows.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

COMMAND_MODULES: tuple[str, ...] = ("tui", "list", "show", "fork", "export", "replay", "serve")
"""Subcommand modules under ``sessionscope.commands``, in the order ``--help`` lists them."""


class CommandError(Exception):
    """A user-facing failure: printed as one line on stderr, exit status 1 (or ``status``)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def default_config_dir() -> Path:
    """``$CLAUDE_CONFIG_DIR``, else ``~/.claude``."""
    env = os.environ.get("CLAUDE_CONFIG_DIR")
    return Path(env).expanduser() if env else Path.home() / ".claude"


def _add_common(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    # Sub-parsers must not overwrite a value given before the subcommand, hence SUPPRESS there.
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument(
        "--config-dir",
        metavar="DIR",
        default=default,
        help="Claude config folder holding projects/ (default: $CLAUDE_CONFIG_DIR, then ~/.claude)",
    )


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, object]]:
    parser = argparse.ArgumentParser(
        prog="sessionscope",
        description="Explore, fork and continue Claude Code / Agent SDK sessions.",
    )
    _add_common(parser, top_level=True)
    commands: dict[str, object] = {}
    modules = [importlib.import_module(f"sessionscope.commands.{m}") for m in COMMAND_MODULES]
    tui = next((m for m in modules if m.NAME == "tui"), None)
    if tui is not None:
        tui.add_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in modules:
        if module is tui:
            continue
        command_parser = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        _add_common(command_parser, top_level=False)
        module.add_arguments(command_parser)
        commands[module.NAME] = module
    if tui is not None:
        commands["tui"] = tui
    return parser, commands


def main(argv: list[str] | None = None) -> int:
    parser, commands = build_parser()
    args = parser.parse_args(argv)
    args.config_dir = (
        Path(args.config_dir).expanduser() if args.config_dir else default_config_dir()
    )
    name = args.command or "tui"
    module = commands.get(name)
    if module is None:
        parser.print_help()
        return 2
    try:
        return int(module.run(args) or 0)
    except CommandError as error:
        print(f"sessionscope: {error}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `sessionscope list | head`: the reader left; that is not an error.
        sys.stderr.close()
        return 0
