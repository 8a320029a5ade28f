"""Search through a store: the words of each message kept beside its entry (filled when it is
appended), and a :class:`~sessionscope.index.query.Query` (the one parser) as PostgreSQL
full-text search.

Words are split as the local index splits them (:func:`~sessionscope.index.query.term_words`:
letters and digits, anything else separates; lower case, accents folded) before PostgreSQL
sees them, and kept with the ``simple`` configuration (no stemming, no stop words): PostgreSQL's
own parser would keep ``src/app.py`` as one file-name token and ``ENT-207`` as a hyphenated word,
so typing ``app.py`` or ``ENT`` would find nothing. A word with punctuation inside is then the
phrase of its parts (``parse_line`` is ``parse <-> line``), as locally.

Limits of PostgreSQL's ``tsvector``: a message's first :data:`MAX_WORDS_CHARS` characters of
words are kept (a bigger tool result is found by its beginning), and phrases are matched within
its first 16,383 words.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata

from ..index.query import Query, Term
from ..index.search import Hit, snippet_of
from ..transcripts.content import searchable_text
from ..transcripts.lines import load_json
from ..transcripts.text import inert

__all__ = [
    "MAX_WORDS_CHARS",
    "fold",
    "message_words",
    "resolve_calls",
    "search",
    "tsquery_text",
]

MAX_WORDS_CHARS = 300_000
"""Characters of a message's words kept (a ``tsvector`` holds at most 1 MB)."""


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
"""The combining marks that accents decompose into (Unicode's combining diacritical blocks)."""


def fold(text: str) -> str:
    """``text`` without its accents (``é`` is ``e``), as the local index compares words."""
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFD", text))


_ASCII_WORDS = bytes.maketrans(
    bytes(range(128)),
    bytes(ord(char.lower()) if char.isalnum() else ord(" ") for char in map(chr, range(128))),
)
"""A ``bytes.translate`` table: ASCII letters lower-cased, digits kept, every other ASCII
character a space; the bytes of other characters kept."""

_NOT_WORD = re.compile(r"[\W_]+")
"""What separates the words (:data:`~sessionscope.index.query.WORD`: letters and digits)."""


@functools.lru_cache(maxsize=4096)
def _words_of_run(run: str) -> bytes:
    """A run of non-ASCII characters as :func:`words_of` keeps it: accents folded, every
    character that is no letter or digit a space (UTF-8)."""
    return _NOT_WORD.sub(" ", fold(run)).encode()


def _non_ascii_words(error: UnicodeError) -> tuple[bytes, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return _words_of_run(error.object[error.start : error.end]), error.end


codecs.register_error("sessionscope.words", _non_ascii_words)


def words_of(text: str) -> str:
    """The words of a message as the store keeps them: split as the local index splits them
    (letters and digits; anything else separates), lower case, accents folded, separated by
    spaces (one or more), at most :data:`MAX_WORDS_CHARS` characters.

    Made in a few passes over the whole text in C (a regular expression's list of words,
    joined, took five times as long): the ASCII is left as it is by the encoder and then
    translated; only each run of other characters (an accent, an arrow, a word in Cyrillic)
    goes through Python, once per distinct run."""
    words = (
        text[:MAX_WORDS_CHARS]
        .encode("ascii", "sessionscope.words")
        .translate(_ASCII_WORDS)
        .decode()
    )
    if words.isascii():
        return words
    # The other letters lower-cased together, as one lower() of the words joined did
    # (a final sigma depends on the letters beside it).
    return words.lower()[:MAX_WORDS_CHARS]


def _calls(content: object, kind: str, field: str) -> list[str]:
    if not isinstance(content, list):
        return []
    return [
        block[field]
        for block in content
        if isinstance(block, dict)
        and block.get("type") == kind
        and isinstance(block.get(field), str)
    ]


def message_words(entries: list[dict]) -> list[tuple]:
    """What is costly in the search rows of a batch of entries, apart from the tool names of
    tool results (:func:`resolve_calls` adds them): for each ``user`` and ``assistant`` entry
    with a uuid (the first of a uuid only), ``(uuid, role, tools, timestamp, words, calls,
    results)``. ``tools`` are the tool names it calls, ``calls`` their call ids, ``results``
    the call ids whose results it holds; ``words`` space-separated."""
    rows: list[tuple] = []
    seen: set[str] = set()
    for value in entries:
        if not isinstance(value, dict) or value.get("type") not in ("user", "assistant"):
            continue
        uuid = value.get("uuid")
        if not isinstance(uuid, str) or uuid in seen:
            continue
        seen.add(uuid)
        role, text, tools = searchable_text(value)
        message = value.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        calls = _calls(content, "tool_use", "id") if role == "assistant" else []
        results = _calls(content, "tool_result", "tool_use_id") if role == "tool" else []
        timestamp = value.get("timestamp")
        rows.append(
            (
                uuid,
                role,
                tools,
                timestamp if isinstance(timestamp, str) else None,
                words_of(text),
                calls,
                results,
            )
        )
    return rows


def resolve_calls(rows: list[tuple], known_calls: dict[str, str]) -> list[tuple]:
    """The search rows ``(uuid, role, tools, timestamp, words, calls)`` of
    :func:`message_words`' rows: ``tools`` and ``calls`` space-separated, and for a tool
    result the tools whose results it holds (looked up in ``known_calls``, call id → name,
    which the rows' calls are added to, in order)."""
    resolved: list[tuple] = []
    for uuid, role, tools, timestamp, words, calls, results in rows:
        for call_id, name in zip(calls, tools, strict=False):
            known_calls[call_id] = name
        if role == "tool":
            tools = [known_calls[i] for i in results if i in known_calls]
        tools_text = " ".join(tool.lower() for tool in tools)
        resolved.append((uuid, role, tools_text, timestamp, words, " ".join(calls)))
    return resolved


def unresolved_results(rows: list[tuple]) -> list[str]:
    """Tool call ids that the tool results of :func:`message_words`' rows answer and that
    the rows do not call (their calls were appended before: the store looks them up)."""
    in_rows = {call_id for row in rows for call_id in row[5]}
    return [call_id for row in rows for call_id in row[6] if call_id not in in_rows]


def _term_tsquery(term: Term) -> str:
    words = [f"'{word}'" for word in words_of(term.text).split()]
    if term.prefix:
        words[-1] += ":*"
    return " <-> ".join(words)


def tsquery_text(terms: tuple[Term, ...]) -> str:
    """The ``to_tsquery('simple', …)`` text of the terms, all of them required: each term the
    phrase of its words, a prefix term's last word ``:*``."""
    return " & ".join(f"({_term_tsquery(term)})" for term in terms)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filters_sql(query: Query) -> tuple[list[str], list]:
    """The SQL conditions of the query's filters (on ``w``: the message's search row, ``k``:
    its transcript's key, ``s``: its session's main key) and their parameters."""
    from ..transcripts.files import sanitize_path

    where: list[str] = []
    parameters: list = []

    def any_of(condition: str, values, convert=lambda value: value) -> None:
        if values:
            where.append("(" + " OR ".join([condition] * len(values)) + ")")
            for value in values:
                converted = convert(value)
                parameters.extend(converted if isinstance(converted, list) else [converted])

    any_of(
        "(k.project_key ILIKE %s OR s.meta ->> 'cwd' ILIKE %s)",
        query.values("project"),
        lambda value: [f"%{_like(sanitize_path(value))}%", f"%{_like(value)}%"],
    )
    any_of("lower(s.meta ->> 'git_branch') = lower(%s)", query.values("branch"))
    any_of("lower(s.meta ->> 'tag') = lower(%s)", query.values("tag"))
    any_of("w.role = %s", query.values("role"))
    any_of("%s = ANY(string_to_array(w.tools, ' '))", query.values("tool"), str.lower)
    any_of("k.session_id LIKE %s", query.values("session"), lambda v: _like(v.lower()) + "%")
    for value in query.values("after"):
        where.append("w.timestamp >= %s")
        parameters.append(value)
    for value in query.values("before"):
        where.append("w.timestamp < %s")
        parameters.append(value)
    return where, parameters


async def search(store, query: Query, limit: int = 20) -> list[Hit]:
    """The best ``limit`` hits of ``query`` among the messages this role may read in
    ``store`` (a :class:`~sessionscope.stores.PostgresSessionStore`), each with its snippet:
    ranked by ``ts_rank`` with words, newest first with filters only."""
    where, parameters = filters_sql(query)
    rows = await store.search_rows(
        tsquery_text(query.terms) if query.terms else None, where, parameters, limit
    )
    hits = []
    for session_id, subpath, project_key, title, role, text, cwd in rows:
        value = load_json(text)
        value = value if isinstance(value, dict) else {}
        timestamp = value.get("timestamp")
        hit = Hit(
            session_id=session_id,
            uuid=value.get("uuid") if isinstance(value.get("uuid"), str) else None,
            type=str(value.get("type") or ""),
            role=role,
            timestamp=timestamp if isinstance(timestamp, str) else None,
            project=project_key,
            # As the local index keeps it (transcripts.meta.session_title): one line, inert.
            title=inert(" ".join(title.split())) if title and title.strip() else "",
            agent_id=subpath.rsplit("/", 1)[-1].removeprefix("agent-") if subpath else None,
            path="",
            offset=0,
            length=0,
            cwd=cwd,
        )
        hit.snippet, hit.highlights = snippet_of(value, query.terms)
        hits.append(hit)
    return hits
