"""``sessionscope stats`` and the per-file usage cache: every transcript (subagents too) read
once, each API response counted once across forks — on generated transcripts, on the shared
corpus forked through the SDK, and on transcripts the real CLI wrote (a ``--fork-session``
resume and the SDK's ``fork_session``)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from sessionscope.cli import main
from sessionscope.index.usage_cache import CACHE_NAME, collect_usage, read_cache
from sessionscope.transcripts.files import transcript_files
from sessionscope.transcripts.usage import own_responses

MAIN = "11111111-2222-4333-8444-000000000001"
OTHER = "11111111-2222-4333-8444-000000000002"


def _answer(session: str, uuid: str, message_id: str, output: int, day: str, model: str) -> dict:
    return {
        "type": "assistant",
        "uuid": uuid,
        "parentUuid": None,
        "sessionId": session,
        "cwd": f"/work/{session[-1]}",
        "timestamp": f"{day}T10:00:00.000Z",
        "message": {
            "id": message_id,
            "model": model,
            "role": "assistant",
            "content": [{"type": "text", "text": "ok"}],
            "usage": {
                "input_tokens": 10,
                "output_tokens": output,
                "cache_read_input_tokens": 1000,
                "cache_creation_input_tokens": 100,
            },
        },
    }


def _write(path: Path, entries: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for entry in entries:
            handle.write(json.dumps(entry) + "\n")
    return path


@pytest.fixture
def generated(isolated_user_dirs: Path) -> Path:
    """Two sessions in two projects; MAIN has a subagent file and an older agent file beside it."""
    projects = isolated_user_dirs / "projects"
    opus, haiku = "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001"
    _write(
        projects / "-work-1" / f"{MAIN}.jsonl",
        [
            _answer(MAIN, "a1", "msg_1", 5, "2026-03-01", opus),
            _answer(MAIN, "a2", "msg_1", 50, "2026-03-01", opus),
            _answer(MAIN, "a3", "msg_2", 20, "2026-03-02", opus),
        ],
    )
    _write(
        projects / "-work-1" / MAIN / "subagents" / "agent-a1.jsonl",
        [_answer(MAIN, "s1", "msg_sub", 7, "2026-03-01", haiku)],
    )
    _write(
        projects / "-work-1" / "agent-old.jsonl",
        [_answer(MAIN, "o1", "msg_old", 3, "2026-03-01", haiku)],
    )
    _write(
        projects / "-work-2" / f"{OTHER}.jsonl",
        [_answer(OTHER, "b1", "msg_3", 9, "2026-03-05", "claude-mystery-1")],
    )
    return isolated_user_dirs


def _records(capsys, *arguments: str) -> list[dict]:
    assert main(["stats", "--json", *arguments]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_stats_json_by_each_grouping(generated: Path, capsys) -> None:
    (total,) = _records(capsys)
    assert total == {
        "key": "total",
        "responses": 5,
        "input_tokens": 50,
        "output_tokens": 50 + 20 + 7 + 3 + 9,
        "cache_read_input_tokens": 5000,
        "cache_creation_input_tokens": 500,
        "cost_usd": pytest.approx(
            (2 * (10 * 5 + 1000 * 0.5 + 100 * 6.25) + 70 * 25) / 1e6
            + (2 * (10 * 1 + 1000 * 0.1 + 100 * 1.25) + 10 * 5) / 1e6
        ),
        "unpriced_responses": 1,
    }
    sessions = {r["key"]: r for r in _records(capsys, "--by", "session")}
    assert sessions[MAIN]["responses"] == 4  # its own two, its subagent's, the older agent's
    assert sessions[OTHER] == {**sessions[OTHER], "responses": 1, "cost_usd": None}
    assert [r["key"] for r in _records(capsys, "--by", "day")] == [
        "2026-03-01",
        "2026-03-02",
        "2026-03-05",
    ]
    models = {r["key"]: r["responses"] for r in _records(capsys, "--by", "model")}
    assert models == {
        "claude-opus-4-5-20251101": 2,
        "claude-haiku-4-5-20251001": 2,
        "claude-mystery-1": 1,
    }
    projects = {r["key"]: r["responses"] for r in _records(capsys, "--by", "project")}
    assert projects == {"/work/1": 4, "/work/2": 1}
    since = _records(capsys, "--by", "day", "--since", "2026-03-02")
    assert [r["key"] for r in since] == ["2026-03-02", "2026-03-05"]


def test_stats_table_and_bad_input(generated: Path, capsys, monkeypatch) -> None:
    assert main(["stats", "--by", "model"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split()[:2] == ["model", "responses"]
    assert lines[-1].startswith("total") and lines[-1].endswith("+?")
    assert any(line.startswith("claude-mystery-1") and line.endswith(" ?") for line in lines)
    assert "have no price (claude-mystery-1): tokens only" in captured.err
    assert main(["stats", "--since", "yesterday"]) == 1
    assert capsys.readouterr().err == (
        "sessionscope: --since wants a date like 2026-03-01, not 'yesterday'\n"
    )
    bad = generated / "prices.toml"
    bad.write_text("[models\n")
    monkeypatch.setenv("SESSIONSCOPE_PRICES", str(bad))
    assert main(["stats"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not valid TOML" in err


def test_the_cache_rereads_only_what_changed(generated: Path) -> None:
    assert len(transcript_files(generated)) == 4
    first = collect_usage(generated)
    cache = Path(os.environ["SESSIONSCOPE_CACHE_DIR"]) / CACHE_NAME
    assert cache.stat().st_mode & 0o777 == 0o600
    written = cache.stat().st_mtime_ns
    again = collect_usage(generated)
    assert again == first
    assert cache.stat().st_mtime_ns == written  # nothing read, nothing written
    main_file = generated / "projects" / "-work-1" / f"{MAIN}.jsonl"
    _write(main_file, [_answer(MAIN, "a4", "msg_4", 1, "2026-03-03", "claude-opus-4-5")])
    after = {usage.path: usage for usage in collect_usage(generated)}
    assert [r.message_id for r in after[str(main_file)].responses] == ["msg_1", "msg_2", "msg_4"]
    cache.write_bytes(b"\x00not msgpack")
    assert collect_usage(generated) == list(after.values())  # a corrupt cache is read around


def test_the_cache_of_two_config_folders_is_written_only_when_one_changed(
    generated: Path, tmp_path: Path
) -> None:
    """The cache holds every config folder's files: counting one whose files did not change
    writes nothing (it was written again at every count while another folder had rows), and
    the rows of a folder that is gone go at the next write."""
    other = tmp_path / "other"
    _write(
        other / "projects" / "-work-3" / f"{OTHER}.jsonl",
        [_answer(OTHER, "c1", "msg_5", 4, "2026-03-06", "claude-opus-4-5")],
    )
    collect_usage(generated)
    collect_usage(other)
    cache = Path(os.environ["SESSIONSCOPE_CACHE_DIR"]) / CACHE_NAME
    written = cache.stat().st_mtime_ns
    collect_usage(generated)
    collect_usage(other)
    assert cache.stat().st_mtime_ns == written
    shutil.rmtree(other)
    main_file = generated / "projects" / "-work-1" / f"{MAIN}.jsonl"
    _write(main_file, [_answer(MAIN, "a4", "msg_4", 1, "2026-03-03", "claude-opus-4-5")])
    collect_usage(generated)
    assert all(str(other) not in path for path in read_cache(str(cache)))
    assert len(read_cache(str(cache))) == len(transcript_files(generated))


def test_a_corpus_session_forked_through_the_sdk_counts_once(
    shared_corpus: Path, isolated_user_dirs: Path, capsys
) -> None:
    source = shared_corpus / "projects" / "-corpus-entireio-cli"
    session_file = source / "1e0816ef-6f89-4f05-b331-dab09bb14485.jsonl"
    target = isolated_user_dirs / "projects" / "-corpus-entireio-cli"
    target.mkdir(parents=True)
    shutil.copy(session_file, target)
    before = {r["key"]: r for r in _records(capsys, "--by", "session")}
    assert main(["fork", session_file.stem]) == 0
    fork_id = capsys.readouterr().out.strip()
    after = {r["key"]: r for r in _records(capsys, "--by", "session")}
    assert after == before  # the fork answered nothing itself: no row, nothing twice
    fork_usage = [u for u in collect_usage(isolated_user_dirs) if u.session_id == fork_id]
    assert fork_usage and fork_usage[0].responses
    assert all(r.copied for r in fork_usage[0].responses)
    assert own_responses(fork_usage) == []


def test_real_cli_forks_count_only_their_own_turns(cli_transcripts, capsys) -> None:
    sessions = cli_transcripts.sessions
    assert main(["--config-dir", str(cli_transcripts.config_dir), "stats", "--json"]) == 0
    (total,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    arguments = ["--config-dir", str(cli_transcripts.config_dir), "stats", "--json"]
    assert main([*arguments, "--by", "session"]) == 0
    by_session = {
        r["key"]: r["responses"] for r in map(json.loads, capsys.readouterr().out.splitlines())
    }
    # The CLI's --fork-session resume answered one new turn; the SDK's fork_session none.
    assert by_session[sessions["resumed_fork"]] == 1
    assert sessions["offline_fork"] not in by_session
    assert sum(by_session.values()) == total["responses"]
    # main's responses: its own file's and its subagent's, each message.id once.
    main_path = cli_transcripts.path("main")
    ids = set()
    for path in [main_path, *main_path.with_suffix("").glob("subagents/**/agent-*.jsonl")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry.get("type") == "assistant" and entry["message"].get("model") != "<synthetic>":
                ids.add(entry["message"]["id"])
    assert list(main_path.with_suffix("").glob("subagents/**/agent-*.jsonl"))
    assert by_session[sessions["main"]] == len(ids)
