"""Text typed into a box is text: the installed command in a real terminal (tmux), every
printable ASCII character, some non-ASCII letters and a bracketed paste typed into the compose
box and into the filter, read back from the screen. And the burst cases: ``/`` or ``c`` then
text, sent in one write, still land in the box the key opens."""

from __future__ import annotations

import shlex
import shutil
import time
from pathlib import Path

import pytest

from tests.helpers.tmuxterm import Tmux, installed_sessionscope
from tests.tui.gallery import GALLERY

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

PRINTABLE = "".join(chr(code) for code in range(0x20, 0x7F))
"""Every printable ASCII character, space first."""
NON_ASCII = "éñüßøåçΩжλ"
"""Some letters beyond ASCII."""
TYPED = PRINTABLE + NON_ASCII
PASTED = "look at src/app.py please: /init, ?q & c:/x"


@pytest.fixture
def app_in_tmux(gallery: Path, tmp_path: Path):
    """The installed command on the gallery, in a 240×40 tmux window."""
    env = {
        "CLAUDE_CONFIG_DIR": str(gallery),
        "SESSIONSCOPE_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
    }
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    tmux = Tmux(tmp_path)
    tmux.start(
        f"env {assignments} {shlex.quote(installed_sessionscope())} --session {GALLERY}",
        width=240,
        height=40,
    )
    try:
        tmux.wait_for(GALLERY)
        tmux.wait_for("compose → to")  # the prompt box is mounted
        yield tmux
    finally:
        tmux.kill()


def paste(tmux: Tmux, text: str) -> None:
    """A bracketed paste (tmux adds the brackets: the app asked for them)."""
    tmux.run("set-buffer", "-b", "typed", text)
    tmux.run("paste-buffer", "-p", "-d", "-b", "typed", "-t", tmux.window)


def compose_line(screen: str) -> str:
    """The screen line of the prompt box's prompt (the line under its target line)."""
    lines = screen.splitlines()
    at = next(i for i, line in enumerate(lines) if "compose → " in line)
    return lines[at + 1]


def filter_line(screen: str) -> str:
    """The filter box: the left part of the line under the header."""
    return screen.splitlines()[1].split("▎")[0]


def test_every_character_typed_or_pasted_lands_in_the_prompt_box(app_in_tmux: Tmux) -> None:
    tmux = app_in_tmux
    tmux.keys("c")
    tmux.wait_for("^n New session")  # the prompt box has the focus (its keys in the footer)
    tmux.keys(TYPED, literal=True)
    screen = tmux.wait_for(NON_ASCII)
    assert TYPED in compose_line(screen), screen
    assert "/ filter:" in screen, "the filter stayed empty"
    assert f"compose → to {GALLERY[:8]}" in screen, "the box kept its target"
    # Back to an empty box (seen empty: a binding's action comes after the keys already
    # sent to the box), then a paste.
    tmux.keys("C-a")
    tmux.keys("C-k")
    deadline = time.monotonic() + 30
    while compose_line(tmux.screen()).strip(" ▎") and time.monotonic() < deadline:
        time.sleep(0.1)
    paste(tmux, PASTED)
    screen = tmux.wait_for(PASTED)
    assert PASTED in compose_line(screen)
    assert "/ filter:" in screen
    assert f"compose → to {GALLERY[:8]}" in screen


def test_every_character_typed_or_pasted_lands_in_the_filter(app_in_tmux: Tmux) -> None:
    tmux = app_in_tmux
    tmux.keys("Tab")  # to the message pane: "/" works from there too
    # The box is narrower than the text: type it a piece at a time, clearing between pieces.
    for start in range(0, len(TYPED), 24):
        piece = TYPED[start : start + 24]
        tmux.keys("/")
        tmux.keys(piece, literal=True)
        screen = tmux.wait_for(piece.rstrip())
        assert piece.rstrip() in filter_line(screen), screen
        tmux.keys("Escape")  # clears the filter, back to the list
        tmux.wait_for("/ filter:")
    tmux.keys("/")
    paste(tmux, PASTED[:30])
    screen = tmux.wait_for(PASTED[:30])
    assert PASTED[:30] in filter_line(screen)
    # Still running: no "q" nor "?" typed in a box was taken as a key.
    tmux.keys("Escape")
    tmux.wait_for("/ filter:")
    assert "sessionscope keys" not in tmux.screen()


def test_a_burst_after_slash_or_c_lands_in_the_box_it_opens(app_in_tmux: Tmux) -> None:
    tmux = app_in_tmux
    tmux.keys("/abc", literal=True)  # one write: the keys arrive together
    screen = tmux.wait_for("abc")
    assert "abc" in filter_line(screen)
    tmux.keys("Escape")
    tmux.wait_for("/ filter:")
    tmux.keys("cfix src/app.py", literal=True)
    screen = tmux.wait_for("fix src/app.py")
    assert "fix src/app.py" in compose_line(screen)
    assert "/ filter:" in screen
