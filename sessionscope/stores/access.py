"""Who reads whose sessions in a store: shares, on top of row-level security.

Each person connects as their own PostgreSQL role. A role reads the sessions it wrote and
those whose owners shared them with it (every project, or one); it writes only its own. A
session you may only read can be forked into your own space (the fork is yours), never
appended to: the store refuses (:class:`~sessionscope.stores.NotYourSession`).
"""

from __future__ import annotations

from .postgres import NotYourSession, PostgresSessionStore, StoreError


async def _role_exists(store: PostgresSessionStore, role: str) -> bool:
    rows = await store._select("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return bool(rows)


async def share(store: PostgresSessionStore, role: str, project_key: str = "") -> None:
    """Let ``role`` read the current role's sessions (of ``project_key``; '' is all)."""
    if not await _role_exists(store, role):
        raise StoreError(f"store {store.display_url}: no role named {role!r}")
    if (await store._select("SELECT current_user = %s", [role]))[0][0]:
        # The row would grant nothing (a role reads its own sessions) yet be listed as a share.
        raise StoreError(
            f"you are {role}: your sessions are yours already; share them with another role"
        )
    await store._select(
        f"""INSERT INTO {store._shares} (grantee, project_key) VALUES (%s, %s)
        ON CONFLICT DO NOTHING""",
        [role, project_key],
    )


async def unshare(store: PostgresSessionStore, role: str, project_key: str = "") -> int:
    """Take back what :func:`share` gave; how many shares were removed."""
    rows = await store._select(
        f"""DELETE FROM {store._shares}
        WHERE owner = current_user AND grantee = %s AND project_key = %s RETURNING 1""",
        [role, project_key],
    )
    return len(rows)


async def list_shares(store: PostgresSessionStore) -> list[tuple[str, str, str]]:
    """``(owner, grantee, project_key)`` of the shares the current role gave or got."""
    return await store._select(
        f"SELECT owner, grantee, project_key FROM {store._shares} ORDER BY owner, grantee, 2"
    )


async def own_project_key(store: PostgresSessionStore, session_id: str) -> str:
    """The project key of ``session_id`` among the current role's own sessions. ``LookupError``
    when the role cannot see it; :class:`NotYourSession` when it may only read it."""
    rows = await store._select(
        f"""SELECT project_key, owner = current_user FROM {store._sessions}
        WHERE session_id = %s AND subpath = '' ORDER BY owner = current_user DESC, mtime DESC""",
        [session_id],
    )
    if not rows:
        raise LookupError(f"no session {session_id} in the store {store.display_url}")
    project_key, own = rows[0]
    if not own:
        raise NotYourSession(
            f"session {session_id} belongs to another role: you may read it and fork it "
            "into your own space, not change it"
        )
    return project_key
