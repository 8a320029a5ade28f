"""``sessionscope serve [--host 127.0.0.1] [--port N] [--public]``: the TUI in a browser."""

from __future__ import annotations

import argparse
import sys

from sessionscope.commands._common import CommandError

NAME = "serve"
HELP = "serve the explorer to a web browser (textual-serve), on 127.0.0.1 unless --public"

DEFAULT_PORT = 8000

WARNING = (
    "sessionscope: WARNING: serving on {host}:{port}. Anyone who can reach it can read every "
    "transcript {where} and act as you (fork, resume, rename, delete). There is no password."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--public",
        action="store_true",
        help="allow an address other than loopback (anyone reaching it sees every transcript)",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use to reach this server, if not http://HOST:PORT",
    )
    parser.add_argument(
        "--demo", action="store_true", help="serve the bundled demo transcripts instead"
    )


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() in ("localhost", "localhost."):
        return True
    import ipaddress  # here, not with the module: every command's start would pay for it

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it could resolve to anything


def app_command(args: argparse.Namespace) -> str:
    """The command textual-serve starts for each browser tab: this sessionscope, same config
    (a store goes to it as ``SESSIONSCOPE_STORE``, see :func:`run`: never on a command line,
    where its password would show)."""
    import shlex

    argv = [sys.executable, "-m", "sessionscope", "--config-dir", str(args.config_dir)]
    if args.demo:
        argv.append("--demo")
    return shlex.join(argv)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise CommandError(f"not a port: {args.port}")
    if args.store and args.demo:
        raise CommandError("--demo serves the bundled transcripts: leave out --store")
    if not is_loopback(args.host):
        if not args.public:
            raise CommandError(
                f"{args.host} is not a loopback address: anyone who reaches it could read every "
                "transcript and act as you. Add --public to serve there anyway."
            )
        if args.store:
            from sessionscope.stores import display_url

            where = f"this role may read in {display_url(args.store)}"
        else:
            where = f"under {args.config_dir / 'projects'}"
        print(WARNING.format(host=args.host, port=args.port, where=where), file=sys.stderr)
    import os

    # Each tab's explorer opens the store, or not (textual-serve starts it with our
    # environment).
    if args.store:
        os.environ["SESSIONSCOPE_STORE"] = args.store
    else:
        os.environ.pop("SESSIONSCOPE_STORE", None)
    from textual_serve.server import Server

    host = args.host.strip("[]")
    public_url = args.public_url
    if public_url is None and ":" in host:
        public_url = f"http://[{host}]:{args.port}"
    server = Server(
        app_command(args),
        host=host,
        port=args.port,
        title="sessionscope",
        public_url=public_url,
    )
    try:
        server.serve()
    except OSError as error:
        raise CommandError(
            f"cannot serve on {args.host}:{args.port}: {error.strerror or error}"
        ) from None
    return 0
