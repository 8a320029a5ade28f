"""What the commands share: their error, their common options, checking the config folder,
safe output."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path


class CommandError(Exception):
    """A user-facing failure: printed as one line on stderr, exit status 1 (or ``status``)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def add_common_options(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    """``--config-dir`` and ``--store``, which every command accepts before or after its name."""
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
        help="a PostgreSQL session store instead of local files (default: $SESSIONSCOPE_STORE; "
        "'' for local files)",
    )


def add_project_option(parser: argparse.ArgumentParser, also: str = "") -> None:
    """``--project PATH``: which copy of a session in several project folders is meant
    (``also``: what else it does for this command, said first in its help)."""
    parser.add_argument(
        "--project",
        metavar="PATH",
        help=f"{also}the project holding the session, when it is in several (a copied "
        "project): its working directory, or its folder name under projects/",
    )


def session_path(args: argparse.Namespace, session_id: str | None = None) -> Path:
    """The transcript of ``session_id`` (default ``args.session_id``), in ``args.project``
    when given, or a :class:`CommandError` saying why there is none, or which projects hold it."""
    from ..transcripts.files import AmbiguousSession, SessionLookupError, find_session_file

    wanted = args.session_id if session_id is None else session_id
    try:
        return find_session_file(args.config_dir, wanted, getattr(args, "project", None))
    except AmbiguousSession as error:
        raise CommandError(f"{error}; choose with --project=NAME") from None
    except SessionLookupError as error:
        raise CommandError(str(error)) from None


def check_config_dir(config_dir: str | os.PathLike[str]) -> Path:
    """``config_dir/projects``, or a :class:`CommandError` saying what is wrong with it."""
    if not os.path.exists(config_dir):
        raise CommandError(
            f"no Claude config folder at {config_dir} (use --config-dir or set CLAUDE_CONFIG_DIR)"
        )
    if not os.path.isdir(config_dir):
        raise CommandError(f"{config_dir} is not a folder (expected a Claude config folder)")
    projects = Path(config_dir) / "projects"
    if not os.path.exists(projects):
        return projects
    if not os.path.isdir(projects):
        raise CommandError(f"{projects} is not a folder")
    try:
        os.listdir(projects)
    except OSError as error:
        raise CommandError(f"cannot read {projects}: {error.strerror or error}") from None
    return projects


def need_terminal(what: str = "the explorer") -> None:
    """A :class:`CommandError` (status 2) unless stdin and stdout are a terminal: a full-screen
    app started by a script, cron or ``ssh host cmd`` would wait for keys that never come.
    Under textual-serve (``TEXTUAL_DRIVER`` set) the app has its own driver and no terminal."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CommandError(
            f"{what} needs a terminal; for scripts use list/show/search/export", status=2
        )


def safe_stdout():
    """stdout that never fails on a character the terminal's encoding lacks."""
    stream = sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="backslashreplace")
    return stream


def stdout_reader_gone() -> None:
    """stdout's reader left (``sessionscope list | head``): what is still written there goes
    nowhere, and Python's last flush of it at exit fails no more. stderr stays as it is."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


@contextlib.contextmanager
def manage_errors():
    """A rename/tag/delete failure (:class:`SessionActionError`) as a :class:`CommandError`."""
    from ..agent.manage import SessionActionError

    try:
        yield
    except SessionActionError as error:
        raise CommandError(str(error)) from None


def report(args, record: dict, line: str) -> None:
    """What a command did: ``record`` as one JSON line with ``--json``, else ``line``."""
    from ..transcripts.text import inert

    stdout = safe_stdout()
    if getattr(args, "json", False):
        import orjson

        stdout.write(orjson.dumps(record).decode() + "\n")
    else:
        stdout.write(inert(line, keep_newlines=False) + "\n")
    stdout.flush()
