"""The installed ``sessionscope replay --store`` on a real pseudo-terminal: a session that is
only in the store (not in the local config folder) plays back as it would locally."""

from __future__ import annotations

import os
import shutil

from benchmarks.replay_bytes import run_in_pty, sessionscope_command
from sessionscope import cli
from tests.helpers.sample import SAMPLE_ID, sample_entries, write_session


def test_replay_reads_the_store(isolated_user_dirs, pg_url, tmp_path) -> None:
    pushed_from = tmp_path / "elsewhere"
    (pushed_from / "projects").mkdir(parents=True)
    write_session(pushed_from, sample_entries())
    assert cli.main(["push", SAMPLE_ID, "--config-dir", str(pushed_from), "--store", pg_url]) == 0
    shutil.rmtree(pushed_from)  # from here on, the session is in the store only
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "CLAUDE_CONFIG_DIR": str(isolated_user_dirs),
        "SESSIONSCOPE_CACHE_DIR": str(tmp_path / "cache"),
        "SESSIONSCOPE_STORE": pg_url,
    }
    run = run_in_pty(
        [*sessionscope_command(), "replay", SAMPLE_ID, "--speed", "16"], env=env, duration=6.0
    )
    text = run.output.decode("utf-8", errors="replace")
    assert run.exit_status == 0, text[-2000:]
    assert "Why does the parser fail on empty lines?" in text
    assert "■ end 8/8" in text
