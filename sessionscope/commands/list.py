"""``sessionscope list``: every session, newest first, as a table or one JSON object a line."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from ..catalog import Catalog
from ..catalog.sessions_json import JSON_FIELDS, session_json
from ._common import check_config_dir, safe_stdout

if TYPE_CHECKING:
    import argparse

    from ..transcripts.model import SessionMeta

__all__ = ["JSON_FIELDS", "as_json"]

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


as_json = session_json
"""One session as ``list --json`` prints it (without the newline)."""


def _when(milliseconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(milliseconds / 1000))


def _no_sessions(project: str | None, found: bool) -> None:
    if project and not found:
        from ..transcripts.text import inert

        print(f"sessionscope: no sessions for project {inert(project)}", file=sys.stderr)


def _write_utf8(out, data: bytes) -> None:
    """UTF-8 text as it is when the output is UTF-8 (no decoding and encoding again)."""
    import codecs

    buffer = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None)
    if buffer is not None and encoding and codecs.lookup(encoding).name == "utf-8":
        out.flush()
        buffer.write(data)
        buffer.flush()
    else:
        out.write(data.decode())
        out.flush()


def _row(meta: SessionMeta, width: int) -> str:
    from ..transcripts.text import inert

    title = meta.summary
    if meta.forked_from:
        title = f"{title} (fork of {meta.forked_from[:8]})"
    if meta.tag:
        title = f"[{meta.tag}] {title}"
    head = f"{_when(meta.last_modified)}  {meta.message_count:>5}  {meta.session_id}  "
    text = inert(title, keep_newlines=False, keep_tabs=False)
    room = max(width - len(head), 10)
    if len(text) > room:
        text = text[: room - 1] + "…"
    return head + text


def run(args: argparse.Namespace) -> int:
    check_config_dir(args.config_dir)
    # Through the metadata cache: exactly transcripts.sessions.list_sessions's answer, reading
    # only the files that changed since the last run (tests/catalog compares the two).
    catalog = Catalog(args.config_dir)
    if args.json:
        # The lines as stored with the listing, when no file changed since it was made.
        lines = catalog.json_lines(args.project)
        _no_sessions(args.project, bool(lines))
        _write_utf8(safe_stdout(), lines)
        return 0
    sessions = catalog.list_sessions(args.project)
    _no_sessions(args.project, bool(sessions))
    out = safe_stdout()
    import shutil

    width = shutil.get_terminal_size((120, 24)).columns
    out.write(f"{'MODIFIED':<16}  {'MSGS':>5}  {'SESSION':<36}  SUMMARY\n")
    for meta in sessions:
        out.write(_row(meta, width) + "\n")
    out.flush()
    return 0
