"""``sessionscope tag ID TAG [--json]``: tag a session through the SDK; an empty TAG clears it."""

from __future__ import annotations

import argparse

NAME = "tag"
HELP = "tag a session (the SDK's tag_session); an empty TAG ('') clears its tag"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session_id", metavar="ID", help="the session to tag")
    parser.add_argument("tag", metavar="TAG", help="the tag; '' clears it")
    from sessionscope.commands._common import add_project_option

    add_project_option(parser)
    parser.add_argument(
        "--json", action="store_true", help="print {session_id, tag} as one JSON line"
    )


def run(args: argparse.Namespace) -> int:
    from sessionscope.agent.manage import tag_session
    from sessionscope.commands._common import (
        check_config_dir,
        manage_errors,
        report,
        session_path,
    )

    check_config_dir(args.config_dir)
    session_path(args)  # which file, said as every command says it (manage finds it again)
    tag = args.tag.strip() or None
    with manage_errors():
        tag_session(args.config_dir, args.session_id, tag, args.project)
    session_id = args.session_id.strip()
    report(
        args,
        {"session_id": session_id, "tag": tag},
        f"tagged {session_id} {tag!r}" if tag else f"cleared the tag of {session_id}",
    )
    return 0
