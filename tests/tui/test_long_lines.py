"""A message made of one very long line (a pasted log, a minified file, a tool's output without
newlines): folded or unfolded, the pane draws a bounded part of it and says how much it left
out, instead of wrapping megabytes into tens of thousands of lines while the app waits."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.helpers.pilot import block_text, settle, uuids
from tests.tui.gallery import PROJECT, _write, assistant, result, u, user

WIDE = "77777777-7777-4777-8777-777777777777"
LINE = ("x" * 79 + " ") * 8_000
"""One line of 640,000 characters (16,000 lines of the pane, wrapped)."""


def write_wide(config_dir: Path) -> Path:
    s = WIDE
    command = "echo " + LINE
    call = {"type": "tool_use", "id": "toolu_w1", "name": "Bash", "input": {"command": command}}
    entries = [
        user(s, u(601), None, 0, "prompt " + LINE),
        assistant(s, u(602), u(601), 1, "msg_w1", call),
        result(s, u(603), u(602), 2, "toolu_w1", "out " + LINE),
    ]
    _write(config_dir / "projects" / PROJECT / f"{WIDE}.jsonl", entries, age=timedelta(hours=1))
    return config_dir


async def test_one_long_line_is_drawn_in_part_folded_or_not(make, tmp_path: Path) -> None:
    from sessionscope.tui.render import COLLAPSED_RESULT_LINES, EXPANDED_MAX_CHARS

    app = make(write_wide(tmp_path / "wide"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        view = app.main_screen.message_view
        prompt, call, output = (uuids(view).index(u(n)) for n in (601, 602, 603))
        folded_call = block_text(view, call)
        assert "⚙ Bash  echo" in folded_call and folded_call.rstrip().endswith("…")
        assert len(folded_call.splitlines()) < 10 * COLLAPSED_RESULT_LINES
        folded = block_text(view, output)
        assert len(folded.splitlines()) < 10 * COLLAPSED_RESULT_LINES
        assert "more characters · enter expands" in folded
        view.focus()
        for index in (prompt, call, output):
            view.select(index)
            await pilot.press("enter")
            await settle(app, pilot)
            unfolded = block_text(view, index)
            # A line of the pane holds 72 of its characters; the whole line would take 16,000.
            assert len(unfolded.splitlines()) < 2 * EXPANDED_MAX_CHARS / 72
            assert "more characters not drawn here" in unfolded, unfolded[-200:]
