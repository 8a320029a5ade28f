"""The footer recomposes once for a burst of binding changes, and shows the keys as they are."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from sessionscope.tui.widgets.footer import Footer
from tests.helpers.pilot import settle


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
        assert {"app.quit", "app.help", "filter", "choose"} <= keys
        recomposes.clear()

        def burst() -> None:
            for _ in range(4):
                app.screen.refresh_bindings()

        footer.call_later(burst)
        await pilot.pause()
        await pilot.pause()
        assert len(recomposes) == 1
        # Focus elsewhere changes the keys: the footer follows.
        app.main_screen.message_view.focus()
        await pilot.pause()
        await pilot.pause()
        keys = {key.action for key in footer.query(FooterKey)}
        assert "choose" not in keys and "app.quit" in keys


async def test_a_held_footer_composes_its_keys_once_released() -> None:
    from textual.app import App
    from textual.binding import Binding

    class Small(App[None]):
        BINDINGS = [Binding("x", "bell", "Ring", id="ring")]

        def compose(self):
            yield Footer(held=True)

    app = Small()
    async with app.run_test(size=(60, 5)) as pilot:
        footer = app.query_one(Footer)
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert footer.held and not footer.query(FooterKey)
        footer.release()
        await pilot.pause()
        await pilot.pause()
        assert not footer.held
        assert "bell" in {key.action for key in footer.query(FooterKey)}


async def test_the_app_releases_its_footer_when_the_list_is_painted(make) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        assert app.main_screen.session_list.rows
        footer = app.query_one(Footer)
        assert not footer.held and footer.query(FooterKey)
