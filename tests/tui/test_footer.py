"""The footer recomposes once for a burst of binding changes, and shows the keys as they are."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from sessionscope.tui.widgets.footer import Footer

from .conftest import settle


async def test_a_burst_of_binding_changes_recomposes_the_footer_once(make, monkeypatch) -> None:
    recomposes: list[int] = []
    original = Footer.recompose

    async def counted(self) -> None:
        recomposes.append(1)
        await original(self)

    monkeypatch.setattr(Footer, "recompose", counted)
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        footer = app.query_one(Footer)
        keys = {key.action for key in footer.query(FooterKey)}
        assert {"quit", "help", "filter", "choose"} <= keys
        recomposes.clear()

        def burst() -> None:
            for _ in range(4):
                app.screen.refresh_bindings()

        footer.call_later(burst)
        await pilot.pause()
        await pilot.pause()
        assert len(recomposes) == 1
        # Focus elsewhere changes the keys: the footer follows.
        app.message_view.focus()
        await pilot.pause()
        await pilot.pause()
        keys = {key.action for key in footer.query(FooterKey)}
        assert "choose" not in keys and "quit" in keys
