"""The session list as rows: projects grouped, newest first, forks under their parent, filtered.

Pure functions over ``SessionMeta`` (no Textual), so they are tested directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sessionscope.transcripts.files import home_as_tilde, sanitize_path
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
    return inert(home_as_tilde(cwd)) if cwd else inert(slug)


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
    return _fuzzy(query.lower().split(), text)


def _fuzzy(words: list[str], text: str) -> bool:
    for word in words:
        position = 0
        for char in word:
            position = text.find(char, position)
            if position < 0:
                return False
            position += 1
    return True


_SESSION_CHECKS: dict[str, Callable[[SessionMeta, str], bool]] = {
    "project": lambda meta, value: (
        value.lower() in f"{meta.project} {meta.cwd or ''}".lower()
        or sanitize_path(value).lower() in meta.project.lower()
    ),
    "branch": lambda meta, value: (meta.git_branch or "").lower() == value.lower(),
    "tag": lambda meta, value: (meta.tag or "").lower() == value.lower(),
    "session": lambda meta, value: meta.session_id.lower().startswith(value.lower()),
    "after": lambda meta, value: _iso(meta.last_modified) >= value,
    "before": lambda meta, value: _iso(meta.last_modified) < value,
}
"""The search syntax's filters that are about a session (``role:`` and ``tool:`` are about
messages: the search screen, ``ctrl+f``, applies them)."""


def session_matcher(query: Query) -> Callable[[SessionMeta, str], bool]:
    """Whether a session, given with its :func:`haystack`, passes the ``/`` filter ``query``:
    each word fuzzily in its title, project, branch, tag or id (:func:`fuzzy_match`), and the
    session filters of the search syntax (``project:`` ``branch:`` ``tag:`` ``session:``
    ``after:`` ``before:``, the last two on when it was last written)."""
    words = [word for term in query.terms for word in term.text.lower().split()]
    checks = [
        (_SESSION_CHECKS[name], values)
        for name, values in query.filters.items()
        if name in _SESSION_CHECKS and values
    ]

    def matches(meta: SessionMeta, text: str) -> bool:
        return _fuzzy(words, text) and all(
            any(check(meta, value) for value in values) for check, values in checks
        )

    return matches


def _iso(milliseconds: int | None) -> str:
    """A time in ms since the epoch as the query's UTC form (``YYYY-MM-DDTHH:MM:SS``)."""
    moment = datetime.fromtimestamp((milliseconds or 0) / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


Haystacks = dict[str, tuple[SessionMeta, str]]
"""Each session's :func:`haystack` by id, with the metadata it was made of: kept by the list
between keystrokes (a session's text is made again only when its metadata is replaced)."""


def _haystack_of(meta: SessionMeta, kept: Haystacks | None) -> str:
    if kept is None:
        return haystack(meta)
    found = kept.get(meta.session_id)
    if found is None or found[0] is not meta:
        found = kept[meta.session_id] = (meta, haystack(meta))
    return found[1]


def filter_sessions(
    metas: list[SessionMeta], text: str, kept: Haystacks | None = None
) -> list[SessionMeta]:
    """The sessions the ``/`` filter ``text`` keeps (``kept``: the sessions' texts made
    before, added to). While a query does not parse (a quote or a filter being typed), its
    words are matched as they are, quotes aside."""
    # Imported at the first filter: the first paint of the list does not need the parser.
    from sessionscope.index.query import QueryError, parse_query

    try:
        matches = session_matcher(parse_query(text))
    except QueryError:
        words = text.replace('"', " ").lower().split()
        return [meta for meta in metas if _fuzzy(words, _haystack_of(meta, kept))]
    return [meta for meta in metas if matches(meta, _haystack_of(meta, kept))]


def build_rows(
    metas: list[SessionMeta], query: str = "", kept: Haystacks | None = None
) -> list[Row]:
    """Rows for ``metas``: projects by their newest session, sessions newest first, forks nested;
    only those the ``/`` filter ``query`` keeps (:func:`filter_sessions`, with ``kept``)."""
    return ListRows(metas, query, kept).rows


class ListRows:
    """The list's rows (:func:`build_rows`), kept a project at a time: a session added,
    replaced or deleted builds its project's rows again, not the whole list's (with 20,000
    sessions the whole list took 70 ms, on the screen's thread)."""

    def __init__(
        self, metas: list[SessionMeta], query: str = "", kept: Haystacks | None = None
    ) -> None:
        self.query = query
        self.kept = kept
        self.projects: dict[str, dict[str, SessionMeta]] = defaultdict(dict)
        """Every session (whether the filter keeps it or not) by project, by id."""
        self._project_of: dict[str, str] = {}
        for meta in metas:
            self.projects[meta.project][meta.session_id] = meta
            self._project_of[meta.session_id] = meta.project
        self._blocks: dict[str, list[Row]] = {}
        """Each project's rows (none for a project the filter leaves empty)."""
        self._starts: dict[str, int] = {}
        """Where each project's rows start in :attr:`rows`."""
        self._places: dict[str, tuple[int, str]] = {}
        """Each project's place in the list: its newest session's time (then its name)."""
        self.rows: list[Row] = []
        self._build(list(self.projects))

    def change(self, listed: list[SessionMeta], gone: list[str]) -> None:
        """Sessions added or replaced (``listed``) and deleted (``gone``, by id): their
        projects' rows are built again, and the projects ordered again."""
        touched: set[str] = set()
        for session_id in gone:
            slug = self._project_of.pop(session_id, None)
            if slug is not None:
                del self.projects[slug][session_id]
                touched.add(slug)
        for meta in listed:
            slug = self._project_of.get(meta.session_id)
            if slug is not None and slug != meta.project:
                del self.projects[slug][meta.session_id]  # moved to another project
                touched.add(slug)
            self.projects[meta.project][meta.session_id] = meta
            self._project_of[meta.session_id] = meta.project
            touched.add(meta.project)
        self._build(list(touched))

    def replace(self, metas: list[SessionMeta]) -> None:
        """Listed sessions' metadata replaced where their rows are (their order kept)."""
        for meta in metas:
            position = self.position(meta.session_id)
            slug = self._project_of.get(meta.session_id)
            if slug is None or slug != meta.project:
                continue
            self.projects[slug][meta.session_id] = meta
            if position < 0:
                continue
            row = replace(self.rows[position], meta=meta)
            self.rows[position] = row
            self._blocks[slug][position - self._starts[slug]] = row

    def get(self, session_id: str) -> SessionMeta | None:
        """A listed session, by id (whether the filter keeps it or not)."""
        slug = self._project_of.get(session_id)
        return self.projects[slug][session_id] if slug is not None else None

    def position(self, session_id: str) -> int:
        """The row of a session; -1 when it has none (unknown, or left out by the filter)."""
        slug = self._project_of.get(session_id)
        block = self._blocks.get(slug) if slug is not None else None
        if block is None:
            return -1
        start = self._starts[slug]
        for number, row in enumerate(block):
            if row.meta is not None and row.meta.session_id == session_id:
                return start + number
        return -1

    def _build(self, slugs: list[str]) -> None:
        for slug in slugs:
            group = list(self.projects.get(slug, {}).values())
            if self.query.strip():
                group = filter_sessions(group, self.query, self.kept)
            if group:
                self._blocks[slug] = _project_rows(slug, group)
                self._places[slug] = (group[0].last_modified or 0, slug)
            else:
                self._blocks.pop(slug, None)
                self._places.pop(slug, None)
                if not self.projects.get(slug):
                    self.projects.pop(slug, None)
        order = sorted(self._blocks, key=self._places.__getitem__, reverse=True)
        self._blocks = {slug: self._blocks[slug] for slug in order}
        self.rows = []
        self._starts = {}
        for slug, block in self._blocks.items():
            self._starts[slug] = len(self.rows)
            self.rows += block


def _project_rows(slug: str, group: list[SessionMeta]) -> list[Row]:
    """A project's rows: its heading, then ``group`` (its sessions the filter keeps) newest
    first, each session's forks under it."""
    group.sort(key=lambda meta: (meta.last_modified or 0, meta.session_id), reverse=True)
    rows = [Row("project", slug, count=len(group), label=project_label(group, slug))]
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
        if meta.session_id in children:
            _add_tree(rows, slug, meta, 0, children, seen)
        elif meta.session_id not in seen:  # no forks: its row alone
            seen.add(meta.session_id)
            rows.append(Row("session", slug, meta=meta))
    if len(seen) < len(group):
        # A fork cycle (a file edited by hand) left sessions unplaced: listed flat.
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
