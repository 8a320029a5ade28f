"""The sessionscope explorer: a Textual app whose main screen lists every session and shows the
selected one's messages (:class:`~sessionscope.tui.screens.main.MainScreen`).

Build it with :func:`make_app`, which the command line and the tests call with what the app
depends on.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType

from sessionscope.tui.context import AppContext, Catalog, system_clock
from sessionscope.tui.messages import SdkImported, StartUpFinished
from sessionscope.tui.screens.main import MainScreen

if TYPE_CHECKING:
    from textual.command import Provider

    from sessionscope.agent.settings import ComposeSettings
    from sessionscope.stores.explorer import StoreExplorer


_frozen = False
"""gc.freeze ran in this process."""

STOP_SECONDS = 15.0
"""How long quitting waits for an interrupted reply to end (Claude Code writes it meanwhile)."""


def _palette_provider() -> type[Provider]:
    # Imported when the palette first opens, not at start-up.
    from sessionscope.tui.palette import ActionsProvider

    return ActionsProvider


class SessionscopeApp(App[None]):
    """Browse every session, read every message with its UUID, fork with ``f``.

    The app holds what is the same on every screen: quit, help, the command palette, the
    user's keymap, and the cyclic garbage collector's handling (paused while it starts,
    frozen once the SDK is imported)."""

    TITLE = "sessionscope"
    CSS_PATH = "app.tcss"
    COMMANDS = {_palette_provider}
    BINDING_GROUP_TITLE = "Anywhere"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit sessionscope"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Every key"),
    ]

    def __init__(
        self,
        context: AppContext,
        *,
        session_id: str | None = None,
        message_uuid: str | None = None,
    ) -> None:
        super().__init__()
        self.context = context
        self.main_screen = MainScreen(context, session_id=session_id, message_uuid=message_uuid)
        """The screen at the bottom of the stack: the list, the messages, the prompt box."""
        if context.keymap:
            self.set_keymap(context.keymap)
        self._collector_paused = False
        self._stopping_to_quit = False

    def get_default_screen(self) -> MainScreen:
        return self.main_screen

    # -- the garbage collector -----------------------------------------------------------------
    #
    # Start-up allocates tens of thousands of objects (CSS rules, widgets, the cached list), and
    # the collections they set off each walked every object the imports had made. Start-up
    # makes no garbage cycles worth collecting, so the collector waits until the first list is
    # painted. Once the SDK is imported too, every object alive (modules, classes, Textual's and
    # the SDK's tables, the widgets) lives as long as the process: gc.freeze moves them out of
    # the collector's walks, which paused moves through a big session.

    def on_load(self) -> None:
        self._collector_paused = gc.isenabled()
        gc.disable()

    def on_start_up_finished(self, event: StartUpFinished) -> None:
        self._resume_collector()

    def on_sdk_imported(self, event: SdkImported) -> None:
        global _frozen
        if not _frozen:  # the frozen objects stay frozen: once per process
            _frozen = True
            gc.freeze()

    def on_unmount(self) -> None:
        self._resume_collector()

    def _resume_collector(self) -> None:
        if self._collector_paused:
            self._collector_paused = False
            gc.enable()

    # -- quit ----------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit, asking first while a reply streams: leaving would end Claude Code before it
        writes the reply, and what had arrived would be gone. Asked again, it is the answer
        "stop and quit"; while the reply is being stopped, it quits at once."""
        from sessionscope.tui.screens.confirm_quit import ConfirmQuit

        turn = self.main_screen.turn
        if turn is None or self._stopping_to_quit:
            self.exit()
            return
        if isinstance(self.screen, ConfirmQuit):
            self.screen.action_confirm()  # ctrl+q twice: as y (q in the question is y too)
            return

        def answered(stop: bool | None) -> None:
            if stop and self.main_screen.turn is not None:
                self.stop_reply_and_quit()
            elif stop:
                self.exit()  # it ended while the question was up

        self.push_screen(ConfirmQuit(turn.target.describe()), callback=answered)

    @work(group="quit", exclusive=True)
    async def stop_reply_and_quit(self) -> None:
        """Interrupt the reply as ``esc`` does (Claude Code then writes what arrived and an
        interrupted mark), wait for the turn to end, then quit."""
        self._stopping_to_quit = True
        self.notify("Stopping the reply; it stays in the session… (q quits at once)")
        self.main_screen.live_turn.interrupt()
        deadline = time.monotonic() + STOP_SECONDS
        while self.main_screen.turn is not None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        self.exit()

    # -- help ----------------------------------------------------------------------------------

    def action_help(self) -> None:
        # Imported here: the help screen's Markdown widget (markdown-it, pygments) would cost
        # start-up a tenth of a second.
        from sessionscope.tui.keys import binding_nodes
        from sessionscope.tui.screens.help import HelpScreen, help_markdown

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(help_markdown(self, binding_nodes(self))))


SWITCH_SECONDS = 0.0002
"""How long a thread may hold Python's interpreter before another may take it (Python's default
is 5 ms). The screen's thread waits up to that long for a worker's (a first build writing the
index, a big session being read) each time it asks, and a key asks several times on its way to
the screen: a move while the first index is built took 18-21 ms at 5 ms, 15-21 ms at 1 ms, and
15-16 ms at 0.2 ms (with the build's thread nicer, ``screens.main.in_background``)."""


def make_app(
    config_dir: Path,
    *,
    catalog: Catalog | None = None,
    clock: Callable[[], datetime] | None = None,
    tz: tzinfo | None = None,
    keymap: dict[str, str] | None = None,
    session_id: str | None = None,
    message_uuid: str | None = None,
    demo: bool = False,
    notice: str = "",
    compose: ComposeSettings | None = None,
    store: StoreExplorer | None = None,
    images: str = "off",
) -> SessionscopeApp:
    """The app, given what it depends on (tests pass a temp folder, a fixed clock and a zone);
    with ``store``, over that store's sessions (``config_dir``: its mirror, ``store.config_dir``)."""
    sys.setswitchinterval(SWITCH_SECONDS)
    if store is not None:
        catalog = store
    config_dir = Path(config_dir)
    if catalog is None:
        from sessionscope.index import Index

        catalog = Index(config_dir)
    context = AppContext(
        config_dir=config_dir,
        catalog=catalog,
        clock=clock or system_clock,
        tz=tz,
        keymap=dict(keymap or {}),
        demo=demo,
        notice=notice,
        compose=compose,
        store=store,
        images=images,
    )
    return SessionscopeApp(context, session_id=session_id, message_uuid=message_uuid)
