"""``sessionscope list``: every session, newest first, as a table or one JSON object a line."""

from __future__ import annotations

import argparse
import sys
import time

from ..transcripts.meta import SessionMeta, session_title
from ..transcripts.text import inert
from ._common import check_config_dir, safe_stdout

NAME = "list"
HELP = "list sessions, newest first (--json: one JSON object a line)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object a line")
    parser.add_argument(
        "--project",
        metavar="PATH",
        help="only this working directory's sessions (and its git worktrees'), "
        "or a folder name under projects/",
    )


def _when(milliseconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(milliseconds / 1000))


def _row(meta: SessionMeta, width: int) -> str:
    from rich.cells import cell_len, set_cell_size  # only for the table, as shutil

    title = session_title(meta)
    if meta.forked_from:
        title = f"{title} (fork of {meta.forked_from[:8]})"
    if meta.tag:
        title = f"[{meta.tag}] {title}"
    count = "-" if meta.message_count is None else meta.message_count
    # A store's session id is any key an SDK app wrote: text, made visible as a title is.
    session_id = inert(meta.session_id, keep_newlines=False, keep_tabs=False)
    head = f"{_when(meta.last_modified)}  {count:>5}  {session_id}  "
    text = inert(title, keep_newlines=False, keep_tabs=False)
    room = max(width - cell_len(head), 10)
    if cell_len(text) > room:  # by the columns it takes: a CJK character takes two
        text = set_cell_size(text, room - 1) + "…"
    return head + text


def run(args: argparse.Namespace) -> int:
    # Imported here: the parser imports every command, and the other commands (a search of a
    # store among them) need no index.
    from ..index import Index

    check_config_dir(args.config_dir)
    # The SDK's fields read now; the counts the index has for these very files (run
    # `sessionscope index`, or the explorer, to count the others).
    index = Index(args.config_dir)
    out = safe_stdout()
    if args.json:
        listed = index.listing(args.project)
        out.flush()
        out.buffer.write(listed)  # UTF-8, as JSON is
    else:
        listed = index.list_sessions(args.project, count_messages=False)
        write_table(out, listed)
    if args.project and not listed:
        print(f"sessionscope: no sessions for project {inert(args.project)}", file=sys.stderr)
    out.flush()
    return 0


def write_table(out, sessions: list[SessionMeta]) -> None:
    """The sessions as a table the width of the terminal, one row a session."""
    import shutil  # only for the table (with bz2 and lzma: a few milliseconds of --json)

    width = shutil.get_terminal_size((120, 24)).columns
    out.write(f"{'MODIFIED':<16}  {'MSGS':>5}  {'SESSION':<36}  SUMMARY\n")
    for meta in sessions:
        out.write(_row(meta, width) + "\n")
