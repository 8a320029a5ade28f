"""What the commands share for ``--store``: opening the store, its errors as one line."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from ..cli import CommandError

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
