"""``sessionscope export ID --format md|html|json [-o FILE] [--force] [--redact]``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from sessionscope.commands._common import CommandError, add_project_option, session_path

NAME = "export"
HELP = "write a session's conversation as Markdown, HTML or JSON lines (stdout unless -o)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session_id", metavar="ID", help="the session to export")
    parser.add_argument(
        "--format",
        choices=("md", "html", "json"),
        required=True,
        help="md: Markdown; html: one self-contained page; json: what show --json prints",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write here instead of stdout (-: stdout)"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (it is kept otherwise)"
    )
    parser.add_argument(
        "--images",
        choices=("auto", "kitty", "halfblock", "off"),  # transcripts.images.MODES
        help="html: images as pictures in the page unless off (default: $SESSIONSCOPE_IMAGES); "
        "a redacted export shows their labels only (a screenshot can hold what --redact "
        "cannot see)",
    )
    parser.add_argument(
        "--redact",
        action="store_true",
        help="mask secrets (API keys, tokens, private keys, passwords) as [redacted: KIND]; "
        "says on stderr how many of each",
    )
    add_project_option(parser)


def run(args: argparse.Namespace) -> int:
    from sessionscope import export

    path = session_path(args)
    if args.output == "-":
        args.output = None  # standard output, as without -o
    if args.output:
        target = Path(args.output).expanduser()
        # Said before reading a possibly large transcript.
        if target.is_dir():
            raise CommandError(f"{target} is a folder; give a file name")
        if target.exists() and not args.force and not export.is_device_or_pipe(target):
            raise CommandError(f"{target} exists; use --force to replace it")
    from sessionscope.transcripts.images import chosen_mode

    try:
        images = chosen_mode(args.images, os.environ) != "off"
    except ValueError as error:
        raise CommandError(str(error)) from None
    redactor = None
    if args.redact:
        from sessionscope.redaction import Redactor

        redactor = Redactor()
    # Written as it is made, a message at a time: a 100 MB session's export is never held
    # whole (its text was, three times over).
    try:
        with redactor if redactor is not None else contextlib.nullcontext():
            pieces = export.pieces(path, args.format, redactor, images=images)
            if args.output:
                export.write_atomically(pieces, target, force=args.force)
            else:
                # The document in UTF-8, as a file gets it (its HTML says so), whatever the
                # locale.
                sys.stdout.flush()
                for piece in pieces:
                    sys.stdout.buffer.write(piece.encode("utf-8", errors="surrogatepass"))
                sys.stdout.flush()
    except export.ExportError as error:
        raise CommandError(str(error)) from None
    if redactor is not None:
        print(f"sessionscope: {redactor.summary()}", file=sys.stderr)
    if args.output:
        print(f"wrote {target}", file=sys.stderr)
    return 0
