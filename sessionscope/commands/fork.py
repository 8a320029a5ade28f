"""``sessionscope fork ID [--at UUID] [--title T]``: fork a session through the SDK, print the new id."""

from __future__ import annotations

import argparse
import sys

NAME = "fork"
HELP = "fork a session (at an assistant message) through the SDK; prints the new session id"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session_id", metavar="ID", help="the session to fork")
    parser.add_argument(
        "--at",
        metavar="UUID",
        help="the assistant message the fork ends at (moved to the end of its API response "
        "or tool call when needed); default: the end of the conversation",
    )
    parser.add_argument("--title", metavar="T", help="title of the new session")
    from sessionscope.commands._common import add_project_option

    add_project_option(parser)


def _not_a_fork_point(index, path, uuid: str) -> str:
    """Why ``uuid``, on no branch's messages, cannot end a fork: what it is, or where it is."""
    from sessionscope.transcripts.reader import index_transcript
    from sessionscope.transcripts.subagents import list_subagents

    entry = next((entry for entry in index.entries if entry.uuid == uuid), None)
    if entry is not None and entry.is_sidechain:
        where = f"subagent {entry.agent_id}'s" if entry.agent_id else "a subagent's"
        return f"message {uuid} is in {where} transcript, not the main conversation"
    if entry is not None:
        kind = f"{entry.type}/{entry.subtype}" if entry.subtype else (entry.type or "untyped")
        return f"{uuid} is a {kind} entry"
    for subagent in list_subagents(path, index):
        if subagent.layout == "inline":
            continue  # its entries are the session file's, above
        try:
            entries = index_transcript(subagent.path).entries
        except OSError:
            continue
        if any(entry.uuid == uuid for entry in entries):
            return (
                f"message {uuid} is in subagent {subagent.agent_id}'s transcript, "
                "not the main conversation"
            )
    return f"message {uuid} is not in this session"


def fork_point_of(args: argparse.Namespace):
    """``(transcript path, ForkPoint)`` of ``args`` (the session in ``args.config_dir``), or
    a :class:`CommandError` saying why there is none."""
    from sessionscope.agent.fork import ForkPoint, ForkRefused, fork_point
    from sessionscope.commands._common import CommandError, session_path
    from sessionscope.transcripts.conversation import (
        all_messages,
        branch_showing,
        build_conversation,
    )
    from sessionscope.transcripts.reader import index_transcript

    if args.at is not None and not args.at.strip():
        # An unset variable in a script, not "the end of the conversation".
        raise CommandError("--at needs a message UUID (leave it out to fork the whole session)")
    if args.title is not None and not args.title.strip():
        raise CommandError("a title cannot be empty (leave out --title for the default)")
    path = session_path(args)
    try:
        index = index_transcript(path)
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from error
    at = args.at.strip() if args.at else None
    listing = f"(`sessionscope show {args.session_id.strip()} --all` lists each entry)"
    # A message on any rewind branch: the SDK's fork keeps the file up to it, whose last
    # message it then is.
    branch = branch_showing(index, at) if at else build_conversation(index)
    if branch is None:
        why = _not_a_fork_point(index, path, at)
        raise CommandError(f"{why}; a fork ends at an assistant message {listing}")
    messages = all_messages(index, branch)
    if not messages:
        raise CommandError(f"session {args.session_id} has no messages to fork")
    if at:
        position = next(i for i, m in enumerate(messages) if m.uuid == at)
    else:
        position = len(messages) - 1
        if messages[position].type == "user":
            # The whole conversation: a user message (a prompt, or tool results whose calls
            # precede them) is a safe place to stop.
            return path, ForkPoint(messages[position], messages[position])
    try:
        point = fork_point(messages, position)
    except ForkRefused as error:
        raise CommandError(f"cannot fork at {at}: {error} {listing}") from error
    return path, point


def run(args: argparse.Namespace) -> int:
    from sessionscope.agent.fork import fork
    from sessionscope.commands._common import CommandError

    path, point = fork_point_of(args)
    try:
        result = fork(path, args.session_id.strip(), point, title=args.title)
    except (ValueError, FileNotFoundError) as error:
        raise CommandError(f"fork failed: {error}") from error
    if point.reason:
        print(f"sessionscope: {point.reason}", file=sys.stderr)
    print(result.session_id)
    return 0
