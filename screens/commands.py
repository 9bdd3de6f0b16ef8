"""Key bindings: their labels in the user's language, and the keys of the current screen as
the help screen and the command palette show them.

Only hoctap's own bindings are listed: they are the ones with an id (which the keymap uses)
and a translated description; Textual's built-in keys (cursor moves, focus) stay out."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Callable, Iterator, NamedTuple

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

from hoctap.models.i18n import both, tr

def localize_bindings(node: DOMNode) -> None:
    """Translate ``node``'s binding labels. Every BINDINGS description is an i18n key; this
    runs per instance (BaseScreen, BaseModal, the app and widgets with keys call it from
    __init__) because the language is chosen after the modules are imported. Textual has no
    public hook for it, so this is the one place that rewrites a node's binding map."""
    bindings = node._bindings
    bindings.key_to_bindings = {
        key: [replace(b, description=tr(b.description)) if _is_key(b.description) else b for b in group]
        for key, group in bindings.key_to_bindings.items()}


def _is_key(text: str) -> bool:
    try:
        both(text)
    except KeyError:
        return False  # already translated, or one of Textual's own labels
    return True


class ScreenKey(NamedTuple):
    keys: str
    description: str
    run: Callable


def screen_keys(screen: Screen) -> list[ScreenKey]:
    """One row per enabled, described action of ours on ``screen``: the screen's own first."""
    app = screen.app
    rows: dict[tuple[int, str], tuple[list[str], str, Callable, int]] = {}
    for active in screen.active_bindings.values():
        b, node = active.binding, active.node
        if not (b.id and b.description and active.enabled):
            continue
        order = 0 if node is screen else 2 if node is app else 1
        keys, *_ = rows.setdefault((id(node), b.action),
                                   ([], b.description, partial(app.run_action, b.action, node), order))
        display = app.get_key_display(b)
        if display not in keys:
            keys.append(display)
    ordered = sorted(rows.values(), key=lambda r: r[3])
    return [ScreenKey(" ".join(keys), description, run) for keys, description, run, _ in ordered]


class ScreenCommands(Provider):
    def _commands(self) -> Iterator[ScreenKey]:
        yield from screen_keys(self.screen)

    async def discover(self) -> Hits:
        for key in self._commands():
            yield DiscoveryHit(key.description, key.run, help=key.keys)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for key in self._commands():
            if (score := matcher.match(key.description)) > 0:
                yield Hit(score, matcher.highlight(key.description), key.run, help=key.keys)
