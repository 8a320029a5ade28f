"""``PostgresSessionStore``: the Claude Agent SDK's ``SessionStore`` protocol on PostgreSQL.

Three tables (``table`` is the entries table's name, the others are named after it):

``<table>_sessions``
    one row a transcript key (``project_key``, ``session_id``, ``subpath``; ``''`` is the main
    transcript): its owner (the PostgreSQL role that wrote it first), its storage write time
    ``mtime`` (epoch ms, strictly increasing), the size in bytes of the JSONL its entries make,
    the SDK's summary sidecar (``fold_session_summary``), and how far ``sessionscope push`` got
    through the local file (with the file's time then, and the write time of that push).
``<table>``
    the entries, one row each, in a global sequence (``seq``): ``entry`` is the JSON text exactly
    as it was written (PostgreSQL's ``json`` type validates it and keeps it byte for byte, so a
    session read back is the very file it was; ``jsonb`` would reorder keys, which moves what
    the SDK's list fields find in a transcript's first and last 64 KiB, and cannot hold
    ``\\u0000``). An entry's ``uuid`` is its idempotency key within a transcript: appending an
    entry whose uuid is already there adds nothing (the SDK retries batches, and ``push`` may
    meet what a live mirror wrote).
``<table>_shares``
    who may read whose sessions (``sessionscope store share``).

Row-level security: a role sees the keys it owns and those of owners that shared them with it
(all projects, or one), and writes only its own: appending to a key another role owns fails with
:class:`NotYourSession`. The policies hold the tables' owner too (``FORCE``); superusers and
roles with ``BYPASSRLS`` see everything, as PostgreSQL decides.

The SDK itself is imported only when a summary is folded (in :meth:`append`).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Iterable

import orjson

from ..transcripts.lines import load_json
from .urls import display_url, scrub

TYPE_CHECKING = False
if TYPE_CHECKING:
    import psycopg

DEFAULT_TABLE = "claude_session_store"

_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")

_NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint"

CANDIDATES = 5000
"""Matches of a search ranked at most (the newest), or the hits asked for when more."""

RECONNECT_WAITS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)
"""Seconds to wait before each new try when a connection that worked broke (about 5 s in
all: a server restart); a store never reached fails at once."""


class _AlreadyStored(Exception):
    """A push batch found stored already (rolls its transaction back)."""


class StoreError(Exception):
    """A store failure, said in one line without the password."""


class StoreUnavailable(StoreError):
    """The server cannot be reached, or refused us (credentials, database, permissions)."""


class NotYourSession(StoreError):
    """An append to a transcript another role owns (one you may at most read)."""


def schema_statements(table: str) -> list[str]:
    """The DDL of a store named ``table``: tables, indexes, row-level security, grants."""
    sessions, entries, shares = (f'"{table}_sessions"', f'"{table}"', f'"{table}_shares"')
    return [
        f"""CREATE TABLE {sessions} (
            id bigserial PRIMARY KEY,
            owner name NOT NULL DEFAULT current_user,
            project_key text NOT NULL,
            session_id text NOT NULL,
            subpath text NOT NULL DEFAULT '',
            mtime bigint NOT NULL,
            size bigint NOT NULL DEFAULT 0,
            summary jsonb,
            meta jsonb,
            counts jsonb,
            pushed jsonb,
            UNIQUE (project_key, session_id, subpath))""",
        f'CREATE INDEX "{table}_sessions_by_id" ON {sessions} (session_id)',
        # Entries by key in order: the primary key is the one index reads need. No foreign
        # key (its check on every row slows a push): delete() removes a key's entries itself.
        f"""CREATE TABLE {entries} (
            key_id bigint NOT NULL,
            seq bigserial,
            uuid text,
            bytes integer NOT NULL,
            entry json COMPRESSION lz4 NOT NULL,
            PRIMARY KEY (key_id, seq))""",
        f'CREATE UNIQUE INDEX "{table}_uuid" ON {entries} (key_id, uuid) WHERE uuid IS NOT NULL',
        f"""CREATE TABLE {shares} (
            owner name NOT NULL DEFAULT current_user,
            grantee name NOT NULL,
            project_key text NOT NULL DEFAULT '',
            PRIMARY KEY (owner, grantee, project_key))""",
        # Who sees what. A share with project_key '' covers every project of its owner.
        *(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY" for name in (sessions, entries, shares)),
        *(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY" for name in (sessions, entries, shares)),
        f"""CREATE POLICY readable ON {sessions} FOR SELECT USING (
            owner = current_user OR EXISTS (
                SELECT 1 FROM {shares} s WHERE s.owner = {sessions}.owner
                AND s.grantee = current_user AND s.project_key IN ('', {sessions}.project_key)))""",
        f"CREATE POLICY own_insert ON {sessions} FOR INSERT WITH CHECK (owner = current_user)",
        f"""CREATE POLICY own_update ON {sessions} FOR UPDATE
            USING (owner = current_user) WITH CHECK (owner = current_user)""",
        f"CREATE POLICY own_delete ON {sessions} FOR DELETE USING (owner = current_user)",
        f"""CREATE POLICY readable ON {entries} FOR SELECT
            USING (EXISTS (SELECT 1 FROM {sessions} k WHERE k.id = key_id))""",
        f"""CREATE POLICY own_insert ON {entries} FOR INSERT WITH CHECK (
            EXISTS (SELECT 1 FROM {sessions} k WHERE k.id = key_id AND k.owner = current_user))""",
        f"""CREATE POLICY own_delete ON {entries} FOR DELETE USING (
            EXISTS (SELECT 1 FROM {sessions} k WHERE k.id = key_id AND k.owner = current_user))""",
        f"""CREATE POLICY readable ON {shares} FOR SELECT
            USING (owner = current_user OR grantee = current_user)""",
        f"CREATE POLICY own_insert ON {shares} FOR INSERT WITH CHECK (owner = current_user)",
        f"CREATE POLICY own_delete ON {shares} FOR DELETE USING (owner = current_user)",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {sessions}, {entries}, {shares} TO PUBLIC",
        f'GRANT USAGE ON SEQUENCE "{table}_sessions_id_seq", "{table}_seq_seq" TO PUBLIC',
        *words_statements(table),
    ]


def words_statements(table: str) -> list[str]:
    """The DDL of the store's search table ``<table>_words``: one row a user or assistant
    entry (``stores.search``), filled as it is appended; readable and writable as its entry."""
    sessions, words = f'"{table}_sessions"', f'"{table}_words"'
    return [
        # The words compressed with lz4 as the entries are (pglz slows a push).
        f"""CREATE TABLE {words} (
            key_id bigint NOT NULL,
            seq bigint NOT NULL,
            role text NOT NULL,
            tools text NOT NULL,
            timestamp text,
            calls text NOT NULL,
            words tsvector COMPRESSION lz4 NOT NULL,
            PRIMARY KEY (key_id, seq))""",
        # New words wait in the index's pending list (appended, cheap) until it holds 64 MB
        # or autovacuum merges them in bulk, instead of each append merging its own.
        f"""CREATE INDEX "{table}_words_words" ON {words} USING gin (words)
            WITH (fastupdate = on, gin_pending_list_limit = 65536)""",
        f"ALTER TABLE {words} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {words} FORCE ROW LEVEL SECURITY",
        f"""CREATE POLICY readable ON {words} FOR SELECT
            USING (EXISTS (SELECT 1 FROM {sessions} k WHERE k.id = key_id))""",
        f"""CREATE POLICY own_insert ON {words} FOR INSERT WITH CHECK (
            EXISTS (SELECT 1 FROM {sessions} k WHERE k.id = key_id AND k.owner = current_user))""",
        f"""CREATE POLICY own_delete ON {words} FOR DELETE USING (
            EXISTS (SELECT 1 FROM {sessions} k WHERE k.id = key_id AND k.owner = current_user))""",
        f"GRANT SELECT, INSERT, DELETE ON {words} TO PUBLIC",
    ]


def _summary_sql(alias: str) -> str:
    """A session's summary in SQL (``alias``: its sessions row's, ``"s."``): with no title in
    its first 64 KiB, its first message's text, as the local list has it (``counts``)."""
    return f"coalesce(nullif({alias}meta ->> 'summary', ''), {alias}counts ->> 'summary')"


def _uuid_of(entry) -> str | None:
    """An entry's idempotency key: its ``uuid`` when that is a string."""
    uuid = entry.get("uuid") if isinstance(entry, dict) else None
    return uuid if isinstance(uuid, str) else None


def _dumps(entry) -> bytes:
    try:
        return orjson.dumps(entry)
    except TypeError:
        # A lone surrogate (orjson refuses it) goes out as its \\u escape, which json keeps.
        return json.dumps(entry, separators=(",", ":")).encode()


def _jsonb_text(value) -> str:
    """``value`` as JSON that jsonb takes: no NUL characters and no lone surrogates in its
    strings (the SDK's summary copies text from entries, where both may be)."""

    def clean(item):
        if isinstance(item, str):
            return item.replace("\x00", "").encode("utf-8", "replace").decode()
        if isinstance(item, dict):
            return {clean(k): clean(v) for k, v in item.items()}
        if isinstance(item, list):
            return [clean(v) for v in item]
        return item

    return orjson.dumps(clean(value)).decode()


class PostgresSessionStore:
    """A ``SessionStore`` (the SDK's protocol, every optional method) on PostgreSQL.

    ``url`` is a libpq connection string or URL (``postgresql://alice@db.example/claude``);
    the password may come from the URL, ``PGPASSWORD`` or ``~/.pgpass``, as with every libpq
    tool. The tables are created when missing. Pass it to an SDK app as
    ``ClaudeAgentOptions(session_store=PostgresSessionStore(url))``.

    One connection per event loop, opened on first use; a connection that broke (server
    restart) is opened again on the next call, which then runs once more.
    """

    def __init__(self, url: str, *, table: str = DEFAULT_TABLE) -> None:
        if not _TABLE_NAME.fullmatch(table):
            raise ValueError(f"table name must be lower-case letters, digits and _: {table!r}")
        self.url = url
        self.table = table
        self._connection: psycopg.AsyncConnection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._schema_checked = False
        self._was_connected = False

    @property
    def display_url(self) -> str:
        """The URL without its password."""
        return display_url(self.url)

    def __repr__(self) -> str:
        return f"PostgresSessionStore({self.display_url!r}, table={self.table!r})"

    # --- connection ---------------------------------------------------------------------------

    def _error(self, error: Exception, doing: str) -> StoreError:
        import psycopg

        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        text = scrub(text, self.url)
        if isinstance(error, psycopg.OperationalError | psycopg.errors.InsufficientPrivilege):
            return StoreUnavailable(f"store {self.display_url}: {doing}: {text}")
        return StoreError(f"store {self.display_url}: {doing}: {text}")

    async def _connect(self) -> psycopg.AsyncConnection:
        import psycopg

        loop = asyncio.get_running_loop()
        connection = self._connection
        if connection is not None and self._loop is loop and not connection.closed:
            return connection
        if connection is not None and self._loop is loop:
            await connection.close()
        try:
            # Not prepared: a generic plan for "this key's rows after seq N" reads the whole
            # key's rows (a push spent half of its server time there); a custom plan does not.
            connection = await psycopg.AsyncConnection.connect(
                self.url, autocommit=True, application_name="sessionscope", prepare_threshold=None
            )
        except psycopg.Error as error:
            # Whatever the reason (a URL that is no URL too), the store cannot be reached.
            raise StoreUnavailable(str(self._error(error, "cannot connect"))) from None
        self._connection, self._loop, self._lock = connection, loop, asyncio.Lock()
        self._was_connected = True
        if not self._schema_checked:
            await self._ensure_schema(connection)
            self._schema_checked = True
        return connection

    async def _ensure_schema(self, connection: psycopg.AsyncConnection) -> None:
        import psycopg

        async def missing() -> tuple[bool, bool]:
            """Whether the shares table and the words table are missing (one round trip:
            every command connects, and asks this first)."""
            found = await connection.execute(
                "SELECT to_regclass(%s) IS NULL, to_regclass(%s) IS NULL",
                [f'"{self.table}_shares"', f'"{self.table}_words"'],
            )
            return await found.fetchone()

        try:
            # A store made before search had no words table: it is added (`store init`
            # fills it for the entries stored before it: fill_missing_words).
            if not any(await missing()):
                return
            async with connection.transaction():
                # Two first users at once: one makes the tables, the other finds them made.
                await connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self.table])
                no_shares, no_words = await missing()
                if no_shares:
                    statements = schema_statements(self.table)
                elif no_words:
                    statements = words_statements(self.table)
                else:
                    statements = []
                for statement in statements:
                    await connection.execute(statement)
        except psycopg.Error as error:
            raise self._error(
                error,
                "no store tables here and cannot create them (the database's owner runs "
                "`sessionscope store init URL` once)",
            ) from None

    async def _run(self, doing: str, work: Callable[[psycopg.AsyncConnection], Awaitable]):
        """``work(connection)`` under the connection's lock. When the connection broke (a
        server restart, a network cut), a fresh one is opened and ``work`` runs again, for a
        few seconds while the server comes back. Errors become :class:`StoreError`."""
        import psycopg

        waits = iter(RECONNECT_WAITS)
        while True:
            try:
                connection = await self._connect()
            except StoreUnavailable:
                wait = (
                    next(waits, None) if self._connection is None and self._was_connected else None
                )
                if wait is None:
                    raise
                await asyncio.sleep(wait)
                continue
            assert self._lock is not None
            try:
                async with self._lock:
                    return await work(connection)
            except psycopg.OperationalError as error:
                if connection.broken:
                    self._connection = None
                    wait = next(waits, None)
                    if wait is not None:
                        await asyncio.sleep(wait)
                        continue
                raise self._error(error, doing) from None
            except psycopg.errors.InsufficientPrivilege as error:
                raise NotYourSession(
                    scrub(f"{doing}: this session belongs to another role ({error})", self.url)
                ) from None
            except psycopg.Error as error:
                raise self._error(error, doing) from None

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and self._loop is asyncio.get_running_loop():
            await connection.close()

    async def __aenter__(self) -> PostgresSessionStore:
        await self._connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    @property
    def _sessions(self) -> str:
        return f'"{self.table}_sessions"'

    @property
    def _entries(self) -> str:
        return f'"{self.table}"'

    @property
    def _words(self) -> str:
        return f'"{self.table}_words"'

    @property
    def _shares(self) -> str:
        return f'"{self.table}_shares"'

    # --- the SessionStore protocol ------------------------------------------------------------

    async def append(self, key: dict, entries: list[dict]) -> None:
        if not entries:
            return
        await self.append_texts(key, [_dumps(entry) for entry in entries], entries)

    async def append_texts(
        self,
        key: dict,
        texts: list[bytes],
        entries: list[dict] | None = None,
        *,
        pushed: dict | None = None,
        pushed_from: int | None = None,
        words: list[tuple] | None = None,
    ) -> int:
        """Append entries given as JSON texts (UTF-8, one line each, kept byte for byte) in one
        transaction; ``entries`` are the same parsed, when the caller has them (their uuids are
        the idempotency keys; a main transcript's are folded into the SDK's summary). ``pushed`` is recorded with them (``push``'s progress through the local
        file); with ``pushed_from`` (the offset the batch starts at), a batch whose start is not
        where the key's record says (it was stored already: a retry after a lost reply) adds
        nothing. ``words`` are :func:`~.search.message_words` of ``entries`` when the caller
        worked them out (``push`` does, while the batch before is being stored). Returns how
        many entries were new (an entry whose uuid the key has is skipped)."""
        subpath = key.get("subpath") or ""
        if entries is None:
            entries = [load_json(text) for text in texts]
        uuids = [_uuid_of(entry) for entry in entries]
        from .search import message_words, resolve_calls, unresolved_results

        if texts and words is None:
            words = message_words(entries)

        async def work(connection):
            async with connection.transaction():
                row = await (
                    await connection.execute(
                        f"""INSERT INTO {self._sessions} AS k (project_key, session_id, subpath, mtime)
                        VALUES (%s, %s, %s, {_NOW_MS})
                        ON CONFLICT (project_key, session_id, subpath)
                        DO UPDATE SET mtime = GREATEST(EXCLUDED.mtime, k.mtime + 1)
                        RETURNING id, mtime, summary, size, pushed""",
                        [key["project_key"], key["session_id"], subpath],
                    )
                ).fetchone()
                key_id, mtime, summary, size_before, pushed_before = row
                # push's record, with the write time it goes with (``list_all``)
                record = None if pushed is None else {**pushed, "at": mtime}
                if (
                    pushed_from is not None
                    and (pushed_before or {}).get("offset", 0) != pushed_from
                ):
                    raise _AlreadyStored
                added = 0
                if texts:
                    known_calls = await self._earlier_calls(
                        connection, key_id, unresolved_results(words)
                    )
                    rows = resolve_calls(words, known_calls)
                    columns = list(zip(*rows, strict=True)) or [()] * 6
                    # The entries and, for the new ones, their search rows (``stores.search``);
                    # the arrays in binary (the server reads text arrays character by character).
                    added_row = await (
                        await connection.execute(
                            f"""WITH added AS (
                                INSERT INTO {self._entries} (key_id, uuid, bytes, entry)
                                SELECT %s, u, octet_length(b), convert_from(b, 'UTF8')::json
                                FROM unnest(%b::bytea[], %b::text[]) WITH ORDINALITY AS t (b, u, n)
                                ORDER BY n
                                ON CONFLICT (key_id, uuid) WHERE uuid IS NOT NULL DO NOTHING
                                RETURNING seq, uuid, bytes),
                            searched AS (
                                INSERT INTO {self._words}
                                    (key_id, seq, role, tools, timestamp, calls, words)
                                SELECT %s, a.seq, w.role, w.tools, w.ts, w.calls,
                                    to_tsvector('simple', w.words)
                                FROM added a JOIN unnest(%b::text[], %b::text[], %b::text[],
                                    %b::text[], %b::text[], %b::text[])
                                    AS w (uuid, role, tools, ts, words, calls) USING (uuid))
                            SELECT count(*), coalesce(sum(bytes + 1), 0) FROM added""",
                            [key_id, texts, uuids, key_id, *map(list, columns)],
                        )
                    ).fetchone()
                    added, size = added_row
                else:
                    size = 0
                folded = None
                if not subpath and entries:
                    from claude_agent_sdk import fold_session_summary

                    previous = (
                        None
                        if summary is None
                        else {"session_id": key["session_id"], "mtime": mtime, "data": summary}
                    )
                    folded = fold_session_summary(previous, key, entries)["data"]
                meta = None
                if not subpath and added:
                    fields = await self._list_fields(
                        connection, key_id, key["session_id"], size_before + size
                    )
                    meta = fields if fields is not None else {"sidechain": True}
                await connection.execute(
                    f"""UPDATE {self._sessions} SET size = size + %s,
                    summary = coalesce(%s, summary), pushed = coalesce(%s, pushed),
                    meta = coalesce(%s, meta) WHERE id = %s""",
                    [
                        size,
                        *(
                            None if value is None else _jsonb_text(value)
                            for value in (folded, record, meta)
                        ),
                        key_id,
                    ],
                )
                return added

        try:
            return await self._run("cannot append", work)
        except _AlreadyStored:
            return 0

    async def fill_missing_words(self, page: int = 2000) -> int:
        """The search rows of the user and assistant entries stored without one (in a store
        made before search had its words table), key by key in order; how many were added.
        Each role fills those of its own sessions (the database's owner, all of them)."""
        from .search import message_words, resolve_calls, unresolved_results

        after = (0, 0)
        added = 0
        while True:
            rows = await self._select(
                f"""SELECT e.key_id, e.seq, e.entry::text FROM {self._entries} e
                WHERE (e.key_id, e.seq) > (%s, %s) AND e.uuid IS NOT NULL
                AND e.entry ->> 'type' IN ('user', 'assistant')
                AND NOT EXISTS (
                    SELECT 1 FROM {self._words} w WHERE w.key_id = e.key_id AND w.seq = e.seq)
                ORDER BY e.key_id, e.seq LIMIT %s""",
                [*after, page],
            )
            if not rows:
                return added
            after = rows[-1][:2]
            by_key: dict[int, list[tuple[int, str]]] = {}
            for key_id, seq, text in rows:
                by_key.setdefault(key_id, []).append((seq, text))
            for key_id, texts in by_key.items():
                entries = [load_json(text) for _seq, text in texts]
                seq_of = {
                    _uuid_of(entry): seq for (seq, _), entry in zip(texts, entries, strict=True)
                }

                async def work(connection, key_id=key_id, entries=entries, seq_of=seq_of):
                    async with connection.transaction():
                        words = message_words(entries)
                        known = await self._earlier_calls(
                            connection, key_id, unresolved_results(words)
                        )
                        found = [row for row in resolve_calls(words, known) if row[0] in seq_of]
                        if not found:
                            return 0
                        uuids, roles, tools, stamps, words, calls = map(
                            list, zip(*found, strict=True)
                        )
                        cursor = await connection.execute(
                            f"""INSERT INTO {self._words}
                                (key_id, seq, role, tools, timestamp, calls, words)
                            SELECT %s, s, r, t, ts, c, to_tsvector('simple', w)
                            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[],
                                %s::text[], %s::text[]) AS u (s, r, t, ts, c, w)
                            ON CONFLICT DO NOTHING""",
                            [
                                key_id,
                                [seq_of[uuid] for uuid in uuids],
                                roles,
                                tools,
                                stamps,
                                calls,
                                words,
                            ],
                        )
                        return cursor.rowcount

                added += await self._run("cannot fill the search words", work)

    async def _earlier_calls(self, connection, key_id: int, call_ids: list[str]) -> dict:
        """Tool name by call id, of these calls made in the key's entries stored before (so
        that a tool result appended later is found by its tool's name, ``tool:``)."""
        if not call_ids:
            return {}
        rows = await (
            await connection.execute(
                f"""SELECT calls, tools FROM {self._words}
                WHERE key_id = %s AND role = 'assistant'
                AND string_to_array(calls, ' ') && %s::text[]""",
                [key_id, call_ids],
            )
        ).fetchall()
        known: dict[str, str] = {}
        for calls, tools in rows:
            known.update(zip(calls.split(), tools.split(), strict=False))
        return known

    async def _list_fields(self, connection, key_id: int, session_id: str, size: int):
        """The list fields worked out again from the first and last 64 KiB of the entries
        (``stores.listing``), as the local list reads them from a file (None: a sidechain)."""
        from .listing import LITE_READ_BUF_SIZE, head_bytes, lite_fields, tail_bytes

        head = head_bytes(await self._end_texts(connection, key_id, "ASC", LITE_READ_BUF_SIZE))
        tail = (
            head
            if size <= LITE_READ_BUF_SIZE
            else tail_bytes(await self._end_texts(connection, key_id, "DESC", LITE_READ_BUF_SIZE))
        )
        return lite_fields(session_id, size, head, tail)

    async def _end_texts(self, connection, key_id: int, order: str, budget: int) -> list[str]:
        """The texts of the key's first (``order`` ASC) or last (DESC, newest first) entries
        whose JSONL lines make up ``budget`` bytes (the last one read may cross it). Only those
        rows are read whole: the running total is of their byte counts (kept beside them:
        json's text is not had without copying it)."""
        texts: list[str] = []
        taken = 0
        bound = "seq > %s" if order == "ASC" else "seq < %s"
        last = 0 if order == "ASC" else 2**62
        # Rows looked at a query: one query for most ends (entries of a KiB or more).
        window = max(256, budget // 1024)
        while taken < budget:
            rows = await (
                await connection.execute(
                    f"""SELECT seq, entry::text FROM (
                        SELECT seq, entry, sum(bytes + 1) OVER (ORDER BY seq {order})
                            - bytes - 1 AS before
                        FROM {self._entries}
                        WHERE key_id = %s AND {bound} ORDER BY seq {order} LIMIT %s) AS w
                    WHERE before < %s ORDER BY seq {order}""",
                    [key_id, last, window, budget - taken],
                )
            ).fetchall()
            for seq, text in rows:
                texts.append(text)
                taken += len(text.encode()) + 1
                last = seq
            if len(rows) < window or taken >= budget:
                break
        return texts

    async def _key_id(self, connection: psycopg.AsyncConnection, key: dict) -> int | None:
        """The id of ``key``'s row in the sessions table (``None``: no such key)."""
        found = await (
            await connection.execute(
                f"""SELECT id FROM {self._sessions}
                WHERE project_key = %s AND session_id = %s AND subpath = %s""",
                [key["project_key"], key["session_id"], key.get("subpath") or ""],
            )
        ).fetchone()
        return None if found is None else found[0]

    async def newest_texts(self, key: dict, budget: int) -> list[str] | None:
        """The texts of the key's newest entries, oldest first, whose lines make up at least
        ``budget`` bytes (all of them when it has fewer); ``None``: no such key."""

        async def work(connection):
            key_id = await self._key_id(connection, key)
            if key_id is None:
                return None
            return list(reversed(await self._end_texts(connection, key_id, "DESC", budget)))

        return await self._run("cannot load", work)

    async def load(self, key: dict) -> list[dict] | None:
        texts = await self.load_texts(key)
        return None if texts is None else [load_json(text) for text in texts]

    async def load_texts(self, key: dict, after_seq: int = 0) -> list[str] | None:
        """The key's entries as the JSON texts appended (``None``: no such key)."""
        rows = await self.load_rows(key, after_seq)
        return None if rows is None else [text for _seq, text in rows]

    async def load_rows(
        self, key: dict, after_seq: int = 0, limit: int | None = None
    ) -> list[tuple[int, str]] | None:
        """``(seq, JSON text)`` of the key's entries after ``after_seq``, in order (the first
        ``limit`` of them, when given)."""

        async def work(connection):
            key_id = await self._key_id(connection, key)
            if key_id is None:
                return None
            cursor = await connection.execute(
                f"""SELECT seq, entry::text FROM {self._entries}
                WHERE key_id = %s AND seq > %s ORDER BY seq LIMIT %s""",
                [key_id, after_seq, limit],
            )
            return await cursor.fetchall()

        return await self._run("cannot load", work)

    async def list_sessions(self, project_key: str) -> list[dict]:
        rows = await self._select(
            f"""SELECT session_id, mtime FROM {self._sessions}
            WHERE project_key = %s AND subpath = ''""",
            [project_key],
        )
        return [{"session_id": session_id, "mtime": mtime} for session_id, mtime in rows]

    async def list_session_summaries(self, project_key: str) -> list[dict]:
        rows = await self._select(
            f"""SELECT session_id, mtime, summary FROM {self._sessions}
            WHERE project_key = %s AND subpath = '' AND summary IS NOT NULL""",
            [project_key],
        )
        return [
            {"session_id": session_id, "mtime": mtime, "data": data}
            for session_id, mtime, data in rows
        ]

    async def delete(self, key: dict) -> None:
        if key.get("subpath"):
            where, params = "subpath = %s", [key["subpath"]]
        else:
            where, params = "TRUE", []
        params = [key["project_key"], key["session_id"], *params]

        async def work(connection):
            async with connection.transaction():
                # The entries first: their policy looks their key up (one's own keys only).
                keys = await (
                    await connection.execute(
                        f"""SELECT id FROM {self._sessions}
                        WHERE project_key = %s AND session_id = %s AND {where} FOR UPDATE""",
                        params,
                    )
                ).fetchall()
                ids = [key_id for (key_id,) in keys]
                for table in (self._words, self._entries):
                    await connection.execute(f"DELETE FROM {table} WHERE key_id = ANY(%s)", [ids])
                await connection.execute(f"DELETE FROM {self._sessions} WHERE id = ANY(%s)", [ids])

        await self._run("cannot delete", work)

    async def list_subkeys(self, key: dict) -> list[str]:
        rows = await self._select(
            f"""SELECT subpath FROM {self._sessions}
            WHERE project_key = %s AND session_id = %s AND subpath <> '' ORDER BY subpath""",
            [key["project_key"], key["session_id"]],
        )
        return [subpath for (subpath,) in rows]

    # --- beyond the protocol ------------------------------------------------------------------

    async def _select(self, statement: str, params: Iterable = ()) -> list[tuple]:
        async def work(connection):
            cursor = await connection.execute(statement, list(params))
            return await cursor.fetchall() if cursor.description else []

        return await self._run("query failed", work)

    async def set_counts(self, key: dict, counts: dict, counted: list[int]) -> None:
        """Record a main transcript's message count, first message uuid and fork parent
        (``push`` counts them in the local file it pushed), and in its push record the file
        offsets they were counted at."""
        await self._select(
            f"""UPDATE {self._sessions} SET counts = %s::jsonb || jsonb_build_object('size', size),
            pushed = coalesce(pushed, '{{}}') || jsonb_build_object('counted', %s::jsonb)
            WHERE project_key = %s AND session_id = %s AND subpath = ''""",
            [_jsonb_text(counts), _jsonb_text(counted), key["project_key"], key["session_id"]],
        )

    async def pushed_states(self, session_ids: list[str]) -> dict[tuple[str, str, str], dict]:
        """``push``'s progress record of every key of these sessions that has one, by
        ``(project_key, session_id, subpath)`` (the current role's keys: another's shared
        with it are not its to push to)."""
        rows = await self._select(
            f"""SELECT project_key, session_id, subpath, pushed FROM {self._sessions}
            WHERE session_id = ANY(%s) AND pushed IS NOT NULL AND owner = current_user""",
            [session_ids],
        )
        return {(project, session, subpath): pushed for project, session, subpath, pushed in rows}

    async def list_all(
        self,
        project_key: str | None = None,
        session_id: str | None = None,
        since: int | None = None,
    ) -> list[tuple]:
        """Every main transcript this role may read (of one project, or the one session, or
        all; written after the write time ``since`` when given), as ``(SessionMeta, stale,
        own)`` rows, newest first; sidechain transcripts and
        sessions with nothing to show are left out, as the local list does. ``stale``: its
        message count is missing or older than its entries (``stores.mirror.list_sessions``
        counts it again); ``own``: the current role wrote it (else it is shared with it)."""
        from .listing import META_FIELDS, meta_from_row

        where, params = "", []
        if project_key:
            where, params = "AND project_key = %s", [project_key]
        if session_id:
            where, params = f"{where} AND session_id = %s", [*params, session_id]
        if since is not None:
            where, params = f"{where} AND mtime > %s", [*params, since]
        # Each field its own column: no JSON to decode here (a list of 20,000 sessions).
        fields = ", ".join(
            f"(meta ->> '{name}')::bigint"
            if name == "created_at"
            else _summary_sql("")
            if name == "summary"
            else f"meta ->> '{name}'"
            for name in META_FIELDS
        )
        # Last modified as the local list says it: a session whose last write was a push's,
        # its file's time then (a push of old sessions is not their activity); else the write
        # time (an SDK app's mirror, a rename through the store).
        modified = """CASE WHEN (pushed ->> 'at')::bigint = mtime
            THEN coalesce((pushed ->> 'file_mtime')::bigint, mtime) ELSE mtime END"""
        rows = await self._select(
            f"""SELECT owner = current_user, session_id, project_key, {modified} AS modified,
                size, {fields},
                (counts ->> 'message_count')::int, counts ->> 'forked_from',
                counts ->> 'root_uuid', (counts ->> 'size')::bigint
            FROM {self._sessions}
            WHERE subpath = '' AND meta IS NOT NULL AND NOT meta ? 'sidechain' {where}
            ORDER BY modified DESC, id""",
            params,
        )
        sessions = []
        for own, *row in rows:
            meta, counted_size = meta_from_row(row)
            stale = counted_size is None or counted_size != meta.file_size
            if meta.summary or meta.message_count or stale:
                sessions.append((meta, stale, own))
        return sessions

    async def usage_keys(self) -> tuple[str, list[tuple]]:
        """``(current role, keys)``: every transcript this role may read (main and
        subagents'), as ``(key id, project key, session id, subpath, size, write time)``."""
        rows = await self._select(
            f"""SELECT current_user, id, project_key, session_id, subpath, size, mtime
            FROM {self._sessions} ORDER BY id"""
        )
        role = rows[0][0] if rows else ""
        return role, [tuple(row[1:]) for row in rows]

    async def usage_lines(self, key_ids: list[int], head: int) -> dict[int, list[bytes]]:
        """Per key id, the JSON lines of its entries that can carry token usage (``"usage"``
        in their text) and of its first ``head`` entries, in order: what counting usage reads
        of a transcript (``transcripts.usage.usage_entries``)."""
        rows = await self._select(
            f"""SELECT key_id, seq, convert_to(entry::text, 'UTF8') FROM {self._entries}
            WHERE key_id = ANY(%s) AND strpos(entry::text, '"usage"') > 0
            UNION ALL
            SELECT h.key_id, h.seq, convert_to(h.entry::text, 'UTF8')
            FROM unnest(%s::bigint[]) AS k(id) CROSS JOIN LATERAL (
                SELECT key_id, seq, entry FROM {self._entries} WHERE key_id = k.id
                ORDER BY seq LIMIT %s) AS h
            WHERE strpos(h.entry::text, '"usage"') = 0
            ORDER BY 1, 2""",
            [key_ids, key_ids, head],
        )
        lines: dict[int, list[bytes]] = {}
        for key_id, _seq, line in rows:
            lines.setdefault(key_id, []).append(line)
        return lines

    async def session_ids(self) -> set[str]:
        """The ids of the sessions (main transcripts) this role may read."""
        rows = await self._select(f"SELECT session_id FROM {self._sessions} WHERE subpath = ''")
        return {session_id for (session_id,) in rows}

    async def last_change(self) -> tuple[int, int]:
        """``(latest write time, main transcripts)`` of what this role may read: it moves with
        every append (a new message, a rename, a tag), a new session and a delete."""
        rows = await self._select(
            f"SELECT coalesce(max(mtime), 0), count(*) FROM {self._sessions} WHERE subpath = ''"
        )
        return rows[0]

    async def list_fingerprint(self, project_key: str | None = None) -> tuple[str, str, int]:
        """``(current role, fingerprint, stale)`` of what :meth:`list_all` would list now: the
        fingerprint changes with any row that comes, goes or changes (its write time, size or
        counts: the list fields change only with an append, which moves the write time);
        ``stale`` counts the rows whose message count is out of date."""
        where, params = ("AND project_key = %s", [project_key]) if project_key else ("", [])
        rows = await self._select(
            f"""SELECT current_user,
                coalesce(md5(string_agg(concat_ws(':', id, mtime, size, counts::text), ','
                                        ORDER BY id)), ''),
                count(*) FILTER (WHERE counts IS NULL
                                 OR (counts ->> 'size')::bigint IS DISTINCT FROM size)
            FROM {self._sessions}
            WHERE subpath = '' AND meta IS NOT NULL AND NOT meta ? 'sidechain' {where}""",
            params,
        )
        return rows[0]

    async def record_counts(self, key: dict, counts: dict) -> None:
        """Record counts worked out from a mirror (of the entries as they are now: stamped
        with the key's size). A row of another role is left as it is."""
        await self._select(
            f"""UPDATE {self._sessions} SET counts = %s::jsonb || jsonb_build_object('size', size)
            WHERE project_key = %s AND session_id = %s AND subpath = ''""",
            [_jsonb_text(counts), key["project_key"], key["session_id"]],
        )

    async def search_rows(
        self, tsquery: str | None, where: list[str], params: list, limit: int
    ) -> list[tuple]:
        """The best ``limit`` messages this role may read that match ``tsquery`` (the text of
        ``to_tsquery('simple', …)``; ranked by ``ts_rank``) and the conditions ``where`` (on
        ``w``: the search row, ``k``: its key, ``s``: its session's main key), or with no
        ``tsquery`` the newest that pass, as ``(session id, subpath, project key, title, role,
        entry text, working directory)`` (``stores.search`` builds both).

        As the local search does: ranking every match of a common word would take seconds, so
        the newest :data:`CANDIDATES` matches are ranked first, and the filters applied to
        them; only when fewer than ``limit`` of them pass, the newest :data:`CANDIDATES`
        older matches that pass are ranked for the rest."""
        if tsquery is None:
            return await self._search_pass(None, [], [], where, params, limit, filter_first=True)
        rows = await self._search_pass(tsquery, [], [], where, params, limit, filter_first=False)
        if len(rows) >= limit:
            return rows
        edge = await self._select(
            f"""SELECT key_id, seq FROM {self._words} WHERE words @@ to_tsquery('simple', %s)
            ORDER BY key_id DESC, seq DESC OFFSET %s LIMIT 1""",
            [tsquery, max(CANDIDATES, limit) - 1],
        )
        if not edge:
            return rows
        older = ["(w.key_id, w.seq) < (%s, %s)"]
        return rows + await self._search_pass(
            tsquery, older, list(edge[0]), where, params, limit - len(rows), filter_first=True
        )

    async def _search_pass(
        self,
        tsquery: str | None,
        bounds: list[str],
        bound_params: list,
        where: list[str],
        params: list,
        limit: int,
        *,
        filter_first: bool,
    ) -> list[tuple]:
        """Of the newest :data:`CANDIDATES` search rows that match ``tsquery`` and ``bounds``
        (and the filters ``where`` when ``filter_first``), the best ``limit`` (that pass
        ``where``), ranked by ``tsquery``, else newest first; see :meth:`search_rows`.

        Each candidate is ranked as it is picked, while its words are at hand (reading them
        again to rank the candidates was a third of a common word's query), and only its key,
        place, rank and the small columns the filters look at go through the sorts, so that
        sorting even 100,000 matches stays in memory (the planner walks the primary key
        backwards for a common word, and takes the GIN index for a rare one); only the best
        few entries are read."""
        keys = f"""JOIN {self._sessions} k ON k.id = w.key_id
            LEFT JOIN {self._sessions} s ON s.project_key = k.project_key
                AND s.session_id = k.session_id AND s.subpath = ''"""
        first, first_params = list(bounds), list(bound_params)
        if tsquery is None:
            rank, query, query_params = "w.timestamp", "", []
        else:
            rank = "ts_rank(w.words, q.q)"
            query, query_params = ", (SELECT to_tsquery('simple', %s) AS q) AS q", [tsquery]
            first = ["w.words @@ q.q", *first]
        then, then_params = [], []
        if filter_first:
            first, first_params = [*first, *where], [*first_params, *params]
        else:
            then, then_params = where, params
        return await self._select(
            f"""SELECT k.session_id, k.subpath, k.project_key,
                {_summary_sql("s.")}, h.role,
                e.entry::text, s.meta ->> 'cwd'
            FROM (
                SELECT w.key_id, w.seq, w.role, w.rank FROM (
                    SELECT w.key_id, w.seq, w.role, w.tools, w.timestamp, {rank} AS rank
                    FROM {self._words} w
                    {keys if filter_first and where else ""}{query}
                    WHERE {" AND ".join(first) or "TRUE"}
                    ORDER BY w.key_id DESC, w.seq DESC LIMIT %s) AS w
                {keys if then else ""}
                WHERE {" AND ".join(then) or "TRUE"}
                ORDER BY w.rank DESC NULLS LAST, w.key_id DESC, w.seq DESC LIMIT %s) AS h
            JOIN {self._entries} e ON e.key_id = h.key_id AND e.seq = h.seq
            {keys.replace("w.key_id", "h.key_id")}
            ORDER BY h.rank DESC NULLS LAST, h.key_id DESC, h.seq DESC""",
            [
                *query_params,
                *first_params,
                max(CANDIDATES, limit),
                *then_params,
                limit,
            ],
        )

    def for_project(self, project_key: str) -> ProjectStore:
        """This store seen through one ``project_key`` whatever the caller's key says: for the
        SDK's ``*_from_store`` / ``*_via_store`` functions, which derive the key from a
        directory of this machine (a pushed session keeps the key of the machine it came from)."""
        return ProjectStore(self, project_key)


class ProjectStore:
    """A :class:`PostgresSessionStore` with every key's ``project_key`` replaced by one."""

    def __init__(self, store: PostgresSessionStore, project_key: str) -> None:
        self.store = store
        self.project_key = project_key

    def _key(self, key: dict) -> dict:
        return {**key, "project_key": self.project_key}

    async def append(self, key: dict, entries: list[dict]) -> None:
        await self.store.append(self._key(key), entries)

    async def load(self, key: dict) -> list[dict] | None:
        return await self.store.load(self._key(key))

    async def list_sessions(self, project_key: str) -> list[dict]:
        return await self.store.list_sessions(self.project_key)

    async def list_session_summaries(self, project_key: str) -> list[dict]:
        return await self.store.list_session_summaries(self.project_key)

    async def delete(self, key: dict) -> None:
        await self.store.delete(self._key(key))

    async def list_subkeys(self, key: dict) -> list[str]:
        return await self.store.list_subkeys(self._key(key))

    async def close(self) -> None:
        await self.store.close()
