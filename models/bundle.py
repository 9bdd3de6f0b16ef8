"""Transfer files: one whole assessment as TOML (written with tomli-w), so that a district
office can collect its units' data into its own database.

The file names the unit, the assessment, and the catalogs (id and version) its data was
recorded against; people carry their facts as typed TOML values (true/false, integers, scale
ids); unit entries their value, evidence and documents. ``lc_title`` is not written: the
import recomputes it. An import is one transaction: all of it, or nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import tomli_w
from sqlalchemy import func, insert, select

from hoctap.models.audit import batch_summary, record_batch, record_changes
from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError
from hoctap.models.fields import PERSON_FIELDS, InputError, parse_fact, parse_person_field, parse_unit_value
from hoctap.models.files import atomic_write
from hoctap.models.i18n import add, tr
from hoctap.models.meters import unit_entry_rows
from hoctap.models.people import Progress, iter_people, upsert_people
from hoctap.models.sql import RE
from hoctap.models.tables import Unit, UnitEntryValue, utcnow
from hoctap.models.text import nfc
from hoctap.models.units import Context, catalog_for, ensure_assessment, parse_unit_types

FORMAT = "hoctap-bundle"
FORMAT_VERSION = 1

add({
    "bundle.not_toml": ("{path}: không phải tệp TOML hợp lệ: {error}", "{path}: not a valid TOML file: {error}"),
    "bundle.not_bundle": ("{path}: không phải tệp chuyển dữ liệu hoctap (thiếu format = \"hoctap-bundle\")",
                          "{path}: not a hoctap transfer file (no format = \"hoctap-bundle\")"),
    "bundle.format_version": ("{path}: phiên bản định dạng {got} không được hỗ trợ (cần {want})",
                              "{path}: format version {got} is not supported (expected {want})"),
    "bundle.bad_key": ("{path}: {key}: {message}", "{path}: {key}: {message}"),
    "bundle.unknown_catalog": ("{path}: cơ sở dữ liệu này không có bộ tiêu chí {id!r}",
                               "{path}: this database has no catalog {id!r}"),
    "bundle.catalog_version": ("{path}: tệp được lập theo bộ tiêu chí {id} phiên bản {got}, ở đây là phiên bản {want}; "
                               "không nhập", "{path}: the file was made with catalog {id} version {got}, this database "
                               "uses version {want}; nothing imported"),
    "bundle.catalog_level": ("{path}: bộ tiêu chí {id} không dành cho {tier} mức {level}",
                             "{path}: catalog {id} is not for {tier} level {level}"),
    "bundle.unit_conflict": ("{path}: đơn vị {code} đã có ở đây nhưng khác {what}; không nhập",
                             "{path}: unit {code} exists here with a different {what}; nothing imported"),
    "bundle.assessment_exists": ("{path}: đơn vị {code} đã có dữ liệu năm {year} ở đây; không nhập",
                                 "{path}: unit {code} already has data for {year} here; nothing imported"),
    "bundle.problems": ("{path}: không nhập gì cả, {n} lỗi: {list}", "{path}: nothing imported, {n} problem(s): {list}"),
    "bundle.duplicate": ("mã {code!r} lặp lại", "code {code!r} repeats"),
    "bundle.expected": ("cần {what}", "expected {what}"),
    "bundle.a_table": ("một bảng", "a table"),
    "bundle.a_list": ("một danh sách", "a list"),
    "bundle.a_text": ("văn bản", "text"),
    "bundle.an_integer": ("một số nguyên", "an integer"),
    "bundle.unit.name": ("tên", "name"),
    "bundle.unit.tier": ("cấp", "tier"),
    "bundle.unit.types": ("loại hình", "types"),
})


class BundleError(HoctapError):
    """A transfer file that cannot be imported; the message names the file and the key."""


@dataclass
class BundleResult:
    unit: str
    year: int
    people: int
    entries: int
    unit_created: bool
    batch_id: int | None


# ---- export ----------------------------------------------------------------------------------

def _typed(catalogs: Catalogs, name: str, value: str):
    fact = catalogs.facts[name]
    if fact.type == "bool":
        return value == "1"
    if fact.type == "int":
        return int(value)
    return value


def _entry_kind(catalogs: Catalogs, tier: str, entry_id: str) -> str | None:
    """The value kind ("bool" or a scale) of a unit entry in any catalog of the tier."""
    for cat in catalogs.units.values():
        if cat.tier != tier:
            continue
        for e in cat.entries():
            if e.id == entry_id and e.kind == "unit":
                return e.value
    return None


def bundle_document(db: Database, catalogs: Catalogs, ctx: Context, progress: Progress | None = None) -> dict:
    catalog = catalog_for(catalogs, ctx.unit, ctx.assessment.level)
    lc = catalogs.citizen
    people = []
    for person, facts in iter_people(db, ctx, progress):
        row = {k: person[k] for k in PERSON_FIELDS if person[k] is not None}
        typed = {n: _typed(catalogs, n, v) for n, v in sorted(facts.items())
                 if n in catalogs.facts and not catalogs.facts[n].computed}
        if typed:
            row["facts"] = typed
        people.append(row)
    entries = []
    for entry_id, r in sorted(unit_entry_rows(db, ctx).items()):
        item: dict = {"id": entry_id}
        if r.value is not None:
            item["value"] = (r.value == "1") if _entry_kind(catalogs, ctx.unit.tier, entry_id) == "bool" else r.value
        item["evidence"] = r.evidence
        item["documents"] = r.documents
        entries.append(item)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": datetime.now(timezone.utc).replace(microsecond=0),
        "unit": {"code": ctx.unit.code, "name": ctx.unit.name, "tier": ctx.unit.tier, "types": ctx.types},
        "assessment": {"year": ctx.assessment.year, "level": ctx.assessment.level},
        "catalog": {"id": catalog.id, "version": catalog.version},
        "citizen_catalog": {"id": lc.id, "version": lc.version},
        "entries": entries,
        "people": people,
    }


def export_bundle(db: Database, catalogs: Catalogs, ctx: Context, target: str | Path | BinaryIO, *,
                  progress: Progress | None = None) -> int:
    """Write the transfer file (a path is replaced only once complete); returns people written."""
    doc = bundle_document(db, catalogs, ctx, progress)
    data = tomli_w.dumps(doc, multiline_strings=True).encode("utf-8")
    if isinstance(target, (str, Path)):
        with atomic_write(target) as f:
            f.write(data)
    else:
        target.write(data)
    return len(doc["people"])


# ---- import ----------------------------------------------------------------------------------

def _table(doc: dict, key: str, path: str) -> dict:
    value = doc.get(key)
    if not isinstance(value, dict):
        raise BundleError(tr("bundle.bad_key", path=path, key=key, message=tr("bundle.expected", what=tr("bundle.a_table"))))
    return value


def _field(table: dict, key: str, kind, path: str, where: str):
    value = table.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        what = tr({str: "bundle.a_text", int: "bundle.an_integer", list: "bundle.a_list"}[kind])
        raise BundleError(tr("bundle.bad_key", path=path, key=f"{where}.{key}", message=tr("bundle.expected", what=what)))
    return value


def read_bundle(catalogs: Catalogs, source: str | Path | bytes, name: str = "") -> dict:
    """Parse and check a transfer file against the catalogs in force; returns the parsed
    document with people as (fields, facts) in stored form. Raises BundleError."""
    if isinstance(source, bytes):
        data, path = source, name or "<bundle>"
    else:
        path = str(source)
        try:
            data = Path(source).read_bytes()
        except OSError as e:
            raise BundleError(f"{path}: {e.strerror or e}") from None
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise BundleError(tr("bundle.not_toml", path=path, error=e)) from None
    if doc.get("format") != FORMAT:
        raise BundleError(tr("bundle.not_bundle", path=path))
    if doc.get("format_version") != FORMAT_VERSION:
        raise BundleError(tr("bundle.format_version", path=path, got=doc.get("format_version"), want=FORMAT_VERSION))
    unit = _table(doc, "unit", path)
    for key in ("code", "name", "tier"):
        _field(unit, key, str, path, "unit")
    types = _field(unit, "types", list, path, "unit")
    assessment = _table(doc, "assessment", path)
    year = _field(assessment, "year", int, path, "assessment")
    level = _field(assessment, "level", int, path, "assessment")
    for key, known in (("catalog", catalogs.units), ("citizen_catalog", {catalogs.citizen.id: catalogs.citizen})):
        ref = _table(doc, key, path)
        cat_id, version = _field(ref, "id", str, path, key), _field(ref, "version", str, path, key)
        cat = known.get(cat_id)
        if cat is None:
            raise BundleError(tr("bundle.unknown_catalog", path=path, id=cat_id))
        if cat.version != version:
            raise BundleError(tr("bundle.catalog_version", path=path, id=cat_id, got=version, want=cat.version))
        if key == "catalog" and (cat.tier != unit["tier"] or cat.level != level):
            raise BundleError(tr("bundle.catalog_level", path=path, id=cat_id, tier=unit["tier"], level=level))
    problems: list[str] = []
    people = []
    seen: dict[str, int] = {}
    raw_people = doc.get("people", [])
    if not isinstance(raw_people, list):
        raise BundleError(tr("bundle.bad_key", path=path, key="people", message=tr("bundle.expected", what=tr("bundle.a_list"))))
    for i, raw in enumerate(raw_people):
        where = f"people[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: {tr('bundle.expected', what=tr('bundle.a_table'))}")
            continue
        if isinstance(raw.get("code"), str):
            where += f" ({raw['code']})"
        fields, facts = {}, {}
        for key, value in raw.items():
            try:
                if key in PERSON_FIELDS:
                    fields[key] = parse_person_field(key, value)
                elif key == "facts" and isinstance(value, dict):
                    for name, v in value.items():
                        try:
                            facts[name] = parse_fact(catalogs, name, v)
                        except InputError as e:
                            problems.append(f"{where}.facts.{name}: {e}")
                else:
                    raise InputError(tr("err.unknown_field", name=key))
            except InputError as e:
                problems.append(f"{where}.{key}: {e}")
        for key in ("code", "full_name"):
            if not fields.get(key):
                problems.append(f"{where}.{key}: {tr('err.required', name=key)}")
        code = fields.get("code")
        if code in seen:
            problems.append(f"{where}.code: {tr('bundle.duplicate', code=code)} (people[{seen[code]}])")
        elif code:
            seen[code] = i
        people.append((fields, facts))
    entries = {}
    for i, raw in enumerate(doc.get("entries", [])):
        where = f"entries[{i}]"
        entry_id = raw.get("id") if isinstance(raw, dict) else None
        kind = _entry_kind(catalogs, unit["tier"], entry_id) if isinstance(entry_id, str) else None
        if kind is None:
            problems.append(f"{where}.id: {tr('err.unknown_entry', entry=entry_id)}")
            continue
        value = raw.get("value")
        try:
            stored = None if value is None else ("1" if value else "0") if isinstance(value, bool) and kind == "bool" \
                else parse_unit_value(catalogs, kind, entry_id, str(value))
        except InputError as e:
            problems.append(f"{where}.value: {e}")
            continue
        entries[entry_id] = {"value": stored, "evidence": nfc(str(raw.get("evidence", ""))),
                             "documents": nfc(str(raw.get("documents", "")))}
    if problems:
        shown = "; ".join(problems[:20]) + (f"; … (+{len(problems) - 20})" if len(problems) > 20 else "")
        raise BundleError(tr("bundle.problems", path=path, n=len(problems), list=shown))
    return {"path": path, "unit": {**unit, "code": nfc(unit["code"]).strip(), "name": " ".join(nfc(unit["name"]).split())},
            "types": types, "year": year, "level": level, "people": people, "entries": entries}


def import_bundle(db: Database, catalogs: Catalogs, source: str | Path | bytes, *, name: str = "",
                  source_tag: str = "import", progress: Progress | None = None) -> BundleResult:
    """Load a transfer file into this database in one transaction. Refused (nothing written)
    for a catalog version that differs from the file's, a unit with the same code but another
    name, tier or types, or an assessment of that unit and year that already holds data."""
    doc = read_bundle(catalogs, source, name)
    path, u = doc["path"], doc["unit"]
    types = parse_unit_types(catalogs, doc["types"])
    if progress:
        progress(0, len(doc["people"]))
    with db.write() as s:
        unit = s.exec(select(Unit).where(Unit.code == u["code"])).scalars().first()
        created = unit is None
        if unit is None:
            unit = Unit(code=u["code"], name=u["name"], tier=u["tier"], types=",".join(types))
            s.add(unit)
            s.flush()
            batch = record_batch(s, source_tag, "unit", None,
                                 batch_summary("bundle_unit", code=unit.code, file=Path(path).name))
            record_changes(s, batch, [dict(entity="unit", entity_id=unit.id, field="*", old=None, new=unit.code)])
        else:
            for what, ours, theirs in (("name", unit.name, u["name"]), ("tier", unit.tier, u["tier"]),
                                       ("types", sorted(unit.type_list), sorted(types))):
                if ours != theirs:
                    raise BundleError(tr("bundle.unit_conflict", path=path, code=unit.code, what=f"{tr('bundle.unit.' + what)} ({ours} ≠ {theirs})"))
        ctx = ensure_assessment(s, unit.code, doc["year"], doc["level"], source=source_tag)
        aid = ctx.assessment.id
        held = s.execute(select(func.count()).select_from(RE).where(RE.c.assessment_id == aid)).scalar()
        held += s.execute(select(func.count()).select_from(UnitEntryValue).where(UnitEntryValue.assessment_id == aid)).scalar()
        if held:
            raise BundleError(tr("bundle.assessment_exists", path=path, code=unit.code, year=doc["year"]))
        audit, _stats = upsert_people(s, catalogs, ctx, doc["people"])
        now = utcnow()
        if doc["entries"]:
            s.execute(insert(UnitEntryValue), [dict(assessment_id=aid, entry_id=k, updated_at=now, version=1, **v)
                                                for k, v in doc["entries"].items()])
            for k, v in doc["entries"].items():
                audit += [dict(entity="unit_entry", entity_id=aid, field=f"{k}/{col}", old=None if col == "value" else "",
                               new=v[col]) for col in ("value", "evidence", "documents") if v[col] not in (None, "")]
        batch_id = None
        if audit:
            batch_id = record_batch(s, source_tag, "import", aid,
                                    batch_summary("bundle", file=Path(path).name, n=len(doc["people"])))
            record_changes(s, batch_id, audit)
    if progress:
        progress(len(doc["people"]), len(doc["people"]))
    return BundleResult(u["code"], doc["year"], len(doc["people"]), len(doc["entries"]), created, batch_id)
