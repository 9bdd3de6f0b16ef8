"""The hoctap Textual application: owns the database handle, the catalogs and the current
unit/assessment; screens (in screens/) read and change data only through models/."""

from __future__ import annotations

import asyncio
import threading
from functools import partial

import tomli_w
import tomllib
from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.color import Color, ColorParseError
from textual.command import CommandPalette
from textual.screen import ModalScreen
from textual.widgets import Input, TextArea
from textual.worker import WorkerFailed

from hoctap.models.catalog import Catalogs
from hoctap.models.config import Config, state_path
from hoctap.models.db import Database
from hoctap.models.errors import USER_ERRORS
from hoctap.models import i18n
from hoctap.models.i18n import tr
from hoctap.models.strings import CORE
from hoctap.models.units import Context, find_context
from hoctap.screens.base import Workstation
from hoctap.screens.dashboard import DashboardScreen
from hoctap.screens.help import HelpScreen
from hoctap.screens.start import StartScreen
from hoctap.screens.commands import ScreenCommands, localize_bindings
from hoctap.screens.messages import DataChanged
from hoctap.screens.strings import SCREENS
from hoctap.tui.threads import WorkerThreads


MIN_CONTRAST = 4.5  # WCAG AA for text


def contrast(a: Color, b: Color) -> float:
    """The WCAG 2 contrast ratio of two opaque colours."""
    def luminance(c: Color) -> float:
        r, g, b = ((v / 255 / 12.92) if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4
                   for v in (c.r, c.g, c.b))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def legible(colour: Color, backgrounds) -> Color:
    """``colour``, moved towards black (on light backgrounds) or white just far enough to read at
    MIN_CONTRAST on every one of ``backgrounds``; its hue stays recognisable."""
    towards = backgrounds[0].get_contrast_text(1.0)
    for step in range(11):
        out = colour.blend(towards, step / 10)
        if all(contrast(out, b) >= MIN_CONTRAST for b in backgrounds):
            return out
    return towards


def load_state() -> dict:
    """The last unit and year opened and the language chosen in the app ({} when none or
    unreadable: it is only a convenience)."""
    try:
        return tomllib.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def save_state(**changes) -> None:
    """Remember ``changes`` (unit, year, lang), keeping the rest of the state."""
    path = state_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tomli_w.dumps(load_state() | changes), encoding="utf-8")
    except OSError:
        pass  # a read-only home must not stop the work


class HoctapApp(Workstation):
    TITLE = "hoctap"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ScreenCommands}
    BINDINGS = [
        Binding("question_mark,f1", "help", "key.help", id="app.help"),
        Binding("ctrl+p", "command_palette", "key.palette", id="app.palette", show=False),  # ? leads to it
        Binding("ctrl+q", "quit", "key.quit", id="app.quit", priority=True, show=False),
        Binding("ctrl+t", "switch_language", "key.language", id="app.language", show=False),
    ]

    def __init__(self, db: Database, catalogs: Catalogs, config: Config, *, unit: str | None = None,
                 year: int | None = None, lang_given: bool = False):
        i18n.register(*CORE, *SCREENS)  # the TUI's words, before any label is made
        chosen = load_state().get("lang")
        # the language last chosen in the app (ctrl+t), unless the command line asked for one
        # (``lang_given``: the CLI already set it) or for another one than the configuration's
        if chosen in ("vi", "en") and not lang_given and i18n.lang() == config.lang:
            i18n.set_lang(chosen)
        super().__init__()
        localize_bindings(self)
        self.db = db
        db.on_wait = self._say_waiting
        self.catalogs = catalogs
        self.config = config
        self.start_unit = unit
        self.start_year = year
        self.ctx: Context | None = None
        self.made_here = []
        self.threads = WorkerThreads()

    def on_load(self) -> None:
        # before any worker starts: thread workers run in asyncio's default executor
        asyncio.get_running_loop().set_default_executor(self.threads)

    async def on_mount(self) -> None:
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            self.notify(tr("err.theme", theme=self.config.theme), severity="warning")
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        unit, year = self.start_unit, self.start_year
        if unit is None:
            state = load_state()
            unit, year = state.get("unit"), state.get("year")
        self.push_screen(StartScreen())
        if isinstance(unit, str) and isinstance(year, int):
            # read in a thread, but awaited: the app is ready (takes keys) with the dashboard open
            worker = self.run_worker(partial(find_context, self.db, unit, year), thread=True, exit_on_error=False)
            try:
                self.open_context(await worker.wait())
            except WorkerFailed as e:
                if not isinstance(e.error, USER_ERRORS):
                    raise e.error from None
                if self.start_unit is not None:  # asked for explicitly: say why it did not open
                    self.show_error(e.error)

    # ---- navigation ----------------------------------------------------------------------------

    def open_context(self, ctx: Context) -> None:
        """Make ``ctx`` the current assessment and show its dashboard (remembered for next time)."""
        self.ctx = ctx
        save_state(unit=ctx.unit.code, year=ctx.assessment.year)
        while len(self.screen_stack) > 2:  # keep the start screen underneath
            self.pop_screen()
        self.push_screen(DashboardScreen())

    def action_switch_language(self) -> None:
        """Vietnamese ⇄ English, remembered for next time; the screens are rebuilt in the new
        language (the start screen and, when one is open, the assessment's dashboard)."""
        # the screens are rebuilt: a form's or a field's typing would be lost, and a write still
        # running would report to a screen that is gone (its notice, roster U)
        typing = isinstance(self.screen, ModalScreen) or isinstance(self.focused, (Input, TextArea))
        if typing or any(w.is_running and w.group not in ("meters", "poll", "roster-ahead") for w in self.workers):
            self.notify(tr("lang.close_form_first"), severity="warning")
            return
        i18n.set_lang("en" if i18n.lang() == "vi" else "vi")
        save_state(lang=i18n.lang())
        self._bindings = self._merged_bindings.copy()  # the keys' labels again, in the new language
        localize_bindings(self)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(StartScreen())
        if self.ctx is not None:
            self.push_screen(DashboardScreen())
        self.notify(tr("lang.switched"))

    @on(events.DeliveryComplete)
    def _delivered(self, event: events.DeliveryComplete) -> None:
        if event.name == "export":  # under textual serve: the browser took the file
            self.notify(tr("export.sent"))

    @on(events.DeliveryFailed)
    def _delivery_failed(self, event: events.DeliveryFailed) -> None:
        if event.name == "export":
            self.notify(tr("export.failed", error=event.exception), severity="error", timeout=10)

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, with the coloured text that hoctap puts on them (verdicts on the
        meters' table, the footer's keys) made to read at the WCAG 4.5:1 ratio: textual-light's
        own success green is 3.2:1 on a focused table, its footer keys 2.9:1."""
        variables = super().get_css_variables()
        try:
            surface = Color.parse(variables["surface"])
            table = surface.blend(Color.parse(variables["foreground"]), 0.05)  # DataTable:focus tint
            grounds = {tone: (surface, table, Color.parse(variables["background"]))
                       for tone in ("text-success", "text-error", "text-warning")}
            grounds["footer-key-foreground"] = (Color.parse(variables["footer-background"]),)
            for name, backgrounds in grounds.items():
                colour = Color.parse(variables[name])
                if colour.ansi is None and all(b.ansi is None for b in backgrounds):
                    variables[name] = legible(colour, backgrounds).hex
        except (KeyError, ColorParseError):
            pass  # a theme without these: Textual's own colours stand
        return variables

    def get_system_commands(self, screen):
        """Textual's app-wide commands, in the user's language (the screen's own come from
        ScreenCommands)."""
        yield SystemCommand(tr("cmd.theme"), tr("cmd.theme_help"), self.action_change_theme)
        yield SystemCommand(tr("cmd.screenshot"), tr("cmd.screenshot_help"),
                            lambda: self.set_timer(0.1, self.deliver_screenshot))
        yield SystemCommand(tr("key.quit"), tr("cmd.quit_help"), self.action_quit)

    def action_command_palette(self) -> None:
        """Textual's palette, with its search prompt in the user's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=tr("cmd.palette_search")))

    def notify(self, message: str, *, title: str = "", **kwargs) -> None:
        """Textual words its own screenshot notices in English: reworded in the user's language."""
        if title == "Screenshot":
            title = tr("cmd.screenshot")
            if message.startswith("Saved screenshot to "):
                message = tr("cmd.screenshot_saved_to", path=message.removeprefix("Saved screenshot to "))
            elif message == "Saved screenshot":
                message = tr("cmd.screenshot_saved")
            elif message == "Failed to save screenshot":
                message = tr("cmd.screenshot_failed")
        super().notify(message, title=title, **kwargs)

    def _say_waiting(self) -> None:
        """A write queued behind another user's: say so, from whichever thread is writing (never
        waiting for the screen: the writer goes on queueing)."""
        if self._thread_id == threading.get_ident():
            self.notify(tr("db.waiting"))
        elif (loop := self._loop) is not None:
            try:
                loop.call_soon_threadsafe(self.notify, tr("db.waiting"))
            except RuntimeError:  # the app has just closed
                pass

    def action_help_quit(self) -> None:
        """ctrl+c does not quit (it copies in a text field): say which key does."""
        key = next((self.get_key_display(a.binding) for a in self.active_bindings.values()
                    if a.binding.action in ("quit", "app.quit")), "ctrl+q")
        self.notify(tr("quit_hint", key=key))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # ---- data changes and errors ---------------------------------------------------------------

    def on_data_changed(self, message: DataChanged) -> None:
        """Something changed the assessment: every screen that shows derived numbers reloads."""
        for screen in self.screen_stack:
            if hasattr(screen, "data_changed"):
                screen.data_changed()


def run_app(db: Database, catalogs: Catalogs, config: Config, *, unit: str | None = None,
            year: int | None = None, lang_given: bool = False) -> int:
    HoctapApp(db, catalogs, config, unit=unit, year=year, lang_given=lang_given).run()
    return 0

