"""``sessionscope push [ID...] [--all] [--hook] --store URL``: local sessions into the store."""

from __future__ import annotations

import argparse
import sys

NAME = "push"
HELP = "copy local sessions (with their subagents) into the --store; only what is new"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session_ids", metavar="ID", nargs="*", help="sessions to push")
    parser.add_argument("--all", action="store_true", help="every local session")
    parser.add_argument(
        "--hook",
        action="store_true",
        help="read a Claude Code hook's JSON on stdin (Stop, SessionEnd) and push its session",
    )
    from ._common import add_project_option

    add_project_option(parser, also="with --all, only this project's sessions; ")


class _Bar:
    """A progress bar on stderr when it is a terminal (nothing otherwise)."""

    def __init__(self) -> None:
        self.on = sys.stderr.isatty()
        self.total = 0
        self.done = 0

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, read: int) -> None:
        self.done += read
        if not self.on or not self.total:
            return
        share = min(1.0, self.done / self.total)
        filled = int(share * 30)
        megabytes = f"{self.done / 1e6:.1f}/{self.total / 1e6:.1f} MB"
        sys.stderr.write(f"\rpushing [{'#' * filled}{'.' * (30 - filled)}] {megabytes}")
        sys.stderr.flush()

    def end(self, finished: bool) -> None:
        """The last line of the bar: full when the push finished (a last line still being
        written, which waits for the next push, is not left showing as work to do)."""
        if self.on and self.done:
            if finished:
                self.advance(self.total - self.done)
            sys.stderr.write("\n")


def _hook_session(config_dir):
    """The session a hook's JSON on stdin names (its transcript_path)."""
    import json
    import os
    from pathlib import Path

    from ..stores.push import session_files_at
    from ..transcripts.files import projects_dir, validate_session_id
    from ._common import CommandError

    if sys.stdin.isatty():
        # Read to its end, a terminal would wait for ctrl+d with no word of why.
        raise CommandError(
            "--hook reads the JSON Claude Code gives a hook on stdin; by hand, name the "
            "sessions to push (push ID... or --all)"
        )
    try:
        payload = json.loads(sys.stdin.read() or "null")
    except ValueError as error:
        raise CommandError(f"--hook: stdin is not JSON ({error})") from None
    if not isinstance(payload, dict):
        raise CommandError("--hook: stdin is not a hook's JSON object")
    session_id = payload.get("session_id")
    transcript = payload.get("transcript_path")
    if not isinstance(session_id, str) or not validate_session_id(session_id):
        raise CommandError("--hook: no session_id in the hook's JSON")
    if not (isinstance(transcript, str) and transcript):
        from ..transcripts.files import SessionLookupError, find_session_file

        try:
            return [session_files_at(find_session_file(config_dir, session_id))]
        except SessionLookupError as error:
            raise CommandError(f"--hook: {error}") from None
    # Only the session's own file in a project folder: the JSON is input like any other, and
    # pushing copies a file into a shared store.
    projects = projects_dir(config_dir)
    path = Path(transcript).expanduser()
    real = Path(os.path.realpath(path))
    if real.name != f"{session_id}.jsonl" or real.parent.parent != Path(os.path.realpath(projects)):
        raise CommandError(
            f"--hook: {transcript} is not session {session_id}'s transcript under {projects}; "
            "not pushed"
        )
    if not path.is_file():
        raise CommandError(f"--hook: no transcript at {path}")
    return [session_files_at(path)]


def _sessions(args):
    from ..stores.push import local_sessions, session_files_at
    from ._common import CommandError, session_path

    if args.hook:
        return _hook_session(args.config_dir)
    if args.all:
        if args.session_ids:
            raise CommandError("give session ids or --all, not both")
        sessions = local_sessions(args.config_dir, args.project)
        if args.project and not sessions:
            raise CommandError(f"no sessions for project {args.project}")
        return sessions
    if not args.session_ids:
        raise CommandError("nothing to push: give session ids, --all or --hook")
    return [session_files_at(session_path(args, session_id)) for session_id in args.session_ids]


def run(args: argparse.Namespace) -> int:
    from ..stores.push import push_sessions
    from ..transcripts.text import inert
    from ._common import CommandError, stdout_reader_gone
    from ._store import run_with_store

    try:
        sessions = _sessions(args)
        bar = _Bar()

        async def work(store):
            return await push_sessions(store, sessions, on_start=bar.start, progress=bar.advance)

        finished = False
        try:
            result = run_with_store(args, work)
            finished = True
        finally:
            bar.end(finished)
    except CommandError as error:
        if args.hook and error.status == 2:
            # A Stop hook's exit status 2 would keep Claude going: a failed push is status 1.
            error.status = 1
        raise
    try:
        for session_id, added in result.added_by_session.items():
            if added:
                print(f"{session_id}  +{added} entries")
        sys.stdout.flush()
    except BrokenPipeError:  # `push --all | head`: what went wrong is still said, below
        stdout_reader_gone()
    for line in [*map(str, result.skipped), *result.problems]:
        print(f"sessionscope: {inert(line, keep_newlines=False, keep_tabs=False)}", file=sys.stderr)
    print(
        f"pushed {result.sessions} session(s): {result.entries_added} new entries, "
        f"{result.bytes_read / 1e6:.1f} MB read"
        + (f", {len(result.skipped)} line(s) skipped" if result.skipped else ""),
        file=sys.stderr,
    )
    return 1 if result.problems else 0
