"""The session list as rows: projects grouped, newest first, forks under their parent, filtered.

Pure functions over ``SessionMeta`` (no Textual), so they are tested directly.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sessionscope.transcripts.files import sanitize_path
from sessionscope.transcripts.meta import SessionMeta, session_title
from sessionscope.transcripts.text import inert

if TYPE_CHECKING:
    from sessionscope.index.query import Query


@dataclass(slots=True, frozen=True)
class Row:
    """One row of the list: a project heading or a session."""

    kind: str
    """``project`` or ``session``."""
    project: str
    meta: SessionMeta | None = None
    depth: int = 0
    """0 for a session, 1 for a fork of a listed session, 2 for a fork of a fork..."""
    count: int = 0
    """Sessions under a project heading."""
    label: str = ""
    """A project's display name."""


def describe(meta: SessionMeta) -> str:
    """How a session is named in dialogs and notices: its title and id, made inert."""
    title = session_title(meta)
    if len(title) > 60:
        title = title[:59] + "…"
    return f"“{title}” ({meta.session_id})"


def project_label(metas: list[SessionMeta], slug: str) -> str:
    """The project's working directory, with ``~`` for the home folder, else its folder name."""
    cwd = next((meta.cwd for meta in metas if meta.cwd), None)
    if not cwd:
        return inert(slug)
    home = os.path.expanduser("~")
    if home not in ("", "/") and (cwd == home or cwd.startswith(home + os.sep)):
        cwd = "~" + cwd[len(home) :]
    return inert(cwd)


def format_age(now_ms: int, then_ms: int | None) -> str:
    """``now``, ``5m``, ``3h``, ``2d``, ``4w``, ``7mo``, ``2y``."""
    if not then_ms:
        return "?"
    seconds = max(0, (now_ms - then_ms) // 1000)
    for limit, unit, size in (
        (60, "s", 1),
        (3600, "m", 60),
        (86400, "h", 3600),
        (86400 * 14, "d", 86400),
        (86400 * 61, "w", 86400 * 7),
        (86400 * 730, "mo", 86400 * 30),
    ):
        if seconds < limit:
            return "now" if unit == "s" else f"{seconds // size}{unit}"
    return f"{seconds // (86400 * 365)}y"


def haystack(meta: SessionMeta) -> str:
    """What ``/`` matches against: title, project, branch, tag, id."""
    parts = [
        session_title(meta),
        meta.project,
        meta.cwd or "",
        meta.git_branch or "",
        meta.tag or "",
        meta.session_id,
    ]
    return " ".join(parts).lower()


def fuzzy_match(query: str, text: str) -> bool:
    """Every word of ``query`` appears in ``text`` as a subsequence (``fbr`` matches ``foo-bar``)."""
    for word in query.lower().split():
        position = 0
        for char in word:
            position = text.find(char, position)
            if position < 0:
                return False
            position += 1
    return True


def session_matches(meta: SessionMeta, query: Query) -> bool:
    """Whether a session passes the ``/`` filter: each word fuzzily in its title, project,
    branch, tag or id (:func:`fuzzy_match`), and the session filters of the search syntax
    (``project:`` ``branch:`` ``tag:`` ``session:`` ``after:`` ``before:``, the last two on
    when it was last written). ``role:`` and ``tool:`` are about messages: the search screen
    (``ctrl+f``) applies them."""
    text = haystack(meta)
    if not all(fuzzy_match(term.text, text) for term in query.terms):
        return False
    checks = {
        "project": lambda value: (
            value.lower() in f"{meta.project} {meta.cwd or ''}".lower()
            or sanitize_path(value).lower() in meta.project.lower()
        ),
        "branch": lambda value: (meta.git_branch or "").lower() == value.lower(),
        "tag": lambda value: (meta.tag or "").lower() == value.lower(),
        "session": lambda value: meta.session_id.lower().startswith(value.lower()),
        "after": lambda value: _iso(meta.last_modified) >= value,
        "before": lambda value: _iso(meta.last_modified) < value,
    }
    return all(
        any(check(value) for value in query.values(name))
        for name, check in checks.items()
        if query.values(name)
    )


def _iso(milliseconds: int | None) -> str:
    """A time in ms since the epoch as the query's UTC form (``YYYY-MM-DDTHH:MM:SS``)."""
    moment = datetime.fromtimestamp((milliseconds or 0) / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def filter_sessions(metas: list[SessionMeta], text: str) -> list[SessionMeta]:
    """The sessions the ``/`` filter ``text`` keeps. While a query does not parse (a quote
    or a filter being typed), its words are matched as they are, quotes aside."""
    # Imported at the first filter: the first paint of the list does not need the parser.
    from sessionscope.index.query import QueryError, parse_query

    try:
        query = parse_query(text)
    except QueryError:
        words = text.replace('"', " ")
        return [meta for meta in metas if fuzzy_match(words, haystack(meta))]
    return [meta for meta in metas if session_matches(meta, query)]


def build_rows(metas: list[SessionMeta], query: str = "") -> list[Row]:
    """Rows for ``metas``: projects by their newest session, sessions newest first, forks nested;
    only those the ``/`` filter ``query`` keeps (:func:`filter_sessions`)."""
    if query.strip():
        metas = filter_sessions(metas, query)
    by_project: dict[str, list[SessionMeta]] = defaultdict(list)
    for meta in metas:
        by_project[meta.project].append(meta)
    for group in by_project.values():
        group.sort(key=lambda meta: (meta.last_modified or 0, meta.session_id), reverse=True)
    projects = sorted(
        by_project,
        key=lambda slug: (by_project[slug][0].last_modified or 0, slug),
        reverse=True,
    )
    rows: list[Row] = []
    for slug in projects:
        group = by_project[slug]
        rows.append(Row("project", slug, count=len(group), label=project_label(group, slug)))
        present = {meta.session_id for meta in group}
        children: dict[str, list[SessionMeta]] = defaultdict(list)
        roots: list[SessionMeta] = []
        for meta in group:
            parent = meta.forked_from
            if parent and parent in present and parent != meta.session_id:
                children[parent].append(meta)
            else:
                roots.append(meta)
        seen: set[str] = set()
        for meta in roots:
            _add_tree(rows, slug, meta, 0, children, seen)
        # A fork cycle (a file edited by hand) would leave sessions unplaced: list them flat.
        for meta in group:
            _add_tree(rows, slug, meta, 0, children, seen)
    return rows


def _add_tree(
    rows: list[Row],
    slug: str,
    meta: SessionMeta,
    depth: int,
    children: dict[str, list[SessionMeta]],
    seen: set[str],
) -> None:
    """``meta``'s row, then its forks' (newest first), depth first."""
    stack = [(meta, depth)]
    while stack:
        current, level = stack.pop()
        if current.session_id in seen:
            continue
        seen.add(current.session_id)
        rows.append(Row("session", slug, meta=current, depth=level))
        stack.extend((child, level + 1) for child in reversed(children.get(current.session_id, ())))
