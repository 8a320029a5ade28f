"""Counting tokens as the API billed them (``transcripts.usage``) and pricing them
(``transcripts.prices``): each rule on generated transcripts and on the real ones of the corpus,
the corpus checked against a plain reading with the standard library's json."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from sessionscope.transcripts.prices import PriceTableError, load_prices
from sessionscope.transcripts.usage import (
    FileUsage,
    Response,
    own_responses,
    owned_responses,
    read_file_usage,
    totals_by,
)
from tests.helpers.entries import SESSION_ID, assistant, user

OTHER_ID = "99999999-2222-4333-8444-555555555555"


def usage(input_tokens=3, output_tokens=1, cache_read=100, cache_write=50, one_hour=0) -> dict:
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_input_tokens": cache_read,
        "cache_creation_input_tokens": cache_write,
        "cache_creation": {
            "ephemeral_5m_input_tokens": cache_write - one_hour,
            "ephemeral_1h_input_tokens": one_hour,
        },
    }


def answer(uuid, parent, message_id, usage_value, model="claude-sonnet-4-5-20250929", **fields):
    entry = assistant(uuid, parent, message_id=message_id, **fields)
    entry["message"]["model"] = model
    entry["message"]["usage"] = usage_value
    return entry


def write(path: Path, entries: list[dict], tail: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(json.dumps(e).encode() + b"\n" for e in entries) + tail)
    return path


def test_a_split_response_counts_once_with_its_last_usage(tmp_path: Path) -> None:
    entries = [
        user("u1", None, timestamp="2026-03-01T10:00:00.000Z"),
        answer("a1", "u1", "msg_1", usage(output_tokens=2), timestamp="2026-03-01T10:00:01Z"),
        answer("a2", "a1", "msg_1", usage(output_tokens=9), timestamp="2026-03-01T10:00:02Z"),
        answer("a3", "a2", "msg_1", usage(output_tokens=40), timestamp="2026-03-01T10:00:03Z"),
        answer("a4", "a3", "msg_2", usage(output_tokens=7), timestamp="2026-03-02T09:00:00Z"),
        # An API error the CLI shows as a reply: no call behind it, nothing to count.
        answer(
            "a5", "a4", "msg_3", usage(0, 0, 0, 0), model="<synthetic>", timestamp="2026-03-03Z"
        ),
    ]
    torn = b'{"type":"assistant","message":{"id":"msg_9","usage":{"output_tokens":5'
    path = write(tmp_path / "s.jsonl", entries, tail=b"not json\n" + torn)
    found = read_file_usage(str(path), SESSION_ID, "proj")
    assert [(r.message_id, r.output_tokens, r.day) for r in found.responses] == [
        ("msg_1", 40, "2026-03-01"),
        ("msg_2", 7, "2026-03-02"),
    ]
    assert found.cwd == "/work/project"
    assert found.first_timestamp == "2026-03-01T10:00:00.000Z"
    assert not any(r.copied for r in found.responses)


def test_subagent_responses_mirrored_in_progress_entries_count_once(tmp_path: Path) -> None:
    mirrored = {
        "type": "progress",
        "uuid": "p1",
        "parentUuid": "a1",
        "sessionId": SESSION_ID,
        "timestamp": "2026-03-01T10:00:05Z",
        "data": {
            "type": "agent_progress",
            "agentId": "a77",
            "message": {
                "type": "assistant",
                "timestamp": "2026-03-01T10:00:04Z",
                "message": {
                    "id": "msg_sub",
                    "model": "claude-haiku-4-5-20251001",
                    "usage": usage(output_tokens=3),
                },
            },
        },
    }
    other_progress = {"type": "progress", "uuid": "p2", "data": {"type": "bash_progress"}}
    session = write(
        tmp_path / "s.jsonl",
        [user("u1", None), answer("a1", "u1", "msg_1", usage()), mirrored, other_progress],
    )
    # The subagent's own file has the same response, finished (more output tokens).
    sub = write(
        tmp_path / "s" / "subagents" / "agent-a77.jsonl",
        [answer("b1", None, "msg_sub", usage(output_tokens=30), model="claude-haiku-4-5")],
    )
    files = [
        read_file_usage(str(session), SESSION_ID, "proj"),
        read_file_usage(str(sub), SESSION_ID, "proj"),
    ]
    assert sorted(r.message_id for r in files[0].responses) == ["msg_1", "msg_sub"]
    own = own_responses(files)
    assert sorted((r.message_id, r.output_tokens) for r in own) == [
        ("msg_1", 1),
        ("msg_sub", 30),
    ]
    owned = owned_responses(files)
    assert sorted((o.response.message_id, o.response.output_tokens) for o in owned) == [
        ("msg_1", 1),
        ("msg_sub", 30),
    ]


def test_a_fork_leaves_out_its_inherited_history(tmp_path: Path) -> None:
    source = [
        user("u1", None, timestamp="2026-03-01T10:00:00Z"),
        answer("a1", "u1", "msg_1", usage(output_tokens=5), timestamp="2026-03-01T10:00:01Z"),
        user("u2", "a1", timestamp="2026-03-01T10:01:00Z"),
        answer("a2", "u2", "msg_2", usage(output_tokens=6), timestamp="2026-03-01T10:01:01Z"),
    ]
    stamped = []
    for entry in source[:2]:
        copy = dict(entry, sessionId=OTHER_ID, uuid="f" + entry["uuid"])
        copy["forkedFrom"] = {"sessionId": SESSION_ID, "messageUuid": entry["uuid"]}
        stamped.append(copy)
    new_turn = [
        dict(user("fu", "fa1", timestamp="2026-03-02T08:00:00Z"), sessionId=OTHER_ID),
        dict(answer("fa", "fu", "msg_3", usage(output_tokens=8)), sessionId=OTHER_ID),
    ]
    # A copy no fork stamped still carries its source session's id.
    unstamped = dict(source[3], uuid="fa2")
    files = [
        read_file_usage(str(write(tmp_path / "a.jsonl", source)), SESSION_ID, "proj"),
        read_file_usage(
            str(write(tmp_path / "b.jsonl", stamped + new_turn + [unstamped])), OTHER_ID, "proj"
        ),
    ]
    assert [r.copied for r in files[1].responses] == [True, False, True]
    assert [r.message_id for r in own_responses(files[1:])] == ["msg_3"]
    owned = owned_responses(files)
    assert sorted((o.response.message_id, o.session_id) for o in owned) == [
        ("msg_1", SESSION_ID),
        ("msg_2", SESSION_ID),
        ("msg_3", OTHER_ID),
    ]


def test_unmarked_copies_belong_to_the_session_that_started_first() -> None:
    """Older CLIs marked no copies: the session that started first answered."""

    def response(message_id: str) -> Response:
        return Response(
            message_id, "claude-haiku-4-5", "2026-03-01T10:00:01Z", 1, 1, 0, 0, 0, False
        )

    files = [
        FileUsage(
            "b", OTHER_ID, "p", None, "2026-03-02T00:00:00Z", [response("m1"), response("m2")]
        ),
        FileUsage("a", SESSION_ID, "p", None, "2026-03-01T10:00:00Z", [response("m1")]),
    ]
    owners = {o.response.message_id: o.session_id for o in owned_responses(files)}
    assert owners == {"m1": SESSION_ID, "m2": OTHER_ID}


# -- prices --------------------------------------------------------------------------------


def _one(model: str, **tokens) -> list:
    entries = [answer("a1", None, "msg_1", usage(**tokens), model=model)]
    return entries


def _cost(tmp_path: Path, model: str, prices=None, **tokens) -> float | None:
    path = write(tmp_path / f"{abs(hash((model, *tokens.items())))}.jsonl", _one(model, **tokens))
    (response,) = read_file_usage(str(path), SESSION_ID, "p").responses
    return (prices or load_prices()).cost(response)


def test_prices_from_the_bundled_table(tmp_path: Path) -> None:
    table = load_prices()
    assert table.date and table.sources[0].endswith("prices.toml")
    # Sonnet 4.5 (a dated id): $3 in, $15 out, $0.30 cache read, $3.75 / $6 cache writes.
    cost = _cost(
        tmp_path,
        "claude-sonnet-4-5-20250929",
        input_tokens=100_000,
        output_tokens=0,
        cache_read=0,
        cache_write=0,
    )
    assert cost == pytest.approx(0.3)
    cost = _cost(
        tmp_path,
        "claude-opus-4-5-20251101",
        input_tokens=10,
        output_tokens=100,
        cache_read=1000,
        cache_write=400,
        one_hour=100,
    )
    assert cost == pytest.approx((10 * 5 + 100 * 25 + 1000 * 0.5 + 300 * 6.25 + 100 * 10) / 1e6)
    assert table.price("claude-opus-4-20250514") == table.price("claude-opus-4-0")
    assert table.price("claude-opus-4-6") is not None


def test_an_unknown_model_or_size_has_no_cost_never_a_guess(tmp_path: Path) -> None:
    assert _cost(tmp_path, "claude-opus-9-9") is None
    assert _cost(tmp_path, "claude-opus-4-6[1m]") is None
    assert _cost(tmp_path, "") is None
    # A prompt over 200K tokens on Sonnet 4.5 is billed at a long-context rate the table lacks.
    assert _cost(tmp_path, "claude-sonnet-4-5", cache_read=250_000) is None
    assert _cost(tmp_path, "claude-sonnet-4-5", cache_read=150_000) is not None


def test_a_user_price_file_overrides_and_adds(tmp_path: Path, monkeypatch) -> None:
    mine = tmp_path / "prices.toml"
    mine.write_text(
        'date = "2027-01-01"\n'
        "[models.claude-opus-9-9]\ninput = 1\noutput = 2\ncache_write = 0\n"
        "cache_write_1h = 0\ncache_read = 0\n"
        "[models.claude-sonnet-4-5]\ninput = 0\noutput = 0\ncache_write = 0\n"
        "cache_write_1h = 0\ncache_read = 0\n"
    )
    monkeypatch.setenv("SESSIONSCOPE_PRICES", str(mine))
    table = load_prices()
    assert table.date == "2027-01-01" and table.sources[-1] == str(mine)
    cost = _cost(tmp_path, "claude-opus-9-9", table, input_tokens=1_000_000, output_tokens=0)
    assert cost == pytest.approx(1.0)
    assert _cost(tmp_path, "claude-sonnet-4-5", table) == 0
    mine.write_text("[models.claude-x]\ninput = 1\n")
    with pytest.raises(PriceTableError, match="lacks output"):
        load_prices()
    mine.write_text("[models\n")
    with pytest.raises(PriceTableError, match="not valid TOML"):
        load_prices()
    mine.write_text(
        '[models.m]\ninput = -1\noutput = "2"\ncache_write = 0\ncache_write_1h = 0\ncache_read = 0\n'
    )
    with pytest.raises(PriceTableError, match="input, output must be numbers"):
        load_prices()


def test_totals_keep_unpriced_responses_apart(tmp_path: Path) -> None:
    entries = [
        answer(
            "a1",
            None,
            "msg_1",
            usage(input_tokens=1_000_000, output_tokens=0, cache_read=0, cache_write=0),
            model="claude-haiku-4-5",
        ),
        answer("a2", "a1", "msg_2", usage(), model="claude-mystery"),
    ]
    files = [read_file_usage(str(write(tmp_path / "t.jsonl", entries)), SESSION_ID, "p")]
    owned = owned_responses(files)
    (total,) = totals_by(owned, lambda o: "all", load_prices().cost).values()
    assert total.responses == 2 and total.unpriced_responses == 1
    assert total.known_cost == pytest.approx(1.0)
    by_model = totals_by(owned, lambda o: o.response.model, load_prices().cost)
    assert by_model["claude-mystery"].known_cost is None
    assert by_model["claude-mystery"].input_tokens == 3


# -- real transcripts ------------------------------------------------------------------------


def _reference(path: Path) -> dict[str, dict]:
    """Each response's last usage, read plainly: assistant entries and the subagent entries
    agent_progress mirrors, keyed by message.id, later lines replacing earlier ones."""
    found: dict[str, dict] = {}
    for line in path.read_bytes().split(b"\n"):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        message = entry.get("message") if entry.get("type") == "assistant" else None
        data = entry.get("data") if entry.get("type") == "progress" else None
        if isinstance(data, dict) and data.get("type") == "agent_progress":
            inner = data.get("message") or {}
            if inner.get("type") == "assistant":
                message = inner.get("message")
        if not isinstance(message, dict) or not message.get("id") or "usage" not in message:
            continue
        if message.get("model") == "<synthetic>":
            continue
        found[message["id"]] = message["usage"]
    return found


def test_every_corpus_transcript_counts_as_a_plain_reading_does(shared_corpus: Path) -> None:
    split = sidechain = mirrored = 0
    for path in sorted((shared_corpus / "projects").glob("*/*.jsonl")):
        expected = _reference(path)
        counted = read_file_usage(str(path), path.stem, path.parent.name)
        assert {r.message_id: r.output_tokens for r in counted.responses} == {
            key: value.get("output_tokens", 0) or 0 for key, value in expected.items()
        }, path.name
        assert {r.message_id: r.cache_read_input_tokens for r in counted.responses} == {
            key: value.get("cache_read_input_tokens", 0) or 0 for key, value in expected.items()
        }, path.name
        outputs: dict[str, set] = defaultdict(set)
        text = path.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("type") == "assistant":
                message = entry.get("message") or {}
                outputs[message.get("id")].add((message.get("usage") or {}).get("output_tokens"))
                sidechain += bool(entry.get("isSidechain"))
        split += sum(1 for values in outputs.values() if len(values) > 1)
        mirrored += text.count('"agent_progress"')
    # The rules were exercised: responses split with growing usage, inline subagents, and
    # subagent responses mirrored into their parent sessions.
    assert split > 100 and sidechain > 100 and mirrored > 100
