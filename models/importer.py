"""Roster import from CSV and XLSX files as people really have them.

Headers may be canonical names or Vietnamese/English labels, in any order; unknown columns
are ignored and reported. Files are read and decoded by ``decode`` (bounded, encodings
checked); title rows above the header are skipped. Every problem is collected with its row and
column; nothing is written unless the whole file is valid, and then in one short transaction
(upsert by ``code``, decided outside the writers' lock: ``staged``).
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import select

from hoctap.models.audit import batch_summary, record_batch
from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.fields import (PERSON_FIELDS, InputError, display_fact, match_column, parse_fact,
                                  parse_person_field)
from hoctap.models.decode import (DELIMITERS, BrokenCSV, ImportFailed, Problem, Sheet, column_letter, garbled,
                                  read_sheet, split)
from hoctap.models.i18n import lang, tr
from hoctap.models import search_index, staged
from hoctap.models.facts import lc_inputs
from hoctap.models.people import Progress
from hoctap.models.sql import chunks
from hoctap.models.tables import Assessment
from hoctap.models.units import ensure_assessment, get_unit

__all__ = ["ImportFailed", "ImportResult", "Problem", "column_letter", "import_roster", "parse_file"]  # the faces' API

MAX_HEADER_SCAN = 20


@dataclass
class ImportResult:
    rows: int = 0
    added: int = 0
    updated: int = 0
    enrolled: int = 0
    fields: int = 0  # person field values changed on people already there
    facts: int = 0  # fact values the file changes (the computed title not included)
    ignored_columns: list[str] = field(default_factory=list)
    batch_id: int | None = None
    dry_run: bool = False
    encoding: str = ""  # the text encoding a CSV was read with ("" for a workbook)
    read_as: str = ""  # how the file was read, translated: what a preview or the CLI shows
    # field or fact name -> Counter of (old, new) stored values the file changes (what a dry run
    # shows); their sum is ``fields + facts``
    changes: dict[str, Counter] = field(default_factory=dict)
    computed: dict[str, Counter] = field(default_factory=dict)  # the same for facts computed from the file's

    @property
    def values(self) -> int:
        """The values the file changes: the sum of ``change_summary``'s lines."""
        return self.fields + self.facts

    def change_summary(self, catalogs: Catalogs, limit: int = 3, *, computed: bool = False) -> list[str]:
        """One short line per changed field or fact (by its label): how many values change and
        the commonest changes; ``computed``: the lines of the computed facts instead."""
        lines = []
        for name, pairs in sorted((self.computed if computed else self.changes).items(),
                                  key=lambda kv: (-sum(kv[1].values()), kv[0])):
            top = ", ".join(f"{display_fact(catalogs, name, old, lang(), bools='words', blank='∅')}"
                            f"→{display_fact(catalogs, name, new, lang(), bools='words', blank='∅')} ×{n}"
                            for (old, new), n in pairs.most_common(limit))
            more = " …" if len(pairs) > limit else ""
            lines.append(f"{change_label(catalogs, name)}: {sum(pairs.values())} ({top}{more})")
        return lines


def change_label(catalogs: Catalogs, name: str) -> str:
    if name in PERSON_FIELDS:
        return tr(f"field.{name}")
    if name == catalogs.citizen.result_fact:
        return tr("report.lc_title_col")
    return catalogs.facts[name].label(lang())


# ---- reading ---------------------------------------------------------------------------------

def _delimiter(catalogs: Catalogs, text: str) -> str:
    """The separator under which a header row appears (Excel writes ';' in many locales, ',',
    or a tab for "Unicode text"); ties go to the one giving the header more columns."""
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        try:
            rows = split(text, delimiter, MAX_HEADER_SCAN)
        except BrokenCSV as e:
            rows = e.rows  # the header may well come before the break
        try:
            idx, columns, _ignored = find_header(catalogs, rows)
        except LookupError:
            score = (0, max((len(r) for _n, r in rows), default=0))
        else:
            score = (1 + len(columns), len(rows[idx][1]))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_rows(catalogs: Catalogs, path: Path, encoding: str | None = None) -> tuple[list[tuple[int, list]], str]:
    """(line, cells) of every record and how the file was read (held whole: for small files)."""
    sheet = read_file(catalogs, path, encoding)
    return list(sheet.records(None)), sheet.read_as


def read_file(catalogs: Catalogs, path: Path, encoding: str | None = None) -> Sheet:
    def has_header(rows) -> bool:
        try:
            find_header(catalogs, rows)
        except LookupError:
            return False
        return True

    return read_sheet(Path(path), lambda text: _delimiter(catalogs, text), has_header, encoding)


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


def _missing_header(catalogs: Catalogs, rows: list[tuple[int, list]]) -> Problem:
    """Why no header was found: name the row that looks like one and the column it lacks."""
    best = None
    for line, record in rows[:MAX_HEADER_SCAN]:
        found = {match_column(catalogs, _cell(h)) for h in record} - {None}
        if len(found) >= 2 and (best is None or len(found) > len(best[1])):
            best = (line, found)
    if best is not None:
        missing = [f"'{n}' ({label})" for n, label in (("code", "Mã"), ("full_name", "Họ và tên")) if n not in best[1]]
        return Problem(best[0], None, tr("importer.header_lacks", columns=tr("importer.or").join(missing)))
    return Problem(rows[0][0] if rows else None, None, tr("importer.no_header", n=MAX_HEADER_SCAN))


UNIQUE_FIELDS = {"code", "full_name"}  # not worth remembering: every row differs
_MISSING = object()


def _parse(catalogs: Catalogs, name: str, raw):
    return parse_person_field(name, raw) if name in PERSON_FIELDS else parse_fact(catalogs, name, raw)


class _Problems:
    """A file's problems, all counted, the ``MAX_PROBLEMS`` of the first rows kept (a repeated
    code is found only once the whole file is read); those of cells garbled by a past
    mis-decoding apart: they are said alone, the file's encoding being the real fault."""

    def __init__(self, path: Path):
        self.path, self.found, self.garbled, self.total = path, [], [], 0

    def add(self, problem: Problem) -> None:
        self.total += 1
        item = (-(problem.row or 0), -self.total, problem)  # the heap's first: the last row's latest problem
        if len(self.found) < MAX_PROBLEMS:
            heapq.heappush(self.found, item)
        else:
            heapq.heappushpop(self.found, item)

    def add_garbled(self, problem: Problem) -> None:
        self.garbled.append(problem)
        if len(self.garbled) >= MAX_GARBLED:
            raise ImportFailed(self.path, self.garbled)

    def check(self) -> None:
        if self.garbled:
            raise ImportFailed(self.path, self.garbled)
        if self.found:
            raise ImportFailed(self.path, [p for *_key, p in sorted(self.found, reverse=True)], self.total)


MAX_PROBLEMS = 1000  # kept to be shown; more are counted
MAX_CACHED = 10_000  # parsed values remembered per column
MAX_GARBLED = 50


def _parse_rows(catalogs: Catalogs, sheet: Sheet, header_idx: int, columns: dict[int, str],
                problems: _Problems, progress: Progress | None) -> Iterator[tuple[int, dict, dict]]:
    """(line, person fields, facts) of every record under the header, parsed and checked; the
    problems go to ``problems``. Read as iterated: the file is never held whole."""
    header_line, header = sheet.head[header_idx]
    formulas = sheet.formulas or set()
    # per column: its name, whether it is a person column, and a cache of raw -> parsed value
    # or error (columns repeat their values; code and name do not, so they are not cached)
    plan = [(col, name, name in PERSON_FIELDS, None if name in UNIQUE_FIELDS else {}) for col, name in columns.items()]
    width = max(columns, default=-1) + 1
    for line, record in sheet.records(progress):
        if line < header_line:
            continue  # title rows above the header
        for col, cell in garbled(record):
            name = _cell(header[col]) if col < len(header) and header[col] is not None else None
            problems.add_garbled(Problem(line, name, tr("importer.mojibake", text=cell), col))
        if line == header_line or not any(_cell(v).strip() for v in record):
            continue
        if len(record) < width:
            record = [*record, *[None] * (width - len(record))]
        fields: dict = {}
        facts: dict = {}
        for col, name, person, seen in plan:
            raw = record[col]
            if formulas and (line, col) in formulas:  # calamine reads it as blank
                problems.add(Problem(line, _cell(header[col]), tr("importer.formula"), col))
                continue
            key = raw if type(raw) is str else (type(raw), raw)  # 1, 1.0 and True hash alike
            value = _MISSING if seen is None else seen.get(key, _MISSING)
            if value is _MISSING:
                try:
                    value = _parse(catalogs, name, raw)
                except InputError as e:
                    value = e
                if seen is not None:
                    if len(seen) >= MAX_CACHED:
                        seen.clear()  # a column of ever new values: bounded memory
                    seen[key] = value
            if isinstance(value, InputError):
                problems.add(Problem(line, _cell(header[col]), str(value), col))
            elif person:
                fields[name] = value
            else:
                facts[name] = value
        if "kind" in fields and fields["kind"] is None:
            del fields["kind"]  # blank kind: keep what the person has (new people: staff)
        yield line, fields, facts


def read_into(stage: staged.Staging, catalogs: Catalogs, path: Path, progress: Progress | None = None,
              encoding: str | None = None) -> ImportResult:
    """Read and check the whole file into ``stage``, in chunks; ImportFailed with every problem
    (a code repeated anywhere in the file among them) or none."""
    sheet = read_file(catalogs, Path(path), encoding)
    result = ImportResult(encoding=sheet.encoding, read_as=sheet.read_as)
    try:
        header_idx, columns, ignored = find_header(catalogs, sheet.head)
    except LookupError:
        raise ImportFailed(path, [_missing_header(catalogs, sheet.head)]) from None
    result.ignored_columns = ignored
    header_line, header = sheet.head[header_idx]
    problems = _Problems(path)
    by_name: dict[str, int] = {}
    for col, name in columns.items():
        if name in by_name:
            problems.add(Problem(header_line, _cell(header[col]),
                                 tr("importer.same_column", other=_cell(header[by_name[name]]), name=name), col))
        else:
            by_name[name] = col
    for chunk in chunks(_parse_rows(catalogs, sheet, header_idx, columns, problems, progress), staged.CHUNK_ROWS):
        if not problems.total:  # once the file is refused, its rows are only checked
            stage.add(chunk)
        stage.add_codes([(line, fields["code"]) for line, fields, _facts in chunk if fields.get("code")])
    code_col = by_name["code"]
    for line, code, first in stage.repeats():
        problems.add(Problem(line, _cell(header[code_col]), tr("importer.code_repeats", code=code, row=first), code_col))
    problems.check()
    result.rows = stage.rows
    stage.fact_names = {name for name in columns.values() if name not in PERSON_FIELDS}
    return result


def parse_file(catalogs: Catalogs, path: Path, progress: Progress | None = None, encoding: str | None = None
               ) -> tuple[list[tuple[dict, dict]], ImportResult]:
    """The file's rows, parsed and checked, held whole (for tests and measurements)."""
    with staged.Staging() as stage:
        result = read_into(stage, catalogs, path, progress, encoding)
        return [row for _n, rows in stage.chunks() for row in rows], result


def import_roster(db: Database, catalogs: Catalogs, unit_code: str, year: int, path: Path | str, *,
                  dry_run: bool = False, source: str = "import", progress: Progress | None = None,
                  encoding: str | None = None) -> ImportResult:
    """Check the whole file, then decide its changes chunk by chunk from what the database
    holds, outside the writers' lock, the chunks kept on disk (``staged.Staging``: memory stays
    flat however long the file); then, under the lock, decide again for anyone changed
    meanwhile and write everything in one transaction. A dry run only reads.
    ``progress(done, total)`` follows the reading. ``encoding`` forces a CSV's text encoding
    (``decode.check_encoding``)."""
    path = Path(path)
    with db.read() as s:
        unit = get_unit(s, unit_code)  # before the file is read: a wrong code is said at once
    # one bar over the steps, in thousandths: reading, deciding (and writing)
    reading, deciding, writing = ((0, 600), (600, 400), None) if dry_run else ((0, 400), (400, 300), (700, 300))
    with staged.fewer_collections(), staged.Staging() as stage:
        result = read_into(stage, catalogs, path, _step(progress, *reading), encoding)
        result.dry_run = dry_run
        lc_changes = bool(lc_inputs(catalogs) & stage.fact_names)
        with db.read() as s:
            assessment_id = s.execute(select(Assessment.id).where(Assessment.unit_id == unit.id,
                                                                  Assessment.year == year)).scalar()
        tally = staged.Tally()
        names: dict = {}  # the name keys, computed once per name (names repeat)
        decided = _step(progress, *deciding)
        for n, rows in stage.chunks():
            with db.read() as s:  # each chunk from a read of its own: the lock's recheck covers what moves between
                state = staged.read_state(s, unit.id, assessment_id, [fields["code"] for fields, _facts in rows])
            if len(names) > staged.CHUNK_ROWS * 10:
                names.clear()  # bounded: a million different names would be a dictionary of a million
            decisions = staged.decide(catalogs, state, rows, lc_changes, names)
            if dry_run:
                tally.add(decisions)
            else:
                stage.decided(n, rows, state, decisions)
            if decided:
                decided(n, stage.chunk_count)
        del names
        if dry_run:
            result.changes, result.computed = tally.changes, tally.computed
            _count(result, tally.stats)
            return result
        written = _step(progress, *writing)
        with db.write() as s:
            ctx = ensure_assessment(s, unit_code, year, source=source)
            for chunk in stage.decisions():
                if written:
                    written(chunk.n - 1, stage.chunk_count)
                decisions = staged.recheck(s, catalogs, unit.id, ctx.assessment.id, chunk, lc_changes)
                if not staged.changes_anything(decisions):
                    continue
                if result.batch_id is None:
                    result.batch_id = record_batch(s, source, "import", ctx.assessment.id,
                                                   batch_summary("import", file=path.name, n=result.rows))
                tally.add(decisions)  # before apply: it gives the new people their ids
                staged.apply(s, ctx.assessment.id, unit.id, decisions, result.batch_id)
            if written:
                written(stage.chunk_count, stage.chunk_count)
    if result.batch_id is not None:
        search_index.after_commit(db)  # in short transactions of its own
    result.changes, result.computed = tally.changes, tally.computed  # as its preview, after the lock
    _count(result, tally.stats)
    return result


PROGRESS_SCALE = 1000


def _step(progress: Progress | None, start: int, size: int) -> Progress | None:
    """``progress`` of one step of an import, as its share (``start``, ``size``) of the whole."""
    if progress is None:
        return None
    return lambda done, total: progress(start + size * min(done, total) // max(total, 1), PROGRESS_SCALE)


def _count(result: ImportResult, stats: dict) -> None:
    result.added, result.updated, result.enrolled, result.fields, result.facts = (
        stats["added"], stats["updated"], stats["enrolled"], stats["fields"], stats["facts"])
