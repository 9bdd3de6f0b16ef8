"""The receiving office: the intake register, the review worksheet and the units overview.

The office's verdict is the unit's data evaluated by the same engine (``evaluate.evaluate``)
with the office's corrected values and counts put in place of the unit's. The overview reads
every assessment of a year in a handful of ``GROUP BY`` queries, then evaluates in memory:
never one query per unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Sequence

from sqlalchemy import case, func, select

from hoctap.models.audit import Written, batch_summary, record_batch, record_changes
from hoctap.models.catalog import Catalogs, Entry
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError, StaleEdit
from hoctap.models.evaluate import EntryResult, LevelResult, ShareCounts, evaluate
from hoctap.models.fields import InputError, parse_date, parse_unit_value
from hoctap.models.i18n import tr
from hoctap.models.qualify import POPULATION_OF_KIND
from hoctap.models.choices import CHANNELS
from hoctap.models.sql import PF, PT, RE, chunks
from hoctap.models.tables import Assessment, Intake, ReviewFinding, Unit, UnitEntryValue
from hoctap.models.text import nfc
from hoctap.models.units import Context, catalog_for

INTAKE_FIELDS = ("received_on", "channel", "received_by", "note")
FINDING_FIELDS = ("agree", "value", "count", "note")


def deadline(year: int) -> date:
    """Dossiers of a year's assessment are due by 15 January of the year after."""
    return date(year + 1, 1, 15)


def parse_channel(raw: str) -> str:
    key = str(raw).strip().lower().replace("-", "_")
    labels = {tr(f"channel.{c}").lower(): c for c in CHANNELS}
    if key in CHANNELS:
        return key
    if key in labels:
        return labels[key]
    raise InputError(tr("err.bad_channel", value=raw, choices=", ".join(CHANNELS)))


def audit_text(v) -> str | None:
    """A column's value as the audit stores it (undo parses it back in ``column_value``)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def column_value(entity: str, column: str, text: str | None):
    """The inverse of ``_text`` for the office's audited columns."""
    if column == "received_on":
        return None if text is None else date.fromisoformat(text)
    if column in ("agree", "complete"):
        return None if text is None else text == "1"
    if column == "count":
        return None if text is None else int(text)
    if column in ("channel", "received_by", "note", "missing"):
        return text or ""
    return text


# ---- the intake register -------------------------------------------------------------------------

@dataclass(frozen=True)
class IntakeState:
    year: int
    received_on: date | None = None
    channel: str = ""
    received_by: str = ""
    complete: bool | None = None
    missing: str = ""
    note: str = ""
    version: int = 0

    @property
    def deadline(self) -> date:
        return deadline(self.year)

    @property
    def late(self) -> bool:
        return self.received_on is not None and self.received_on > self.deadline

    def text(self) -> str:
        """One line for a table cell: received (when, how) or not, late, complete."""
        if self.received_on is None:
            return tr("office.not_received")
        parts = [tr("office.received", date=self.received_on.strftime("%d/%m/%Y"))]
        if self.channel:
            parts.append(tr(f"channel.{self.channel}"))
        if self.late:
            parts.append(tr("office.late"))
        parts.append(tr({True: "office.complete", False: "office.incomplete", None: "office.not_checked"}[self.complete]))
        return ", ".join(parts)


def dossier_checks(db: Database, catalogs: Catalogs, assessment_ids: Sequence[int]) -> dict[int, tuple[bool, str]]:
    """The dossier check of each assessment (complete, what it lacks as shown to the user): what
    the office records at intake."""
    from hoctap.models.dossier_check import check_dossier

    with db.read() as s:
        pairs = [(a, u) for chunk in chunks(list(assessment_ids))
                 for a, u in s.execute(select(Assessment, Unit).join(Unit, Unit.id == Assessment.unit_id)
                                       .where(Assessment.id.in_(chunk))).all()]
        s.expunge_all()
    out = {}
    for assessment, unit in pairs:
        found = check_dossier(db, catalogs, Context(unit, assessment), None)
        out[assessment.id] = (found.complete, "; ".join(m.text for m in found.items))
    return out


def mark_received(db: Database, assessment_ids: Sequence[int], *, received_on: date | str, channel: str,
                  received_by: str = "", note: str | None = None, expected_versions: dict[int, int] | None = None,
                  checks: dict[int, tuple[bool, str]] | None = None, source: str = "cli") -> Written:
    """Record the dossiers of these assessments as received: one batch for all of them, with what
    the dossier check found (``checks``, from ``dossier_checks``) where given."""
    values = {"received_on": parse_date(received_on, tr("office.received_on")), "channel": parse_channel(channel),
              "received_by": nfc(received_by.strip())}
    if note is not None:
        values["note"] = nfc(note.strip())
    ids = list(dict.fromkeys(assessment_ids))
    with db.write() as s:
        rows = {r.assessment_id: r for chunk in chunks(ids)
                for r in s.exec(select(Intake).where(Intake.assessment_id.in_(chunk))).scalars()}
        known = {a for chunk in chunks(ids) for a in s.execute(select(Assessment.id).where(Assessment.id.in_(chunk))).scalars()}
        if len(known) != len(ids):
            raise HoctapError(tr("err.stale"))
        audit = []
        for aid in ids:
            row = rows.get(aid)
            if expected_versions and aid in expected_versions and (row.version if row else 0) != expected_versions[aid]:
                raise StaleEdit(tr("err.stale"))
            if row is None:
                row = Intake(assessment_id=aid, version=0)
                s.add(row)
            wanted = values
            if checks and aid in checks:
                complete, missing = checks[aid]
                wanted = values | {"complete": complete, "missing": nfc(missing.strip())}
            diff = {k: v for k, v in wanted.items() if getattr(row, k) != v}
            if not diff:
                continue
            audit += [dict(entity="intake", entity_id=aid, field=k, old=audit_text(getattr(row, k)), new=audit_text(v))
                      for k, v in diff.items()]
            for k, v in diff.items():
                setattr(row, k, v)
            row.version += 1
        if not audit:
            return Written(None, 0)
        s.flush()
        touched = {c["entity_id"] for c in audit}
        batch = record_batch(s, source, "intake", ids[0] if len(ids) == 1 else None,
                             batch_summary("intake", n=len(touched)))
        record_changes(s, batch, audit)
        return Written(batch, len(touched))


def intake_of(db: Database, ctx: Context) -> IntakeState:
    with db.read() as s:
        row = s.get(Intake, ctx.assessment.id)
        return _intake_state(ctx.assessment.year, row)


def _intake_state(year: int, row: Intake | None) -> IntakeState:
    if row is None:
        return IntakeState(year)
    return IntakeState(year, row.received_on, row.channel, row.received_by, row.complete, row.missing, row.note,
                       row.version)


# ---- the review worksheet ------------------------------------------------------------------------

@dataclass(frozen=True)
class CorrectedCounts(ShareCounts):
    """The unit's counts, with the office's corrected number of qualifying people per entry."""

    corrected: dict[str, int] = field(default_factory=dict)

    def qualifying(self, catalogs: Catalogs, entry: Entry) -> int:
        if entry.id in self.corrected:
            return self.corrected[entry.id]
        return super().qualifying(catalogs, entry)


@dataclass(frozen=True)
class Finding:
    entry_id: str
    agree: bool | None = None
    value: str | None = None
    count: int | None = None
    note: str = ""
    version: int = 0


@dataclass(frozen=True)
class Review:
    """A unit's self-assessment beside the office's: per entry and for the level."""

    own: LevelResult
    office: LevelResult
    findings: dict[str, Finding]

    @property
    def reviewed(self) -> bool:
        return bool(self.findings)

    def disagreements(self) -> list[tuple[EntryResult, EntryResult, Finding]]:
        """The entries the office disagrees with: (the unit's result, the office's, the finding)."""
        office = {r.entry.id: r for r in self.office.entries()}
        return [(r, office[r.entry.id], self.findings[r.entry.id]) for r in self.own.entries()
                if r.entry.id in self.findings and self.findings[r.entry.id].agree is False]


def office_evaluate(catalogs: Catalogs, catalog, types, counts: ShareCounts, values: dict[str, str | None],
                    findings: dict[str, Finding]) -> tuple[LevelResult, LevelResult]:
    """The unit's result and the office's, the same engine on the corrected data."""
    own = evaluate(catalogs, catalog, types, counts, values)
    changed = {k: f for k, f in findings.items() if f.agree is False}
    if not changed:  # nothing corrected: the office's data is the unit's
        return own, own
    office_values = {**values, **{k: f.value for k, f in changed.items() if f.value is not None}}
    corrected = CorrectedCounts(counts.population, counts.values,
                                {k: f.count for k, f in changed.items() if f.count is not None})
    return own, evaluate(catalogs, catalog, types, corrected, office_values)


def review(db: Database, catalogs: Catalogs, ctx: Context) -> Review:
    from hoctap.models.meters import share_counts, unit_entry_rows

    catalog = catalog_for(catalogs, ctx.unit, ctx.assessment.level)
    counts = share_counts(db, ctx, {e.fact for e in catalog.entries() if e.kind == "share"})
    values = {k: r.value for k, r in unit_entry_rows(db, ctx).items()}
    found = findings_of(db, ctx)
    own, office = office_evaluate(catalogs, catalog, ctx.types, counts, values, found)
    return Review(own, office, found)


def findings_of(db: Database, ctx: Context) -> dict[str, Finding]:
    with db.read() as s:
        rows = s.exec(select(ReviewFinding).where(ReviewFinding.assessment_id == ctx.assessment.id)).scalars()
        return {r.entry_id: _finding(r) for r in rows}


def _finding(r: ReviewFinding) -> Finding:
    return Finding(r.entry_id, r.agree, r.value, r.count, r.note, r.version)


def set_finding(db: Database, catalogs: Catalogs, ctx: Context, entry_id: str, *, agree: bool | None,
                value: str | None = None, count: int | str | None = None, note: str | None = None,
                expected_version: int | None = None, source: str = "cli") -> Written:
    """The office's finding on one entry: agree, or disagree with a corrected value (unit entry)
    or count of qualifying people (share entry), and a note. Agreeing clears any correction."""
    catalog = catalog_for(catalogs, ctx.unit, ctx.assessment.level)
    try:
        entry = catalog.entry(entry_id.strip())
    except KeyError:
        raise InputError(tr("err.unknown_entry", entry=entry_id)) from None
    if value not in (None, "") and entry.kind != "unit":
        raise InputError(tr("err.finding_value_only_unit", entry=entry.id))
    if count not in (None, "") and entry.kind != "share":
        raise InputError(tr("err.finding_count_only_share", entry=entry.id))
    parsed_value = parse_unit_value(catalogs, entry.value, entry.id, value) if value not in (None, "") else None
    parsed_count = None
    aid = ctx.assessment.id
    if count not in (None, ""):
        kind = next(k for k, p in POPULATION_OF_KIND.items() if p == entry.population)
        with db.read() as s:
            population = s.execute(select(func.count()).select_from(RE.join(PT, PT.c.id == RE.c.person_id))
                                   .where(RE.c.assessment_id == aid, PT.c.kind == kind)).scalar()
        try:
            parsed_count = int(str(count).strip())
        except ValueError:
            raise InputError(tr("err.bad_count", entry=entry.id, value=count, max=population)) from None
        if not 0 <= parsed_count <= population:
            raise InputError(tr("err.bad_count", entry=entry.id, value=count, max=population))
    new = {"agree": agree, "value": None if agree else parsed_value, "count": None if agree else parsed_count}
    if note is not None:
        new["note"] = nfc(note.strip())
    with db.write() as s:
        row = s.get(ReviewFinding, (aid, entry.id))
        if expected_version is not None and (row.version if row else 0) != expected_version:
            raise StaleEdit(tr("err.stale"))
        if row is None:
            row = ReviewFinding(assessment_id=aid, entry_id=entry.id, version=0)
            s.add(row)
        diff = {k: v for k, v in new.items() if getattr(row, k) != v}
        if not diff:
            return Written(None, 0)
        audit = [dict(entity="review", entity_id=aid, field=f"{entry.id}/{k}", old=audit_text(getattr(row, k)), new=audit_text(v))
                 for k, v in diff.items()]
        for k, v in diff.items():
            setattr(row, k, v)
        row.version += 1
        s.flush()
        batch = record_batch(s, source, "review", aid, batch_summary("review", entry=entry.id))
        record_changes(s, batch, audit)
        return Written(batch, len(audit))


# ---- the units overview --------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitRow:
    """One unit's line of the overview (and of the combined report)."""

    assessment_id: int
    unit: Unit
    year: int
    level: int
    own: LevelResult | None  # None: no catalog for the unit's tier and level
    office: LevelResult | None
    reviewed: bool
    intake: IntakeState
    population: dict[str, int]  # members / learners
    lc_holders: dict[str, int]  # people holding the Learning Citizen title, per population
    disagreements: tuple[str, ...] = ()

    @property
    def own_met(self) -> bool | None:
        return None if self.own is None else self.own.met

    @property
    def office_met(self) -> bool | None:
        """The office's verdict; None until it records a finding."""
        return None if self.office is None or not self.reviewed else self.office.met

    def short(self, result: LevelResult | None = None) -> list[EntryResult]:
        """The applicable entries not met, with their shortfall (share entries)."""
        result = result or self.own
        return [] if result is None else [r for r in result.entries() if r.applicable and r.status != "met"]

    def unconfirmed(self) -> list[str]:
        return [] if self.own is None else [r.entry.id for r in self.own.entries()
                                            if r.applicable and not r.entry.confirmed]

    def short_text(self) -> str:
        return ", ".join(f"{r.entry.id} (+{r.shortfall})" if r.shortfall else r.entry.id for r in self.short())

    def lc_share(self, population: str):
        from fractions import Fraction

        n = self.population.get(population, 0)
        return Fraction(self.lc_holders.get(population, 0), n) if n else None


def overview(db: Database, catalogs: Catalogs, year: int) -> list[UnitRow]:
    """Every unit assessed in ``year``, ordered by code: six set-based queries in all."""
    kinds = list(POPULATION_OF_KIND)
    per_kind = [func.count(case((PT.c.kind == kind, 1))) for kind in kinds]
    share_facts = sorted({e.fact for cat in catalogs.units.values() for e in cat.entries() if e.kind == "share"})
    lc_fact = catalogs.citizen.result_fact
    in_year = select(Assessment.id).where(Assessment.year == year).scalar_subquery()
    with db.read() as s:
        heads = s.execute(select(Assessment.id, Assessment.level, Unit).join(Unit, Unit.id == Assessment.unit_id)
                          .where(Assessment.year == year).order_by(Unit.code)).all()
        pops = s.execute(select(RE.c.assessment_id, *per_kind).select_from(RE.join(PT, PT.c.id == RE.c.person_id))
                         .where(RE.c.assessment_id.in_(in_year)).group_by(RE.c.assessment_id)).all()
        facts = s.execute(select(PF.c.assessment_id, PF.c.name, PF.c.value, *per_kind)
                          .select_from(PF.join(PT, PT.c.id == PF.c.person_id))
                          .where(PF.c.assessment_id.in_(in_year), PF.c.name.in_([*share_facts, lc_fact]))
                          .group_by(PF.c.assessment_id, PF.c.name, PF.c.value)).all()
        entries = s.execute(select(UnitEntryValue.assessment_id, UnitEntryValue.entry_id, UnitEntryValue.value)
                            .where(UnitEntryValue.assessment_id.in_(in_year))).all()
        found = list(s.exec(select(ReviewFinding).where(ReviewFinding.assessment_id.in_(in_year))).scalars())
        intakes = {r.assessment_id: r for r in s.exec(select(Intake).where(Intake.assessment_id.in_(in_year))).scalars()}
    population: dict[int, dict[str, int]] = {aid: {POPULATION_OF_KIND[k]: n for k, n in zip(kinds, ns) if n}
                                             for aid, *ns in pops}
    values: dict[int, dict[tuple[str, str, str], int]] = {}
    lc: dict[int, dict[str, int]] = {}
    for aid, name, value, *ns in facts:
        for kind, n in zip(kinds, ns):
            if n:
                values.setdefault(aid, {})[(POPULATION_OF_KIND[kind], name, value)] = n
                if name == lc_fact and value == "1":
                    lc.setdefault(aid, {})[POPULATION_OF_KIND[kind]] = n
    ticked: dict[int, dict[str, str | None]] = {}
    for aid, entry_id, value in entries:
        ticked.setdefault(aid, {})[entry_id] = value
    findings: dict[int, dict[str, Finding]] = {}
    for r in found:
        findings.setdefault(r.assessment_id, {})[r.entry_id] = _finding(r)
    rows = []
    for aid, level, unit in heads:
        try:
            catalog = catalog_for(catalogs, unit, level)
        except HoctapError:
            catalog = None
        mine = findings.get(aid, {})
        own = office = None
        if catalog is not None:
            counts = ShareCounts(population.get(aid, {}), values.get(aid, {}))
            own, office = office_evaluate(catalogs, catalog, unit.type_list, counts, ticked.get(aid, {}), mine)
        rows.append(UnitRow(aid, unit, year, level, own, office, bool(mine), _intake_state(year, intakes.get(aid)),
                            population.get(aid, {}), lc.get(aid, {}),
                            tuple(k for k, f in mine.items() if f.agree is False)))
    return rows


def overview_json(catalogs: Catalogs, rows: Iterable[UnitRow]) -> list[dict]:
    """The overview as plain data (``hoctap units --json``): ids and labels side by side."""
    from hoctap.models.i18n import lang

    out = []
    for r in rows:
        out.append({
            "code": r.unit.code, "name": r.unit.name, "tier": r.unit.tier, "tier_label": tr(r.unit.tier),
            "types": r.unit.type_list,
            "type_labels": [catalogs.unit_types[t].label(lang()) if t in catalogs.unit_types else t
                            for t in r.unit.type_list],
            "year": r.year, "level": r.level, "own_met": r.own_met, "office_met": r.office_met,
            "reviewed": r.reviewed,
            "short": [{"entry": e.entry.id, "status": e.status, "shortfall": e.shortfall} for e in r.short()],
            "office_short": [{"entry": e.entry.id, "status": e.status, "shortfall": e.shortfall}
                             for e in r.short(r.office)] if r.reviewed else [],
            "disagreements": list(r.disagreements), "unconfirmed": r.unconfirmed(),
            "received_on": audit_text(r.intake.received_on), "channel": r.intake.channel or None,
            "late": r.intake.late, "complete": r.intake.complete, "missing": r.intake.missing,
            "deadline": r.intake.deadline.isoformat(),
            "population": r.population, "lc_holders": r.lc_holders,
        })
    return out
