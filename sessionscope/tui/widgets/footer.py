"""Textual's footer, recomposed once for a burst of binding changes, and able to wait.

Textual's ``Footer`` recomposes (every key widget anew) after each change of the screen's
bindings; here the changes made before a recompose runs share it. A footer made ``held``
composes no keys until :meth:`Footer.release`, so the app paints its session list first (see
docs/performance.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer as TextualFooter

if TYPE_CHECKING:
    from textual.screen import Screen


class Footer(TextualFooter):
    """A ``Footer`` whose recomposes are coalesced, and held until released if asked."""

    def __init__(self, *, held: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self._held = held
        """No keys are composed until :meth:`release`."""
        self._recompose_pending = False
        """A recompose is scheduled and has not run yet."""

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
        # Textual's own schedules a recompose after each change; one waiting is enough.
        if self._held or self._recompose_pending:
            return
        # Textual's own recomposes only in this case (otherwise it marks the keys ready).
        self._recompose_pending = (
            screen.app.app_focus and self.is_attached and screen is self.screen
        )
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        self._recompose_pending = False
        await super().recompose()
