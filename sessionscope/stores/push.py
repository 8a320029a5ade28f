"""Local sessions (with their subagents) into a store: ``sessionscope push``.

Keys are the SDK's (``import_session_to_store``, the live mirror): the project folder's name,
the session id, and for a subagent the path under ``<session>/`` without ``.jsonl``; a
subagent's ``.meta.json`` sidecar follows its lines as one ``agent_metadata`` entry, as the SDK
imports it. Unlike the SDK's import, which raises on the first corrupt line and leaves the rest
of the session out, a line that is not a JSON object is skipped and reported.

Each batch is appended in one transaction together with how far through the file it got
(``pushed``: byte offset, line number), so a push that was killed resumes where its last batch
ended, and a second push reads only what was appended to the files since: the store ends up
exactly as after one clean push. A last line without its newline is still being written and
waits for the next push.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ..transcripts.files import jsonl_files_under
from .postgres import NotYourSession, PostgresSessionStore, StoreError, StoreUnavailable
from .search import message_words

BATCH_BYTES = 4 * 1024 * 1024
"""Line bytes appended in one transaction."""

BATCH_ENTRIES = 5000
"""Entries appended in one transaction at most."""

READ_BYTES = 4 * 1024 * 1024
"""Bytes read from a transcript at a time."""

CONNECTIONS = 2
"""Connections a push writes on at once: each takes the next session in turn (a session's
files and batches all on one, in order), so that the server stores on two cores."""


@dataclass
class SessionFiles:
    """One local session to push: its main transcript and its subagents' ``(subpath, file)``."""

    session_id: str
    project_key: str
    main: Path
    subagents: list[tuple[str, Path]] = field(default_factory=list)

    def transcripts(self) -> list[tuple[dict, Path]]:
        main_key = {"project_key": self.project_key, "session_id": self.session_id}
        return [(main_key, self.main)] + [
            ({**main_key, "subpath": subpath}, path) for subpath, path in self.subagents
        ]


@dataclass
class Skipped:
    """A line left out of the store, and why."""

    session_id: str
    subpath: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.session_id} {self.subpath}" if self.subpath else self.session_id
        return f"{where}: line {self.line} skipped: {self.reason}"


@dataclass
class PushResult:
    """What one push did."""

    sessions: int = 0
    entries_added: int = 0
    bytes_read: int = 0
    added_by_session: dict[str, int] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Sessions (or files) not pushed, one line each."""


def session_files_at(path: Path) -> SessionFiles:
    """The session whose main transcript is ``path`` (``<project>/<id>.jsonl``)."""
    session_folder = path.with_suffix("")
    subagents = [
        ("/".join(file.relative_to(session_folder).parts)[: -len(".jsonl")], file)
        for file in jsonl_files_under(session_folder / "subagents")
    ]
    return SessionFiles(path.stem, path.parent.name, path, subagents)


def local_sessions(
    config_dir: str | os.PathLike[str], project: str | None = None
) -> list[SessionFiles]:
    """Every local session under ``config_dir/projects`` (of ``project`` only, if given: a
    working directory with its worktrees, or a folder name, as ``list --project``)."""
    from ..transcripts.files import session_files

    return [
        session_files_at(path)
        for path in (Path(p) for p, _ in session_files(config_dir, project))
        if path.is_file()
    ]


def _agent_metadata(transcript: Path) -> dict | None:
    """The subagent's ``.meta.json`` sidecar as the SDK imports it, or None."""
    sidecar = transcript.with_name(transcript.name[: -len(".jsonl")] + ".meta.json")
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {**meta, "type": "agent_metadata"} if isinstance(meta, dict) else None


def _parse(line: bytes) -> tuple[bytes, dict] | str:
    """``(text, entry)`` for a line that is a JSON object, else why not."""
    try:
        entry = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        try:
            entry = json.loads(line)  # lone surrogates: JSON allows them, orjson does not
        except ValueError:
            return f"not JSON ({str(error).split(':')[0]})"
    if not isinstance(entry, dict):
        return f"not a JSON object ({type(entry).__name__})"
    return line, entry


@dataclass
class _Batch:
    """Lines read and parsed, up to ``end`` (a byte offset) and line number ``lines``."""

    texts: list[bytes]
    entries: list[dict]
    numbers: list[int]
    skipped: list[tuple[int, str]]
    end: int
    lines: int
    unterminated: bool = False
    words: list[tuple] = field(default_factory=list)
    """:func:`~.search.message_words` of ``entries``."""

    def done(self) -> _Batch:
        """The batch with its search words worked out (in the reading thread, while the
        batch before is being stored)."""
        self.words = message_words(self.entries)
        return self


def _batches(handle, line_no: int):
    """The lines of ``handle`` from where it is, in batches of about :data:`BATCH_BYTES`; the
    last one (possibly empty) ends at the last whole line. A last line without its newline
    is in it when it is a whole JSON object (as the local reader reads it), else it is still
    being written and waits."""
    position = handle.tell()
    batch = _Batch([], [], [], [], position, line_no)
    batch_bytes = 0
    carry = b""
    while chunk := handle.read(READ_BYTES):
        data = carry + chunk
        end = data.rfind(b"\n")
        if end < 0:
            carry = data
            continue
        carry = data[end + 1 :]
        for line in data[:end].split(b"\n"):
            line_no += 1
            position += len(line) + 1
            if not line.strip():
                continue
            parsed = _parse(line)
            if isinstance(parsed, str):
                batch.skipped.append((line_no, parsed))
                continue
            batch.texts.append(parsed[0])
            batch.entries.append(parsed[1])
            batch.numbers.append(line_no)
            batch_bytes += len(line) + 1
            if batch_bytes >= BATCH_BYTES or len(batch.texts) >= BATCH_ENTRIES:
                batch.end, batch.lines = position, line_no
                yield batch.done()
                batch = _Batch([], [], [], [], position, line_no)
                batch_bytes = 0
    if carry.strip() and not isinstance(parsed := _parse(carry), str):
        line_no += 1
        position += len(carry)
        batch.texts.append(parsed[0])
        batch.entries.append(parsed[1])
        batch.numbers.append(line_no)
        batch.unterminated = True
    batch.end, batch.lines = position, line_no
    yield batch.done()


class _Pusher:
    """A push's writes to the store: one batch in flight while the next is read, what was
    added counted into ``result``."""

    def __init__(
        self,
        store: PostgresSessionStore,
        result: PushResult,
        progress: Callable[[int], None],
        refused: set[str],
    ) -> None:
        self.store = store
        self.result = result
        self.progress = progress
        self.pending: asyncio.Task | None = None
        self.refused = refused

    async def submit(
        self, session_id, key, texts, entries, pushed, numbers, start: int, words=None
    ) -> None:
        """Append one batch while the next is read: the server stores this one as we parse
        the next (batches still land one after the other, in order)."""

        async def batch():
            await self.append(session_id, key, texts, entries, pushed, numbers, start, words)
            read = pushed["offset"] - start
            self.progress(read)
            self.result.bytes_read += read

        await self.in_flight(session_id, batch)

    async def in_flight(self, session_id: str, work) -> None:
        """Run ``work()`` once the write before it is done, without waiting for it. A session
        the store has from another role is reported once, and nothing more of it is sent."""
        await self.drain()
        if session_id in self.refused:
            return

        async def guarded():
            try:
                await work()
            except NotYourSession:
                self.refused.add(session_id)
                self.result.problems.append(
                    f"{session_id}: the store has this session from another role; not pushed"
                )

        self.pending = asyncio.create_task(guarded())
        await asyncio.sleep(0)  # let it send its statement

    async def drain(self) -> None:
        """Wait for the batch in flight (its failure is raised here)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            await pending

    async def append(
        self, session_id, key, texts, entries, pushed, numbers, pushed_from, words=None
    ) -> None:
        """One batch; when the server refuses it (a line it cannot keep), line by line, so
        that only the refused lines are left out."""
        try:
            added = await self.store.append_texts(
                key, texts, entries, pushed=pushed, pushed_from=pushed_from, words=words
            )
        except (StoreUnavailable, NotYourSession):
            raise
        except StoreError:
            if len(texts) <= 1:
                raise
            added = 0
            for number, text, entry in zip(numbers, texts, entries, strict=True):
                try:
                    added += await self.store.append_texts(key, [text], [entry])
                except (StoreUnavailable, NotYourSession):
                    raise
                except StoreError as error:
                    self.result.skipped.append(
                        Skipped(
                            session_id,
                            key.get("subpath", ""),
                            number,
                            str(error).rsplit(": ", 1)[-1],
                        )
                    )
            await self.store.append_texts(key, [], None, pushed=pushed, pushed_from=pushed_from)
        self.result.entries_added += added
        counted = self.result.added_by_session
        counted[session_id] = counted.get(session_id, 0) + added

    async def push_file(self, session_id: str, key: dict, path: Path, state: dict) -> None:
        """Push what ``path`` has beyond ``state`` (updated to where it got)."""
        offset, line_no = state.get("offset", 0), state.get("lines", 0)
        subpath = key.get("subpath", "")
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            self.result.problems.append(f"{session_id}: cannot read {path}: {error.strerror}")
            return
        with handle:
            status = os.fstat(handle.fileno())
            size = status.st_size
            # What the local list says of it (last_modified): the store lists a session pushed
            # last by push with its file's time, not the push's.
            recorded_mtime = state.get("file_mtime")
            state["file_mtime"] = int(status.st_mtime * 1000)
            if size < offset:
                self.result.problems.append(
                    f"{session_id}: {path.name} is shorter than what was pushed (rewritten?); "
                    "not pushed again"
                )
                return
            handle.seek(offset)
            if state.get("unterminated") and handle.read(1) != b"\n":
                handle.seek(offset)  # still no newline after the line pushed last time
            # Read and parse in a thread: the event loop meanwhile drives the batch before
            # to the server, so that both cores work.
            batches = _batches(handle, line_no)
            unterminated = state.get("unterminated", False)
            submitted = False
            while True:
                try:
                    batch = await asyncio.to_thread(next, batches, None)
                except OSError as error:  # a read failed (EIO): what was pushed stays
                    self.result.problems.append(
                        f"{session_id}: cannot read {path}: {error.strerror or error}"
                    )
                    break
                if batch is None:
                    break
                self.result.skipped += [
                    Skipped(session_id, subpath, number, reason) for number, reason in batch.skipped
                ]
                if batch.end > offset or batch.texts:
                    pushed = {
                        **state,
                        "offset": batch.end,
                        "lines": batch.lines,
                        "unterminated": batch.unterminated,
                    }
                    await self.submit(
                        session_id,
                        key,
                        batch.texts,
                        batch.entries,
                        pushed,
                        batch.numbers,
                        offset,
                        batch.words,
                    )
                    submitted = True
                    offset, line_no, unterminated = batch.end, batch.lines, batch.unterminated
            state.update(offset=offset, lines=line_no, unterminated=unterminated)
            if not submitted and offset and state["file_mtime"] != recorded_mtime:
                # Nothing new, but the record has not the file's time (pushed by an older
                # version, or the file touched): recorded, for the list to say it.
                await self.submit(session_id, key, [], [], dict(state), [], offset)
        if subpath and not state.get("meta"):
            meta = _agent_metadata(path)
            if meta is not None:
                state["meta"] = True
                text = json.dumps(meta).encode()
                await self.submit(
                    session_id, key, [text], [meta], dict(state), [0], state["offset"]
                )

    async def push_session(self, session: SessionFiles, states: dict) -> None:
        pushed_to = []
        for key, path in session.transcripts():
            state = dict(
                states.get((key["project_key"], key["session_id"], key.get("subpath", "")), {})
            )
            await self.push_file(session.session_id, key, path, state)
            pushed_to.append(state.get("offset", 0))
            if not key.get("subpath"):
                counted = state.get("counted")
        if counted != pushed_to:
            # Counted in the local file as the local list counts it (a torn last line or a
            # corrupt one counts for nothing there either), once the files are in; recorded
            # with the offsets counted at, so that a push killed before it counts next time.
            # Read in a thread: the event loop meanwhile drives the last batch to the server.
            from ..transcripts.sessions import read_session_meta

            meta = await asyncio.to_thread(read_session_meta, session.main)
            if meta is not None:
                key = {"project_key": session.project_key, "session_id": session.session_id}
                counts = {
                    "message_count": meta.message_count,
                    "root_uuid": meta.root_uuid,
                    "forked_from": meta.forked_from,
                }
                if not meta.listed_by_sdk:  # no title in its first 64 KiB: its first message's
                    counts["summary"] = meta.summary
                await self.in_flight(
                    session.session_id, lambda: self.store.set_counts(key, counts, pushed_to)
                )


def pending_bytes(session: SessionFiles, states: dict) -> int:
    """Bytes of the session's files beyond what was pushed."""
    total = 0
    for key, path in session.transcripts():
        state = states.get((key["project_key"], key["session_id"], key.get("subpath", "")), {})
        with contextlib.suppress(OSError):
            total += max(0, path.stat().st_size - state.get("offset", 0))
    return total


async def push_sessions(
    store: PostgresSessionStore,
    sessions: list[SessionFiles],
    *,
    on_start: Callable[[int], None] = lambda total: None,
    progress: Callable[[int], None] = lambda done: None,
) -> PushResult:
    """Push ``sessions`` into ``store``: ``on_start(bytes to read)``, then ``progress(bytes
    read)`` after each batch. A session another role owns is reported, not pushed; the store
    being unreachable raises :class:`StoreUnavailable`."""
    result = PushResult()
    # A session named twice is pushed once: two lanes must not push one session at once.
    sessions = list({(s.project_key, s.session_id): s for s in sessions}.values())
    states = await store.pushed_states(sorted({session.session_id for session in sessions}))
    pending = {id(session): pending_bytes(session, states) for session in sessions}
    on_start(sum(pending.values()))
    refused: set[str] = set()
    # The biggest first, so that no lane is left with a big session while the others idle.
    waiting = iter(sorted(sessions, key=lambda session: -pending[id(session)]))

    async def lane(lane_store: PostgresSessionStore) -> None:
        pusher = _Pusher(lane_store, result, progress, refused)
        for session in waiting:  # the next session no lane has taken
            await pusher.push_session(session, states)
        await pusher.drain()

    # The other lanes connect on their first session (a push of one session opens one).
    others = [PostgresSessionStore(store.url, table=store.table) for _ in range(CONNECTIONS - 1)]
    try:
        async with asyncio.TaskGroup() as lanes:
            for lane_store in [store, *others]:
                lanes.create_task(lane(lane_store))
    except ExceptionGroup as errors:
        raise errors.exceptions[0] from None  # the first lane's failure, as from one lane
    finally:
        for other in others:
            await other.close()
    added = result.added_by_session
    result.added_by_session = {
        session.session_id: added[session.session_id]
        for session in sessions
        if session.session_id in added
    }
    result.sessions = len({session.session_id for session in sessions} - refused)
    return result
