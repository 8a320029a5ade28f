"""``sessionscope rename ID TITLE [--json]``: give a session a title through the SDK."""

from __future__ import annotations

import argparse

NAME = "rename"
HELP = "give a session a title (the SDK's rename_session)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session_id", metavar="ID", help="the session to rename")
    parser.add_argument("title", metavar="TITLE", help="its new title (not empty)")
    from sessionscope.commands._common import add_project_option

    add_project_option(parser)
    parser.add_argument(
        "--json", action="store_true", help="print {session_id, custom_title} as one JSON line"
    )


def run(args: argparse.Namespace) -> int:
    from sessionscope.agent.manage import rename_session
    from sessionscope.commands._common import (
        check_config_dir,
        manage_errors,
        report,
        session_path,
    )

    check_config_dir(args.config_dir)
    session_path(args)  # which file, said as every command says it (manage finds it again)
    with manage_errors():
        rename_session(args.config_dir, args.session_id, args.title, args.project)
    title = args.title.strip()
    report(
        args,
        {"session_id": args.session_id.strip(), "custom_title": title},
        f"renamed {args.session_id.strip()} to {title!r}",
    )
    return 0
