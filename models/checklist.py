"""The unit's own checklist: entries ticked for the unit as a whole (not computed from the
roster), with their evidence and documents."""

from __future__ import annotations

from hoctap.models.audit import Written, record_batch, record_changes
from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.errors import StaleEdit
from hoctap.models.fields import InputError, parse_unit_value
from hoctap.models.i18n import tr
from hoctap.models.tables import UnitEntryValue, utcnow
from hoctap.models.text import nfc
from hoctap.models.units import Context, catalog_for


def check_entries(db: Database, catalogs: Catalogs, ctx: Context, values: dict[str, str],
                  evidence: str | None = None, documents: str | None = None, *, level: int | None = None,
                  expected_versions: dict[str, int] | None = None, source: str = "cli") -> Written:
    """Tick unit-level entries: ``values`` maps entry id to raw text (parsed here). Evidence and
    documents, when given, are stored on each of those entries. Returns the batch and the
    number of entry columns changed."""
    catalog = catalog_for(catalogs, ctx.unit, ctx.level_or(level))
    parsed: dict[str, str | None] = {}
    for entry_id, raw in values.items():
        try:
            entry = catalog.entry(entry_id.strip())
        except KeyError:
            raise InputError(tr("err.unknown_entry", entry=entry_id)) from None
        if entry.kind != "unit":
            raise InputError(tr("err.not_unit_entry", entry=entry.id))
        parsed[entry.id] = parse_unit_value(catalogs, entry.value, entry.id, raw)
    aid = ctx.assessment.id
    with db.write() as s:
        audit = []
        for entry_id, value in parsed.items():
            row = s.get(UnitEntryValue, (aid, entry_id))
            if expected_versions and entry_id in expected_versions:
                if (row.version if row else 0) != expected_versions[entry_id]:
                    raise StaleEdit(tr("err.stale"))
            if row is None:
                row = UnitEntryValue(assessment_id=aid, entry_id=entry_id, version=0)
                s.add(row)
                old = {"value": None, "evidence": "", "documents": ""}
            else:
                old = {"value": row.value, "evidence": row.evidence, "documents": row.documents}
            new = {"value": value,
                   "evidence": old["evidence"] if evidence is None else nfc(evidence),
                   "documents": old["documents"] if documents is None else nfc(documents)}
            diff = {k: v for k, v in new.items() if v != old[k]}
            if not diff:
                continue
            for k, v in diff.items():
                setattr(row, k, v)
            row.version += 1
            row.updated_at = utcnow()
            audit += [dict(entity="unit_entry", entity_id=aid, field=f"{entry_id}/{k}", old=old[k], new=v)
                      for k, v in diff.items()]
        batch = None
        if audit:
            s.flush()
            batch = record_batch(s, source, "check", aid, ", ".join(f"{k}={v}" for k, v in values.items()))
            record_changes(s, batch, audit)
        return Written(batch, len(audit))
