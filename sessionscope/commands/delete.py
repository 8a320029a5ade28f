"""``sessionscope delete ID [--yes] [--json]``: delete a session through the SDK.

On a terminal it asks first, naming the session; with stdin not a terminal (a script) it
refuses unless ``--yes`` says the caller means it. The delete is final: the undo the explorer
offers (``u``) lasts only while the explorer runs.
"""

from __future__ import annotations

import argparse
import sys

NAME = "delete"
HELP = "delete a session and its subagent transcripts (the SDK's delete_session)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session_id", metavar="ID", help="the session to delete")
    parser.add_argument(
        "-y", "--yes", action="store_true", help="do not ask (needed when stdin is not a terminal)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print {session_id, deleted, path} as one JSON line"
    )
    from sessionscope.commands._common import add_project_option

    add_project_option(parser)


def _describe(path) -> str:
    """``'fix the parser' (12 messages)`` for the question, or the id when unreadable."""
    from sessionscope.transcripts.meta import session_title
    from sessionscope.transcripts.sessions import read_session_meta

    meta = read_session_meta(path)
    if meta is None:
        return path.name.removesuffix(".jsonl")
    return f"{session_title(meta)!r} ({meta.session_id}, {meta.message_count} messages)"


def run(args: argparse.Namespace) -> int:
    from sessionscope.agent.manage import delete_session
    from sessionscope.commands._common import (
        CommandError,
        check_config_dir,
        manage_errors,
        report,
        session_path,
    )

    check_config_dir(args.config_dir)
    session_id = args.session_id.strip()
    path = session_path(args)
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError(
                f"not deleting {session_id}: stdin is not a terminal to ask on; pass --yes"
            )
        print(f"Delete {_describe(path)}? This cannot be undone. [y/N] ", end="", file=sys.stderr)
        sys.stderr.flush()
        answer = sys.stdin.readline().strip().lower()
        if answer not in ("y", "yes"):
            print("kept it", file=sys.stderr)
            return 1
    with manage_errors():
        deleted = delete_session(args.config_dir, session_id, args.project)
    report(
        args,
        {"session_id": session_id, "deleted": True, "path": str(deleted)},
        f"deleted {session_id} ({deleted})",
    )
    return 0
