"""The receiving office's commands: collecting a folder of transfer files (``bundle import
DIR``), recognition decisions (``recognition add|list``) and the new year (``newyear``)."""

from __future__ import annotations

import argparse
from datetime import date

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from hoctap.models.i18n import tr
from hoctap.models.text import safe


def cmd_collect(env, console: Console) -> int:
    """``bundle import DIR``: 0 when every file came in, 2 when any was refused."""
    from hoctap.models.collect import collect_folder, reason_label

    a = env.args
    with Progress(TextColumn(tr("cli.collecting")), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("", total=None)
        results = collect_folder(env.db, env.catalogs, a.file, replace=a.replace,
                                 progress=lambda done, total: bar.update(task, completed=done, total=total))
    if not results:
        console.print(tr("cli.collect_empty", path=a.file), markup=False)
        return 0
    for r in results:
        if r.ok:
            b = r.result
            console.print(tr("cli.collect_in", file=safe(r.path.name), code=safe(b.unit), year=b.year, n=b.people,
                             entries=b.entries, replaced=tr("cli.collect_replaced") if b.replaced else ""),
                          markup=False, soft_wrap=True)
        else:
            console.print(tr("cli.collect_refused", file=safe(r.path.name), reason=reason_label(r.reason),
                             message=r.message), markup=False, soft_wrap=True)
    refused = [r for r in results if not r.ok]
    console.print(tr("collect.total", n=len(results) - len(refused), refused=len(refused)), markup=False)
    if any(r.reason == "present" for r in refused):
        console.print(tr("cli.collect_hint"), markup=False)
    return 2 if refused else 0


def _date(text: str) -> date:
    """A date as every date of hoctap is typed: YYYY-MM-DD or DD/MM/YYYY."""
    from hoctap.models.fields import InputError, parse_date

    try:
        day = parse_date(text, "")
    except InputError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(tr("cli.bad_date", value=text))
    return day


def add_parsers(sub, common, year) -> None:
    """The office's sub-commands, added to ``build_parser``'s ``sub``."""
    rec = sub.add_parser("recognition", parents=[common], help=tr("help.recognition"))
    rsub = rec.add_subparsers(dest="recognition_command", metavar="ACTION", required=True)
    p = rsub.add_parser("add", parents=[common], help=tr("help.recognition_add"))
    p.add_argument("--unit", required=True, metavar="CODE", help=tr("help.unit_code"))
    p.add_argument("--level", required=True, type=int, choices=(1, 2), help=tr("help.rec_level"))
    p.add_argument("--year", required=True, type=year, help=tr("help.rec_year"))
    p.add_argument("--number", required=True, help=tr("help.rec_number"))
    p.add_argument("--date", required=True, type=_date, metavar="DATE", help=tr("help.rec_date"))
    p.add_argument("--issuer", default="", help=tr("help.rec_issuer"))
    p = rsub.add_parser("list", parents=[common], help=tr("help.recognition_list"))
    p.add_argument("--unit", metavar="CODE", help=tr("help.rec_list_unit"))
    p.add_argument("--on", type=_date, metavar="DATE", help=tr("help.rec_on"))

    p = sub.add_parser("newyear", parents=[common], help=tr("help.newyear"))
    p.add_argument("--from", dest="from_year", required=True, type=year, help=tr("help.ny_from"))
    p.add_argument("--to", dest="to_year", required=True, type=year, help=tr("help.ny_to"))
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", action="append", metavar="CODE", help=tr("help.ny_unit"))
    who.add_argument("--all", action="store_true", help=tr("help.ny_all"))
    p.add_argument("--carry", default="", metavar="FACT,FACT", help=tr("help.ny_carry"))


def cmd_recognition(env, console: Console) -> int:
    from hoctap.models.recognition import add_recognition, kept_until, load_rules, standings

    a = env.args
    if a.recognition_command == "add":
        batch = add_recognition(env.db, a.unit, a.level, a.year, a.number, a.date, a.issuer)
        console.print(tr("cli.rec_added", code=safe(a.unit.upper()), level=a.level, year=a.year, batch=batch),
                      markup=False)
        return 0
    rules = load_rules(env.config.catalog_search_dirs)
    on = a.on or date.today()
    table = Table(tr("report.unit"), tr("cli.units_col_level"), tr("rec.col.year"), tr("rec.col.decision"), tr("rec.col.issuer"),
                  tr("rec.col.kept_until"), tr("rec.col.in_force"), tr("rec.col.level2_from"), tr("rec.col.warnings"))
    for st in standings(env.db, rules, on, a.unit):
        level2 = st.level2_from.isoformat() if st.level2_from else "—"
        for r in st.decisions or [None]:
            if r is None:
                table.add_row(Text(safe(st.unit)), "—", "—", "—", "—", "—", "—", level2, "; ".join(st.warnings))
                continue
            table.add_row(Text(safe(st.unit)), str(r.level), str(r.year),
                          Text(f"{safe(r.decision_no)} ({r.decision_date.isoformat() if r.decision_date else '—'})"),
                          Text(safe(r.issuer)), kept_until(rules, r).isoformat(),
                          tr("yes") if r is st.in_force else tr("no"), level2, "; ".join(st.warnings))
    console.print(table)
    note = tr("recog.rules", kept=tr("recog.rules_kept", n=rules.kept_years),
              after=tr("recog.rules_after", n=rules.level2_after_years))
    console.print(f"{note} ({tr('unconfirmed')})" if rules.unconfirmed else note, markup=False, soft_wrap=True)
    return 0


def cmd_newyear(env, console: Console) -> int:
    from hoctap.models.rollover import rollover

    a = env.args
    carry = [n.strip() for n in a.carry.split(",") if n.strip()]
    r = rollover(env.db, env.catalogs, a.from_year, a.to_year, None if a.all else a.unit, carry)
    for code, n, facts in r.started:
        console.print(tr("cli.ny_started", code=safe(code), year=a.to_year, n=n, facts=facts), markup=False)
    for code, why in r.skipped:
        console.print(tr("cli.ny_skipped", code=safe(code), why=why), markup=False)
    console.print(tr("cli.ny_total", n=len(r.started), skipped=len(r.skipped)), markup=False)
    return 0
