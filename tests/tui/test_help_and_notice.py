"""The help screen lists every key of every binding; the first-run notice covers nothing."""

from __future__ import annotations

from sessionscope.tui.keys import binding_nodes
from sessionscope.tui.screens.help import HelpScreen
from sessionscope.tui.screens.session_dialogs import TextPrompt
from tests.helpers.pilot import settle

NOTICE = "No transcripts in /home/ada/.claude/projects yet: showing the bundled demo."


async def test_help_lists_every_key_of_every_binding(make) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.main_screen.message_view.focus()
        await pilot.pause()
        nodes = binding_nodes(app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.markdown.splitlines()
        missing = []
        for node in nodes:
            for key, bindings in node._bindings.key_to_bindings.items():
                for binding in bindings:
                    if binding.id is None or not binding.description:
                        continue
                    shown = app.get_key_display(binding)
                    row = next((r for r in rows if r.endswith(f"| `{binding.id}` |")), "")
                    if f" {shown} " not in row.replace("`", " "):
                        missing.append((binding.id, key, row))
        assert not missing, missing
        # The keys of the message pane, all of them.
        row = next(r for r in rows if r.endswith("| `message-next` |"))
        assert row.split("`")[1].split() in (["j", "↓"], ["↓", "j"]), row


async def test_the_first_run_notice_covers_neither_the_prompt_box_nor_a_dialog(make) -> None:
    app = make(demo=True, notice=NOTICE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert not app._notifications, "the notice is not a toast that covers what is under it"
        notice = app.query_one("#notice")
        assert "showing the bundled demo" in str(notice.render())
        box = app.main_screen.prompt_box
        assert box.region.height > 0
        assert not notice.region.overlaps(box.region)
        assert not notice.region.overlaps(app.main_screen.message_view.region)
        await pilot.press("R")  # the rename dialog: nothing over it
        assert isinstance(app.screen, TextPrompt)
        assert not app.screen.query("Toast")
        assert not app._notifications


async def test_the_help_scrolls_with_the_list_keys_and_end_reaches_its_last_line(make) -> None:
    from textual.containers import VerticalScroll

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        body = app.screen.query_one("#help-body", VerticalScroll)
        assert body.max_scroll_y > 0
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert body.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert body.scroll_y == 2
        for key in ("G", "end"):
            await pilot.press("g")
            await pilot.pause()
            assert body.scroll_y == 0
            await pilot.press(key)
            await settle(app, pilot)
            assert body.scroll_y == body.max_scroll_y, key
