"""``sessionscope show ID``: a session's conversation (``--all``: every line of its file)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..transcripts.text import inert, inert_bytes, json_line
from ._common import CommandError, add_project_option, check_config_dir, safe_stdout, session_path

if TYPE_CHECKING:
    from ..transcripts.model import Entry, TranscriptIndex

# The content model is imported where a message's text is printed: the command line's parser
# imports every command's module, and `list` or `search` should not pay for it.

NAME = "show"
HELP = "print a session's conversation (--json: one object a message; --all: every entry)"

RAW_PREVIEW = 400
"""Characters of a bad line shown by ``show --all`` (its length is always given)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session_id", metavar="ID", help="the session's UUID")
    parser.add_argument("--json", action="store_true", help="one JSON object a message")
    parser.add_argument(
        "--all",
        action="store_true",
        help="every entry of the file in file order, bad lines included (with line numbers)",
    )
    add_project_option(parser)


def _header(entry: Entry) -> str:
    parts = [f"line {entry.line_no}", entry.type or "(no type)"]
    if entry.subtype:
        parts[-1] += f"/{entry.subtype}"
    if entry.timestamp:
        parts.append(entry.timestamp)
    if entry.uuid:
        parts.append(entry.uuid)
    flags = [
        name
        for name, on in (
            ("sidechain", entry.is_sidechain),
            ("meta", entry.is_meta),
            ("compact summary", entry.is_compact_summary),
        )
        if on
    ]
    if flags:
        parts.append(", ".join(flags))
    return "── " + inert(" · ".join(parts), keep_newlines=False, keep_tabs=False)


def _bad_text(path: str, entry: Entry) -> str:
    from ..transcripts.reader import read_raw

    raw = read_raw(path, entry)
    preview = inert_bytes(raw[:RAW_PREVIEW], keep_newlines=False, keep_tabs=False)
    more = f" … ({entry.length} bytes)" if entry.length > RAW_PREVIEW else ""
    return f"── line {entry.line_no} · BAD LINE: {entry.error}\n{preview}{more}"


def _print_messages(out, index: TranscriptIndex, messages: list[Entry], as_json: bool) -> None:
    from ..export import json_lines
    from ..transcripts.content import plain_text
    from ..transcripts.reader import load_entries_in_batches

    if as_json:
        out.writelines(json_lines(index, messages))
        return
    for entry, data in load_entries_in_batches(index.path, messages):
        text = plain_text((data or {}).get("message"))
        out.write(_header(entry) + "\n" + inert(text) + "\n\n")


def _print_all(out, index: TranscriptIndex, as_json: bool) -> None:
    from ..transcripts.content import plain_text
    from ..transcripts.reader import load_entries_in_batches, read_raw

    for entry, data in load_entries_in_batches(index.path, index.entries):
        if entry.is_bad:
            if as_json:
                raw = read_raw(index.path, entry)
                record = {
                    "line": entry.line_no,
                    "offset": entry.offset,
                    "length": entry.length,
                    "error": entry.error,
                    "raw": raw.decode("utf-8", errors="backslashreplace"),
                }
                out.write(json_line(record) + "\n")
            else:
                out.write(_bad_text(index.path, entry) + "\n\n")
        elif as_json:
            out.write(
                json_line({"line": entry.line_no, "offset": entry.offset, "entry": data}) + "\n"
            )
        else:
            body = plain_text(data.get("message")) if data and "message" in data else None
            if body is None:
                body = json_line(data)
            out.write(_header(entry) + "\n" + inert(body) + "\n\n")
    if index.torn_tail:
        line_no = index.line_count + 1
        if as_json:
            record = {
                "line": line_no,
                "offset": index.size,
                "length": len(index.torn_tail),
                "torn_tail": True,
                "raw": index.torn_tail.decode("utf-8", errors="backslashreplace"),
            }
            out.write(json_line(record) + "\n")
        else:
            out.write(
                f"── line {line_no} · not yet written ({len(index.torn_tail)} bytes, no newline)\n"
            )


def run(args: argparse.Namespace) -> int:
    from ..transcripts.conversation import build_conversation
    from ..transcripts.reader import index_transcript

    projects = check_config_dir(args.config_dir)
    if not projects.exists():
        raise CommandError(f"no session {args.session_id.strip()}: {projects} does not exist")
    path = session_path(args)
    try:
        index = index_transcript(path)
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
    out = safe_stdout()
    if args.all:
        _print_all(out, index, args.json)
        out.flush()
        return 0
    conversation = build_conversation(index)
    _print_messages(out, index, conversation.messages, args.json)
    out.flush()
    notes = []
    if not conversation.messages:  # an empty file, or one without a conversation yet
        notes.append(
            f"no messages in {path.name}"
            + (f" ({len(index.entries)} other entries: see --all)" if index.entries else "")
        )
    if index.bad_lines:
        notes.append(f"{len(index.bad_lines)} unreadable line(s) skipped (see --all)")
    if conversation.other_leaves:
        notes.append(f"{len(conversation.other_leaves)} other branch(es) not shown")
    if notes and not args.json:
        print("sessionscope: " + "; ".join(notes), file=sys.stderr)
    return 0
