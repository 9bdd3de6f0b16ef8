"""Command palette provider: the current screen's own actions, and nothing that cannot run there."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenCommands(Provider):
    def _commands(self):
        """(description, key, callback) of every enabled, described binding of the screen."""
        seen = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not active.enabled or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            yield (binding.description, self.app.get_key_display(binding),
                   partial(self.app.run_action, binding.action, active.node))

    async def discover(self) -> Hits:
        for description, key, callback in self._commands():
            yield DiscoveryHit(description, callback, help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, key, callback in self._commands():
            if (score := matcher.match(description)) > 0:
                yield Hit(score, matcher.highlight(description), callback, help=key)
