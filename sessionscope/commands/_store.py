"""What the commands share for ``--store``: opening the store, its errors as one line."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from ._common import CommandError

UNREACHABLE_STATUS = 2
"""Exit status when the store cannot be reached or refuses us."""


def store_url(args) -> str:
    """The store URL of ``--store`` or ``SESSIONSCOPE_STORE``, or a :class:`CommandError`."""
    url = getattr(args, "store", None)
    if not url:
        raise CommandError(
            "no store: pass --store URL or set SESSIONSCOPE_STORE", UNREACHABLE_STATUS
        )
    return url


def run_with_store(args, work: Callable[..., Awaitable], *, table: str | None = None):
    """``work(store)`` on the store of ``args`` in one event loop; the store's failures
    become one line (exit 2 when it cannot be reached or refuses the credentials)."""
    from ..stores import PostgresSessionStore, StoreError, StoreUnavailable

    kwargs = {"table": table} if table else {}
    store = PostgresSessionStore(store_url(args), **kwargs)

    async def main():
        try:
            return await work(store)
        finally:
            await store.close()

    try:
        return asyncio.run(main())
    except StoreUnavailable as error:
        raise CommandError(str(error), UNREACHABLE_STATUS) from None
    except StoreError as error:
        raise CommandError(str(error)) from None


STORE_COMMANDS = (
    "list",
    "show",
    "search",
    "fork",
    "export",
    "replay",
    "rename",
    "tag",
    "delete",
    "push",
    "store",
    "stats",
    "serve",
)
"""Commands that work on a store (``--store`` or ``SESSIONSCOPE_STORE``)."""


def through_store(name: str, module, args) -> int:
    """Run command ``name`` on the store of ``args`` with the same views as local files: the
    list from the store's rows, a session mirrored into the cache for the rest."""
    if name in ("push", "store", "tui", "serve"):
        return int(module.run(args) or 0)
    if name not in STORE_COMMANDS:
        # `index` alone: it builds the local search index, and a store is searched in its
        # server, always current.
        how = "unset SESSIONSCOPE_STORE" if getattr(args, "store_from_env", False) else None
        raise CommandError(
            f"{name} works on local transcripts (a store is searched in its server, always "
            f"current): {how or 'leave out --store'}"
        )
    if getattr(args, "project", None) and name != "list":
        # A store's session is read from its newest copy (stores.mirror), whatever folder
        # it was pushed from.
        raise CommandError(
            "--project chooses among local project folders: leave it out with --store"
        )
    if name == "list":
        return _list(args)
    if name == "search":
        return _search(module, args)
    if name == "stats":
        return _stats(module, args)
    if name == "fork":
        return _fork(module, args)
    if name in ("rename", "tag", "delete"):
        return _change(name, args)
    mirrored = _mirror(args)
    args.config_dir = mirrored.config_dir
    return int(module.run(args) or 0)


def _mirror(args):
    from ..stores.mirror import SessionNotInStore, mirror_session
    from ..transcripts.files import validate_session_id

    session_id = args.session_id.strip()
    if not validate_session_id(session_id):
        raise CommandError(
            f"not a session id: {session_id!r} (expected a UUID like "
            "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9)"
        )

    async def work(store):
        try:
            return await mirror_session(store, session_id)
        except SessionNotInStore as error:
            raise CommandError(str(error)) from None

    return run_with_store(args, work)


def project_key_of(project: str) -> str:
    """``--project`` as a store's project key: a folder name as it is, a path slugged as the
    CLI slugs it (without resolving it: the path is the one of the machine that wrote it)."""
    from ..transcripts.files import sanitize_path

    return sanitize_path(project) if "/" in project else project


def _list(args) -> int:
    from ..stores.mirror import list_json_lines, list_sessions
    from ..transcripts.meta import as_json
    from ..transcripts.text import inert
    from ._common import safe_stdout
    from .list import write_table

    project = project_key_of(args.project) if args.project else None
    out = safe_stdout()
    if args.json:
        lines = run_with_store(args, lambda store: list_json_lines(store, project, as_json))
        if args.project and not lines:
            print(f"sessionscope: no sessions for project {inert(args.project)}", file=_stderr())
        out.write(lines)
        out.flush()
        return 0
    sessions = run_with_store(args, lambda store: list_sessions(store, project))
    if args.project and not sessions:
        print(f"sessionscope: no sessions for project {inert(args.project)}", file=_stderr())
    write_table(out, sessions)
    out.flush()
    return 0


def _search(module, args) -> int:
    """The query (the one parser) as PostgreSQL full-text search in the store: what this role
    may read, written out as the local search writes its hits."""
    from ..stores.search import search

    query = module.parsed_query(args)
    hits = run_with_store(args, lambda store: search(store, query, args.limit))
    return module.write_hits(hits, json=args.json)


def _stats(module, args) -> int:
    """Tokens and cost of every transcript this role may read in the store, counted as
    local files are (``stores.usage``), reported as locally."""
    from ..stores.usage import store_usage

    return module.report(args, run_with_store(args, store_usage))


def _stderr():
    import sys

    return sys.stderr


def _fork(module, args) -> int:
    """The fork point chosen on the mirrored session as locally; the fork itself made by the
    SDK's ``fork_session_via_store`` in the session's project (the source is never changed)."""
    mirrored = _mirror(args)
    args.config_dir = mirrored.config_dir
    _path, point = module.fork_point_of(args)

    async def work(store):
        from claude_agent_sdk import fork_session_via_store

        try:
            return await fork_session_via_store(
                store.for_project(mirrored.project_key),
                args.session_id.strip(),
                up_to_message_id=point.end.uuid,
                title=args.title,
            )
        except (ValueError, FileNotFoundError) as error:
            raise CommandError(f"fork failed: {error}") from None

    result = run_with_store(args, work)
    if point.reason:
        print(f"sessionscope: {point.reason}", file=_stderr())
    print(result.session_id)
    return 0


def _change(name: str, args) -> int:
    """rename, tag or delete a session of one's own in the store, through the SDK's
    ``*_via_store`` functions (a session shared with you is only read: refused)."""
    import sys

    from ..stores.access import own_project_key
    from ..transcripts.files import validate_session_id
    from ._common import report

    session_id = args.session_id.strip()
    if not validate_session_id(session_id):
        raise CommandError(f"not a session id: {session_id!r}")
    if name == "delete" and not args.yes:
        if not sys.stdin.isatty():
            raise CommandError(
                f"not deleting {session_id}: stdin is not a terminal to ask on; pass --yes"
            )
        print(
            f"Delete {session_id} from the store? This cannot be undone. [y/N] ",
            end="",
            file=sys.stderr,
        )
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print("kept it", file=sys.stderr)
            return 1

    async def work(store):
        import claude_agent_sdk as sdk

        try:
            scoped = store.for_project(await own_project_key(store, session_id))
        except LookupError as error:
            raise CommandError(str(error)) from None
        try:
            if name == "rename":
                await sdk.rename_session_via_store(scoped, session_id, args.title)
            elif name == "tag":
                await sdk.tag_session_via_store(scoped, session_id, args.tag or None)
            else:
                await sdk.delete_session_via_store(scoped, session_id)
        except ValueError as error:
            raise CommandError(f"{name} failed: {error}") from None

    run_with_store(args, work)
    if name == "rename":
        title = args.title.strip()
        record, line = (
            {"session_id": session_id, "custom_title": title},
            f"renamed {session_id} to {title!r}",
        )
    elif name == "tag":
        tag = (args.tag or "").strip() or None
        record = {"session_id": session_id, "tag": tag}
        line = f"tagged {session_id} {tag!r}" if tag else f"cleared the tag of {session_id}"
    else:
        record, line = (
            {"session_id": session_id, "deleted": True},
            f"deleted {session_id} from the store",
        )
    report(args, record, line)
    return 0
