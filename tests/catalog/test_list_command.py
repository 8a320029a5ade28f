"""``sessionscope list`` goes through the cache and prints exactly what the reader lists."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sessionscope.catalog import cache_dir
from sessionscope.catalog.store import DB_NAME
from sessionscope.commands.list import as_json
from sessionscope.transcripts.sessions import list_sessions


def run_list(config_dir: Path, *extra: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sessionscope",
            "list",
            "--json",
            "--config-dir",
            str(config_dir),
            *extra,
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def expected(config_dir: Path, project: str | None = None) -> str:
    return "".join(as_json(meta) + "\n" for meta in list_sessions(config_dir, project))


def test_list_json_cold_and_warm_is_the_readers_list(corpus_copy: Path) -> None:
    want = expected(corpus_copy)
    assert want.count("\n") > 250
    assert not (cache_dir() / DB_NAME).exists()
    assert run_list(corpus_copy) == want  # cold: fills the cache
    assert (cache_dir() / DB_NAME).exists()
    assert run_list(corpus_copy) == want  # warm
    folder = sorted(p.name for p in (corpus_copy / "projects").iterdir())[3]
    assert run_list(corpus_copy, f"--project={folder}") == expected(corpus_copy, folder)


def test_list_json_sees_a_change_on_the_next_run(corpus_copy: Path) -> None:
    run_list(corpus_copy)
    path = next((corpus_copy / "projects").glob("*/*.jsonl"))
    with path.open("ab") as handle:
        handle.write(
            b'{"type":"custom-title","customTitle":"Seen at once","sessionId":"'
            + path.stem.encode()
            + b'"}\n'
        )
    out = run_list(corpus_copy)
    assert out == expected(corpus_copy)
    assert '"custom_title":"Seen at once"' in out
