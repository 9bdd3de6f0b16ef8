"""``hoctap units``: the receiving office's overview, intake, review and combined report."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hoctap.models.choices import CHANNELS
from hoctap.models.errors import InputError
from hoctap.models.i18n import Strings, lang, tr
from hoctap.models.text import safe

if TYPE_CHECKING:
    from hoctap.models.catalog import Catalogs

UNITS_CLI = Strings("cli_units", {
    "help.units": ("tổng quan các đơn vị của một năm (phía cơ quan tiếp nhận hồ sơ)",
                   "overview of every unit of a year (the receiving office)"),
    "help.units_year": ("năm đánh giá", "assessment year"),
    "help.units_json": ("in dạng JSON", "print as JSON"),
    "help.units_report": ("ghi báo cáo tổng hợp .xlsx của các đơn vị", "write the combined .xlsx report of the units"),
    "help.units_per_unit": ("thêm một trang tóm tắt cho mỗi đơn vị", "add one summary sheet per unit"),
    "help.units_receive": ("ghi nhận đã nhận hồ sơ của một hay nhiều đơn vị", "record the dossiers of units as received"),
    "help.units_unit": ("mã đơn vị (lặp lại cho nhiều đơn vị)", "unit code (repeat for several units)"),
    "help.units_on": ("ngày nhận (2025-01-10 hoặc 10/01/2025)", "date received (2025-01-10 or 10/01/2025)"),
    "help.units_channel": ("hình thức nộp: {choices}", "channel: {choices}"),
    "help.units_by": ("người nhận hồ sơ", "who received it"),
    "help.units_note": ("ghi chú", "note"),
    "help.units_review": ("ghi ý kiến thẩm định của cơ quan về một chỉ tiêu", "record the office's finding on one entry"),
    "help.units_one_unit": ("mã đơn vị", "unit code"),
    "help.units_entry": ("mã chỉ tiêu, ví dụ C2.1", "entry id, e.g. C2.1"),
    "help.units_agree": ("đồng ý với đơn vị", "agree with the unit"),
    "help.units_disagree": ("không đồng ý với đơn vị", "disagree with the unit"),
    "help.units_value": ("giá trị đã sửa (chỉ tiêu cấp đơn vị)", "corrected value (unit entry)"),
    "help.units_count": ("số người đạt đã sửa (chỉ tiêu tỉ lệ)", "corrected number of people who qualify (share entry)"),
    "cli.units_col_own": ("Tự đánh giá", "Own verdict"),
    "cli.units_col_office": ("Thẩm định", "Office"),
    "cli.units_col_level": ("Mức", "Level"),
    "cli.units_none": ("Không có đơn vị nào đánh giá năm {year}", "No unit was assessed in {year}"),
    "cli.units_received": ("Đã ghi nhận hồ sơ của {n} đơn vị (lô #{batch})", "Recorded {n} units as received (batch #{batch})"),
    "cli.units_received.one": ("Đã ghi nhận hồ sơ của {n} đơn vị (lô #{batch})", "Recorded {n} unit as received (batch #{batch})"),
    "cli.units_report": ("Đã ghi {path}: {n} đơn vị", "Wrote {path}: {n} units"),
    "cli.units_report.one": ("Đã ghi {path}: {n} đơn vị", "Wrote {path}: {n} unit"),
    "cli.units_unchanged": ("Không ghi gì: dữ liệu đã như vậy", "Nothing written: the data already says so"),
    "cli.units_finding": ("Đã ghi ý kiến về {entry} (lô #{batch})", "Recorded the finding on {entry} (batch #{batch})"),
})

console = Console(highlight=False)


def add_units_parser(sub, common, year_type) -> None:
    units = sub.add_parser("units", parents=[common], help=tr("help.units"))
    units.add_argument("--year", type=year_type, help=tr("help.units_year"))
    units.add_argument("--json", action="store_true", help=tr("help.units_json"))
    usub = units.add_subparsers(dest="units_command", metavar="ACTION")
    p = usub.add_parser("report", parents=[common], help=tr("help.units_report"))
    p.add_argument("out", metavar="OUT.xlsx", help=tr("help.report_file"))
    p.add_argument("--year", required=True, type=year_type, help=tr("help.units_year"))
    p.add_argument("--per-unit", action="store_true", help=tr("help.units_per_unit"))
    p = usub.add_parser("receive", parents=[common], help=tr("help.units_receive"))
    p.add_argument("--year", required=True, type=year_type, help=tr("help.units_year"))
    p.add_argument("--unit", required=True, action="append", metavar="CODE", help=tr("help.units_unit"))
    p.add_argument("--on", required=True, metavar="DATE", help=tr("help.units_on"))
    p.add_argument("--channel", required=True, help=tr("help.units_channel", choices=", ".join(CHANNELS)))
    p.add_argument("--by", default="", help=tr("help.units_by"))
    p.add_argument("--note", default=None, help=tr("help.units_note"))
    p = usub.add_parser("review", parents=[common], help=tr("help.units_review"))
    p.add_argument("--unit", required=True, metavar="CODE", help=tr("help.units_one_unit"))
    p.add_argument("--year", required=True, type=year_type, help=tr("help.units_year"))
    p.add_argument("--entry", required=True, help=tr("help.units_entry"))
    verdict = p.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--agree", action="store_true", help=tr("help.units_agree"))
    verdict.add_argument("--disagree", action="store_true", help=tr("help.units_disagree"))
    p.add_argument("--value", default=None, help=tr("help.units_value"))
    p.add_argument("--count", default=None, help=tr("help.units_count"))
    p.add_argument("--note", default=None, help=tr("help.units_note"))


def cmd_units(env) -> int:
    from hoctap.models.office import dossier_checks, mark_received, overview, overview_json, set_finding
    from hoctap.models.units import find_context

    a = env.args
    action = getattr(a, "units_command", None)
    if action == "report":
        from hoctap.models.office_report import write_units_report

        rows = write_units_report(env.db, env.catalogs, a.year, a.out, lang=lang(), per_unit=a.per_unit)
        console.print(tr("cli.units_report", path=safe(a.out), n=len(rows)), markup=False)
        return 0
    if action == "receive":
        ids = [find_context(env.db, code, a.year).assessment.id for code in a.unit]
        w = mark_received(env.db, ids, received_on=a.on, channel=a.channel, received_by=a.by, note=a.note,
                          checks=dossier_checks(env.db, env.catalogs, ids))
        console.print(tr("cli.units_received", n=w.n, batch=w.batch) if w.batch else tr("cli.units_unchanged"),
                      markup=False)
        return 0
    if action == "review":
        ctx = find_context(env.db, a.unit, a.year)
        w = set_finding(env.db, env.catalogs, ctx, a.entry, agree=a.agree, value=a.value, count=a.count, note=a.note)
        console.print(tr("cli.units_finding", entry=safe(a.entry), batch=w.batch) if w.batch
                      else tr("cli.units_unchanged"), markup=False)
        return 0
    if a.year is None:
        raise InputError(tr("err.required", name="--year"))
    rows = overview(env.db, env.catalogs, a.year)
    if a.json:
        sys.stdout.write(json.dumps(overview_json(env.catalogs, rows), ensure_ascii=False) + "\n")
        return 0
    if not rows:
        console.print(tr("cli.units_none", year=a.year), markup=False)
        return 0
    console.print(units_table(env.catalogs, rows))
    return 0


def _verdict(met: bool | None, reviewed: bool = True) -> Text:
    if not reviewed:
        return Text(tr("office.not_reviewed"), style="dim")
    return Text(tr("met"), style="green") if met else Text(tr("not_met"), style="red")


def units_table(catalogs: Catalogs, rows) -> Table:
    table = Table(tr("field.code"), tr("report.unit"), tr("unit.tier"), tr("report.types"), tr("cli.units_col_level"),
                  tr("cli.units_col_own"), tr("cli.units_col_office"), tr("office.col_short"),
                  tr("office.col_unconfirmed"), tr("office.col_intake"))
    for r in rows:
        types = ", ".join(catalogs.unit_types[t].label(lang()) if t in catalogs.unit_types else t for t in r.unit.type_list)
        table.add_row(Text(safe(r.unit.code)), Text(safe(r.unit.name)), tr(r.unit.tier), Text(types), str(r.level),
                      _verdict(r.own_met) if r.own is not None else Text(tr("office.no_catalog")),
                      _verdict(r.office_met, r.reviewed), Text(r.short_text()), Text(", ".join(r.unconfirmed())),
                      Text(r.intake.text()))
    return table
