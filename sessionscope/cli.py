"""The command line: ``sessionscope [options] [COMMAND ...]``.

Each subcommand lives in ``sessionscope/commands/<name>.py`` and exposes ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``. Heavy imports (Textual, the SDK) happen
inside ``run`` so that ``sessionscope list`` stays as quick as a Python start-up allows.
"""

from __future__ import annotations

import importlib
import os
import sys

TYPE_CHECKING = False  # not typing's: importing typing costs the warm list 2 ms
if TYPE_CHECKING:
    import argparse

COMMAND_MODULES: tuple[str, ...] = (
    "tui",
    "list",
    "show",
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


class CommandError(Exception):
    """A user-facing failure: printed as one line on stderr, exit status 1 (or ``status``)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def _default_config_folder() -> str:
    """``$CLAUDE_CONFIG_DIR``, else ``~/.claude``."""
    env = os.environ.get("CLAUDE_CONFIG_DIR")
    return os.path.expanduser(env) if env else os.path.join(os.path.expanduser("~"), ".claude")


def _add_common(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    import argparse

    # Sub-parsers must not overwrite a value given before the subcommand, hence SUPPRESS there.
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument(
        "--config-dir",
        metavar="DIR",
        default=default,
        help="Claude config folder holding projects/ (default: $CLAUDE_CONFIG_DIR, then ~/.claude)",
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        default=default,
        help="a PostgreSQL session store instead of local files (default: $SESSIONSCOPE_STORE)",
    )


def _command_module(name: str):
    return importlib.import_module(f"sessionscope.commands.{name}")


def _top_level() -> tuple[argparse.ArgumentParser, object]:
    """The parser of the options before any subcommand (the TUI's are top-level)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="sessionscope",
        description="Explore, fork and continue Claude Code / Agent SDK sessions.",
    )
    _add_common(parser, top_level=True)
    tui = _command_module("tui")
    tui.add_arguments(parser)
    return parser, tui


def chosen_command(top_level: argparse.ArgumentParser, argv: list[str]) -> str | None:
    """The one command ``argv`` runs (``"tui"`` when it names none), read past the
    ``top_level`` options before it; ``None`` when the whole parser is needed: a help request,
    an unknown command, an option ``top_level`` does not spell exactly (argparse would take
    an abbreviation; the whole parser decides then)."""
    takes_value = {
        option: action.nargs != 0 for option, action in top_level._option_string_actions.items()
    }
    at = 0
    while at < len(argv):
        token = argv[at]
        if token == "--" or token == "-" or not token.startswith("-"):
            break
        option, equals, _value = token.partition("=")
        if option in ("-h", "--help") or option not in takes_value:
            return None
        at += 1 if equals or not takes_value[option] else 2
    else:
        return "tui"
    name = argv[at]
    return name if name in COMMAND_MODULES and name != "tui" else None


def build_parser(
    argv: list[str] | None = None,
) -> tuple[argparse.ArgumentParser, dict[str, object]]:
    """The parser, with every command; given ``argv``, with only the one it runs when that is
    clear (:func:`chosen_command`), so that a command imports no other command's modules.
    ``--help`` and an unknown command get every command, with its help."""
    parser, tui = _top_level()
    only = chosen_command(parser, argv) if argv is not None else None
    commands: dict[str, object] = {"tui": tui}
    names = [only] if only is not None else list(COMMAND_MODULES)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in names:
        if name == "tui":
            continue  # its options are top-level
        module = _command_module(name)
        command_parser = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        _add_common(command_parser, top_level=False)
        module.add_arguments(command_parser)
        commands[module.NAME] = module
    return parser, commands


def plain_list(argv: list[str]):
    """The arguments of the usual ``list`` call, read without argparse (whose import and
    parsers are a sixth of a warm ``sessionscope list --json``), or ``None`` for anything else.

    The usual call: ``list`` with ``--json``, ``--project PATH`` after it and ``--config-dir
    DIR`` anywhere, each option spelt out (``--opt VALUE`` or ``--opt=VALUE``), the last one
    given winning, as argparse reads them. Anything else (help, an abbreviation, a value that
    starts with ``-``, another option or word) is left to argparse, which says what is wrong.
    """
    from types import SimpleNamespace

    values: dict[str, object] = {"config_dir": None, "json": False, "project": None}
    found = False
    at = 0
    while at < len(argv):
        token = argv[at]
        if token == "list" and not found:
            found = True
            at += 1
            continue
        option, equals, value = token.partition("=")
        if option == "--json" and found and not equals:
            values["json"] = True
            at += 1
            continue
        if option != "--config-dir" and not (option == "--project" and found):
            return None
        if equals:
            at += 1
        else:
            if at + 1 == len(argv) or argv[at + 1].startswith("-"):
                return None
            value = argv[at + 1]
            at += 2
        values[option[2:].replace("-", "_")] = value
    if not found:
        return None
    return SimpleNamespace(command="list", **values)


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    args = None if os.environ.get("SESSIONSCOPE_STORE") else plain_list(argv)
    if args is not None:
        args.store = None
        parser = None
        commands = {"list": _command_module("list")}
    else:
        parser, commands = build_parser(argv)
        args = parser.parse_args(argv)
        args.store = args.store or os.environ.get("SESSIONSCOPE_STORE") or None
    folder = os.path.expanduser(args.config_dir) if args.config_dir else _default_config_folder()
    if parser is None:
        from .transcripts.files import path_text

        args.config_dir = path_text(folder)  # the list command takes a string as well
    else:
        from pathlib import Path

        args.config_dir = Path(folder)
    name = args.command or "tui"
    module = commands.get(name)
    if module is None:
        assert parser is not None
        parser.print_help()
        return 2
    try:
        if args.store:
            from .commands._store import through_store

            return through_store(name, module, args)
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
