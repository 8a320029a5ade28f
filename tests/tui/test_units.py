"""The pure parts of the TUI: rows of the session list, the fuzzy filter, ages, keymaps, the
line map."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sessionscope.transcripts.meta import SessionMeta
from sessionscope.tui.demo import has_transcripts, prepare_demo
from sessionscope.tui.keys import load_keymap, parse_keymap_env
from sessionscope.tui.linemap import LineMap
from sessionscope.tui.sessions_model import build_rows, format_age, fuzzy_match, session_title


def meta(sid: str, modified: int, project: str = "p", **kw) -> SessionMeta:
    return SessionMeta(
        session_id=sid,
        summary=kw.pop("summary", sid),
        last_modified=modified,
        project=project,
        **kw,
    )


def test_rows_nest_forks_of_forks_and_keep_orphans_flat() -> None:
    sessions = [
        meta("a", 10),
        meta("b", 30, forked_from="a"),
        meta("c", 40, forked_from="b"),
        meta("d", 20, forked_from="gone"),
        meta("e", 50, project="q"),
    ]
    rows = [
        (r.kind, r.meta.session_id if r.meta else r.project, r.depth) for r in build_rows(sessions)
    ]
    assert rows == [
        ("project", "q", 0),
        ("session", "e", 0),
        ("project", "p", 0),
        ("session", "d", 0),
        ("session", "a", 0),
        ("session", "b", 1),
        ("session", "c", 2),
    ]


def test_fork_cycles_do_not_hide_sessions() -> None:
    rows = build_rows([meta("a", 1, forked_from="b"), meta("b", 2, forked_from="a")])
    assert sorted(r.meta.session_id for r in rows if r.meta) == ["a", "b"]


def test_title_prefers_custom_title_then_summary_then_prompt_and_is_inert() -> None:
    assert session_title(meta("a", 1, custom_title="T", summary="S")) == "T"
    assert (
        session_title(meta("a", 1, summary="", first_prompt="hi\x1b[2J\nthere")) == "hi␛[2J there"
    )
    assert session_title(meta("a", 1, summary="")) == "(no prompt yet)"


def test_fuzzy_match() -> None:
    assert fuzzy_match("rls chk", "release checklist")
    assert fuzzy_match("", "anything")
    assert not fuzzy_match("xyz", "release")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (5, "now"),
        (120, "2m"),
        (7200, "2h"),
        (86400 * 3, "3d"),
        (86400 * 21, "3w"),
        (86400 * 400, "13mo"),
        (86400 * 800, "2y"),
    ],
)
def test_format_age(seconds: int, shown: str) -> None:
    assert format_age(1_000_000_000_000, 1_000_000_000_000 - seconds * 1000) == shown


def test_keymap_from_env_and_file(tmp_path: Path) -> None:
    assert parse_keymap_env("fork=F; copy-uuid=Y,ctrl+y") == {"fork": "F", "copy-uuid": "Y,ctrl+y"}
    with pytest.raises(ValueError):
        parse_keymap_env("fork")
    folder = tmp_path / "sessionscope"
    folder.mkdir()
    (folder / "keymap.toml").write_text('[keymap]\nfork = "F"\nquit = "ctrl+q"\n')
    env = {"XDG_CONFIG_HOME": str(tmp_path), "SESSIONSCOPE_KEYMAP": "fork=ctrl+f"}
    assert load_keymap(env) == {"fork": "ctrl+f", "quit": "ctrl+q"}
    (folder / "keymap.toml").write_text("[keymap]\nfork = 3\n")
    with pytest.raises(ValueError):
        load_keymap({"XDG_CONFIG_HOME": str(tmp_path)})


def test_line_map() -> None:
    lines = LineMap([3, 1, 2])
    assert lines.total == 6 and lines.block_at(0) == (0, 0) and lines.block_at(3) == (1, 0)
    assert lines.block_at(5) == (2, 1) and lines.block_at(99)[0] == 2
    assert lines.set_height(1, 4) and lines.start(2) == 7 and lines.total == 9
    assert not lines.set_height(1, 4)
    lines.forget(1, 1)
    assert not lines.is_measured(1) and lines.total == 6


def test_demo_is_a_private_copy() -> None:
    copy = prepare_demo()
    assert has_transcripts(copy)
    assert "site-packages" not in str(copy) and "sessionscope/demo" not in str(copy)
    assert (copy.stat().st_mode & 0o777) == 0o700


def test_has_transcripts_is_false_for_empty_or_missing(tmp_path: Path) -> None:
    assert not has_transcripts(tmp_path)
    (tmp_path / "projects" / "x").mkdir(parents=True)
    assert not has_transcripts(tmp_path)


def test_a_source_keeps_its_estimates_for_the_last_width() -> None:
    """The reading worker works the estimates out; the pane then takes the same numbers."""
    from sessionscope.transcripts.conversation import build_conversation
    from sessionscope.transcripts.files import session_files
    from sessionscope.transcripts.reader import index_transcript
    from sessionscope.tui.sources import ConversationSource

    config_dir = prepare_demo()
    path = max(
        [Path(path) for path, _ in session_files(config_dir)], key=lambda p: p.stat().st_size
    )
    index = index_transcript(path)
    source = ConversationSource(path, index, build_conversation(index))
    assert len(source) > 5
    for width in (40, 116):
        heights = source.estimates(width)
        assert heights == [source.estimate(i, width) for i in range(len(source))]
        assert source.estimates(width) is heights  # kept


@pytest.mark.parametrize("width", [1, 6, 10, 12, 30])
def test_lines_of_a_block_are_what_rich_draws(width: int) -> None:
    """``BlockRenderer.lines`` draws a line that fits without Rich's wrapping machinery: the
    same cells in the same styles as ``render_lines`` (a text's own style, spans, wide
    characters, emoji sequences, trailing spaces, lines that wrap or do not fit)."""
    import io
    from datetime import UTC

    from rich.console import Console
    from rich.segment import Segment
    from rich.style import Style
    from rich.text import Text

    from sessionscope.tui.render import BlockRenderer, Palette

    console = Console(width=200, color_system="truecolor", file=io.StringIO())
    renderer = BlockRenderer(console, Palette(), UTC)
    red, dim = Style(color="red"), Style(dim=True)
    texts = [
        Text("↳ result · 1 lines", style=red),
        Text.assemble(("assistant", red), "  ", ("01 Mar 10:00", dim), "   "),
        Text("中文 e\u0301  ", style=dim),
        Text.assemble(("…👨\u200d👩\u200d👧", red), ("…", dim), " 中  "),
        Text("a line that is longer than the narrowest of the widths"),
        Text("two\nlines", style=red),
        Text("tab\there"),
        Text(""),
        Text("", style=red),
    ]
    options = console.options.update(width=width, min_width=width, height=None, highlight=False)
    for text in texts:
        expected = [
            [(segment.text, segment.style) for segment in Segment.simplify(row)]
            for row in console.render_lines(text.copy(), options, pad=False, new_lines=False)
        ]
        drawn = [
            [(segment.text, segment.style) for segment in row]
            for row in renderer.lines(text, width)
        ]
        assert drawn == expected, repr(text)


def test_background_work_runs_nicer_than_the_screen_and_returns_or_raises():
    import os
    import threading

    from sessionscope.tui.screens.main import BACKGROUND_NICENESS, in_background

    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    screen_priority = priority()
    if sys.platform.startswith("linux"):
        expected = min(19, screen_priority + BACKGROUND_NICENESS)
        assert in_background(priority) == expected
        assert priority() == screen_priority  # the caller's own priority is left alone
    assert in_background(lambda: ["built"]) == ["built"]
    with pytest.raises(ValueError, match="corrupt"):
        in_background(lambda: (_ for _ in ()).throw(ValueError("corrupt index")))
