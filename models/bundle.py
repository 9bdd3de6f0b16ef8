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
from sqlalchemy import delete, func, insert, select

from hoctap.models import search_index
from hoctap.models.audit import batch_summary, record_batch, record_changes
from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError
from hoctap.models.fields import (PERSON_FIELDS, InputError, check_text, parse_code, parse_fact, parse_name,
                                  parse_person_field, parse_unit_value, parse_year)
from hoctap.models.files import atomic_write
from hoctap.models.i18n import tr
from hoctap.models.meters import unit_entry_rows
from hoctap.models.people import Progress, iter_people, upsert_people
from hoctap.models.sql import PF, RE
from hoctap.models.tables import Unit, UnitEntryValue, utcnow
from hoctap.models.text import nfc, safe
from hoctap.models.units import Context, catalog_for, ensure_assessment, parse_unit_types

FORMAT = "hoctap-bundle"
FORMAT_VERSION = 1


class BundleError(HoctapError):
    """A transfer file that cannot be imported; the message names the file and the key.
    ``reason`` sorts the refusals of a collected folder: "damaged" (unreadable, bad keys),
    "foreign" (not a transfer file), "catalog" (another catalog or version), "conflict" (the
    unit is here with another name, tier or types), "present" (that unit/year holds data)."""

    def __init__(self, message: str, reason: str = "damaged"):
        super().__init__(message)
        self.reason = reason


@dataclass
class BundleResult:
    unit: str
    year: int
    people: int
    entries: int
    unit_created: bool
    batch_id: int | None
    replaced: bool = False


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

MAX_BUNDLE_BYTES = 200 * 1024 * 1024  # ~500,000 people: larger is not a transfer file
MAX_EVIDENCE = 20_000  # characters of an entry's evidence or documents
EVIDENCE_CHARS = "\t\n"  # evidence and documents may hold several lines; no other control character


class _Bad(Exception):
    """One problem at one key, collected into the BundleError."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key, self.message = key, message


def _expected(key: str, what: str) -> _Bad:
    return _Bad(key, tr("bundle.expected", what=tr(what)))


def _get(table: dict, key: str, kind: type, where: str, *, required: bool = True):
    """``table[key]`` if it has the TOML type ``kind`` (a bool is not an integer)."""
    value = table.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _expected(f"{where}.{key}" if where else key, KIND_WORD[kind])
    return value


KIND_WORD = {str: "bundle.a_text", int: "bundle.an_integer", list: "bundle.a_list", dict: "bundle.a_table",
             bool: "bundle.a_bool"}


def _check(key: str, parse, *args):
    try:
        return parse(*args)
    except InputError as e:
        raise _Bad(key, str(e)) from None


def _parse_toml(data: bytes, path: str) -> dict:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError(tr("bundle.too_big", path=path, mb=MAX_BUNDLE_BYTES // 2**20))
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise BundleError(tr("bundle.not_utf8", path=path, at=e.start)) from None
    except RecursionError:  # tomllib recurses per level of nested arrays or inline tables
        raise BundleError(tr("bundle.too_deep", path=path)) from None
    except (tomllib.TOMLDecodeError, ValueError) as e:
        raise BundleError(tr("bundle.not_toml", path=path, error=safe(str(e)))) from None


def read_bundle(catalogs: Catalogs, source: str | Path | bytes, name: str = "") -> dict:
    """Parse and check a transfer file against the catalogs in force; returns the parsed
    document with people as (fields, facts) in stored form. Every key is checked (type,
    range, text); a problem is named by file and key. Raises BundleError."""
    if isinstance(source, bytes):
        data, path = source, name or "<bundle>"
    else:
        path = str(source)
        try:
            if Path(source).stat().st_size > MAX_BUNDLE_BYTES:
                raise BundleError(tr("bundle.too_big", path=path, mb=MAX_BUNDLE_BYTES // 2**20))
            data = Path(source).read_bytes()
        except OSError as e:
            raise BundleError(tr("bundle.cannot_read", path=path, error=e.strerror or e)) from None
    doc = _parse_toml(data, path)
    try:
        return _read_document(catalogs, doc, path)
    except _Bad as e:
        raise BundleError(tr("bundle.bad_key", path=path, key=e.key, message=e.message)) from None


def _read_document(catalogs: Catalogs, doc: dict, path: str) -> dict:
    if doc.get("format") != FORMAT:
        raise BundleError(tr("bundle.not_bundle", path=path), "foreign")
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version != FORMAT_VERSION:
        raise BundleError(tr("bundle.format_version", path=path, got=safe(repr(version))[:40], want=FORMAT_VERSION), "foreign")
    unit = _get(doc, "unit", dict, "")
    code = _check("unit.code", parse_code, _get(unit, "code", str, "unit"), "code")
    unit_name = _check("unit.name", parse_name, _get(unit, "name", str, "unit"), "name")
    if not unit_name:
        raise _Bad("unit.name", tr("err.required", name="name"))
    tier = _get(unit, "tier", str, "unit")
    if tier not in ("district", "provincial"):
        raise _Bad("unit.tier", tr("err.bad_tier", value=safe(tier)[:40]))
    raw_types = _get(unit, "types", list, "unit")
    for i, t in enumerate(raw_types):
        if not isinstance(t, str):
            raise _expected(f"unit.types[{i}]", "bundle.a_text")
    types = _check("unit.types", parse_unit_types, catalogs, raw_types)
    if not types:
        raise _Bad("unit.types", tr("err.required", name="types"))
    assessment = _get(doc, "assessment", dict, "")
    year = _check("assessment.year", parse_year, _get(assessment, "year", int, "assessment"))
    level = _get(assessment, "level", int, "assessment")
    if level not in (1, 2):
        raise _Bad("assessment.level", tr("bundle.bad_level", value=level if abs(level) < 10**6 else "…"))
    for key, known in (("catalog", catalogs.units), ("citizen_catalog", {catalogs.citizen.id: catalogs.citizen})):
        ref = _get(doc, key, dict, "")
        cat_id, version = _get(ref, "id", str, key), _get(ref, "version", str, key)
        cat = known.get(cat_id)
        if cat is None:
            raise BundleError(tr("bundle.unknown_catalog", path=path, id=safe(cat_id)[:80]), "catalog")
        if cat.version != version:
            raise BundleError(tr("bundle.catalog_version", path=path, id=cat_id, got=safe(version)[:40], want=cat.version), "catalog")
        if key == "catalog" and (cat.tier != tier or cat.level != level):
            raise BundleError(tr("bundle.catalog_level", path=path, id=cat_id, tier=tier, level=level), "catalog")
    problems: list[str] = []
    people = _read_people(catalogs, _get(doc, "people", list, "", required=False) or [], problems)
    entries = _read_entries(catalogs, tier, _get(doc, "entries", list, "", required=False) or [], problems)
    if problems:
        shown = "; ".join(problems[:20]) + (f"; … (+{len(problems) - 20})" if len(problems) > 20 else "")
        raise BundleError(tr("bundle.problems", path=path, n=len(problems), list=shown))
    return {"path": path, "unit": {"code": code, "name": unit_name, "tier": tier},
            "types": types, "year": year, "level": level, "people": people, "entries": entries}


# the TOML type each person field is written with (bundle_document)
PERSON_FIELD_KIND = {name: (int if spec.integer else str) for name, spec in PERSON_FIELDS.items()}
FACT_KIND = {"bool": bool, "int": int}


def _read_people(catalogs: Catalogs, raw_people: list, problems: list[str]) -> list:
    people = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_people):
        where = f"people[{i}]"
        if not isinstance(raw, dict):
            problems.append(str(_expected(where, "bundle.a_table")))
            continue
        if isinstance(raw.get("code"), str):
            where += f" ({safe(raw['code'])[:40]})"
        fields, facts = {}, {}
        for key, value in raw.items():
            try:
                if key in PERSON_FIELDS:
                    fields[key] = _check(f"{where}.{key}", parse_person_field, key,
                                         _get(raw, key, PERSON_FIELD_KIND[key], where))
                elif key == "facts":
                    for name, v in _get(raw, key, dict, where).items():
                        try:
                            fact = catalogs.facts.get(name)
                            if fact is not None and not fact.computed:
                                _get(value, name, FACT_KIND.get(fact.type, str), f"{where}.facts")
                            facts[name] = _check(f"{where}.facts.{name}", parse_fact, catalogs, name, v)
                        except _Bad as e:
                            problems.append(str(e))
                else:
                    raise _Bad(f"{where}.{safe(key)[:40]}", tr("err.unknown_field", name=safe(key)[:40]))
            except _Bad as e:
                problems.append(str(e))
        for key in ("code", "full_name"):
            if key not in raw:
                problems.append(f"{where}.{key}: {tr('err.required', name=key)}")
        code = fields.get("code")
        if code in seen:
            problems.append(f"{where}.code: {tr('bundle.duplicate', code=code)} (people[{seen[code]}])")
        elif code:
            seen[code] = i
        people.append((fields, facts))
    return people


def _read_entries(catalogs: Catalogs, tier: str, raw_entries: list, problems: list[str]) -> dict:
    entries: dict[str, dict] = {}
    for i, raw in enumerate(raw_entries):
        where = f"entries[{i}]"
        try:
            if not isinstance(raw, dict):
                raise _expected(where, "bundle.a_table")
            entry_id = _get(raw, "id", str, where)
            kind = _entry_kind(catalogs, tier, entry_id)
            if kind is None:
                raise _Bad(f"{where}.id", tr("err.unknown_entry", entry=safe(entry_id)[:40]))
            if entry_id in entries:
                raise _Bad(f"{where}.id", tr("bundle.duplicate_entry", entry=entry_id))
            for key in raw:
                if key not in ("id", "value", "evidence", "documents"):
                    raise _Bad(f"{where}.{safe(key)[:40]}", tr("err.unknown_field", name=safe(key)[:40]))
            value = _get(raw, "value", bool if kind == "bool" else str, where, required=False)
            stored = None if value is None else ("1" if value else "0") if kind == "bool" \
                else _check(f"{where}.value", parse_unit_value, catalogs, kind, entry_id, value)
            item = {"value": stored}
            for key in ("evidence", "documents"):
                text = nfc(_get(raw, key, str, where, required=False) or "")
                _check(f"{where}.{key}", lambda t: check_text(key, t, allow=EVIDENCE_CHARS), text)
                if len(text) > MAX_EVIDENCE:
                    raise _Bad(f"{where}.{key}", tr("err.too_long", name=key, limit=MAX_EVIDENCE))
                item[key] = text
            entries[entry_id] = item
        except _Bad as e:
            problems.append(str(e))
    return entries


def import_bundle(db: Database, catalogs: Catalogs, source: str | Path | bytes, *, name: str = "",
                  source_tag: str = "import", progress: Progress | None = None,
                  replace: bool = False) -> BundleResult:
    """Load a transfer file into this database in one transaction. Refused (nothing written)
    for a catalog version that differs from the file's, a unit with the same code but another
    name, tier or types, or an assessment of that unit and year that already holds data —
    unless ``replace``: then that assessment's roster, facts and unit entries are swapped for
    the file's in the same transaction and audit batch (so one undo brings the old data back)."""
    doc = read_bundle(catalogs, source, name)
    path, u, types = doc["path"], doc["unit"], doc["types"]
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
                    raise BundleError(tr("bundle.unit_conflict", path=path, code=unit.code, what=f"{tr('bundle.unit.' + what)} ({ours} ≠ {theirs})"), "conflict")
        ctx = ensure_assessment(s, unit.code, doc["year"], doc["level"], source=source_tag)
        aid = ctx.assessment.id
        held = s.execute(select(func.count()).select_from(RE).where(RE.c.assessment_id == aid)).scalar()
        held += s.execute(select(func.count()).select_from(UnitEntryValue).where(UnitEntryValue.assessment_id == aid)).scalar()
        if held and not replace:
            raise BundleError(tr("bundle.assessment_exists", path=path, code=unit.code, year=doc["year"]), "present")
        audit = _clear_assessment(s, aid) if held else []
        people_audit, _stats = upsert_people(s, catalogs, ctx, doc["people"])
        audit += people_audit
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
    search_index.after_commit(db)  # in short transactions of its own
    if progress:
        progress(len(doc["people"]), len(doc["people"]))
    return BundleResult(u["code"], doc["year"], len(doc["people"]), len(doc["entries"]), created, batch_id,
                        replaced=bool(held))


def _clear_assessment(s, aid: int) -> list[dict]:
    """Empty an assessment's roster, facts and unit entries; returns their audit rows (old ->
    nothing), in the keys undo restores. People records stay: they belong to the unit."""
    audit = [dict(entity="fact", entity_id=r.person_id, field=r.name, old=r.value, new=None)
             for r in s.execute(select(PF.c.person_id, PF.c.name, PF.c.value).where(PF.c.assessment_id == aid))]
    audit += [dict(entity="roster", entity_id=pid, field="*", old="{}", new=None)
              for pid in s.execute(select(RE.c.person_id).where(RE.c.assessment_id == aid)).scalars()]
    for e in s.exec(select(UnitEntryValue).where(UnitEntryValue.assessment_id == aid)).scalars():
        audit += [dict(entity="unit_entry", entity_id=aid, field=f"{e.entry_id}/{col}", old=getattr(e, col),
                       new=None if col == "value" else "") for col in ("value", "evidence", "documents")
                  if getattr(e, col) not in (None, "")]
    s.execute(delete(PF).where(PF.c.assessment_id == aid))
    s.execute(delete(RE).where(RE.c.assessment_id == aid))
    s.execute(delete(UnitEntryValue).where(UnitEntryValue.assessment_id == aid))
    return audit
