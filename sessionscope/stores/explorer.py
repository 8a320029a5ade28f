"""A store as the explorer sees it: the session list, a session's transcript as a file, search,
fork, rename, tag, delete and what others change, all through one :class:`StoreExplorer`.

The explorer (``sessionscope --store URL``) is a Textual app whose work runs in thread workers;
the store is asyncio (psycopg). A :class:`StoreExplorer` keeps the store on an event loop of
its own, in a thread, and offers plain blocking methods that any worker may call (one
connection: the store's calls take turns on it).

The list comes from SQL in the server (``PostgresSessionStore.list_all``: no transcript is
loaded). A session opened is mirrored into the cache as JSONL (``stores.mirror``: only the
rows not mirrored yet are fetched) and the file machinery reads it; a big one first shows its
newest entries, fetched alone (:meth:`StoreExplorer.newest_file`). No Textual here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from ..transcripts.meta import SessionMeta
from .mirror import mirror_root
from .postgres import DEFAULT_TABLE, PostgresSessionStore, StoreError

POLL_SECONDS = 1.0
"""How often :class:`StoreWatcher` asks the store whether anything changed."""

CLOSE_SECONDS = 5.0
"""How long :meth:`StoreExplorer.close` waits for the store's thread to finish."""


class StoreExplorer:
    """One store for the explorer: the app's catalog (``cached_sessions``, ``list_sessions``,
    ``session_meta``), its search index (``search``, ``progress``) and what the app does to
    sessions through the store."""

    progress = None
    """The search screen shows an index build's progress: a store has no build."""

    def __init__(self, url: str, *, table: str = DEFAULT_TABLE) -> None:
        self.store = PostgresSessionStore(url, table=table)
        self.role = ""
        """The PostgreSQL role we are (known once connected)."""
        self.foreign: set[str] = set()
        """Sessions listed that another role wrote (shared with us: read only)."""
        self.open_session: str | None = None
        """The session last read whole (its mirror follows the store: :class:`StoreWatcher`)."""
        self._mirroring = asyncio.Lock()
        """Held while mirrors are written (the watcher and a reader may bring one up to date at
        the same moment: each must see what the other wrote)."""
        self._loop = asyncio.new_event_loop()
        self._closed = False
        self._waiting: set[concurrent.futures.Future] = set()
        """Calls under way (a worker waits on each): cancelled when the explorer closes."""
        self._waiting_lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="sessionscope-store", daemon=True
        )
        self._thread.start()
        # Connecting and the first list start at once, while the app is imported and built.
        self._started = asyncio.run_coroutine_threadsafe(self._list(None, False), self._loop)
        self._waiting.add(self._started)
        self._started_shown = False

    @property
    def display_url(self) -> str:
        """The store's URL without its password."""
        return self.store.display_url

    @property
    def config_dir(self) -> Path:
        """The CLAUDE_CONFIG_DIR-shaped folder in the cache where sessions are mirrored."""
        return mirror_root(self.store, self.role)

    def call(self, work: Callable[[PostgresSessionStore], Coroutine[Any, Any, Any]]):
        """``work(store)`` on the store's loop; its result, or its error raised here. Once the
        explorer is closed a call raises :class:`StoreError`, and so does one under way when it
        closes: a worker is never left waiting on a loop that stopped."""
        with self._waiting_lock:
            if self._closed:
                raise StoreError("the store is closed")
            future = asyncio.run_coroutine_threadsafe(work(self.store), self._loop)
            self._waiting.add(future)
        try:
            return _result(future)
        finally:
            with self._waiting_lock:
                self._waiting.discard(future)

    def connect(self) -> str:
        """Wait for the connection made at start (our role known, a first list read); the
        reason in one line when that failed, else ``""``."""
        try:
            _result(self._started)
        except StoreError as error:
            return str(error)
        return ""

    def close(self) -> None:
        """Close the connection and stop the store's thread; a store that does not answer
        within :data:`CLOSE_SECONDS` is left behind (the thread is a daemon), never waited on.
        Calls still waiting for the store then raise :class:`StoreError`."""
        with self._waiting_lock:
            if self._closed:
                return
            self._closed = True
        for ending in (self.store.close(), _cancel_the_rest()):
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(ending, self._loop).result(CLOSE_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=CLOSE_SECONDS)
        with self._waiting_lock:
            for future in self._waiting:
                future.cancel()
        if not self._thread.is_alive():
            self._loop.close()

    # -- the list --------------------------------------------------------------------------------

    def cached_sessions(
        self, *, first: Callable[[list[SessionMeta]], None] | None = None
    ) -> list[SessionMeta]:
        """The list read while the app started (stale message counts not counted again), the
        first time; then nothing (:meth:`list_sessions` reads the store). It is read whole, in
        one query: ``first`` is not needed."""
        if self._started_shown:
            return []
        self._started_shown = True
        try:
            return _result(self._started)
        except StoreError:
            return []

    def list_sessions(
        self,
        *,
        count_messages: bool = True,
        counted: Callable[[list[SessionMeta]], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> list[SessionMeta]:
        """Every session we may read, newest first. With ``count_messages``, sessions whose
        message count is out of date are mirrored and counted (``mirror.list_sessions``).
        The store counts in one call, so there is nothing to give ``counted`` before the
        whole, nor a place to ask ``stop`` (the :class:`~sessionscope.tui.context.Catalog`
        interface the explorer calls)."""
        return self._listed(None, count_messages)

    def session_meta(self, path: Path | str, *, count_messages: bool = True) -> SessionMeta | None:
        """The session whose mirror is (or will be) at ``path``, read from the store now."""
        return self.find(Path(path).stem, count_messages=count_messages)

    def find(self, session_id: str, *, count_messages: bool = True) -> SessionMeta | None:
        """One session by its id, read from the store now (``None``: not there for us)."""
        found = self._listed(session_id, count_messages)
        return found[0] if found else None

    def _listed(self, session_id: str | None, count_messages: bool) -> list[SessionMeta]:
        return self.call(lambda store: self._list(session_id, count_messages))

    async def _list(
        self, session_id: str | None, count_messages: bool, since: int | None = None
    ) -> list[SessionMeta]:
        """The sessions (all, the one, or those written after the write time ``since``), each
        with the path of its mirror."""
        from .mirror import list_sessions

        store = self.store
        if not self.role:
            self.role = await _current_role(store)
        foreign: set[str] = set()
        if count_messages:
            async with self._mirroring:
                sessions = await list_sessions(
                    store, session_id=session_id, since=since, foreign=foreign
                )
        else:
            sessions = []
            for meta, _stale, own in await store.list_all(session_id=session_id, since=since):
                sessions.append(meta)
                if not own:
                    foreign.add(meta.session_id)
        if session_id is None and since is None:
            self.foreign = foreign
        else:
            read_again = {meta.session_id for meta in sessions} | {session_id}
            self.foreign = (self.foreign - read_again) | foreign
        projects = self.config_dir / "projects"
        for meta in sessions:
            meta.path = str(projects / meta.project / f"{meta.session_id}.jsonl")
        return sessions

    def read_only(self, session_id: str) -> bool:
        """The session is another role's, shared with us: we may read and fork it only."""
        return session_id in self.foreign

    # -- a session's transcript --------------------------------------------------------------------

    def transcript_file(self, meta: SessionMeta) -> Path:
        """The session's mirror, brought up to date with the store (new rows only)."""
        from .mirror import SessionNotInStore, mirror_session

        async def work(store: PostgresSessionStore) -> Path:
            try:
                async with self._mirroring:
                    return (await mirror_session(store, meta.session_id)).path
            except SessionNotInStore as error:
                raise StoreError(str(error)) from None

        self.open_session = meta.session_id
        return self.call(work)

    def newest_file(self, meta: SessionMeta, budget: int) -> Path | None:
        """A file holding the session's newest entries (at least ``budget`` bytes of lines),
        fetched alone: a big session shows them before it is mirrored whole."""
        from .mirror import mirror_newest

        return self.call(lambda store: mirror_newest(store, meta.project, meta.session_id, budget))

    # -- search ------------------------------------------------------------------------------------

    def search(self, query, limit: int = 20, *, catch_up: bool = True) -> list:
        """The best ``limit`` messages for ``query`` (the one query syntax), searched in the
        server (``stores.search``)."""
        from ..index.query import parse_query
        from .search import search

        if isinstance(query, str):
            query = parse_query(query)
        return self.call(lambda store: search(store, query, limit))

    def usage(self) -> list:
        """The token usage of every transcript this role may read (``stores.usage``)."""
        from .usage import store_usage

        return self.call(store_usage)

    # -- changes -----------------------------------------------------------------------------------

    def fork(self, meta: SessionMeta, end_uuid: str) -> SessionMeta:
        """Fork ``meta`` up to the message ``end_uuid`` into a new session of ours, through the
        SDK's ``fork_session_via_store`` (the source is not changed); the fork as listed."""

        async def work(store: PostgresSessionStore) -> str:
            from claude_agent_sdk import fork_session_via_store

            try:
                result = await fork_session_via_store(
                    store.for_project(meta.project), meta.session_id, up_to_message_id=end_uuid
                )
            except (ValueError, FileNotFoundError) as error:
                raise StoreError(str(error)) from None
            return result.session_id

        session_id = self.call(work)
        forked = self.find(session_id)
        if forked is None:
            raise StoreError(f"the new session {session_id} cannot be read back from the store")
        return forked

    def change(self, meta: SessionMeta, what: str, value: str | None = None) -> None:
        """``rename`` (to ``value``), ``tag`` (``value``; ``None`` clears it) or ``delete`` a
        session of ours through the SDK's ``*_via_store`` functions; another role's session is
        refused (:class:`~sessionscope.stores.NotYourSession`). Failures are
        :class:`~sessionscope.stores.StoreError`."""

        async def work(store: PostgresSessionStore) -> None:
            import claude_agent_sdk as sdk

            from .access import own_project_key

            try:
                scoped = store.for_project(await own_project_key(store, meta.session_id))
                if what == "rename":
                    await sdk.rename_session_via_store(scoped, meta.session_id, value)
                elif what == "tag":
                    await sdk.tag_session_via_store(scoped, meta.session_id, value)
                else:
                    await sdk.delete_session_via_store(scoped, meta.session_id)
            except (LookupError, ValueError) as error:
                raise StoreError(str(error)) from None

        self.call(work)

    def watcher(
        self,
        shown: list[SessionMeta],
        on_files: Callable[[set[str]], None],
        on_sessions: Callable[[list[SessionMeta], list[str]], None],
        on_error: Callable[[str], None],
    ) -> StoreWatcher:
        """A :class:`StoreWatcher` of this store, from the sessions ``shown``."""
        return StoreWatcher(self, shown, on_files, on_sessions, on_error)


class StoreWatcher:
    """What others change in the store, found by asking it every :data:`POLL_SECONDS` for its
    latest write time and number of sessions (one small query; no busy loop, nothing to set
    up in the server). When they moved, the sessions written since the last write time seen
    are read, and the ids of all (to find those deleted): ``on_sessions(listed, gone)`` gets
    the sessions new or changed and the ids gone (the first time, the whole list is compared
    with the one on screen). The open
    session's mirror (:attr:`StoreExplorer.open_session`) is brought up to date first, and
    ``on_files({its path})`` says it grew, as the local watcher says of a file. The callbacks
    run in the store's thread. When the store cannot be reached, ``on_error`` says so once,
    and the next poll tries again (a restarted server is found again)."""

    def __init__(
        self,
        explorer: StoreExplorer,
        shown: list[SessionMeta],
        on_files: Callable[[set[str]], None],
        on_sessions: Callable[[list[SessionMeta], list[str]], None],
        on_error: Callable[[str], None],
    ) -> None:
        self.explorer = explorer
        self.known = {meta.session_id: meta for meta in shown}
        self.on_files = on_files
        self.on_sessions = on_sessions
        self.on_error = on_error
        self.ready = threading.Event()
        """Set once the first poll is done (changes after it are reported)."""
        self._future = None

    def start(self) -> None:
        self._future = asyncio.run_coroutine_threadsafe(self._watch(), self.explorer._loop)

    def stop(self) -> None:
        if self._future is not None:
            self._future.cancel()

    async def _watch(self) -> None:
        explorer = self.explorer
        seen = None
        failing = False
        while True:
            try:
                state = await explorer.store.last_change()
                if state != seen:
                    await self._compare(None if seen is None else seen[0])
                    seen = state
                failing = False
            except Exception as error:  # noqa: BLE001 - said once; the next poll tries again
                if not failing:
                    self.on_error(f"{error} (trying again)")
                failing = True
            self.ready.set()
            await asyncio.sleep(POLL_SECONDS)

    async def _compare(self, since: int | None) -> None:
        """Tell what changed after the write time ``since`` (``None``: compare everything)."""
        from .mirror import SessionNotInStore, mirror_session

        explorer = self.explorer
        sessions = await explorer._list(None, True, since)
        listed = [meta for meta in sessions if self.known.get(meta.session_id) != meta]
        if since is None:
            now = {meta.session_id: meta for meta in sessions}
            gone = [session_id for session_id in self.known if session_id not in now]
            self.known = now
        else:
            ids = await explorer.store.session_ids()
            gone = [session_id for session_id in self.known if session_id not in ids]
            for session_id in gone:
                del self.known[session_id]
            self.known.update((meta.session_id, meta) for meta in listed)
        opened = explorer.open_session
        if opened is not None and any(meta.session_id == opened for meta in listed):
            try:
                async with explorer._mirroring:
                    mirrored = await mirror_session(explorer.store, opened)
            except SessionNotInStore:
                pass  # deleted: the list drops it
            else:
                self.on_files({str(mirrored.path)})
        if listed or gone:
            self.on_sessions(listed, gone)


async def _cancel_the_rest() -> None:
    """Cancel every other task of the loop (calls under way, the watcher) and let them end."""
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _result(future: concurrent.futures.Future):
    """The result of a call on the store's loop; :class:`StoreError` if it was cancelled (the
    explorer closed while it waited)."""
    try:
        return future.result()
    except concurrent.futures.CancelledError:
        raise StoreError("the store was closed") from None


async def _current_role(store: PostgresSessionStore) -> str:
    return (await store._select("SELECT current_user"))[0][0]
