"""Token usage, counted the way the API billed it. Pure: no Textual, no SDK.

The counting rules (each has a test on real and generated transcripts):

- **One API response counts once**, with the usage of its *last* entry. The CLI splits one
  response into several ``assistant`` entries (one content block each) sharing ``message.id``
  and repeats the response's usage on each, the output tokens growing as it streams.
- **Subagent transcripts count**: their files are read like the session's own and belong to it
  (the caller passes them with the session's id), and so are the subagent responses that
  ``agent_progress`` entries mirror into the session's file (all older CLIs kept); a response
  found both ways counts once, its fullest copy.
- **A response copied into another session counts once.** A fork copies the history it starts
  from, each entry keeping its ``message.id``: the SDK's ``fork_session`` and the CLI's
  ``--fork-session`` stamp the copies ``forkedFrom``, and a copy may carry the source's
  ``sessionId``. Such a copy is marked :attr:`Response.copied`, so a fork's own totals leave
  out its inherited history; across sessions each ``message.id`` counts once
  (:func:`owned_responses`).

Responses the CLI makes up itself (model ``<synthetic>``: an API error shown as a reply) cost
nothing and are not counted. A file is read once into :class:`FileUsage`, small enough to keep
per file in a cache (``index.usage_cache``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import msgspec

SYNTHETIC_MODEL = "<synthetic>"
"""The model name of replies the CLI writes itself (no API call behind them)."""


class _CacheCreation(msgspec.Struct, gc=False):
    """``usage.cache_creation``: cache writes by lifetime."""

    ephemeral_5m_input_tokens: int = 0
    ephemeral_1h_input_tokens: int = 0


class _Usage(msgspec.Struct, gc=False):
    """A response's ``message.usage``."""

    input_tokens: int | None = 0
    output_tokens: int | None = 0
    cache_read_input_tokens: int | None = 0
    cache_creation_input_tokens: int | None = 0
    cache_creation: _CacheCreation | None = None


class _Message(msgspec.Struct, gc=False):
    """What counting reads of an entry's ``message``."""

    id: str | None = None
    model: str | None = None
    usage: _Usage | None = None


class _ForkedFrom(msgspec.Struct, gc=False):
    """An entry's ``forkedFrom``."""

    sessionId: str | None = None  # noqa: N815 (the JSON key)


class _Embedded(msgspec.Struct, gc=False):
    """The subagent entry an ``agent_progress`` entry carries."""

    type: str | None = None
    timestamp: str | None = None
    message: _Message | None = None


class _Progress(msgspec.Struct, gc=False):
    """An ``agent_progress`` entry's ``data``."""

    type: str | None = None
    message: _Embedded | None = None


class UsageEntry(msgspec.Struct, gc=False):
    """What counting needs of one transcript line (everything else is skipped when decoding)."""

    type: str | None = None
    timestamp: str | None = None
    sessionId: str | None = None  # noqa: N815 (the JSON key)
    cwd: str | None = None
    forkedFrom: _ForkedFrom | None = None  # noqa: N815 (the JSON key)
    message: _Message | None = None
    data: msgspec.Raw = msgspec.Raw(b"")
    """A ``progress`` entry's payload, decoded only for ``agent_progress`` (other kinds of
    progress hold other shapes)."""


_decode_entry = msgspec.json.Decoder(UsageEntry).decode
_decode_progress = msgspec.json.Decoder(_Progress).decode


def _answer(entry: UsageEntry) -> tuple[_Message, str | None] | None:
    """The API response message an entry carries, with its time: an ``assistant`` entry's own,
    or the subagent's that an ``agent_progress`` entry mirrors into its parent session (newer
    CLIs also write the subagent's own file; older ones kept only these)."""
    if entry.type == "assistant":
        return (entry.message, entry.timestamp) if entry.message is not None else None
    if entry.type != "progress" or not entry.data:
        return None
    try:
        progress = _decode_progress(entry.data)
    except (msgspec.DecodeError, ValueError):
        return None
    embedded = progress.message
    if progress.type != "agent_progress" or embedded is None or embedded.type != "assistant":
        return None
    if embedded.message is None:
        return None
    return embedded.message, embedded.timestamp or entry.timestamp


class Response(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """One API response: its id, model, time and the usage of its last entry."""

    message_id: str
    model: str
    timestamp: str
    """The time of the response's last entry (ISO 8601, as written; UTC for the CLI)."""
    input_tokens: int
    output_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int
    cache_creation_1h_tokens: int
    """The part of ``cache_creation_input_tokens`` written for an hour (priced higher)."""
    copied: bool
    """Copied from another session (a fork's inherited history), not answered here."""

    @property
    def day(self) -> str:
        """``YYYY-MM-DD`` of :attr:`timestamp` (UTC: what the CLI writes)."""
        return self.timestamp[:10]


class FileUsage(msgspec.Struct, gc=False, array_like=True):
    """The responses of one transcript file, and whose they are."""

    path: str
    session_id: str
    """The session the file belongs to (a subagent file: its parent session)."""
    project: str
    """The project folder's name under ``projects/``."""
    cwd: str | None
    """The working directory the first entry names."""
    first_timestamp: str | None
    """The file's earliest entry time: which of two sessions holding one response came first."""
    responses: list[Response] = msgspec.field(default_factory=list)


def _int(value: int | None) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def count_responses(entries: Iterable[UsageEntry], session_id: str) -> list[Response]:
    """The API responses among ``entries`` (one file's, in file order), each once, with the
    usage of its last entry; in the order each response first appears.

    ``session_id`` is the session the file belongs to: an entry carrying another session's id,
    or stamped ``forkedFrom``, was copied from elsewhere.
    """
    found: dict[str, Response] = {}
    for entry in entries:
        answer = _answer(entry)
        if answer is None:
            continue
        message, timestamp = answer
        if not message.id:
            continue
        usage = message.usage
        model = message.model or ""
        if usage is None or model == SYNTHETIC_MODEL:
            continue
        copied = entry.forkedFrom is not None or (
            entry.sessionId is not None and entry.sessionId != session_id
        )
        cache_creation = usage.cache_creation
        earlier = found.get(message.id)
        found[message.id] = Response(
            message_id=message.id,
            model=model,
            timestamp=timestamp or (earlier.timestamp if earlier else ""),
            input_tokens=_int(usage.input_tokens),
            output_tokens=_int(usage.output_tokens),
            cache_read_input_tokens=_int(usage.cache_read_input_tokens),
            cache_creation_input_tokens=_int(usage.cache_creation_input_tokens),
            cache_creation_1h_tokens=(
                _int(cache_creation.ephemeral_1h_input_tokens) if cache_creation else 0
            ),
            copied=copied or (earlier.copied if earlier else False),
        )
    return list(found.values())


READ_CHUNK = 1 << 20
"""Bytes read at a time: a 100 MB transcript is counted in a megabyte of memory."""


def file_lines(handle) -> Iterator[bytes]:
    """Each line of an open binary file, read a megabyte at a time (a last line without its
    newline may be half written: it is yielded, and fails to decode if it is)."""
    rest = b""
    while True:
        chunk = handle.read(READ_CHUNK)
        if not chunk:
            break
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest


def usage_entries(lines: Iterable[bytes]) -> Iterator[UsageEntry]:
    """The entries among a transcript's lines that carry usage, after the first lines that
    name the file's session, folder and time; read leniently: a bad or torn line is skipped
    (it costs that line only)."""
    head = True
    for line in lines:
        if not head and b'"usage"' not in line:
            continue
        try:
            entry = _decode_entry(line)
        except (msgspec.DecodeError, ValueError):
            continue
        if head and entry.sessionId and entry.cwd and entry.timestamp:
            head = False
        yield entry


def read_file_usage(path: str, session_id: str | None, project: str) -> FileUsage:
    """Read one transcript file's responses. ``session_id`` is the session it belongs to, or
    ``None`` for an older ``agent-*.jsonl`` beside the sessions: the session its entries name.
    Raises ``OSError`` when the file cannot be read."""
    with open(path, "rb") as handle:
        return usage_of_lines(file_lines(handle), path, session_id, project)


def usage_of_lines(
    lines: Iterable[bytes], path: str, session_id: str | None, project: str
) -> FileUsage:
    """The responses of one transcript's lines (a file's, or a stored transcript's entries:
    those carrying usage, after its first ones), as :func:`read_file_usage` reads them."""
    entries = list(usage_entries(lines))
    if session_id is None:
        session_id = next((e.sessionId for e in entries if e.sessionId), "") or ""
    cwd = next((e.cwd for e in entries if e.cwd), None)
    first_timestamp = min((e.timestamp for e in entries if e.timestamp), default=None)
    return FileUsage(
        path=path,
        session_id=session_id,
        project=project,
        cwd=cwd,
        first_timestamp=first_timestamp,
        responses=count_responses(entries, session_id),
    )


class OwnedResponse(NamedTuple):
    """A response with the file (so the session) that answered it."""

    response: Response
    file: FileUsage

    @property
    def session_id(self) -> str:
        return self.file.session_id

    @property
    def project(self) -> str:
        return self.file.project

    @property
    def cwd(self) -> str | None:
        return self.file.cwd


def owned_responses(files: Iterable[FileUsage]) -> list[OwnedResponse]:
    """Every response of ``files`` once, with the session it belongs to.

    A ``message.id`` found in several files belongs to a copy that is not marked copied, the
    session that started first winning if several are not (older CLIs marked no copies), and
    of one session's copies the fullest (a mirrored one may have stopped early).
    """
    files = list(files)
    started: dict[str, str] = {}
    for usage in files:
        if usage.first_timestamp and (
            usage.session_id not in started or usage.first_timestamp < started[usage.session_id]
        ):
            started[usage.session_id] = usage.first_timestamp

    def rank(owned: OwnedResponse) -> tuple:
        response, usage = owned
        return (
            response.copied,
            started.get(usage.session_id, "~"),
            usage.session_id,
            -response.output_tokens,
        )

    best: dict[str, OwnedResponse] = {}
    for usage in files:
        for response in usage.responses:
            candidate = OwnedResponse(response, usage)
            known = best.setdefault(response.message_id, candidate)
            if known is not candidate and rank(candidate) < rank(known):
                best[response.message_id] = candidate
    return list(best.values())


def own_responses(files: Iterable[FileUsage]) -> list[Response]:
    """A session's own responses from its files alone (its transcript and its subagents'):
    each once, copies from other sessions left out."""
    seen: dict[str, Response] = {}
    for usage in files:
        for response in usage.responses:
            if response.copied:
                continue
            known = seen.get(response.message_id)
            if known is None or response.output_tokens > known.output_tokens:
                seen[response.message_id] = response
    return list(seen.values())


@dataclass(slots=True)
class Totals:
    """Summed usage of some responses, with their cost where every price is known."""

    responses: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cost_usd: float = 0.0
    """The cost of the priced responses."""
    unpriced_responses: int = 0
    """Responses whose model (or size) the price table does not cover: not in ``cost_usd``."""

    def add(self, response: Response, cost: float | None) -> None:
        self.responses += 1
        self.input_tokens += response.input_tokens
        self.output_tokens += response.output_tokens
        self.cache_read_input_tokens += response.cache_read_input_tokens
        self.cache_creation_input_tokens += response.cache_creation_input_tokens
        if cost is None:
            self.unpriced_responses += 1
        else:
            self.cost_usd += cost

    @property
    def tokens(self) -> int:
        """Every token the responses read or wrote."""
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_input_tokens
            + self.cache_creation_input_tokens
        )

    @property
    def known_cost(self) -> float | None:
        """The cost, or ``None`` when no response of these could be priced."""
        if self.responses and self.unpriced_responses == self.responses:
            return None
        return self.cost_usd


def totals_by(
    owned: Iterable[OwnedResponse],
    key: Callable[[OwnedResponse], str],
    cost: Callable[[Response], float | None],
) -> dict[str, Totals]:
    """``owned`` summed per ``key(response)``, each response priced by ``cost``."""
    groups: dict[str, Totals] = {}
    for item in owned:
        name = key(item)
        totals = groups.get(name)
        if totals is None:
            totals = groups[name] = Totals()
        totals.add(item.response, cost(item.response))
    return groups


def tokens_text(count: int) -> str:
    """``950``, ``12.3k``, ``4.56M``."""
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}k"
    return f"{count / 1_000_000:.2f}M"


def cost_text(totals: Totals) -> str:
    """``$1.23`` (``$0.0036`` below a cent); ``$1.23+?`` when some responses have no price;
    ``?`` when none has."""
    cost = totals.known_cost
    if cost is None:
        return "?"
    shown = f"${cost:.4f}" if 0 < cost < 0.01 else f"${cost:,.2f}"
    return shown + ("+?" if totals.unpriced_responses else "")


def usage_line(usage: dict) -> str:
    """One response's ``message.usage`` as a header shows it: ``3 in · 40 out · 13.1k cache
    read · 9.3k cache write`` (cache parts left out when zero)."""

    def count(key: str) -> int:
        value = usage.get(key)
        return value if isinstance(value, int) and value > 0 else 0

    parts = [
        f"{tokens_text(count('input_tokens'))} in",
        f"{tokens_text(count('output_tokens'))} out",
    ]
    if count("cache_read_input_tokens"):
        parts.append(f"{tokens_text(count('cache_read_input_tokens'))} cache read")
    if count("cache_creation_input_tokens"):
        parts.append(f"{tokens_text(count('cache_creation_input_tokens'))} cache write")
    return " · ".join(parts)


def file_identity(path: str) -> tuple[int, int, int]:
    """(size, mtime_ns, inode): a file whose identity is unchanged need not be read again."""
    status = os.stat(path)
    return (status.st_size, status.st_mtime_ns, status.st_ino)
