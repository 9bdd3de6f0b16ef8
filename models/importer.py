"""Roster import from CSV and XLSX files as people really have them.

Headers may be canonical names or Vietnamese/English labels, in any order; unknown columns
are ignored and reported. Text encodings: UTF-8 (with or without BOM), UTF-16, else
Windows-1258. XLSX is read with python-calamine; title rows above the header are skipped.
Every problem is collected with its row and column; nothing is written unless the whole file
is valid, and then in one transaction (upsert by ``code``).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from models.catalog import Catalogs
from models.db import Database
from models.fields import PERSON_FIELDS, InputError, match_column, parse_fact, parse_person_field
from models.store import _batch, _changes, ensure_assessment, upsert_people

MAX_HEADER_SCAN = 20


@dataclass(frozen=True)
class Problem:
    row: int | None  # 1-based row in the file (spreadsheet numbering)
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportFailed(Exception):
    def __init__(self, path: Path | str, problems: list[Problem]):
        self.path, self.problems = str(path), problems
        super().__init__(f"{path}: {len(problems)} problem(s)")


@dataclass
class ImportResult:
    rows: int = 0
    added: int = 0
    updated: int = 0
    enrolled: int = 0
    facts: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    batch_id: int | None = None
    dry_run: bool = False
    encoding: str = ""


# ---- reading ---------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), enc
    if data[:200].count(b"\x00") > len(data[:200]) // 4:  # UTF-16 without a BOM
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1258")  # the Vietnamese Windows code page
    if any(ch in text for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x1a\x1b"):
        raise UnicodeDecodeError("cp1258", data, 0, 1, "control characters")
    return text, "windows-1258"


def read_csv(path: Path) -> tuple[list[tuple[int, list]], str]:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ImportFailed(path, [Problem(None, None, e.strerror or str(e))]) from None
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        raise ImportFailed(path, [Problem(None, None,
            "cannot read the file as text (UTF-8, UTF-16 or Windows-1258); save it as CSV UTF-8 "
            "/ không đọc được tệp (cần UTF-8, UTF-16 hoặc Windows-1258)")]) from None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = []
    try:
        start = 1
        for record in reader:
            rows.append((start, record))
            start = reader.line_num + 1
    except csv.Error as e:
        raise ImportFailed(path, [Problem(reader.line_num, None, f"broken CSV: {e}")]) from None
    return rows, encoding


def read_xlsx(path: Path) -> list[tuple[int, list]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        data = sheet.to_python(skip_empty_area=False)
    except Exception as e:  # calamine raises its own error types for damaged files
        raise ImportFailed(path, [Problem(None, None, f"cannot read the workbook: {e}")]) from None
    return [(i + 1, list(r)) for i, r in enumerate(data)]


def read_rows(path: Path) -> tuple[list[tuple[int, list]], str]:
    path = Path(path)
    if not path.exists():
        raise ImportFailed(path, [Problem(None, None, "no such file / không có tệp")])
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        return read_xlsx(path), "xlsx"
    return read_csv(path)


# ---- mapping and parsing --------------------------------------------------------------------

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def find_header(catalogs: Catalogs, rows: list[tuple[int, list]]) -> tuple[int, dict[int, str], list[str]]:
    """Index (into rows) of the header row, the column -> name map and ignored headers."""
    for idx, (_n, record) in enumerate(rows[:MAX_HEADER_SCAN]):
        names = {i: match_column(catalogs, _cell(h)) for i, h in enumerate(record)}
        found = {n for n in names.values() if n}
        if {"code", "full_name"} <= found:
            ignored = [_cell(h) for i, h in enumerate(record) if names[i] is None and _cell(h).strip()]
            return idx, {i: n for i, n in names.items() if n}, ignored
    raise LookupError


def parse_file(catalogs: Catalogs, path: Path) -> tuple[list[tuple[dict, dict]], ImportResult]:
    rows, encoding = read_rows(Path(path))
    result = ImportResult(encoding=encoding)
    try:
        header_idx, columns, ignored = find_header(catalogs, rows)
    except LookupError:
        raise ImportFailed(path, [Problem(rows[0][0] if rows else None, None,
            "no header row with the columns 'code' (Mã) and 'full_name' (Họ và tên) in the first "
            f"{MAX_HEADER_SCAN} rows / không tìm thấy dòng tiêu đề có cột Mã và Họ và tên")]) from None
    result.ignored_columns = ignored
    header = rows[header_idx][1]
    problems: list[Problem] = []
    by_name: dict[str, int] = {}
    for col, name in columns.items():
        if name in by_name:
            problems.append(Problem(rows[header_idx][0], _cell(header[col]),
                                    f"same column as {_cell(header[by_name[name]])!r} ({name})"))
        else:
            by_name[name] = col
    parsed: list[tuple[dict, dict]] = []
    codes: dict[str, int] = {}
    for line, record in rows[header_idx + 1:]:
        if not any(_cell(v).strip() for v in record):
            continue
        fields: dict = {}
        facts: dict = {}
        for col, name in columns.items():
            raw = record[col] if col < len(record) else None
            label = _cell(header[col])
            try:
                if name in PERSON_FIELDS:
                    fields[name] = parse_person_field(name, raw)
                else:
                    facts[name] = parse_fact(catalogs, name, raw)
            except InputError as e:
                problems.append(Problem(line, label, str(e)))
        code = fields.get("code")
        if code:
            if code in codes:
                problems.append(Problem(line, _cell(header[by_name["code"]]),
                                        f"code {code!r} repeats row {codes[code]} / mã trùng với dòng {codes[code]}"))
            else:
                codes[code] = line
        if "kind" in fields and fields["kind"] is None:
            del fields["kind"]  # blank kind: keep what the person has (new people: staff)
        parsed.append((fields, facts))
    if problems:
        raise ImportFailed(path, problems)
    result.rows = len(parsed)
    return parsed, result


def import_roster(db: Database, catalogs: Catalogs, unit_code: str, year: int, path: Path | str, *,
                  dry_run: bool = False, source: str = "import") -> ImportResult:
    """Validate the whole file, then upsert it (creating the assessment if needed) in one
    transaction, rolled back on a dry run."""
    path = Path(path)
    parsed, result = parse_file(catalogs, path)
    result.dry_run = dry_run
    try:
        with db.write() as s:
            ctx = ensure_assessment(s, unit_code, year, source=source)
            audit, stats = upsert_people(s, catalogs, ctx.unit.id, ctx.assessment.id, parsed)
            result.added, result.updated, result.enrolled, result.facts = (
                stats["added"], stats["updated"], stats["enrolled"], stats["facts"])
            if dry_run:
                raise _DryRun  # roll back what was just counted
            if audit:
                result.batch_id = _batch(s, source, "import", ctx.assessment.id, f"{path.name} ({result.rows} rows)")
                _changes(s, result.batch_id, audit)
    except _DryRun:
        pass
    return result


class _DryRun(Exception):
    """Raised inside the import transaction to roll it back after counting the changes."""
