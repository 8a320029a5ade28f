"""``sessionscope index``, ``search`` and ``list`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sessionscope.transcripts.meta import as_json
from sessionscope.transcripts.sessions import list_sessions
from tests.helpers.chains import OTHER, assistant, chain, user


def run(config_dir: Path, *argv: str, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "sessionscope", *argv, "--config-dir", str(config_dir)],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def test_list_has_the_sdk_fields_at_once_and_counts_once_indexed(generated_copy: Path) -> None:
    listed = [
        json.loads(text) for text in run(generated_copy, "list", "--json").stdout.splitlines()
    ]
    sdk = list_sessions(generated_copy, count_messages=False)
    assert [item["session_id"] for item in listed] == [meta.session_id for meta in sdk]
    assert {item["message_count"] for item in listed} == {None}
    indexed = run(generated_copy, "index")
    assert indexed.stdout.count("\n") == 1 and "\r" not in indexed.stdout  # no bar off a tty
    want = "".join(as_json(meta) + "\n" for meta in list_sessions(generated_copy))
    assert run(generated_copy, "list", "--json").stdout == want
    folder = sorted(p.name for p in (generated_copy / "projects").iterdir())[3]
    assert run(generated_copy, "list", "--json", f"--project={folder}").stdout == "".join(
        as_json(meta) + "\n" for meta in list_sessions(generated_copy, folder)
    )
    table = run(generated_copy, "list").stdout.splitlines()
    assert table[0].split() == ["MODIFIED", "MSGS", "SESSION", "SUMMARY"]
    assert len(table) == len(want.splitlines()) + 1


def test_search_json_catches_up_before_answering(sessions_dir, isolated_user_dirs) -> None:
    first = chain(user("where is parse_line defined"), assistant("in src/reader.py"))
    path = sessions_dir(first)
    sessions_dir([user("nothing to see", session=OTHER)], session=OTHER)
    run(isolated_user_dirs, "index")
    more = user("parse_line again, appended", parent=first[-1]["uuid"])
    with path.open("ab") as handle:
        handle.write(json.dumps(more).encode() + b"\n")
    out = run(isolated_user_dirs, "search", "parse_line", "--json").stdout
    hits = [json.loads(text) for text in out.splitlines()]
    assert {hit["uuid"] for hit in hits} == {first[0]["uuid"], more["uuid"]}
    for hit in hits:
        assert set(hit) >= {"session_id", "uuid", "type", "timestamp", "snippet"}
        assert hit["session_id"] == path.stem and hit["type"] == "user"
        assert "parse_line" in hit["snippet"]
        assert hit["cwd"] == first[0]["cwd"]  # the project as the list names it
    limited = run(isolated_user_dirs, "search", "parse_line", "--json", "--limit", "1").stdout
    assert len(limited.splitlines()) == 1
    text = run(isolated_user_dirs, "search", "src/reader.py").stdout
    assert first[1]["uuid"] in text and "src/reader.py" in text


def test_a_malformed_query_is_one_clear_line(sessions_dir, isolated_user_dirs) -> None:
    sessions_dir([user("hello")])
    for argv in (['"unclosed'], ["role:robot"], ["after:soon"], ["x", "--limit", "0"]):
        result = run(isolated_user_dirs, "search", *argv, ok=False)
        assert result.returncode != 0
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("sessionscope: "), result.stderr
        assert "Traceback" not in result.stderr


def test_an_unusable_index_folder_is_said_and_the_list_still_works(
    sessions_dir, isolated_user_dirs, tmp_path, monkeypatch
) -> None:
    sessions_dir(chain(user("where is parse_line defined"), assistant("in src/reader.py")))
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be\n")
    monkeypatch.setenv("SESSIONSCOPE_CACHE_DIR", str(not_a_folder))
    for argv, what in (
        (["index"], "cannot build the index"),
        (["search", "parse_line"], "cannot search"),
    ):
        result = run(isolated_user_dirs, *argv, ok=False)
        assert result.returncode == 1
        assert result.stdout == ""  # no "1 transcript read", no "no messages match"
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith(f"sessionscope: {what}: index folder unusable")
        assert str(not_a_folder) in result.stderr
    listed = run(isolated_user_dirs, "list", "--json").stdout.splitlines()
    assert len(listed) == 1 and json.loads(listed[0])["message_count"] is None
