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

from .commands._common import CommandError, add_common_options, stdout_reader_gone
from .transcripts.files import default_config_dir

COMMAND_MODULES: tuple[str, ...] = (
    "tui",
    "list",
    "show",
    "search",
    "index",
    "fork",
    "export",
    "replay",
    "serve",
    "rename",
    "tag",
    "delete",
    "stats",
    "push",
    "store",
)
"""Subcommand modules under ``sessionscope.commands``, in the order ``--help`` lists them."""


NOT_BLANK: dict[str, str] = {
    "config_dir": "--config-dir needs a folder (leave it out for $CLAUDE_CONFIG_DIR, then ~/.claude)",
    "project": "--project needs a working directory or a folder name under projects/ "
    "(leave it out for every project)",
    "output": "-o needs a file name (- for standard output)",
    "host": "--host needs an address (leave it out for 127.0.0.1)",
    "session": "--session needs a session id (leave it out to choose in the list)",
    "message": "--message needs a message UUID",
    "model": "--model needs a model name (leave it out for Claude Code's default)",
}
"""Options whose empty value is refused (exit 2) rather than taken as left out: in a script it
is an unset variable, and the default it would fall back to (~/.claude, every project, standard
output, ...) is not what was meant. An empty CLAUDE_CONFIG_DIR still means the default, as in
the SDK and Claude Code; ``--store ''`` means local files."""


def _command_module(name: str):
    return importlib.import_module(f"sessionscope.commands.{name}")


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, object]]:
    """The parser, with every command, and the command modules by name."""
    parser = argparse.ArgumentParser(
        prog="sessionscope",
        description="Explore, fork and continue Claude Code / Agent SDK sessions.",
    )
    add_common_options(parser, top_level=True)
    tui = _command_module("tui")
    tui.add_arguments(parser)  # the TUI's options are top-level
    commands: dict[str, object] = {"tui": tui}
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        if name == "tui":
            continue
        module = _command_module(name)
        command_parser = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        add_common_options(command_parser, top_level=False)
        module.add_arguments(command_parser)
        commands[module.NAME] = module
    return parser, commands


def main(argv: list[str] | None = None) -> int:
    parser, commands = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    # `--store ''` means local files, whatever SESSIONSCOPE_STORE says.
    from_env = os.environ.get("SESSIONSCOPE_STORE")
    args.store_from_env = args.store is None and bool(from_env)
    args.store = (from_env if args.store is None else args.store) or None
    name = args.command or "tui"
    module = commands[name]
    try:
        for option, refusal in NOT_BLANK.items():
            value = getattr(args, option, None)
            if isinstance(value, str) and not value.strip():
                raise CommandError(refusal, status=2)
        args.config_dir = (
            Path(os.path.expanduser(args.config_dir)) if args.config_dir else default_config_dir()
        )
        if getattr(args, "project", None):
            # As list and search show working directories (~/src/app), and as a shell leaves
            # --project=~/src/app.
            args.project = os.path.expanduser(args.project)
        if args.store:
            from .commands._store import through_store

            return through_store(name, module, args)
        return int(module.run(args) or 0)
    except CommandError as error:
        from .transcripts.text import inert

        # One line, and what it quotes (an id, a uuid, a key from a store) made visible.
        print(f"sessionscope: {inert(str(error), keep_newlines=False)}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `sessionscope list | head`: the reader left; that is not an error.
        stdout_reader_gone()
        return 0
