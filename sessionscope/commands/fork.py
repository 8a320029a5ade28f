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


def fork_point_of(args: argparse.Namespace):
    """``(transcript path, ForkPoint)`` of ``args`` (the session in ``args.config_dir``), or
    a :class:`CommandError` saying why there is none."""
    from sessionscope.agent.fork import ForkPoint, ForkRefused, fork_point
    from sessionscope.commands._common import CommandError
    from sessionscope.transcripts.conversation import all_messages, build_conversation
    from sessionscope.transcripts.files import SessionLookupError, find_session_file
    from sessionscope.transcripts.reader import index_transcript

    if args.at is not None and not args.at.strip():
        # An unset variable in a script, not "the end of the conversation".
        raise CommandError("--at needs a message UUID (leave it out to fork the whole session)")
    if args.title is not None and not args.title.strip():
        raise CommandError("a title cannot be empty (leave out --title for the default)")
    try:
        path = find_session_file(args.config_dir, args.session_id)
    except SessionLookupError as error:
        raise CommandError(str(error)) from error
    try:
        index = index_transcript(path)
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from error
    messages = all_messages(index, build_conversation(index))
    if not messages:
        raise CommandError(f"session {args.session_id} has no messages to fork")
    if args.at:
        position = next((i for i, m in enumerate(messages) if m.uuid == args.at), -1)
        if position < 0:
            where = (
                "is not on the conversation's chain"
                if any(entry.uuid == args.at for entry in index.entries)
                else "is not in this session"
            )
            raise CommandError(f"message {args.at} {where}")
    else:
        position = len(messages) - 1
    try:
        if not args.at and messages[position].type == "user":
            # The whole conversation: a user message (a prompt, or tool results whose calls
            # precede them) is a safe place to stop.
            point = ForkPoint(messages[position], messages[position])
        else:
            point = fork_point(messages, position)
    except ForkRefused as error:
        raise CommandError(f"cannot fork at {messages[position].uuid}: {error}") from error
    return path, point


def run(args: argparse.Namespace) -> int:
    from sessionscope.agent.fork import fork
    from sessionscope.commands._common import CommandError

    path, point = fork_point_of(args)
    try:
        result = fork(args.config_dir, path, args.session_id, point, title=args.title)
    except (ValueError, FileNotFoundError) as error:
        raise CommandError(f"fork failed: {error}") from error
    if point.reason:
        print(f"sessionscope: {point.reason}", file=sys.stderr)
    print(result.session_id)
    return 0
