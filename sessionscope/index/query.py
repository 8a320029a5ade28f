"""The search syntax, parsed into plain data (no SQL here: each store turns a :class:`Query`
into its own full-text search — SQLite FTS5 in ``index.search``, PostgreSQL elsewhere).

A query is words and filters, all of which a hit must satisfy::

    parse_line "torn line" pars* project:app branch:main tag:review role:user tool:Bash
    after:2026-01-01 before:2026-02-01T12:00 session:1af7fc5e

- a word matches that word anywhere in a message (any case, accents ignored); a word with
  punctuation inside (``parse_line``, ``src/app.py``, ``ENT-207``) matches its parts in that
  order, next to each other: what was typed, as typed;
- ``"two words"`` matches the words next to each other, in that order;
- ``prefix*`` matches words that start with it (``"a phrase ending with a prefix"*`` too);
- ``name:value`` filters (``name:"a value with spaces"``); one filter given twice accepts
  either value; different filters must all hold. ``project:`` is a part of the project's
  working directory (or its folder name), ``session:`` the start of a session id, ``after:``
  and ``before:`` a date (``YYYY-MM-DD``; ``YYYY-MM`` and ``YYYY`` start at its first day)
  or a time (``YYYY-MM-DDTHH:MM[:SS]``, UTC), ``role:`` one of ``user``, ``assistant``,
  ``tool`` (a tool's result). ``branch:``, ``tag:`` and ``tool:`` are compared whole, in any
  case.

A word that looks like ``name:value`` with a name that is no filter (``http://x``, ``TODO:``)
is a word. Anything the syntax cannot mean raises :class:`QueryError` with one line saying
what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from ..transcripts.content import SEARCH_ROLES

__all__ = ["FILTERS", "Query", "QueryError", "Term", "parse_query", "term_words"]

FILTERS = ("project", "branch", "tag", "after", "before", "role", "tool", "session")
"""Filter names, as typed before the colon."""


WORD = re.compile(r"[^\W_]+")
"""What the full-text index keeps as one word: letters and digits (the rest separates)."""


class QueryError(ValueError):
    """A query the syntax cannot mean; the message is one line saying why."""


@dataclass(frozen=True, slots=True)
class Term:
    """Something to find in a message's text."""

    text: str
    """As typed, without quotes or the prefix star."""
    phrase: bool = False
    """Typed in double quotes."""
    prefix: bool = False
    """Ends with ``*``: its last word may go on."""

    @property
    def words(self) -> list[str]:
        """The words the index matches, in order (see :func:`term_words`)."""
        return term_words(self.text)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: every term must match, and every filter hold."""

    terms: tuple[Term, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Filter name → accepted values (any of them). ``after``/``before`` hold normalised UTC
    times (``YYYY-MM-DDTHH:MM:SS``), comparable as text with transcript timestamps; ``role``
    lower case."""

    def values(self, name: str) -> tuple[str, ...]:
        return self.filters.get(name, ())


def term_words(text: str) -> list[str]:
    """The words of ``text`` as the index splits them (letters and digits; any other character
    separates words), lower case."""
    return [word.lower() for word in WORD.findall(text)]


_TOKEN = re.compile(
    r"""
    \s*(?:
        (?P<name>[A-Za-z]+):(?:"(?P<quoted_value>[^"]*)"|(?P<value>[^\s"]*))
      | "(?P<phrase>[^"]*)"(?P<phrase_star>\*)?
      | (?P<word>[^\s"]+)
      | (?P<open>")
    )
    """,
    re.VERBOSE,
)


def _time(name: str, value: str) -> str:
    """A date or time, as a UTC timestamp prefix that compares with the transcripts'."""
    forms = ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m", "%Y")
    for form in forms:
        try:
            return datetime.strptime(value, form).strftime("%Y-%m-%dT%H:%M:%S")
        except ValueError:
            continue
    raise QueryError(
        f"{name}: wants a date like 2026-01-31 (2026-01, 2026: its first day) or a time like "
        f"2026-01-31T14:30, not {value!r}"
    )


def _term(text: str, *, phrase: bool, prefix: bool) -> Term:
    if not term_words(text):
        what = f'"{text}"' if phrase else text + ("*" if prefix else "")
        raise QueryError(f"nothing to search for in {what!r}: it has no letters or digits")
    return Term(text, phrase=phrase, prefix=prefix)


def parse_query(text: str) -> Query:
    """Parse a query (see the module's docstring); raises :class:`QueryError`."""
    terms: list[Term] = []
    filters: dict[str, list[str]] = {}
    at = 0
    text = text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        assert match is not None  # the last alternative takes any character left
        at = match.end()
        if match["open"]:
            raise QueryError('a quote is not closed: add the closing " or remove it')
        if match["name"] is not None:
            name = match["name"].lower()
            value = match["quoted_value"] if match["quoted_value"] is not None else match["value"]
            if name not in FILTERS:
                # Not a filter (``TODO:``, ``http://x``): the words of what was typed.
                word = match.group(0).strip()
                terms.append(_term(word.rstrip("*"), phrase=False, prefix=word.endswith("*")))
                continue
            value = value.strip()
            if not value:
                raise QueryError(f"{name}: needs a value, as in {name}:{_EXAMPLES[name]}")
            if name in ("after", "before"):
                value = _time(name, value)
            elif name == "role":
                value = value.lower()
                if value not in SEARCH_ROLES:
                    raise QueryError(f"role: is one of {', '.join(SEARCH_ROLES)}, not {value!r}")
            filters.setdefault(name, []).append(value)
        elif match["phrase"] is not None:
            terms.append(_term(match["phrase"], phrase=True, prefix=bool(match["phrase_star"])))
        else:
            word = match["word"]
            prefix = word.endswith("*")
            terms.append(_term(word.rstrip("*") if prefix else word, phrase=False, prefix=prefix))
    if not terms and not filters:
        raise QueryError("empty query: type words to find, or filters such as project:NAME")
    return Query(tuple(terms), {name: tuple(values) for name, values in filters.items()})


_EXAMPLES = {
    "project": "myapp",
    "branch": "main",
    "tag": "review",
    "after": "2026-01-31",
    "before": "2026-01-31",
    "role": "user",
    "tool": "Bash",
    "session": "1af7fc5e",
}
