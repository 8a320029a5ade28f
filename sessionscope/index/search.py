"""Search the index: a :class:`~.query.Query` as SQLite FTS5 and SQL, ranked hits, and each
hit's snippet read back from its transcript (the index keeps no copy of the text)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..transcripts.content import searchable_text
from ..transcripts.files import open_regular, sanitize_path
from ..transcripts.lines import parse_line
from ..transcripts.text import inert
from .query import Query, Term

__all__ = ["Hit", "fts_match", "search", "snippet", "snippet_of"]

SNIPPET_CHARS = 160
"""Characters of text around the first match a snippet shows."""


@dataclass(slots=True)
class Hit:
    """One message that matches, best first."""

    session_id: str
    uuid: str | None
    type: str
    role: str
    timestamp: str | None
    project: str
    """The project folder's name (the slugged working directory)."""
    title: str
    """The session's title (``transcripts.meta.session_title``), as the list shows it."""
    agent_id: str | None
    """The subagent whose transcript holds the message; ``None`` for the session's own."""
    path: str
    offset: int
    length: int
    cwd: str | None = None
    """The session's working directory, when its transcript says (the list names the project
    by it)."""
    snippet: str = ""
    """Text around the first match, one line, control characters made visible."""
    highlights: list[tuple[int, int]] = field(default_factory=list)
    """``(start, end)`` of each match in :attr:`snippet`."""

    def as_json(self) -> dict:
        return {
            "session_id": self.session_id,
            "uuid": self.uuid,
            "type": self.type,
            "timestamp": self.timestamp,
            "snippet": self.snippet,
            "role": self.role,
            "project": self.project,
            "cwd": self.cwd,
            "title": self.title,
            "agent_id": self.agent_id,
            "highlights": [list(span) for span in self.highlights],
        }


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts_match(terms: tuple[Term, ...]) -> str:
    """The FTS5 MATCH expression of the terms: each term a quoted string (FTS5 splits it into
    words with the table's tokenizer, so ``src/app.py`` is the phrase ``src app py``), a
    prefix term's last word starred; all of them required."""
    return " AND ".join(_quoted(term.text) + ("*" if term.prefix else "") for term in terms)


def _filters(query: Query, root: str) -> tuple[list[str], list]:
    """The SQL conditions of the query's filters (on ``m``: the message, ``f``: its file,
    ``s``: its session's file) and their parameters."""
    where = ["f.root = ?"]
    parameters: list = [root]

    def any_of(condition: str, values: tuple[str, ...], convert=lambda value: value) -> None:
        where.append("(" + " OR ".join([condition] * len(values)) + ")")
        parameters.extend(convert(value) for value in values)

    projects = query.values("project")
    if projects:
        either = "f.project LIKE ? ESCAPE '\\' OR s.cwd LIKE ? ESCAPE '\\'"
        where.append("(" + " OR ".join([either] * len(projects)) + ")")
        for value in projects:  # the folder's name (slugged) or the working directory
            parameters += [f"%{_like(sanitize_path(value))}%", f"%{_like(value)}%"]
    if query.values("branch"):
        any_of("s.git_branch = ? COLLATE NOCASE", query.values("branch"))
    if query.values("tag"):
        any_of("s.tag = ? COLLATE NOCASE", query.values("tag"))
    if query.values("role"):
        any_of("m.role = ?", query.values("role"))
    if query.values("tool"):
        any_of(
            "(' ' || m.tools || ' ') LIKE ? ESCAPE '\\'",
            query.values("tool"),
            lambda value: f"% {_like(value)} %",
        )
    if query.values("session"):
        any_of(
            "f.session_id LIKE ? ESCAPE '\\'",
            query.values("session"),
            lambda value: _like(value.lower()) + "%",
        )
    for value in query.values("after"):
        where.append("m.timestamp >= ?")
        parameters.append(value)
    for value in query.values("before"):
        where.append("m.timestamp < ?")
        parameters.append(value)
    return where, parameters


_SELECT = (
    "SELECT m.id, f.session_id, m.uuid, m.type, m.role, m.timestamp, f.project, "
    "coalesce(s.title, ''), f.agent_id, f.path, m.offset, m.length, s.cwd "
    "FROM messages m CROSS JOIN files f ON f.id = m.file_id "
    "LEFT JOIN files s ON s.root = f.root AND s.session_id = f.session_id AND s.agent_id IS NULL "
    "AND s.project = f.project "
)
# The title is the session's file's in the message's own project: one session id may be in
# two (a copy).
# CROSS JOIN: the messages drive (by id), their files are looked up; SQLite would otherwise
# start from every file of the root.

RANKED_STEP = 500
"""The most ranked matches looked up at a time, until enough pass the filters (the first
look-up takes twice the hits wanted, each next one twice as many as the one before)."""

RECENT_MATCHES = 5000
"""Matches ranked together first, the newest: a common word's older matches come after."""


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(db, query: Query, root: str, limit: int = 20) -> list[Hit]:
    """The best ``limit`` hits of ``query`` among the transcripts under ``root``, each with its
    snippet (``db``: the index's :class:`~.db.Database`).

    With words, the full-text table ranks its matches alone (bm25, best first; a common word's
    newest :data:`RECENT_MATCHES` matches first, then its older ones) and the messages are
    looked up in that order, a step at a time, until ``limit`` pass the filters: only the hits
    shown are joined. With filters only, the newest messages that pass come first."""
    where, parameters = _filters(query, root)

    def ranked(conn) -> list[tuple]:
        if not query.terms:
            return conn.execute(
                f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY m.timestamp DESC LIMIT ?",
                (*parameters, limit),
            ).fetchall()
        match = fts_match(query.terms)
        # Ranking costs a little for every match, which adds up for a common word. So the
        # newest RECENT_MATCHES matches (the newest messages have the highest
        # rowids) are ranked first, and the older ones, ranked, only when those leave fewer
        # than ``limit`` hits that pass the filters.
        edge = conn.execute(
            "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? "
            "ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (match, RECENT_MATCHES - 1),
        ).fetchone()
        if edge is None:
            passes = [("", ())]
        else:
            passes = [("AND rowid >= ?", (edge[0],)), ("AND rowid < ?", (edge[0],))]
        found: list[tuple] = []
        step = min(2 * limit, RANKED_STEP)
        for bound, values in passes:
            matches = conn.execute(
                f"SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? {bound} ORDER BY rank",
                (match, *values),
            )
            while len(found) < limit:
                ids = [row[0] for row in matches.fetchmany(step)]
                step = min(2 * step, RANKED_STEP)
                if not ids:
                    break
                marks = ", ".join("?" * len(ids))
                rows = conn.execute(
                    f"{_SELECT} WHERE m.id IN ({marks}) AND {' AND '.join(where)}",
                    (*ids, *parameters),
                ).fetchall()
                by_id = {row[0]: row for row in rows}
                found += [by_id[rowid] for rowid in ids if rowid in by_id]
            if len(found) >= limit:
                break
        return found[:limit]

    hits = [Hit(*row[1:]) for row in db.run(ranked, [])]
    for hit in hits:
        hit.snippet, hit.highlights = snippet(hit, query.terms)
    return hits


def _pattern(term: Term) -> str:
    words = [re.escape(word) for word in term.words]
    body = r"[\W_]+".join(words)
    end = r"[^\W_]*" if term.prefix else r"(?![^\W_])"
    return r"(?<![^\W_])" + body + end


def snippet(hit: Hit, terms: tuple[Term, ...]) -> tuple[str, list[tuple[int, int]]]:
    """The text around the first match in the hit's message, read again from its transcript,
    and where the matches are in it. ``("", [])`` when the line changed or is gone."""
    try:
        fd = open_regular(hit.path)
        try:
            raw = os.pread(fd, hit.length, hit.offset)
        finally:
            os.close(fd)
    except OSError:
        return "", []
    value, _error = parse_line(raw)
    return snippet_of(value, terms)


def snippet_of(value: object, terms: tuple[Term, ...]) -> tuple[str, list[tuple[int, int]]]:
    """The text around the first match in a message (its parsed entry), and where the matches
    are in it. ``("", [])`` when it is not an entry."""
    if not isinstance(value, dict):
        return "", []
    text = " ".join(searchable_text(value)[1].split())
    spans: list[tuple[int, int]] = []
    if terms:
        pattern = re.compile("|".join(_pattern(term) for term in terms), re.IGNORECASE)
        spans = [match.span() for match in pattern.finditer(text)]
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET_CHARS // 3)
    if start:
        space = text.rfind(" ", start - 20, start)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + SNIPPET_CHARS)
    # Made visible piece by piece, so that the matches' places follow the text's.
    pieces: list[str] = ["…" if start else ""]
    shown: list[tuple[int, int]] = []
    at = start
    length = len(pieces[0])
    for span_start, span_end in spans:
        if span_start < at or span_start >= end:
            continue
        before = inert(text[at:span_start], keep_newlines=False, keep_tabs=False)
        matched = inert(text[span_start : min(span_end, end)], keep_newlines=False, keep_tabs=False)
        pieces += [before, matched]
        length += len(before)
        shown.append((length, length + len(matched)))
        length += len(matched)
        at = min(span_end, end)
    pieces.append(inert(text[at:end], keep_newlines=False, keep_tabs=False))
    if end < len(text):
        pieces.append("…")
    return "".join(pieces), shown
