"""``sessionscope serve --store URL``: the explorer on the store, in a real browser (each tab's
explorer opens the store; nothing of it is read from local files)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sessionscope import cli
from tests.helpers.browser import serve_in_browser
from tests.helpers.sample import SAMPLE_ID


def test_serve_shows_the_stores_sessions_in_a_browser(
    browser, sample_session: Path, isolated_user_dirs: Path, pg_url: str, tmp_path: Path
) -> None:
    # A command of its own: the browser's driver runs an event loop in this thread.
    pushed = subprocess.run(
        [sys.executable, "-m", "sessionscope", "push", "--all", "--store", pg_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert pushed.returncode == 0, pushed.stderr
    shutil.rmtree(isolated_user_dirs / "projects")  # the session is in the store only
    (isolated_user_dirs / "projects").mkdir()
    wanted = [b"Why does the parser fail", SAMPLE_ID[:8].encode()]
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(isolated_user_dirs)}
    env.pop("SESSIONSCOPE_STORE", None)
    received = serve_in_browser(browser, ["--store", pg_url], env, wanted, tmp_path / "s.png")
    assert b"Why does the parser fail" in received, received[-2000:]
    assert SAMPLE_ID[:8].encode() in received


def test_serve_on_a_store_refuses_the_demo(pg_url: str, capsys) -> None:
    assert cli.main(["serve", "--demo", "--store", pg_url]) == 1
    assert "leave out --store" in capsys.readouterr().err
