"""The command palette's one provider: every action of the app, found from its bindings."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from sessionscope.tui.keys import binding_nodes, iter_bindings, key_display, section_name


class ActionsProvider(Provider):
    """Lists every binding that has an id, on the app, the screen and its widgets."""

    def actions(self):
        """(title, help, command) of every action the palette offers."""
        app = self.app
        # The palette is a screen of its own: read the bindings of the screen beneath it.
        screen = app.screen_stack[-2] if len(app.screen_stack) > 1 else app.screen
        for node, binding in iter_bindings(binding_nodes(app, screen)):
            title = f"{binding.description} ({section_name(node)})"
            keys = key_display(app, binding)
            help_text = f"{keys} · {binding.tooltip}" if binding.tooltip else keys
            yield title, help_text, partial(app.run_action, binding.action, node)

    async def discover(self) -> Hits:
        for title, help_text, command in self.actions():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self.actions():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
