"""Edits as diffs: Edit (with the patch its result recorded, and without), MultiEdit (each
edit), Write and NotebookEdit drawn as unified diffs in the message pane — numbered where the
transcript says where, folded to a dozen lines, marks that carry the meaning without colour —
and the same in the Markdown and HTML exports; the installed command shows one in tmux."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import uuid
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from sessionscope.export import load_document, to_html, to_markdown
from sessionscope.transcripts.edits import edit_diff
from sessionscope.tui.render import COLLAPSED_DIFF_LINES, BlockRenderer, Palette
from tests.helpers.pilot import settle
from tests.tui.gallery import PROJECT, _write, assistant, result, u, user
from tests.tui.test_tmux import COMMAND, tmux, wait_for

EDITS = "55555555-5555-4555-8555-555555555555"

OLD_FILE = "".join(f"line {n}\n" for n in range(1, 31))
PATCH = [
    {
        "oldStart": 9,
        "oldLines": 5,
        "newStart": 9,
        "newLines": 6,
        "lines": [
            " line 9",
            " line 10",
            "-line 11",
            "+line eleven",
            "+line 11b",
            " line 12",
            " line 13",
        ],
    },
    {
        "oldStart": 20,
        "oldLines": 3,
        "newStart": 21,
        "newLines": 2,
        "lines": [" line 20", "-line 21", " line 22", "\\ No newline at end of file"],
    },
]
LONG_PYTHON = "".join(f'def f{n}(x):\n    return x + {n}  # "{n}"\n' for n in range(12))


def edit_entries() -> list[dict]:
    s = EDITS
    path = "/home/ada/src/orbit/orbit/sync.py"

    def call(n, parent, minutes, tool_id, name, tool_input):
        block = {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}
        return assistant(s, u(n), parent, minutes, f"msg_e{n}", block)

    return [
        user(s, u(1), None, 0, "Tidy sync.py, add the notes file, fix the notebook."),
        call(
            2,
            u(1),
            1,
            "toolu_e1",
            "Edit",
            {"file_path": path, "old_string": "line 11\n", "new_string": "line eleven\nline 11b\n"},
        ),
        result(
            s,
            u(3),
            u(2),
            1.1,
            "toolu_e1",
            f"The file {path} has been updated successfully.",
            toolUseResult={
                "filePath": path,
                "oldString": "line 11\n",
                "newString": "line eleven\nline 11b\n",
                "originalFile": OLD_FILE,
                "structuredPatch": PATCH,
            },
        ),
        call(
            4,
            u(3),
            2,
            "toolu_e2",
            "MultiEdit",
            {
                "file_path": "/home/ada/src/orbit/README.md",
                "edits": [
                    {"old_string": "# orbit\n", "new_string": "# Orbit\n"},
                    {"old_string": "sync: slow\n", "new_string": "sync: fast\nretry: once\n"},
                ],
            },
        ),
        call(
            5,
            u(4),
            3,
            "toolu_e3",
            "Write",
            {"file_path": "/home/ada/src/orbit/orbit/funcs.py", "content": LONG_PYTHON},
        ),
        result(
            s,
            u(6),
            u(5),
            3.1,
            "toolu_e3",
            "File created successfully at: /home/ada/src/orbit/orbit/funcs.py",
            toolUseResult={
                "type": "create",
                "filePath": "/home/ada/src/orbit/orbit/funcs.py",
                "content": LONG_PYTHON,
                "structuredPatch": [],
            },
        ),
        call(
            7,
            u(6),
            4,
            "toolu_e4",
            "NotebookEdit",
            {
                "notebook_path": "/home/ada/src/orbit/explore.ipynb",
                "cell_id": "cell-3",
                "new_source": "import orbit\norbit.sync(timeout=30)\n",
                "edit_mode": "insert",
            },
        ),
    ]


@pytest.fixture
def edits_config(tmp_path: Path) -> Path:
    config = tmp_path / "claude"
    _write(
        config / "projects" / PROJECT / f"{EDITS}.jsonl",
        edit_entries(),
        age=timedelta(minutes=1),
    )
    return config


# -- the diffs themselves ------------------------------------------------------------------


def test_a_recorded_patch_gives_numbered_hunks() -> None:
    result_of = edit_entries()[2]["toolUseResult"]
    diff = edit_diff("Edit", edit_entries()[1]["message"]["content"][0]["input"], result_of)
    assert diff.numbered and (diff.added, diff.removed) == (2, 2)
    first, second = diff.hunks
    assert first.header == "@@ -9,5 +9,6 @@"
    assert [(line.mark, line.old_number, line.new_number) for line in first.lines] == [
        (" ", 9, 9),
        (" ", 10, 10),
        ("-", 11, None),
        ("+", None, 11),
        ("+", None, 12),
        (" ", 12, 13),
        (" ", 13, 14),
    ]
    assert [line.text for line in second.lines] == ["line 20", "line 21", "line 22"]
    assert diff.unified().splitlines()[:3] == [
        "--- /home/ada/src/orbit/orbit/sync.py",
        "+++ /home/ada/src/orbit/orbit/sync.py",
        "@@ -9,5 +9,6 @@",
    ]


def test_without_a_patch_the_input_gives_the_diff() -> None:
    edit = edit_diff(
        "Edit", {"file_path": "a.py", "old_string": "a\nb\nc", "new_string": "a\nB\nc"}
    )
    assert not edit.numbered
    assert [(line.mark, line.text) for line in edit.hunks[0].lines] == [
        (" ", "a"),
        ("-", "b"),
        ("+", "B"),
        (" ", "c"),
    ]
    multi = edit_diff("MultiEdit", edit_entries()[3]["message"]["content"][0]["input"])
    assert [hunk.header for hunk in multi.hunks] == ["edit 1 of 2", "edit 2 of 2"]
    assert (multi.added, multi.removed) == (3, 2)
    written = edit_diff("Write", {"file_path": "n.txt", "content": "x\ny\n"})
    assert not written.numbered and written.note == "whole file written"
    created = edit_diff("Write", {"file_path": "n.txt", "content": "x\ny\n"}, {"type": "create"})
    assert created.numbered and [line.new_number for line in created.hunks[0].lines] == [1, 2]
    deleted = edit_diff("NotebookEdit", {"notebook_path": "n.ipynb", "edit_mode": "delete"})
    assert deleted.note == "cell ? deleted" and deleted.added == 0
    assert edit_diff("Read", {"file_path": "a.py"}) is None
    assert edit_diff("Edit", "not a dict") is None
    # A patch in an unexpected shape is not trusted: the input's diff instead.
    odd = edit_diff("Edit", {"old_string": "a", "new_string": "b"}, {"structuredPatch": [{}]})
    assert not odd.numbered and odd.added == 1


# -- the message pane ---------------------------------------------------------------------


def _text(strips) -> str:
    return "\n".join("".join(segment.text for segment in strip).rstrip() for strip in strips)


async def test_the_pane_draws_folds_and_unfolds_diffs(make, edits_config: Path) -> None:
    app = make(config_dir=edits_config)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        app.main_screen.session_list.select_session(EDITS)
        await settle(app, pilot)
        source = app.main_screen.message_view.source
        renderer = BlockRenderer(app.console, Palette(), UTC)
        drawn = {
            source.entry(i).uuid: source.render(i, 90, False, renderer) for i in range(len(source))
        }
        edit = _text(drawn[u(2)].strips)
        assert "⚙ Edit  /home/ada/src/orbit/orbit/sync.py  +2 −2" in edit
        assert "@@ -9,5 +9,6 @@" in edit
        assert re.search(r"^11    - line 11$", edit, re.M)
        assert re.search(r"^   11 \+ line eleven$", edit, re.M)
        assert re.search(r"^13 14   line 13$", edit, re.M)
        multi = _text(drawn[u(4)].strips)
        assert "edit 1 of 2" in multi and "- # orbit" in multi and "+ # Orbit" in multi
        written = _text(drawn[u(5)].strips)
        assert "+24 −0 · new file" in written
        assert f"… {24 - COLLAPSED_DIFF_LINES} more lines · enter expands" in written
        assert drawn[u(5)].expandable
        assert " 1 + def f0(x):" in written
        unfolded = _text(source.render(source.position_of_uuid[u(5)], 90, True, renderer).strips)
        assert "24 +     return x + 11" in unfolded and "more lines" not in unfolded
        notebook = _text(drawn[u(7)].strips)
        assert "cell cell-3 (insert)" in notebook and "+ orbit.sync(timeout=30)" in notebook


def test_diff_lines_are_what_rich_draws() -> None:
    """The pane draws a diff's lines itself, from the lexer's tokens (a Rich ``Text`` for
    them cost more than lexing them): the same cells in the same styles as Rich's ``Syntax``
    and ``Text`` draw for those lines cut, not wrapped, to the pane (tabs to every 8th cell,
    ``…`` where a line is cut, wide characters, emoji sequences, escapes made inert)."""
    from rich.console import Console
    from rich.segment import Segment
    from rich.syntax import Syntax
    from rich.text import Text

    from sessionscope.transcripts.edits import DiffLine, EditDiff, Hunk
    from sessionscope.transcripts.text import inert
    from sessionscope.tui.render import DIFF_THEME

    console = Console(width=200, color_system="truecolor", file=io.StringIO())
    renderer = BlockRenderer(console, Palette(), UTC)
    palette = renderer.palette
    texts = [
        "def f(x):\treturn x  # tabbed",
        "    s = '中文' * 40  # a comment that goes on well past the width of the pane",
        '    """a string',
        "👨\u200d👩\u200d👧 e\u0301 \x1b[2J" * 4,
        "",
        '    """  ',
        "   ",
    ]
    lines = tuple(DiffLine("-+ "[n % 3], text, n + 1, n + 1) for n, text in enumerate(texts))
    header = "@@ -1,7 +1,7 @@\tdef f"
    code_lines = [inert(text, keep_newlines=False) for text in texts]
    for path, lexer in (("a.py", "python"), ("notes.txt", None)):
        diff = EditDiff(path, (Hunk(header, lines),), numbered=True)
        if lexer:
            syntax = Syntax("", lexer, theme=DIFF_THEME, tab_size=8)
            highlighted = syntax.highlight("\n".join(code_lines))
            highlighted.style = ""
            highlighted.rstrip()
            code = list(highlighted.split("\n", allow_blank=True))
            code += [Text("")] * (len(texts) - len(code))
        else:
            code = [Text(text) for text in code_lines]
        rows = [Text(header, style=palette.separator)]
        for line, text in zip(lines, code, strict=True):
            mark = {"+": palette.diff_add, "-": palette.diff_remove}.get(line.mark, palette.dim)
            row = Text.assemble((f"{line.old_number} {line.new_number} ", palette.dim))
            row.append(line.mark, style=mark)
            row.append(" ")
            row.append_text(text)
            rows.append(row)
        reference = Text("\n").join(rows)
        reference.no_wrap, reference.overflow = True, "ellipsis"
        for width in (3, 24, 37, 71, 200):
            options = console.options.update(width=width, height=None)
            expected = [
                [(segment.text, segment.style) for segment in Segment.simplify(row)]
                for row in console.render_lines(reference, options, pad=False, new_lines=False)
            ]
            pieces, _ = renderer._diff(diff, True, width)
            drawn = [[(segment.text, segment.style) for segment in row] for row in pieces[0]]
            assert drawn == expected, (path, width)


def test_diff_snapshot(make, edits_config: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(app, pilot)
        app.main_screen.session_list.select_session(EDITS)
        await settle(app, pilot)
        app.main_screen.message_view.focus()
        app.main_screen.message_view.select(
            app.main_screen.message_view.source.position_of_uuid[u(2)]
        )
        await pilot.pause()

    assert snap_compare(
        make(config_dir=edits_config), terminal_size=(100, 32), run_before=run_before
    )


def test_diff_snapshot_without_colour(
    make, edits_config: Path, snap_compare, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR: the marks and numbers say what changed."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(app, pilot)
        app.main_screen.session_list.select_session(EDITS)
        await settle(app, pilot)
        app.main_screen.message_view.focus()
        app.main_screen.message_view.select(
            app.main_screen.message_view.source.position_of_uuid[u(4)]
        )
        await pilot.pause()

    assert snap_compare(
        make(config_dir=edits_config), terminal_size=(100, 32), run_before=run_before
    )


# -- exports ------------------------------------------------------------------------------


def test_markdown_and_html_exports_show_the_diffs(edits_config: Path) -> None:
    document = load_document(edits_config / "projects" / PROJECT / f"{EDITS}.jsonl")
    markdown = to_markdown(document)
    assert (
        "**Tool call: Edit · `toolu_e1`** — `/home/ada/src/orbit/orbit/sync.py` (+2 −2)\n\n"
        "```diff\n--- /home/ada/src/orbit/orbit/sync.py\n+++ /home/ada/src/orbit/orbit/sync.py\n"
        "@@ -9,5 +9,6 @@\n line 9\n line 10\n-line 11\n+line eleven\n+line 11b\n"
    ) in markdown
    assert "@@ edit 2 of 2 @@\n-sync: slow\n+sync: fast\n+retry: once\n```" in markdown
    assert "(+2 −0, cell cell-3 (insert))" in markdown
    page = to_html(document)
    assert '<pre class="diff"><span class="hunk">@@ -9,5 +9,6 @@</span>' in page
    assert '<span class="del"><i class="ln">11    </i>-line 11</span>' in page
    assert '<span class="add"><i class="ln">   11 </i>+line eleven</span>' in page
    assert "<script" not in page.lower()


# -- a real terminal ----------------------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)
@pytest.mark.skipif(not COMMAND.exists(), reason=f"{COMMAND} is not installed")
def test_installed_command_shows_a_diff(edits_config: Path, tmp_path: Path) -> None:
    socket = f"sessionscope-test-{uuid.uuid4().hex[:8]}"
    env = {
        "CLAUDE_CONFIG_DIR": str(edits_config),
        "SESSIONSCOPE_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "TERM": "xterm",
        "TZ": "UTC",
    }
    exports = " ".join(f"{key}={value}" for key, value in env.items())
    command = f"env {exports} {COMMAND} --session {EDITS} --message {u(2)}"
    tmux(socket, "new-session", "-d", "-s", "app", "-x", "120", "-y", "36", command)
    try:
        screen = wait_for(socket, lambda s: "@@ -9,5 +9,6 @@" in s)
        assert re.search(r"11\s+- line 11", screen)
        assert re.search(r"11 \+ line eleven", screen)
        tmux(socket, "send-keys", "-t", "app", "q")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)
