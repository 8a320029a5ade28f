"""The TUI (``sessionscope [--session ID [--message UUID]] [--demo]``); its options are top-level."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

PERMISSION_MODES = ["default", "acceptEdits", "plan", "dontAsk", "auto", "bypassPermissions"]
"""The SDK's permission modes (``ClaudeAgentOptions.permission_mode``)."""

NAME = "tui"
HELP = "the full-screen explorer (the default command)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--session", metavar="ID", help="open with this session selected")
    parser.add_argument("--message", metavar="UUID", help="with --session: select this message")
    parser.add_argument(
        "--demo", action="store_true", help="explore the bundled demo transcripts (a private copy)"
    )
    parser.add_argument(
        "--permission-mode",
        choices=PERMISSION_MODES,
        help="permission mode for compose (default: ask in a dialog for each tool call)",
    )
    parser.add_argument("--model", help="model for compose (default: Claude Code's default)")
    parser.add_argument(
        "--images",
        choices=("auto", "kitty", "halfblock", "off"),  # transcripts.images.MODES
        help="draw pasted images: kitty (Kitty graphics protocol), halfblock (coloured cells), "
        "off (a label); auto: kitty in Kitty or Ghostty, else halfblock (default: "
        "$SESSIONSCOPE_IMAGES, then auto; off under NO_COLOR)",
    )


def run(args: argparse.Namespace) -> int:
    from sessionscope.commands._common import CommandError, need_terminal
    from sessionscope.tui.demo import has_transcripts, prepare_demo
    from sessionscope.tui.keys import load_keymap

    # The ids as the explorer compares them: a pasted id often brings a space along.
    args.session = args.session.strip() if args.session else None
    args.message = args.message.strip() if args.message else None
    if args.message and not args.session:
        raise CommandError("--message needs --session ID")
    from sessionscope.tui import images

    try:
        image_mode = images.resolve_mode(getattr(args, "images", None), os.environ)
    except ValueError as error:
        raise CommandError(str(error)) from error
    try:
        keymap = load_keymap()
    except ValueError as error:
        raise CommandError(str(error)) from error
    if getattr(args, "store", None):
        return _run_on_store(args, keymap, image_mode)
    config_dir = args.config_dir
    demo = bool(args.demo)
    notice = ""
    if not demo and not args.session and not has_transcripts(config_dir):
        demo = True
        notice = (
            f"No transcripts in {config_dir / 'projects'} yet: showing the bundled demo "
            "(a private copy; nothing is written to your config)."
        )
    if demo:
        try:
            config_dir = prepare_demo()
        except (OSError, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
    if args.session:
        from sessionscope.transcripts.files import (
            AmbiguousSession,
            SessionLookupError,
            find_session_file,
        )

        try:
            path = find_session_file(config_dir, args.session)
        except AmbiguousSession:
            path = None  # the explorer lists each copy, under its project
        except SessionLookupError as error:
            raise CommandError(str(error)) from error
        if args.message and path is not None and not _mentions(path, args.message):
            # Else the explorer opens the session and quietly selects something else.
            raise CommandError(f"no message {args.message!r} in session {args.session}")
    need_terminal()
    return _run_app(args, config_dir, config_dir, keymap, image_mode, demo=demo, notice=notice)


def _mentions(path: Path, message_uuid: str) -> bool:
    """Whether ``message_uuid`` (a UUID) is written in the transcript at ``path``: a byte
    search, quick even in a 100 MB file (the explorer reads it properly once it runs)."""
    import mmap
    import uuid

    from sessionscope.transcripts.files import open_regular

    try:
        uuid.UUID(message_uuid)
    except ValueError:
        return False
    try:
        with open(open_regular(path), "rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:
                return False
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as content:
                return content.find(message_uuid.encode()) >= 0
    except OSError:
        return True  # unreadable now: the explorer says so itself


def _run_on_store(args: argparse.Namespace, keymap: dict[str, str], image_mode: str) -> int:
    """The explorer over the store of ``--store``: its sessions mirrored into the cache as
    they are opened; compose mirrors every turn into the store. A store that cannot be
    reached is said on screen (the app still runs: help, quit)."""
    from sessionscope.commands._common import CommandError, need_terminal
    from sessionscope.stores.explorer import StoreExplorer

    if args.demo:
        raise CommandError("--demo shows the bundled transcripts: leave out --store")
    need_terminal()
    explorer = StoreExplorer(args.store)  # connects in its thread while the app is imported
    try:
        import sessionscope.tui.app  # noqa: F401 - imported while the store connects

        notice = explorer.connect()
        return _run_app(
            args,
            explorer.config_dir,
            args.config_dir,
            keymap,
            image_mode,
            notice=notice,
            store=explorer,
        )
    finally:
        explorer.close()


def _run_app(
    args: argparse.Namespace,
    transcripts_dir: Path,
    compose_dir: Path,
    keymap: dict[str, str],
    image_mode: str,
    **context,
) -> int:
    """Run the app on the transcripts in ``transcripts_dir``; compose runs Claude Code with
    ``compose_dir`` as its config dir. ``context``: the rest of :func:`make_app`'s options."""
    from sessionscope.agent.settings import ComposeSettings
    from sessionscope.tui import images
    from sessionscope.tui.app import make_app

    compose = ComposeSettings(
        config_dir=compose_dir,
        permission_mode=getattr(args, "permission_mode", None),
        model=getattr(args, "model", None),
    )
    images.prepare(image_mode)  # last before the app: the terminal is asked, then Textual's
    app = make_app(
        transcripts_dir,
        keymap=keymap,
        session_id=args.session,
        message_uuid=args.message,
        compose=compose,
        images=image_mode,
        **context,
    )
    app.run()
    return app.return_code or 0
