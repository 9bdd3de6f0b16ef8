"""The dossier commands: ``hoctap dossier check|info``, ``team``, ``evidence``, ``narrative``.

``add_parsers(sub, common, year)`` adds them to ``build_parser``'s sub-parsers; ``COMMANDS``
maps each command to its handler (merged into tui/cli.py's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from hoctap.models.choices import INFO_FIELDS, info_label
from hoctap.models.errors import HoctapError
from hoctap.models.i18n import tr
from hoctap.tui import cli_documents
from hoctap.tui.cli_dossier_strings import CLI_DOSSIER

if TYPE_CHECKING:
    from hoctap.models.audit import Written

__all__ = ["CLI_DOSSIER", "COMMANDS", "add_parsers"]

console = Console(highlight=False)


def _unit_year(p, year) -> None:
    p.add_argument("--unit", required=True, metavar="CODE", help=tr("help.unit_code"))
    p.add_argument("--year", required=True, type=year, help=tr("help.d_year"))


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_parsers(sub, common, year) -> None:
    """``year`` is the CLI's --year type (its range check and message)."""
    def action(parent, name: str, help_key: str):
        p = parent.add_parser(name, parents=[common], help=tr(help_key))
        _unit_year(p, year)
        return p

    dossier = sub.add_parser("dossier", parents=[common], help=tr("help.dossier"))
    dsub = dossier.add_subparsers(dest="dossier_command", metavar="ACTION", required=True)
    cli_documents.add_export_parser(dsub, common, year)
    p = action(dsub, "check", "help.dossier_check")
    p.add_argument("--level", type=int, choices=(1, 2), default=None, help=tr("help.d_level"))
    p.add_argument("--json", action="store_true", help=tr("help.json"))
    p = action(dsub, "info", "help.dossier_info")
    for name in INFO_FIELDS:
        p.add_argument(_option(name), dest=name, default=None, metavar="TEXT",
                       help=tr("help.d_field", label=info_label(name)))
    p.add_argument("--json", action="store_true", help=tr("help.json"))

    team = sub.add_parser("team", parents=[common], help=tr("help.team"))
    tsub = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    p = action(tsub, "add", "help.team_add")
    p.add_argument("full_name", metavar="NAME", help=tr("help.member_name"))
    p.add_argument("--position", default="", help=tr("help.member_position"))
    p.add_argument("--role", default="member", help=tr("help.member_role"))
    action(tsub, "list", "help.team_list")
    p = action(tsub, "edit", "help.team_edit")
    p.add_argument("n", type=int, metavar="N", help=tr("help.member_no"))
    p.add_argument("--name", dest="full_name", default=None, help=tr("help.member_name"))
    p.add_argument("--position", default=None, help=tr("help.member_position"))
    p.add_argument("--role", default=None, help=tr("help.member_role"))
    p = action(tsub, "remove", "help.team_remove")
    p.add_argument("n", type=int, metavar="N", help=tr("help.member_no"))
    p = action(tsub, "move", "help.team_move")
    p.add_argument("n", type=int, metavar="N", help=tr("help.member_no"))
    p.add_argument("to", type=int, metavar="TO", help=tr("help.member_to"))

    evidence = sub.add_parser("evidence", parents=[common], help=tr("help.evidence_cmd"))
    esub = evidence.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    p = action(esub, "add", "help.evidence_add")
    p.add_argument("title", metavar="TITLE", help=tr("help.ev_title"))
    p.add_argument("--code", default=None, help=tr("help.ev_code"))
    p.add_argument("--criterion", default=None, help=tr("help.ev_criterion"))
    _evidence_fields(p)
    p.add_argument("--entry", action="append", default=[], metavar="ENTRY", help=tr("help.ev_entry"))
    p.add_argument("--level", type=int, choices=(1, 2), default=None, help=tr("help.d_level"))
    p = action(esub, "list", "help.evidence_list")
    p.add_argument("--json", action="store_true", help=tr("help.json"))
    p = action(esub, "edit", "help.evidence_edit")
    p.add_argument("code", metavar="CODE", help=tr("help.ev_code_pos"))
    p.add_argument("--title", default=None, help=tr("help.ev_title"))
    p.add_argument("--code", dest="new_code", default=None, help=tr("help.ev_new_code"))
    _evidence_fields(p, None)
    p = action(esub, "link", "help.evidence_link")
    p.add_argument("code", metavar="CODE", help=tr("help.ev_code_pos"))
    p.add_argument("entries", nargs="+", metavar="ENTRY", help=tr("help.ev_entries_pos"))
    p.add_argument("--unlink", action="store_true", help=tr("help.ev_unlink"))
    p.add_argument("--level", type=int, choices=(1, 2), default=None, help=tr("help.d_level"))
    p = action(esub, "remove", "help.evidence_remove")
    p.add_argument("code", metavar="CODE", help=tr("help.ev_code_pos"))
    p = action(esub, "convert", "help.evidence_convert")
    p.add_argument("--level", type=int, choices=(1, 2), default=None, help=tr("help.d_level"))

    narrative = sub.add_parser("narrative", parents=[common], help=tr("help.narrative"))
    nsub = narrative.add_subparsers(dest="narrative_command", metavar="ACTION", required=True)
    p = action(nsub, "set", "help.narrative_set")
    p.add_argument("--criterion", required=True, help=tr("help.n_criterion"))
    p.add_argument("--section", required=True, help=tr("help.n_section"))
    p.add_argument("text", nargs="?", default=None, metavar="TEXT", help=tr("help.n_text"))
    p.add_argument("--file", type=Path, default=None, metavar="FILE", help=tr("help.n_file"))
    action(nsub, "show", "help.narrative_show")


def _evidence_fields(p, default: str | None = "") -> None:
    p.add_argument("--number", default=default, help=tr("help.ev_number"))
    p.add_argument("--date", dest="issued_on", default=default, metavar="DATE", help=tr("help.ev_date"))
    p.add_argument("--issuer", default=default, help=tr("help.ev_issuer"))


def _saved(w: Written) -> int:
    console.print(tr("dossier.saved", batch=w.batch) if w.batch is not None else tr("cli.d_nothing"))
    return 0


# ---- handlers ----------------------------------------------------------------------------------

def cmd_dossier(env) -> int:
    from hoctap.models import dossier as d
    from hoctap.models.dossier_check import check_dossier
    from hoctap.models.units import find_context

    a = env.args
    if a.dossier_command == "export":
        return cli_documents.cmd_dossier_export(env)
    ctx = find_context(env.db, a.unit, a.year)
    if a.dossier_command == "check":
        result = check_dossier(env.db, env.catalogs, ctx, a.level)
        if a.json:
            print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        else:
            for m in result.items:
                console.print(f"• {m.text}", markup=False)
            console.print(tr("check.complete") if result.complete else tr("check.incomplete", n=len(result.items)))
            console.print(result.deadline_text())
        return 0 if result.complete else 1
    changes = {name: getattr(a, name) for name in d.INFO_FIELDS if getattr(a, name) is not None}
    if changes:
        return _saved(d.set_info(env.db, ctx, changes))
    info = d.get_info(env.db, ctx)
    values = {name: d.iso(getattr(info, name)) or "" for name in d.INFO_FIELDS}
    if a.json:
        print(json.dumps(values, ensure_ascii=False, indent=2))
        return 0
    table = Table(show_header=False)
    for name, value in values.items():
        table.add_row(d.info_label(name), value)
    console.print(table)
    return 0


def cmd_team(env) -> int:
    from hoctap.models import dossier as d
    from hoctap.models.units import find_context

    a = env.args
    ctx = find_context(env.db, a.unit, a.year)
    match a.team_command:
        case "add":
            return _saved(d.add_member(env.db, ctx, a.full_name, a.position, a.role))
        case "edit":
            return _saved(d.edit_member(env.db, ctx, a.n, full_name=a.full_name, position=a.position, role=a.role))
        case "remove":
            return _saved(d.remove_member(env.db, ctx, a.n))
        case "move":
            return _saved(d.move_member(env.db, ctx, a.n, a.to))
    team = d.list_team(env.db, ctx)
    if not team:
        console.print(tr("check.no_team"))
        return 0
    table = Table(tr("report.col_no"), tr("field.full_name"), tr("field.position"), tr("col.role"))
    for n, m in enumerate(team, 1):
        table.add_row(str(n), m.full_name, m.position, d.role_label(m.role))
    console.print(table)
    return 0


def cmd_evidence(env) -> int:
    from hoctap.models import dossier as d
    from hoctap.models.units import find_context

    a = env.args
    ctx = find_context(env.db, a.unit, a.year)
    scheme = env.config.evidence_code
    match a.evidence_command:
        case "add":
            return _saved(d.add_evidence(env.db, env.catalogs, ctx, a.title, code=a.code, criterion=a.criterion,
                                         number=a.number, issued_on=a.issued_on, issuer=a.issuer, entries=a.entry,
                                         level=a.level, scheme=scheme))
        case "edit":
            return _saved(d.edit_evidence(env.db, env.catalogs, ctx, a.code, title=a.title, number=a.number,
                                          issued_on=a.issued_on, issuer=a.issuer, new_code=a.new_code))
        case "link":
            links = {"unlink" if a.unlink else "link": a.entries}
            return _saved(d.edit_evidence(env.db, env.catalogs, ctx, a.code, level=a.level, **links))
        case "remove":
            return _saved(d.remove_evidence(env.db, ctx, a.code))
        case "convert":
            w = d.convert_free_text(env.db, env.catalogs, ctx, level=a.level, scheme=scheme)
            if w.batch is None:
                return _saved(w)
            console.print(tr("cli.d_converted", n=w.n, batch=w.batch))
            return 0
    items = d.list_evidence(env.db, ctx)
    if a.json:
        print(json.dumps([{"code": i.row.code, "title": i.row.title, "number": i.row.number,
                           "issued_on": d.iso(i.row.issued_on), "issuer": i.row.issuer, "entries": list(i.entries)}
                          for i in items], ensure_ascii=False, indent=2))
        return 0
    if not items:
        console.print(tr("cli.d_no_evidence"))
        return 0
    table = Table(*(tr(f"evidence.{c}") for c in ("code", "title", "number", "issued_on", "issuer", "entries")))
    for i in items:
        day = i.row.issued_on.strftime("%d/%m/%Y") if i.row.issued_on else ""
        table.add_row(i.row.code, i.row.title, i.row.number, day, i.row.issuer, ", ".join(i.entries))
    console.print(table)
    return 0


def cmd_narrative(env) -> int:
    from hoctap.models import dossier as d
    from hoctap.models.units import find_context

    a = env.args
    ctx = find_context(env.db, a.unit, a.year)
    if a.narrative_command == "set":
        text = a.text
        if a.file is not None:
            try:
                text = a.file.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise HoctapError(tr("cli.d_not_utf8", path=a.file)) from None
        if text is None:
            raise HoctapError(tr("cli.d_no_text"))
        return _saved(d.set_narrative(env.db, env.catalogs, ctx, a.criterion, a.section, text))
    rows = d.get_narrative(env.db, ctx)
    table = Table(tr("col.criterion"), tr("col.section"), tr("col.content"))
    for (crit, section), row in sorted(rows.items(), key=lambda kv: (kv[0][0], d.SECTIONS.index(kv[0][1]))):
        if row.text:
            table.add_row(crit, d.section_label(section), row.text)
    console.print(table)
    return 0


COMMANDS = {"dossier": cmd_dossier, "team": cmd_team, "evidence": cmd_evidence, "narrative": cmd_narrative}
