"""``sessionscope store init URL`` and ``store share``: the team store's schema and access."""

from __future__ import annotations

import argparse

NAME = "store"
HELP = "the team store: init URL (create its tables), share / unshare ROLE, shares"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="create the store's tables (and access rules)")
    init.add_argument("url", metavar="URL", nargs="?", help="the store (default: --store)")
    share = actions.add_parser("share", help="let another PostgreSQL role read your sessions")
    unshare = actions.add_parser("unshare", help="take back a share")
    for action in (share, unshare):
        action.add_argument("role", metavar="ROLE", help="the PostgreSQL role (a person)")
        action.add_argument(
            "--project",
            metavar="KEY",
            help="one project: its folder name under projects/ (--project=-home-me-src-app) "
            "or its working directory (--project=/home/me/src/app); default: all of them",
        )
    shares = actions.add_parser("shares", help="what you shared and what is shared with you")
    from ._common import add_common_options

    for action in (init, share, unshare, shares):
        add_common_options(action, top_level=False)  # --store after the action too


def run(args: argparse.Namespace) -> int:
    from ..stores.access import list_shares, share, unshare
    from ..transcripts.text import inert
    from ._store import project_key_of, run_with_store

    # A working directory, as list takes it; '' for every project.
    args.project = project_key_of(args.project) if getattr(args, "project", None) else ""

    if args.action == "init":
        if args.url:
            args.store = args.url

        async def work(store):
            await store.list_sessions("")  # connecting creates the tables when missing
            # Messages stored before search (or by an older sessionscope) get their words.
            return store.display_url, await store.fill_missing_words()

        url, filled = run_with_store(args, work)
        print(f"store ready: {url}")
        if filled:
            print(f"made searchable: {filled} message(s) stored before search")
        return 0
    if args.action == "share":
        run_with_store(args, lambda store: share(store, args.role, args.project))
        what = f"project {args.project}" if args.project else "every project"
        print(f"{args.role} may now read your sessions of {inert(what)}")
        return 0
    if args.action == "unshare":
        removed = run_with_store(args, lambda store: unshare(store, args.role, args.project))
        print(f"removed {removed} share(s)")
        return 0
    for owner, grantee, project in run_with_store(args, list_shares):
        what = project or "(all projects)"
        print(inert(f"{owner} -> {grantee}  {what}", keep_newlines=False, keep_tabs=False))
    return 0
