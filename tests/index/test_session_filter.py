"""The ``/`` filter of the session list takes the search syntax's session filters."""

from __future__ import annotations

from datetime import UTC, datetime

from sessionscope.transcripts.meta import SessionMeta
from sessionscope.tui.sessions_model import filter_sessions

JAN = int(datetime(2026, 1, 10, tzinfo=UTC).timestamp() * 1000)
MAR = int(datetime(2026, 3, 10, tzinfo=UTC).timestamp() * 1000)

SESSIONS = [
    SessionMeta(
        "aaaa1111-0000-4000-8000-000000000000",
        "release checklist",
        JAN,
        git_branch="main",
        tag="review",
        cwd="/home/me/src/app",
        project="-home-me-src-app",
    ),
    SessionMeta(
        "bbbb2222-0000-4000-8000-000000000000",
        "fix the parser",
        MAR,
        git_branch="dev",
        cwd="/home/me/src/tool",
        project="-home-me-src-tool",
    ),
]


def ids(text: str) -> list[str]:
    return [meta.session_id[:4] for meta in filter_sessions(SESSIONS, text)]


def test_words_still_match_fuzzily() -> None:
    assert ids("rls chk") == ["aaaa"]
    assert ids("parser") == ["bbbb"]


def test_session_filters() -> None:
    assert ids("project:tool") == ["bbbb"]
    assert ids("project:/home/me/src/app") == ["aaaa"]
    assert ids("branch:MAIN") == ["aaaa"]
    assert ids("tag:review") == ["aaaa"]
    assert ids("session:bbbb") == ["bbbb"]
    assert ids("after:2026-02-01") == ["bbbb"]
    assert ids("before:2026-02-01") == ["aaaa"]
    assert ids("branch:main branch:dev") == ["aaaa", "bbbb"]
    assert ids("fix branch:main") == []
    assert ids("fix branch:dev after:2026-03-01") == ["bbbb"]


def test_a_query_being_typed_filters_by_its_words() -> None:
    assert ids('"release') == ["aaaa"]  # the quote is not closed yet
    assert ids("role:") == []  # no session says "role:"


def test_the_texts_kept_between_keystrokes_follow_a_session_replaced() -> None:
    """The list keeps each session's text between keystrokes (20,000 sessions took 0.3 s a
    key to make them all again); a session whose metadata is replaced (renamed, tagged) is
    matched by its new text."""
    import dataclasses

    kept: dict = {}
    assert [m.session_id[:4] for m in filter_sessions(SESSIONS, "release", kept)] == ["aaaa"]
    assert len(kept) == 2
    renamed = [dataclasses.replace(SESSIONS[0], custom_title="deploy notes"), SESSIONS[1]]
    assert [m.session_id[:4] for m in filter_sessions(renamed, "release", kept)] == []
    assert [m.session_id[:4] for m in filter_sessions(renamed, "deploy", kept)] == ["aaaa"]
    assert [m.session_id[:4] for m in filter_sessions(renamed, "tag:review", kept)] == ["aaaa"]
