"""The installed ``sessionscope push`` in a real terminal (tmux): a progress bar while it
pushes, then what it did; ``list --store`` in the same terminal afterwards."""

from __future__ import annotations

import shlex
import shutil

import pytest

from tests.helpers.tmuxterm import Tmux, installed_sessionscope

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def tmux(tmp_path):
    session = Tmux(tmp_path)
    yield session
    session.kill()


def test_push_shows_a_progress_bar_on_a_terminal(tmux, store_corpus, pg_url, tmp_path):
    command = shlex.quote(installed_sessionscope())
    store = shlex.quote(pg_url)
    script = (
        f"SESSIONSCOPE_CACHE_DIR={shlex.quote(str(tmp_path / 'cache'))} "
        f"{command} push --all --config-dir {shlex.quote(str(store_corpus))} --store {store} "
        "> /dev/null; echo PUSHED; "
        f"{command} list --store {store} | tail -n 3; echo LISTED; sleep 60"
    )
    tmux.start(f"sh -c {shlex.quote(script)}", width=100, height=30)
    tmux.wait_for("pushing [")
    screen = tmux.wait_for("LISTED", timeout=120)
    assert "pushing [##############################]" in screen  # the bar reached its end
    assert "pushed 150 session(s)" in screen
    assert "Traceback" not in screen
    assert pg_url.split(":")[2].split("@")[0] not in screen  # the password is never shown
