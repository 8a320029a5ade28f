"""``sessionscope search QUERY``: the messages of every transcript that match, best first."""

from __future__ import annotations

import argparse
import sys

from ..transcripts.text import inert, json_line
from ._common import CommandError, check_config_dir, safe_stdout

NAME = "search"
HELP = "search every message of every transcript (--json: one JSON object a line)"


MAX_LIMIT = 2**31 - 1
"""``--limit`` above this is this: every hit there is."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query",
        nargs="+",
        metavar="QUERY",
        help='words, "phrases", prefix*, and filters: project: branch: tag: after: before: '
        "role: tool: session:",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object a line")
    parser.add_argument(
        "--limit", type=int, default=20, metavar="N", help="at most N hits (default 20)"
    )


def parsed_query(args: argparse.Namespace):
    """The query and limit of ``args``, or a :class:`CommandError` saying what is wrong."""
    from ..index.query import QueryError, parse_query

    if args.limit < 1:
        raise CommandError("--limit wants a number of hits, 1 or more", status=2)
    # More than any index holds, and within what SQLite and PostgreSQL take as a LIMIT.
    args.limit = min(args.limit, MAX_LIMIT)
    try:
        return parse_query(" ".join(args.query))
    except QueryError as error:
        raise CommandError(f"bad query: {error}", status=2) from None


def run(args: argparse.Namespace) -> int:
    from ..index import Index, IndexUnusable

    query = parsed_query(args)
    check_config_dir(args.config_dir)
    index = Index(args.config_dir)
    try:
        hits = index.search(query, args.limit)
    except IndexUnusable as error:
        raise CommandError(f"cannot search: {error}") from None
    if index.db.problem:  # e.g. another process held the index: it may lag behind
        print(f"sessionscope: {index.db.problem}", file=sys.stderr)
    return write_hits(hits, json=args.json)


def write_hits(hits, *, json: bool) -> int:
    """The hits on stdout: one JSON object a line, or two lines of text each."""
    out = safe_stdout()
    if json:
        for hit in hits:
            out.write(json_line(hit.as_json()) + "\n")
    else:
        for hit in hits:
            when = (hit.timestamp or "")[:16].replace("T", " ")
            where = hit.session_id + (f" agent {hit.agent_id}" if hit.agent_id else "")
            # Each from a transcript (or a store's key): made visible as the snippet is.
            line = f"{when:<16}  {hit.role:<9}  {where}  {hit.uuid or ''}"
            out.write(inert(line, keep_newlines=False, keep_tabs=False) + "\n")
            out.write(f"    {hit.snippet}\n")
        if not hits:
            print("no messages match", file=sys.stderr)
    out.flush()
    return 0
