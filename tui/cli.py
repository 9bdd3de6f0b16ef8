"""The ``hoctap`` command line: a thin face over models/. Errors go to stderr, no traceback.

Exit codes: 0 success (``status``: level met), 1 ``status``: level not met, 2 error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

import hoctap
from hoctap.models import i18n
from hoctap.models.config import ConfigError, crash_log, load_config
from hoctap.models.errors import USER_ERRORS, HoctapError
from hoctap.models.files import set_export_mode
from hoctap.models.i18n import tr
from hoctap.models.strings import CORE
from hoctap.models.text import safe
from hoctap.tui.cli_office_units import UNITS_CLI, add_units_parser, cmd_units
from hoctap.tui import cli_documents, cli_dossier
from hoctap.tui.cli_office import add_parsers as add_office_parsers, cmd_collect, cmd_newyear, cmd_recognition
from hoctap.tui.cli_office_strings import OFFICE_CLI
from hoctap.tui.cli_progress import file_progress
from hoctap.models.legal import source_text
from hoctap.tui.argparse_i18n import ARGPARSE, UNWRAPPED, HelpFormatter, localized, whole_number, wide_output
from hoctap.tui import cli_serve
from hoctap.tui.cli_help_strings import CLI_COUNTS, CLI_HELP, CLI_METAVARS, CLI_SET
from hoctap.tui.cli_strings import CLI


# options whose value is free text that may well begin with "-" ("-2+3", "- xem phụ lục")
TEXT_OPTIONS = ("--evidence", "--documents")

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _unwrap_when_piped() -> None:
    for c in (console, err_console):
        if wide_output(c.file):
            c.width = UNWRAPPED


def _fit() -> bool:
    """Tables fill a terminal's width; piped, they take only the width they need."""
    return console.width < UNWRAPPED


def print_json(doc) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


class CliError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse, with a hint where a text value that starts with "-" was taken for an option.
    Build and use it inside ``argparse_i18n.localized()`` for argparse's own words translated."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        for option in TEXT_OPTIONS:
            if option in message:
                message += "\n" + tr("cli.dash_value", option=option)
        super().error(message)


def join_text_options(argv: list[str]) -> list[str]:
    """``--documents -2+3`` as ``--documents=-2+3``: a value after a text option that starts with
    a single "-" is a value (even "-h": the text, not a request for help); "--x" still needs the
    "=" form, which the parse error then suggests."""
    out: list[str] = []
    it = iter(range(len(argv)))
    for i in it:
        arg = argv[i]
        if arg in TEXT_OPTIONS and i + 1 < len(argv) and argv[i + 1].startswith("-") \
                and not argv[i + 1].startswith("--"):
            out.append(f"{arg}={argv[i + 1]}")
            next(it)
        else:
            out.append(arg)
    return out


# ---- argument parsing -------------------------------------------------------------------------

def _common() -> argparse.ArgumentParser:
    p = Parser(add_help=False)
    p.add_argument("--db", default=argparse.SUPPRESS, help=tr("help.db"))
    p.add_argument("--lang", choices=("vi", "en"), default=argparse.SUPPRESS, help=tr("help.lang"))
    return p


class _BadYear(Exception):
    """Not a ValueError, so that it passes argparse: main prints it as any other error."""


def _year(text: str) -> int:
    """argparse type of --year: the core's range, its bilingual message."""
    from hoctap.models.fields import InputError, parse_year

    try:
        return parse_year(text)
    except InputError as e:
        raise _BadYear(str(e)) from None


def _unit_year(p: argparse.ArgumentParser) -> None:
    p.add_argument("--unit", required=True, metavar="CODE", help=tr("help.unit_code"))
    p.add_argument("--year", required=True, type=_year, help=tr("help.year"))


def _command(sub, name: str, common, epilog: str | None = None):
    """A sub-parser whose one-line help is also its description."""
    return sub.add_parser(name, parents=[common], help=tr(f"help.{name}"), description=tr(f"help.{name}"),
                          epilog=epilog)


def _action(sub, command: str, name: str, common):
    key = f"help.{command}_{name}"
    return sub.add_parser(name, parents=[common], help=tr(key), description=tr(key))


class ShowVersion(argparse.Action):
    """``--version``: the installed version, looked up only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        # through argparse's own writer, as its version action: a closed pipe is no error
        parser._print_message(f"hoctap {hoctap.__version__}\n", sys.stdout)
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = Parser(prog="hoctap", description=tr("cli.description"), parents=[common], epilog=tr("help.epilog"))
    parser.add_argument("--version", action=ShowVersion, help=tr("help.version"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", help=tr("help.cli_command"))

    p = _command(sub, "demo", common)
    p.add_argument("--no-tui", action="store_true", help=tr("help.no_tui"))

    unit = _command(sub, "unit", common)
    usub = unit.add_subparsers(dest="unit_command", metavar="ACTION", required=True, help=tr("help.cli_action"))
    p = _action(usub, "unit", "add", common)
    p.add_argument("code", help=tr("help.new_code"))
    p.add_argument("--name", required=True, help=tr("help.name"))
    p.add_argument("--tier", required=True, choices=("district", "provincial"), help=tr("help.tier"))
    p.add_argument("--type", required=True, dest="types", help=tr("help.types"))
    p = _action(usub, "unit", "list", common)
    p.add_argument("--json", action="store_true", help=tr("help.json"))

    p = _command(sub, "import", common)
    p.add_argument("file", type=Path, help=tr("help.import_file"))
    _unit_year(p)
    p.add_argument("--dry-run", action="store_true", help=tr("help.dry_run"))
    p.add_argument("--encoding", type=_encoding, default=None, metavar="NAME", help=tr("help.encoding"))
    p.add_argument("--json", action="store_true", help=tr("help.json"))

    p = _command(sub, "check", common)
    _unit_year(p)
    p.add_argument("assignments", nargs="+", metavar="ENTRY=VALUE", help=tr("help.entries"))
    p.add_argument("--evidence", default=None, help=tr("help.evidence"))
    p.add_argument("--documents", default=None, help=tr("help.documents"))
    p.add_argument("--level", type=int, choices=(1, 2), default=None, help=tr("help.check_level"))

    p = _command(sub, "set", common)
    _unit_year(p)
    p.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE", help=tr("help.where"))
    p.add_argument("assignments", nargs="+", metavar="FACT=VALUE", help=tr("help.facts"))

    p = _command(sub, "status", common, epilog=tr("help.status_epilog"))
    _unit_year(p)
    p.add_argument("--level", type=int, choices=(1, 2), default=None, help=tr("help.status_level"))
    p.add_argument("--json", action="store_true", help=tr("help.json"))

    p = _command(sub, "log", common)
    p.add_argument("--unit", metavar="CODE", help=tr("help.log_unit"))
    p.add_argument("--year", type=_year, help=tr("help.log_year"))
    p.add_argument("--limit", type=whole_number, default=50, metavar="N", help=tr("help.limit"))
    p.add_argument("--batch", type=whole_number, metavar="N", help=tr("help.log_batch"))
    p.add_argument("--json", action="store_true", help=tr("help.json"))

    p = _command(sub, "undo", common)
    _unit_year(p)
    p.add_argument("batch", nargs="?", type=whole_number, help=tr("help.undo_batch"))

    p = _command(sub, "export", common)
    p.add_argument("file", type=Path, metavar="FILE.xlsx", help=tr("help.report_file"))
    _unit_year(p)
    p.add_argument("--level", type=int, choices=(1, 2), default=None, help=tr("help.export_level"))

    roster = _command(sub, "roster", common)
    rsub = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True, help=tr("help.cli_action"))
    p = _action(rsub, "roster", "export", common)
    p.add_argument("file", type=Path, metavar="FILE.csv|FILE.xlsx", help=tr("help.roster_file"))
    _unit_year(p)

    bundle = _command(sub, "bundle", common)
    bsub = bundle.add_subparsers(dest="bundle_command", metavar="ACTION", required=True, help=tr("help.cli_action"))
    p = _action(bsub, "bundle", "export", common)
    p.add_argument("file", type=Path, metavar="FILE.toml", help=tr("help.bundle_out"))
    _unit_year(p)
    p = _action(bsub, "bundle", "import", common)
    p.add_argument("file", type=Path, metavar="FILE.toml|DIR", help=tr("help.bundle_source"))
    p.add_argument("--replace", action="store_true", help=tr("help.replace"))

    add_units_parser(sub, common, _year)
    add_office_parsers(sub, common, _year)
    cat = _command(sub, "catalog", common)
    csub = cat.add_subparsers(dest="catalog_command", metavar="ACTION", required=True, help=tr("help.cli_action"))
    p = _action(csub, "catalog", "list", common)
    p.add_argument("--json", action="store_true", help=tr("help.json"))
    p = _action(csub, "catalog", "show", common)
    p.add_argument("id", help=tr("help.catalog_id"))
    p = _action(csub, "catalog", "check", common)
    p.add_argument("file", type=Path, help=tr("help.catalog_file"))
    cli_dossier.add_parsers(sub, common, _year)
    cli_serve.add_parser(sub, common)
    _describe(parser)
    return parser


def _describe(parser: argparse.ArgumentParser) -> None:
    """A sub-parser without a description takes its one-line help as one (``hoctap X --help``
    then says what X does), and a list of actions without help the common one, at every level."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action.help = action.help or tr("help.cli_action")
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, child in action.choices.items():
                if not child.description:
                    child.description = helps.get(name)
                _describe(child)


# ---- helpers -------------------------------------------------------------------------------

def _encoding(name: str) -> str:
    from hoctap.models.decode import check_encoding

    try:
        return check_encoding(name)
    except LookupError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


class Env:
    """What a command needs, opened lazily (the catalog and database only when used)."""

    def __init__(self, args):
        self.args = args
        self.config = load_config()
        self._catalogs = None
        self._db = None

    @property
    def catalogs(self):
        if self._catalogs is None:
            from hoctap.models.catalog import load_catalogs

            self._catalogs = load_catalogs(self.config.catalog_search_dirs)
        return self._catalogs

    @property
    def db(self):
        if self._db is None:
            from hoctap.models.db import open_database

            self._db = open_database(getattr(self.args, "db", None) or self.config.db, create=_builds_data(self.args))
            self._db.on_wait = lambda: print(tr("db.waiting"), file=sys.stderr, flush=True)
        return self._db


def _builds_data(args) -> bool:
    """Commands that may start a new SQLite file; the others need an existing database."""
    a = vars(args)
    return (args.command in (None, "demo", "import") or a.get("unit_command") == "add"
            or a.get("bundle_command") == "import")


# ---- commands ------------------------------------------------------------------------------

def cmd_demo(env: Env) -> int:
    from hoctap.sample_data.demo import build_demo, find_demo

    existing = find_demo(env.db)
    ctx = existing or build_demo(env.db, env.catalogs)
    key = "cli.demo_exists" if existing else "cli.demo_built"
    console.print(tr(key, code=safe(ctx.unit.code), year=ctx.assessment.year, db=env.db.display_url), markup=False)
    if env.args.no_tui:
        return 0
    from hoctap.tui.app import run_app

    return run_app(env.db, env.catalogs, env.config, unit=ctx.unit.code, year=ctx.assessment.year,
                   lang_given=bool(getattr(env.args, "lang", None)))


def cmd_unit(env: Env) -> int:
    from hoctap.models.units import add_unit, list_units

    if env.args.unit_command == "add":
        unit = add_unit(env.db, env.catalogs, env.args.code, env.args.name, env.args.tier, [env.args.types])
        console.print(tr("cli.unit_added", code=safe(unit.code), name=safe(unit.name)), markup=False)
        return 0
    units = list_units(env.db)
    if env.args.json:
        print_json([{"code": u.code, "name": u.name, "tier": u.tier, "types": u.type_list} for u in units])
        return 0
    table = Table(tr("col.id"), tr("col.title"), tr("unit.tier"), tr("col.types"))
    for u in units:
        table.add_row(Text(safe(u.code)), Text(safe(u.name)), env.catalogs.tier_label(u.tier, i18n.lang()),
                      Text(safe(_types(env.catalogs, u.type_list))))
    console.print(table)
    return 0


def _types(catalogs, tags) -> str:
    """Unit type tags as their labels in the chosen language (an unknown tag as written)."""
    lang = i18n.lang()
    return ", ".join(catalogs.unit_types[t].label(lang) if t in catalogs.unit_types else t for t in tags)


def cmd_import(env: Env) -> int:
    from hoctap.models.importer import ImportFailed, import_roster

    a = env.args
    try:
        with file_progress(err_console, Path(a.file), percent=True) as progress:
            result = import_roster(env.db, env.catalogs, a.unit, a.year, a.file, dry_run=a.dry_run,
                                   encoding=a.encoding, progress=progress)
    except ImportFailed as e:
        err_console.print(tr("cli.import_failed", path=e.path, problems=tr("cli.n_problems", n=e.total)),
                          markup=False, soft_wrap=True)
        shown = e.problems[:200]
        for p in shown:
            err_console.print(f"  {safe(p)}", markup=False, soft_wrap=True)
        if e.total > len(shown):
            err_console.print(f"  … (+{e.total - len(shown)})", markup=False, soft_wrap=True)
        return 2
    if a.json:
        print_json({"dry_run": a.dry_run, "read_as": result.read_as, "rows": result.rows, "added": result.added,
                    "updated": result.updated, "enrolled": result.enrolled, "fields": result.fields,
                    "facts": result.facts, "values": result.values,
                    "changes": {name: sum(pairs.values()) for name, pairs in sorted(result.changes.items())},
                    "computed": {name: sum(pairs.values()) for name, pairs in sorted(result.computed.items())},
                    "ignored_columns": result.ignored_columns, "batch": result.batch_id})
        return 0
    console.print(tr("importer.read_as", what=result.read_as), markup=False, soft_wrap=True)
    if result.ignored_columns:
        err_console.print(tr("cli.ignored", cols=", ".join(result.ignored_columns)), markup=False, soft_wrap=True)
    verb = tr("cli.dry_run_verb") if a.dry_run else tr("cli.imported_verb")
    console.print(tr("cli.imported", verb=verb, rows=tr("cli.n_rows", n=result.rows),
                     added=tr("cli.n_added", n=result.added), updated=tr("cli.n_updated", n=result.updated),
                     enrolled=tr("cli.n_enrolled", n=result.enrolled), facts=tr("cli.n_facts", n=result.values)),
                  markup=False, soft_wrap=True)
    for line in result.change_summary(env.catalogs):
        console.print(f"  {line}", markup=False, soft_wrap=True)
    computed = result.change_summary(env.catalogs, computed=True)
    if computed:  # apart: the file does not hold them, so they are not in its total
        console.print(f"  {tr('importer.computed')}", markup=False, soft_wrap=True)
        for line in computed:
            console.print(f"    {line}", markup=False, soft_wrap=True)
    return 0


def cmd_check(env: Env) -> int:
    from hoctap.models.assign import parse_assignments
    from hoctap.models.checklist import check_entries
    from hoctap.models.units import find_context

    a = env.args
    ctx = find_context(env.db, a.unit, a.year)  # a new year is made by an import or the TUI, not by a typo
    values = {x.name: x.value for x in parse_assignments(a.assignments)}
    n = check_entries(env.db, env.catalogs, ctx, values, a.evidence, a.documents, level=a.level).n
    console.print(tr("cli.checked", changes=tr("cli.n_changes", n=n)))
    return 0


def cmd_set(env: Env) -> int:
    from hoctap.models.assign import parse_assignments
    from hoctap.models.facts import set_facts
    from hoctap.models.fields import field_name, parse_fact
    from hoctap.models.roster import Matching, RosterQuery, parse_where
    from hoctap.models.units import find_context

    a = env.args
    ctx = find_context(env.db, a.unit, a.year)
    changes = {}
    for x in parse_assignments(a.assignments):
        name = field_name(env.catalogs, x.name)
        _settable(env.catalogs, x.name, name)
        changes[name] = parse_fact(env.catalogs, name, x.value)
    query = parse_where(env.catalogs, RosterQuery(ctx.assessment.id), a.where)
    people = Matching(query, env.catalogs)  # decided under the write lock, not before it
    batch, n = set_facts(env.db, env.catalogs, ctx, people, changes, source="cli")
    if batch is None:
        console.print(tr("cli.set_nothing", people=tr("cli.n_people", n=people.matched)))
    else:
        console.print(tr("cli.set_done", values=tr("cli.n_values", n=n), people=tr("cli.n_people", n=people.matched),
                         batch=batch))
    return 0


def _settable(catalogs, typed: str, name: str) -> None:
    """A person column or an unknown name: say what ``set`` can set instead."""
    from hoctap.models.fields import PERSON_FIELDS, InputError

    if name in catalogs.facts:
        return
    facts = ", ".join(f for f, spec in catalogs.facts.items() if not spec.computed)
    if name in PERSON_FIELDS:
        raise InputError(tr("cli.person_column", field=tr(f"field.{name}"), facts=facts))
    raise InputError(tr("cli.unknown_fact", name=typed, facts=facts))


def cmd_status(env: Env) -> int:
    from hoctap.models.meters import evaluate_context
    from hoctap.models.status import status_json
    from hoctap.models.units import find_context

    a = env.args
    ctx = find_context(env.db, a.unit, a.year)
    level = ctx.level_or(a.level)
    result = evaluate_context(env.db, env.catalogs, ctx, level)
    if a.json:
        print_json(status_json(ctx, level, result))
        return 0 if result.met else 1
    console.print(status_table(env.catalogs, ctx, level, result))
    return 0 if result.met else 1


STATUS_STYLE = {"met": "green", "not_met": "red", "no_data": "yellow", "not_applicable": "dim"}


def _verdict(r) -> str:
    """Met / not met as in --json (no data is not met); "–" when the meter already says N/A."""
    return "–" if not r.applicable else tr("met") if r.met else tr("not_met")


def status_table(catalogs, ctx, level: int, result) -> Group:
    """One line per entry (id, meter, verdict, shortfall, label cut to the width left), a line
    per criterion, then the level verdict: readable at 80 columns, colours for the status."""
    from hoctap.models.present import meter_text, shortfall_text

    lang = i18n.lang()
    table = Table(box=None, padding=(0, 1, 0, 0), expand=_fit(), show_edge=False, header_style="bold")
    table.add_column(tr("col.entry"), no_wrap=True)
    table.add_column(tr("col.result"), no_wrap=True, overflow="ellipsis", max_width=32)
    table.add_column(tr("cli.col.verdict"), no_wrap=True)
    table.add_column(tr("col.shortfall"), no_wrap=True)
    table.add_column(tr("col.content"), no_wrap=True, overflow="ellipsis", ratio=1, min_width=8)
    for crit in result.criteria:
        status = "met" if crit.met else "not_met"
        table.add_row(Text(crit.id, style="bold"), "", Text(tr(status), style=f"bold {STATUS_STYLE[status]}"), "",
                      Text(crit.criterion.label(lang), style="bold"))
        for r in crit.entries:
            style = STATUS_STYLE[r.status]
            eid = Text(r.entry.id, style="dim" if not r.applicable else "")
            if not r.entry.confirmed:
                eid.append("*", style="yellow")
            table.add_row(eid, Text(meter_text(catalogs, r, compact=True), style=style),
                          Text(_verdict(r), style=style), Text(shortfall_text(r), style="red"),
                          Text(r.entry.label(lang), style="dim" if not r.applicable else ""))
    head = Text.assemble((safe(ctx.unit.name), "bold"), f" ({safe(ctx.unit.code)}) — {ctx.assessment.year}\n",
                         f"{result.catalog.label(lang)} ({result.catalog.id})")
    parts = [head, table]
    if any(not e.entry.confirmed for e in result.entries()):
        parts.append(Text(f"* {tr('cli.unconfirmed_note')}", style="yellow"))
    key = "cli.level_met" if result.met else "cli.level_not_met"
    parts.append(Text(tr(key, level=level), style=f"bold {'green' if result.met else 'red'}"))
    return Group(*parts)


def cmd_log(env: Env) -> int:
    from hoctap.models.audit import change_counts, history, local_time, origin, summaries
    from hoctap.models.fields import InputError
    from hoctap.models.units import find_context

    a = env.args
    if a.batch is not None:
        return _log_batch(env, a.batch)
    ctx = None
    if a.unit:
        if a.year is None:
            raise InputError(tr("err.required", name="--year"))
        ctx = find_context(env.db, a.unit, a.year)
    batches = history(env.db, ctx, a.limit)
    counts = change_counts(env.db, [b.id for b in batches])
    texts = summaries(env.db, env.catalogs, batches)
    if a.json:
        print_json([{"batch": b.id, "at": b.at.isoformat(), "user": b.user, "source": b.source, "action": b.action,
                     "changes": counts.get(b.id, 0), "summary": texts[b.id], "undone_by": b.undone_by}
                    for b in batches])
        return 0
    table = Table(tr("log.col.batch"), tr("col.when"), tr("log.col.who"), tr("col.source"), tr("log.col.changes"), tr("col.what"))
    for b in batches:
        what = texts[b.id] + (f" ({tr('col.undone', n=b.undone_by)})" if b.undone_by else "")
        table.add_row(f"#{b.id}", local_time(b), Text(safe(b.user)), origin(b),
                      str(counts.get(b.id, 0)), Text(safe(what)))
    console.print(table)
    return 0


def _log_batch(env: Env, batch_id: int) -> int:
    """One batch's changes, people by their code, as the TUI shows them. A person's own fields
    (name, birth year, ...) are personal data: the log says which field changed, not its values."""
    from hoctap.models.audit import batch_summary_text, change_lines, get_batch, local_time, origin

    b = get_batch(env.db, batch_id)
    lines = change_lines(env.db, env.catalogs, batch_id)
    summary = batch_summary_text(env.db, env.catalogs, b)
    shown = lines[:env.args.limit]
    if env.args.json:
        print_json({"batch": b.id, "at": b.at.isoformat(), "user": b.user, "source": b.source, "action": b.action,
                    "summary": summary, "undone_by": b.undone_by, "changes": len(lines),
                    # ids for scripts, labels as the table shows them
                    "lines": [{"record": x.record, "entity": x.entity, "field": x.field, "label": x.label,
                               "old": x.old, "new": x.new, "old_text": x.shown()[0], "new_text": x.shown()[1],
                               "withheld": x.withheld} for x in shown]})
        return 0
    console.print(safe(f"#{b.id} {local_time(b)} {b.user} {origin(b)}: {summary}"
                       + (f" ({tr('col.undone', n=b.undone_by)})" if b.undone_by else "")), markup=False)
    table = Table(tr("log.col.record"), tr("log.col.field"), tr("log.col.old"), tr("log.col.new"))
    for line in shown:
        old, new = line.shown()
        table.add_row(Text(safe(line.record)), Text(safe(line.label)), Text(safe(old)), Text(safe(new)))
    console.print(table)
    if len(lines) > len(shown):
        console.print(tr("cli.more_lines", n=len(lines) - len(shown)), markup=False)
    return 0


def cmd_undo(env: Env) -> int:
    from hoctap.models.audit import last_undoable
    from hoctap.models.undo import undo
    from hoctap.models.units import find_context

    a = env.args
    ctx = find_context(env.db, a.unit, a.year)
    batch = a.batch or last_undoable(env.db, ctx)
    if batch is None:
        raise HoctapError(tr("err.nothing_to_undo"))
    new = undo(env.db, env.catalogs, batch)
    console.print(tr("cli.undone", batch=batch, new=new))
    return 0


def cmd_catalog(env: Env) -> int:
    from hoctap.models.catalog import SHIPPED_DIR, check_file
    from hoctap.models.present import threshold_text

    a = env.args
    lang = i18n.lang()
    if a.catalog_command == "check":
        parsed = check_file(a.file, env.config.catalog_search_dirs)
        console.print(tr("cli.catalog_ok", path=a.file, kind=parsed.kind, id=parsed.id), markup=False)
        return 0
    cats = env.catalogs
    if a.catalog_command == "list" and a.json:
        print_json([{"id": cat.id, "version": cat.version, "title": cat.label(lang), "file": str(cats.paths[cat.id]),
                     "shipped": cats.paths[cat.id].parent == SHIPPED_DIR} for cat in [*cats.units.values(), cats.citizen]])
        return 0
    if a.catalog_command == "list":
        table = Table(box=None, padding=(0, 1, 0, 0), header_style="bold", expand=_fit())
        table.add_column(tr("col.id"), no_wrap=True)
        table.add_column(tr("col.version"), no_wrap=True)
        table.add_column(tr("col.title"), no_wrap=True, overflow="ellipsis", ratio=1, min_width=12)
        table.add_column(tr("col.file"), overflow="fold")
        for cat in [*cats.units.values(), cats.citizen]:
            path = cats.paths[cat.id]
            shipped = path.parent == SHIPPED_DIR  # the package's own files: the name says enough
            table.add_row(Text(cat.id), Text(cat.version), Text(cat.label(lang)),
                          Text(tr("cli.shipped", name=path.name), style="dim") if shipped else Text(str(path)))
        console.print(table)
        return 0
    # catalog text is data, never Rich markup: everything from a file goes in as Text
    if a.id == cats.citizen.id:
        lc = cats.citizen
        console.print(Text.assemble((lc.id, "bold"), f" {lc.version} — {lc.label(lang)} ({source_text(lc.source, lang)})"))
        console.print(tr("cli.lc_pass", total=lc.pass_total, each=lc.pass_each, lo=lc.min_score, hi=lc.max_score))
        for comp in lc.competences:
            console.print(Text.assemble((comp.id, "bold"), f" {comp.label(lang)}"))
            for n in comp.indicators:
                ind = next(i for i in lc.indicators if i.number == n)
                console.print(Text(f"  lc_{n}: {ind.label(lang)}"))
        return 0
    cat = cats.units.get(a.id)
    if cat is None:
        raise CliError(tr("cli.no_catalog_id", id=a.id, known=", ".join([*cats.units, cats.citizen.id])))
    console.print(Text.assemble((cat.id, "bold"), f" {cat.version} — {cat.label(lang)} ({source_text(cat.source, lang)})"))
    for crit in cat.criteria:
        table = Table(title=Text(f"{crit.id} {crit.label(lang)}"), title_justify="left")
        for col in ("col.id", "col.content", "col.applies", "col.confirmed"):
            table.add_column(tr(col))
        for e in crit.entries:
            spec = cats.facts.get(e.fact) if e.kind == "share" else None
            least = e.at_least
            if least is not None and spec is not None and spec.scale:
                least = cats.scale_label(spec.scale, least, lang)
            at_least = f" ≥ {least}" if least is not None else ""
            if e.kind == "share":
                fact = spec.label(lang) if spec is not None else e.fact
                cond = f"{tr(e.population)}: {fact}{at_least} ≥ {threshold_text(e)}"
            else:
                cond = (tr("cli.yes_no") if e.value == "bool" else e.value) + at_least
            applies = _types(cats, e.applies_to) or tr("all_units")
            if e.not_for:
                applies += " − " + _types(cats, e.not_for)
            table.add_row(Text(e.id), Text.assemble(e.label(lang), (f"\n{cond} — {source_text(e.source, lang)}", "dim")), Text(applies),
                          Text(tr("yes")) if e.confirmed else Text(tr("no"), style="yellow"))
        console.print(table)
    return 0


def cmd_export(env: Env) -> int:
    from hoctap.models.report import write_report
    from hoctap.models.units import find_context

    a = env.args
    ctx = find_context(env.db, a.unit, a.year)
    # the dossier is Vietnamese unless English is asked for, whatever the server's locale
    with file_progress(err_console, a.file) as progress:
        result = write_report(env.db, env.catalogs, ctx, a.level, a.file, lang=getattr(a, "lang", None) or "vi",
                              progress=progress)
    console.print(tr("cli.exported", path=a.file, level=result.catalog.level), markup=False)
    return 0


def cmd_roster(env: Env) -> int:
    from hoctap.models.export import export_roster
    from hoctap.models.units import find_context

    a = env.args
    ctx = find_context(env.db, a.unit, a.year)
    with file_progress(err_console, a.file) as progress:
        n = export_roster(env.db, env.catalogs, ctx, a.file, lang=getattr(a, "lang", None) or "vi", progress=progress)
    console.print(tr("cli.roster_exported", people=tr("cli.n_people", n=n), path=a.file), markup=False)
    return 0


def cmd_bundle(env: Env) -> int:
    from hoctap.models.bundle import export_bundle, import_bundle
    from hoctap.models.units import find_context

    a = env.args
    if a.bundle_command == "export":
        ctx = find_context(env.db, a.unit, a.year)
        n = export_bundle(env.db, env.catalogs, ctx, a.file)
        console.print(tr("cli.bundle_exported", code=safe(ctx.unit.code), year=ctx.assessment.year, people=tr("cli.n_people", n=n),
                         path=a.file),
                      markup=False)
        return 0
    if a.file.is_dir():
        return cmd_collect(env, console)
    r = import_bundle(env.db, env.catalogs, a.file, replace=a.replace)
    console.print(tr("cli.bundle_imported", code=safe(r.unit), year=r.year, people=tr("cli.n_people", n=r.people),
                     entries=r.entries), markup=False)
    return 0


COMMANDS = {"demo": cmd_demo, "unit": cmd_unit, "import": cmd_import, "check": cmd_check, "set": cmd_set,
            "status": cmd_status, "log": cmd_log, "undo": cmd_undo, "catalog": cmd_catalog}
COMMANDS.update({"export": cmd_export, "roster": cmd_roster, "bundle": cmd_bundle, "units": cmd_units,
                 "serve": cli_serve.cmd_serve})
COMMANDS.update(cli_dossier.COMMANDS)
COMMANDS.update(recognition=lambda env: cmd_recognition(env, console), newyear=lambda env: cmd_newyear(env, console))


# every table of the command line's own words (the core's are CORE)
CLI_TABLES = (CLI, CLI_HELP, CLI_METAVARS, CLI_COUNTS, CLI_SET, ARGPARSE, cli_serve.SERVE, UNITS_CLI, cli_dossier.CLI_DOSSIER,
              cli_documents.DOSSIER_CLI, OFFICE_CLI)


def _fail(message: str) -> int:
    err_console.print(f"hoctap: {safe(message)}", markup=False, soft_wrap=True)
    return 2


def _to_crash_log(unraisable) -> None:
    """What fails inside a clean-up the garbage collector runs (a half-written zip closing on a
    full disk, after the error was already reported) goes to the crash log, not over the message."""
    if unraisable.exc_value is not None:
        crash_log(unraisable.exc_value)


def main(argv: list[str] | None = None) -> int:
    i18n.register(*CORE, *CLI_TABLES)
    argv = sys.argv[1:] if argv is None else argv
    # the language must be known before the help texts are built
    lang = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    if lang:
        i18n.set_lang(lang)  # a broken config is reported in the language asked for
    try:
        config = load_config()
    except ConfigError as e:
        return _fail(str(e))
    i18n.set_lang(lang or config.lang)
    set_export_mode(config.export_mode)
    _unwrap_when_piped()
    try:
        with localized():
            args = build_parser().parse_args(join_text_options(argv))
    except _BadYear as e:
        return _fail(str(e))
    except SystemExit as e:  # a bad argument: argparse printed usage and message; --help/--version exit 0
        if e.code == 2:
            return 2
        raise
    hook, sys.unraisablehook = sys.unraisablehook, _to_crash_log
    try:
        return _run(args, lang)
    finally:
        sys.unraisablehook = hook


def _run(args, lang: str | None) -> int:
    try:
        env = Env(args)
        if args.command is None:
            from hoctap.tui.app import run_app

            return run_app(env.db, env.catalogs, env.config, lang_given=bool(lang))
        return COMMANDS[args.command](env)
    except (*USER_ERRORS, ConfigError, CliError) as e:
        return _fail(str(e))
    except OSError as e:
        from hoctap.models.files import os_reason

        return _fail(f"{e.filename or ''}: {os_reason(e)}".lstrip(": "))
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug: keep the traceback out of the user's way, but on disk
        importer = sys.modules.get("hoctap.models.importer")  # loaded only by the commands that import
        if importer and isinstance(e, importer.ImportFailed):
            return _fail("; ".join(map(str, e.problems)))
        return _fail(tr("err.internal", name=type(e).__name__, path=crash_log(e)))


if __name__ == "__main__":
    sys.exit(main())
