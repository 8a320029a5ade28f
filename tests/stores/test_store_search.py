"""``search --store``: the query syntax of local search as PostgreSQL full-text search, finding
what local search finds in the same transcripts, identifiers as typed, and only what the role
may read."""

from __future__ import annotations

import json
import shutil

import pytest

from sessionscope import cli
from tests.stores.test_access import ALICE_SESSION, BOB_SESSION, write_session

QUERIES = (
    "parse",
    "cafe",
    "naïve résumé",
    '"parse render"',
    "optim*",
    '"fork resu"*',
    "日本語",
    "ValueError",
    "role:user merge",
    "role:tool",
    "tool:Bash",
    "tool:bash role:tool",
    "worker branch:main",
    "session:0 queue",
    "after:2026-01-15 token",
    "before:2026-01-10 latency",
    "project:proj-2 diff",
    "$HOME claude",
)
"""Words, accents, phrases, prefixes and every filter, against the generated corpus."""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def found(capsys, *argv: str) -> list[dict]:
    status, out, err = run(capsys, "search", "--json", *argv)
    assert status == 0, err
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture
def corpus_in_store(store_corpus, pg_url, tmp_path, capsys):
    config = tmp_path / "claude"
    shutil.copytree(store_corpus, config)
    status, _, err = run(capsys, "push", "--all", "--config-dir", str(config), "--store", pg_url)
    assert status == 0, err
    return str(config), pg_url


def test_the_store_finds_what_local_search_finds(corpus_in_store, capsys) -> None:
    config, url = corpus_in_store
    matched = 0
    for query in QUERIES:
        local = found(capsys, query, "--limit", "100000", "--config-dir", config)
        stored = found(capsys, query, "--limit", "100000", "--store", url)
        assert {(hit["session_id"], hit["uuid"]) for hit in stored} == {
            (hit["session_id"], hit["uuid"]) for hit in local
        }, query
        by_uuid = {(hit["session_id"], hit["uuid"]): hit for hit in local}
        for hit in stored:
            twin = by_uuid[(hit["session_id"], hit["uuid"])]
            for name in ("type", "timestamp", "snippet", "role", "project", "cwd", "agent_id"):
                assert hit[name] == twin[name], (query, name)
        matched += bool(local)
    assert matched >= len(QUERIES) - 2  # the queries do find things
    # Ranked, and cut at the limit.
    best = found(capsys, "parse", "--limit", "5", "--store", url)
    assert len(best) == 5


IDENTIFIERS = (
    "Fixed parse_line in src/app.py for ENT-207 (v2.1.0) at https://example.com/a?b=1 — déjà vu"
)


def test_identifiers_and_paths_are_found_as_typed(pg_url, tmp_path, capsys) -> None:
    config = tmp_path / "claude"
    write_session(config, "-w-app", ALICE_SESSION, IDENTIFIERS)
    write_session(
        config, "-w-app", BOB_SESSION, "parse the line from the src folder, and the app in py"
    )
    status, _, err = run(capsys, "push", "--all", "--config-dir", str(config), "--store", pg_url)
    assert status == 0, err
    for query in (
        "parse_line",
        "src/app.py",
        "app.py",
        "ENT-207",
        "ENT",
        "207",
        "v2.1.0",
        "example.com/a",
        "deja",
        "parse_li*",
        '"in src/app"*',
    ):
        hits = found(capsys, query, "--store", pg_url)
        assert [hit["session_id"] for hit in hits] == [ALICE_SESSION], query
        assert "src/app.py for ENT-207" in hits[0]["snippet"]
    # Words apart are not the identifier; both sessions have the words.
    assert len(found(capsys, "parse line", "--store", pg_url)) == 2
    assert found(capsys, "ENT-208", "--store", pg_url) == []


def test_filters_reach_past_the_newest_matches(pg_url, tmp_path, capsys, monkeypatch) -> None:
    # The newest matches are ranked first and filtered; when too few of them pass, the older
    # matches that pass come next (here the newest "one" is always the other project's).
    monkeypatch.setattr("sessionscope.stores.postgres.CANDIDATES", 1)
    config = tmp_path / "claude"
    write_session(config, "-w-app", ALICE_SESSION, "deploy the app")
    write_session(config, "-w-other", BOB_SESSION, "deploy the other")
    status, _, err = run(capsys, "push", "--all", "--config-dir", str(config), "--store", pg_url)
    assert status == 0, err
    for project, session_id in (("-w-app", ALICE_SESSION), ("-w-other", BOB_SESSION)):
        hits = found(capsys, "deploy", f"project:{project}", "--limit", "1", "--store", pg_url)
        assert [hit["session_id"] for hit in hits] == [session_id], project
    assert len(found(capsys, "deploy", "--limit", "1", "--store", pg_url)) == 1


def test_a_role_finds_only_what_it_may_read(pg_server, pg_url, tmp_path, capsys) -> None:
    assert run(capsys, "store", "init", pg_url)[0] == 0
    db = pg_url.rsplit("/", 1)[1]
    people = {}
    for name, session_id, prompt in (
        ("alice", ALICE_SESSION, "alice's app"),
        ("bob", BOB_SESSION, "bob's app"),
    ):
        role, password = f"search_{name}", f"pw-{name}!"
        pg_server.create_role(role, password)
        write_session(tmp_path / name, "-w-app", session_id, prompt)
        url = pg_server.url(role, password, db)
        push = ("push", "--all", "--config-dir", str(tmp_path / name), "--store", url)
        assert run(capsys, *push)[0] == 0
        people[name] = (role, url)
    alice, bob = people["alice"], people["bob"]
    assert {hit["session_id"] for hit in found(capsys, "app", "--store", alice[1])} == {
        ALICE_SESSION
    }
    assert found(capsys, "alice", "--store", bob[1]) == []
    assert run(capsys, "store", "share", bob[0], "--store", alice[1])[0] == 0
    assert {hit["session_id"] for hit in found(capsys, "alice", "--store", bob[1])} == {
        ALICE_SESSION
    }


def test_bad_queries_and_a_store_that_is_down(pg_server, pg_url, capsys) -> None:
    status, out, err = run(capsys, "search", '"open', "--store", pg_url)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and "quote is not closed" in err
    down = f"postgresql://nobody:secret@127.0.0.1:{pg_server.port + 1}/x"
    status, out, err = run(capsys, "search", "word", "--store", down)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and "secret" not in err and "cannot connect" in err


def test_store_init_fills_the_words_of_a_store_made_before_search(corpus_in_store, capsys) -> None:
    """A store whose entries were written before it had its words table (an older
    sessionscope): ``store init`` makes them searchable, the very rows an append would have
    made (tool names of results included, found across pages)."""
    import psycopg

    _config, url = corpus_in_store
    dump = """SELECT key_id, seq, role, tools, timestamp, calls, words::text
        FROM claude_session_store_words ORDER BY key_id, seq"""
    with psycopg.connect(url) as connection:
        made_by_append = connection.execute(dump).fetchall()
        connection.execute("DROP TABLE claude_session_store_words")
    assert found(capsys, "tool:bash", "--store", url) == []  # the table is back, empty
    status, out, err = run(capsys, "store", "init", url)
    assert status == 0, err
    assert f"made searchable: {len(made_by_append)} message(s)" in out
    with psycopg.connect(url) as connection:
        assert connection.execute(dump).fetchall() == made_by_append
    status, out, _ = run(capsys, "store", "init", url)
    assert "made searchable" not in out  # nothing left to fill


AWKWARD_TEXT = (
    "x²y İstanbul ǅemal naïve Σίσυφος ΟΔΟΣ e\u0301te\u0301 \ud800x ;K\u212a\u037e café—done → "
    "ok 日本語テスト data_frame ＡＢＣ ﬁne src/app.py ENT-207 \x00\x1b[31m"
)
"""Accents composed and not, final sigmas, a lone surrogate, characters whose decomposition is
ASCII (Kelvin, the Greek question mark), underscores, control characters."""


def message_texts(config) -> list[str]:
    """The searchable text of every user and assistant message under ``config``."""
    from sessionscope.transcripts.content import searchable_text
    from sessionscope.transcripts.lines import load_json

    texts = []
    for path in sorted(config.rglob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            try:
                value = load_json(line)
            except ValueError:
                continue  # the corpus's torn and bad lines
            if isinstance(value, dict) and value.get("type") in ("user", "assistant"):
                texts.append(searchable_text(value)[1])
    return texts


def assert_words_as_the_index_splits_them(texts: list[str], url: str) -> None:
    """The store's words of each text are the local index's (letters and digits, lower case,
    accents folded), and PostgreSQL makes the same ``tsvector`` of them."""
    import psycopg

    from sessionscope.index.query import WORD
    from sessionscope.stores.search import MAX_WORDS_CHARS, fold, words_of

    kept = [words_of(text) for text in texts]
    expected = [
        " ".join(WORD.findall(fold(text[:MAX_WORDS_CHARS]))).lower()[:MAX_WORDS_CHARS]
        for text in texts
    ]
    for text, words, words_expected in zip(texts, kept, expected, strict=True):
        assert words.split() == words_expected.split(), text[:200]
    with psycopg.connect(url) as connection:
        differing = connection.execute(
            """SELECT count(*) FROM unnest(%s::text[], %s::text[]) AS t (kept, expected)
            WHERE to_tsvector('simple', kept) <> to_tsvector('simple', expected)""",
            [kept, expected],
        ).fetchone()[0]
    assert differing == 0


def test_the_words_kept_are_the_local_index_words(store_corpus, pg_url) -> None:
    texts = [AWKWARD_TEXT, AWKWARD_TEXT.upper(), *message_texts(store_corpus)]
    assert len(texts) > 5000
    assert_words_as_the_index_splits_them(texts, pg_url)


def test_the_words_of_real_transcripts_are_the_local_index_words(shared_corpus, pg_url) -> None:
    texts = message_texts(shared_corpus)
    assert len(texts) > 1000
    assert_words_as_the_index_splits_them(texts, pg_url)


def test_a_hit_is_titled_as_local_search_titles_it(pg_url, tmp_path, capsys) -> None:
    """The title as the list shows it: on one line, escape sequences made visible."""
    config = tmp_path / "claude"
    write_session(config, "-w-app", ALICE_SESSION, "fix \x1b[2J the\tparser\nnow \x9b1m")
    status, _, err = run(capsys, "push", "--all", "--config-dir", str(config), "--store", pg_url)
    assert status == 0, err
    (local,) = found(capsys, "parser", "--config-dir", str(config))
    (stored,) = found(capsys, "parser", "--store", pg_url)
    assert local["title"] == "fix ␛[2J the parser now \\x9b1m"
    assert stored["title"] == local["title"]


def test_a_limit_beyond_64_bits_is_every_hit(pg_url, tmp_path, capsys) -> None:
    config = tmp_path / "claude"
    write_session(config, "-w-app", ALICE_SESSION, "the parser")
    assert run(capsys, "push", "--all", "--config-dir", str(config), "--store", pg_url)[0] == 0
    for query in ("parser", "role:user"):
        hits = found(capsys, query, "--limit", str(10**20), "--store", pg_url)
        assert [hit["session_id"] for hit in hits] == [ALICE_SESSION]
