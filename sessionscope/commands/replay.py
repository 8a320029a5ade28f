"""``sessionscope replay ID [--speed X] [--from UUID] [--max-gap S]``."""

from __future__ import annotations

import argparse
import math

from sessionscope.commands._common import (
    CommandError,
    add_project_option,
    need_terminal,
    session_path,
)

NAME = "replay"
HELP = "play a session back at its recorded pace (space pause, . , step, + - speed, q leave)"


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session_id", metavar="ID", help="the session to replay")
    parser.add_argument(
        "--speed", type=_positive, default=1.0, metavar="X", help="play X times faster (default 1)"
    )
    parser.add_argument(
        "--from",
        dest="from_uuid",
        metavar="UUID",
        help="start at this message (what came before shows at once)",
    )
    parser.add_argument(
        "--max-gap",
        type=_seconds,
        default=3.0,
        metavar="S",
        help="cut recorded pauses longer than S seconds to S (default 3)",
    )
    add_project_option(parser)


def run(args: argparse.Namespace) -> int:
    from sessionscope.index import Index
    from sessionscope.replay.steps import find_step, load_steps
    from sessionscope.transcripts.conversation import branch_showing
    from sessionscope.transcripts.meta import session_title
    from sessionscope.transcripts.reader import index_transcript
    from sessionscope.transcripts.sessions import read_session_meta

    path = session_path(args)
    from_uuid = args.from_uuid.strip() if args.from_uuid else None
    catalog = Index(args.config_dir)
    try:
        # What the index read of the file is read on from, not the whole file again.
        index = index_transcript(path, base=catalog.read_before(path))
        # A message on another rewind branch: that branch is played.
        branch = branch_showing(index, from_uuid) if from_uuid else None
        steps = load_steps(path, index=index, conversation=branch)
        meta = read_session_meta(path, count_messages=False)
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
    finally:
        catalog.close()
    if not steps:
        raise CommandError(f"session {args.session_id} has no messages to replay")
    start_at = 0
    if from_uuid:
        try:
            start_at = find_step(steps, from_uuid)
        except ValueError as error:
            raise CommandError(str(error)) from None
    title = session_title(meta) if meta else path.stem
    need_terminal("replay")

    from sessionscope.tui.replay_app import ReplayApp

    ReplayApp(steps, title=title, speed=args.speed, max_gap=args.max_gap, start_at=start_at).run()
    return 0
