"""The search syntax: one pure parser, one clear line for what it cannot mean."""

from __future__ import annotations

import pytest

from sessionscope.index.query import Query, QueryError, Term, parse_query, term_words


def test_words_phrases_prefixes_and_filters_combine() -> None:
    query = parse_query(
        'parse_line "torn line" pars* project:app branch:main tag:"needs review" role:User '
        "tool:Bash after:2026-01-01 before:2026-02-01T12:30 session:1af7 role:tool"
    )
    assert query.terms == (
        Term("parse_line"),
        Term("torn line", phrase=True),
        Term("pars", prefix=True),
    )
    assert query.filters == {
        "project": ("app",),
        "branch": ("main",),
        "tag": ("needs review",),
        "role": ("user", "tool"),
        "tool": ("Bash",),
        "after": ("2026-01-01T00:00:00",),
        "before": ("2026-02-01T12:30:00",),
        "session": ("1af7",),
    }


def test_filters_alone_are_a_query() -> None:
    assert parse_query("role:user") == Query((), {"role": ("user",)})


def test_identifiers_and_paths_are_words_as_typed() -> None:
    assert parse_query("src/app.py ENT-207 TODO: http://x.y/z").terms == (
        Term("src/app.py"),
        Term("ENT-207"),
        Term("TODO:"),
        Term("http://x.y/z"),
    )
    assert term_words("src/app.py") == ["src", "app", "py"]
    assert term_words("parse_line") == ["parse", "line"]
    assert term_words("Ünïcode-ß") == ["ünïcode", "ß"]


def test_a_prefixed_phrase() -> None:
    assert parse_query('"torn li"*').terms == (Term("torn li", phrase=True, prefix=True),)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ('"torn line', "quote is not closed"),
        ('a "b" "c', "quote is not closed"),
        ("role:bot", "role: is one of user, assistant, tool"),
        ("after:yesterday", "after: wants a date"),
        ("before:2026-13-01", "before: wants a date"),
        ("project:", "project: needs a value"),
        ('tag:""', "tag: needs a value"),
        ("--", "no letters or digits"),
        ("*", "no letters or digits"),
        ('""', "no letters or digits"),
    ],
)
def test_what_the_syntax_cannot_mean_is_one_clear_line(text: str, says: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse_query(text)
    message = str(raised.value)
    assert says in message and "\n" not in message


def test_a_month_or_a_year_is_its_first_day() -> None:
    query = parse_query("after:2026-02 before:2027")
    assert query.filters == {"after": ("2026-02-01T00:00:00",), "before": ("2027-01-01T00:00:00",)}
    with pytest.raises(QueryError, match="2026-01, 2026"):
        parse_query("after:26")
