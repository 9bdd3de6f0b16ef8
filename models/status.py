"""The ``status --json`` document (a public interface: see docs/ and the README)."""

from __future__ import annotations

from hoctap.models.evaluate import EntryResult, LevelResult
from hoctap.models.units import Context


def _threshold(value) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def entry_json(r: EntryResult) -> dict:
    out: dict = {"id": r.entry.id, "kind": r.entry.kind, "applicable": r.applicable, "met": r.met}
    if not r.applicable:
        return out
    if r.entry.kind == "unit":
        out["value"] = (r.value == "1") if (r.entry.value == "bool" and r.value is not None) else r.value
    else:
        out.update(numerator=r.numerator, denominator=r.denominator,
                   threshold_percent=_threshold(r.entry.threshold_percent), shortfall=r.shortfall)
    return out


def status_json(ctx: Context, level: int, result: LevelResult) -> dict:
    return {
        "unit": {"code": ctx.unit.code, "name": ctx.unit.name, "tier": ctx.unit.tier, "types": ctx.types},
        "year": ctx.assessment.year,
        "level": level,
        "catalog": result.catalog.id,
        "met": result.met,
        "criteria": [{"id": c.id, "met": c.met, "entries": [entry_json(e) for e in c.entries]}
                     for c in result.criteria],
    }
