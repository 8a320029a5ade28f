"""Textual's footer, recomposed once for a burst of binding changes, and able to wait.

Textual's ``Footer`` recomposes (every key widget anew) after each change of the screen's
bindings; at start-up focus, mounts and the first list each change them, and the list waited
behind five recomposes of the footer before it was painted. Here the changes before one
refresh share one recompose, which shows the bindings as they are by then. A footer made
``held`` composes no keys until :meth:`release` (Textual's own starts empty too, until the
bindings are ready): the app paints its session list first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer as TextualFooter

if TYPE_CHECKING:
    from textual.screen import Screen


class Footer(TextualFooter):
    """A ``Footer`` whose recomposes are coalesced, and held until released if asked."""

    _recompose_pending = False
    """A recompose is scheduled and has not run yet."""

    def __init__(self, *, held: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self._held = held
        """No keys are composed until :meth:`release`."""

    @property
    def held(self) -> bool:
        return self._held

    def release(self) -> None:
        """Compose the keys from now on (at once, if they were held)."""
        if self._held:
            self._held = False
            if self.is_attached:
                self.screen.refresh_bindings()

    def bindings_changed(self, screen: Screen) -> None:
        # Textual's own, but scheduling no second recompose while one is waiting.
        self._bindings_ready = True
        if not screen.app.app_focus or self._held:
            return
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_pending = False
        await self.recompose()
