"""The recognition dossier beyond its workbook: the head and the numbers of its documents
(``DossierInfo``), the evaluation team, the evidence register and the per-criterion narrative.

Every write is one transaction and one audit batch (action ``dossier``), undone by
``models/undo.py`` through ``current_values``/``restore`` below. Team members and evidence are
audited as whole-row snapshots (field ``*``, JSON or None when absent), so adding, editing,
removing and relinking all undo the same way; dossier fields and narrative sections are audited
one value each.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from sqlalchemy import delete, select
from sqlmodel import Session

from hoctap.models.audit import Written, batch_summary, record_batch, record_changes
from hoctap.models.catalog import Catalogs, LearningUnitCatalog
from hoctap.models.choices import INFO_FIELDS, INFO_KEYS, info_label  # noqa: F401  (the dossier's API)
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError, StaleEdit
from hoctap.models.fields import InputError, parse_date, parse_name
from hoctap.models.i18n import both, tr
from hoctap.models.tables import DossierInfo, Evidence, EvidenceLink, Narrative, TeamMember, UnitEntryValue
from hoctap.models.text import nfc
from hoctap.models.units import Context, catalog_for

ROLES = ("leader", "secretary", "member")
SECTIONS = ("strengths", "weaknesses", "plan")
DEFAULT_CODE_SCHEME = "H{criterion}-{nn:02}"  # config `evidence_code`: H1-01, H1-02, H2-01 …
ENTITIES = ("dossier", "team", "evidence", "narrative")

_MEMBER_COLS = ("seq", "full_name", "position", "role")
_EVIDENCE_COLS = ("code", "title", "number", "issued_on", "issuer")


ROLE_KEYS = {"leader": "team.role.leader", "secretary": "team.role.secretary", "member": "staff"}


def role_label(role: str) -> str:
    return tr(ROLE_KEYS[role])


def section_label(section: str) -> str:
    return tr(f"narrative.{section}")


def parse_role(raw: str) -> str:
    """A role by id or by its label in either language ("thư ký", "secretary")."""
    text = nfc(raw).strip().casefold()
    for role in ROLES:
        if text == role or text in (t.casefold() for t in both(ROLE_KEYS[role])):
            return role
    raise InputError(tr("err.bad_role", value=raw, choices=", ".join(role_label(r) for r in ROLES)))


def parse_section(raw: str) -> str:
    text = nfc(raw).strip().casefold()
    for section in SECTIONS:
        if text == section or text in (t.casefold() for t in both(f"narrative.{section}")):
            return section
    raise InputError(tr("err.bad_section", value=raw, choices=", ".join(SECTIONS)))


def _line(raw: str, key: str) -> str:
    return parse_name(raw, tr(key)) if raw else ""


def _text(raw: str) -> str:
    """Free text that may span lines (a narrative, a conclusion): NFC, trimmed."""
    return "\n".join(line.rstrip() for line in nfc(raw).strip().splitlines())


def iso(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _check_version(row, expected: int | None) -> None:
    if expected is not None and (row.version if row is not None else 0) != expected:
        raise StaleEdit(tr("err.stale"))


def _batch(s: Session, ctx: Context, source: str, key: str, audit: list[dict], **params) -> int | None:
    if not audit:
        return None
    s.flush()
    batch = record_batch(s, source, "dossier", ctx.assessment.id, batch_summary(key, **params))
    record_changes(s, batch, audit)
    return batch


# ---- head, bodies and numbers ------------------------------------------------------------------

def get_info(db: Database, ctx: Context) -> DossierInfo:
    """The assessment's dossier details (an empty, unsaved one when none are given yet)."""
    with db.read() as s:
        return s.get(DossierInfo, ctx.assessment.id) or DossierInfo(assessment_id=ctx.assessment.id, version=0)


def set_info(db: Database, ctx: Context, changes: dict[str, str | date | None], *,
             expected_version: int | None = None, source: str = "cli") -> Written:
    """Set some dossier fields (``changes`` maps a field of ``INFO_FIELDS`` to text)."""
    parsed: dict[str, object] = {}
    for name, raw in changes.items():
        if name not in INFO_FIELDS:
            raise InputError(tr("err.bad_dossier_field", name=name, choices=", ".join(INFO_FIELDS)))
        if name == "team_decision_date":
            parsed[name] = parse_date(raw, tr("dossier.team_decision_date"))
        elif name == "conclusion":
            parsed[name] = _text(raw or "")
        else:
            parsed[name] = _line(raw or "", INFO_KEYS[name])
    aid = ctx.assessment.id
    with db.write() as s:
        row = s.get(DossierInfo, aid)
        _check_version(row, expected_version)
        if row is None:
            row = DossierInfo(assessment_id=aid, version=0)
            s.add(row)
        audit = [dict(entity="dossier", entity_id=aid, field=k, old=iso(getattr(row, k)), new=iso(v))
                 for k, v in parsed.items() if getattr(row, k) != v]
        for change in audit:
            setattr(row, change["field"], parsed[change["field"]])
        if audit:
            row.version += 1
        return Written(_batch(s, ctx, source, "dossier_info", audit), len(audit))


# ---- the evaluation team -----------------------------------------------------------------------

def _member_json(m: TeamMember) -> str:
    return json.dumps({c: getattr(m, c) for c in _MEMBER_COLS}, ensure_ascii=False, sort_keys=True)


def _team(s: Session, aid: int) -> list[TeamMember]:
    return list(s.exec(select(TeamMember).where(TeamMember.assessment_id == aid)
                       .order_by(TeamMember.seq, TeamMember.id)).scalars())


def list_team(db: Database, ctx: Context) -> list[TeamMember]:
    """The team in its order (the decision's and the signature blocks')."""
    with db.read() as s:
        return _team(s, ctx.assessment.id)


def _member_at(team: list[TeamMember], n: int) -> TeamMember:
    """Members are addressed by their number in the list (1-based), as the user sees them."""
    if not 1 <= n <= len(team):
        raise HoctapError(tr("err.no_member", n=n))
    return team[n - 1]


def add_member(db: Database, ctx: Context, full_name: str, position: str = "", role: str = "member", *,
               source: str = "cli") -> Written:
    name = parse_name(full_name, tr("field.full_name"))
    if not name:
        raise InputError(tr("err.required", name=tr("field.full_name")))
    row = TeamMember(assessment_id=ctx.assessment.id, full_name=name,
                     position=_line(position, "field.position"), role=parse_role(role))
    with db.write() as s:
        team = _team(s, ctx.assessment.id)
        row.seq = (team[-1].seq + 1) if team else 1
        s.add(row)
        s.flush()
        audit = [dict(entity="team", entity_id=row.id, field="*", old=None, new=_member_json(row))]
        return Written(_batch(s, ctx, source, "team_add", audit, name=name), 1)


def edit_member(db: Database, ctx: Context, n: int, *, full_name: str | None = None, position: str | None = None,
                role: str | None = None, expected_version: int | None = None, source: str = "cli") -> Written:
    new: dict[str, str] = {}
    if full_name is not None:
        new["full_name"] = parse_name(full_name, tr("field.full_name"))
        if not new["full_name"]:
            raise InputError(tr("err.required", name=tr("field.full_name")))
    if position is not None:
        new["position"] = _line(position, "field.position")
    if role is not None:
        new["role"] = parse_role(role)
    with db.write() as s:
        row = _member_at(_team(s, ctx.assessment.id), n)
        _check_version(row, expected_version)
        old = _member_json(row)
        for k, v in new.items():
            setattr(row, k, v)
        if _member_json(row) == old:
            return Written(None, 0)
        row.version += 1
        audit = [dict(entity="team", entity_id=row.id, field="*", old=old, new=_member_json(row))]
        return Written(_batch(s, ctx, source, "team_edit", audit, name=row.full_name), 1)


def remove_member(db: Database, ctx: Context, n: int, *, expected_version: int | None = None,
                  source: str = "cli") -> Written:
    with db.write() as s:
        row = _member_at(_team(s, ctx.assessment.id), n)
        _check_version(row, expected_version)
        audit = [dict(entity="team", entity_id=row.id, field="*", old=_member_json(row), new=None)]
        s.delete(row)
        return Written(_batch(s, ctx, source, "team_remove", audit, name=row.full_name), 1)


def move_member(db: Database, ctx: Context, n: int, to: int, *, source: str = "cli") -> Written:
    """Move member number ``n`` to place ``to``; the others keep their order."""
    with db.write() as s:
        team = _team(s, ctx.assessment.id)
        row = _member_at(team, n)
        _member_at(team, to)
        team.remove(row)
        team.insert(to - 1, row)
        audit = []
        for seq, m in enumerate(team, 1):
            if m.seq != seq:
                old = _member_json(m)
                m.seq, m.version = seq, m.version + 1
                audit.append(dict(entity="team", entity_id=m.id, field="*", old=old, new=_member_json(m)))
        return Written(_batch(s, ctx, source, "team_move", audit), len(audit))


# ---- the evidence register ---------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceItem:
    """A register row with the entries it supports (in catalog order where known)."""

    row: Evidence
    entries: tuple[str, ...]


def _links(s: Session, evidence_ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    ids = list(evidence_ids)
    if ids:
        for eid, entry in s.execute(select(EvidenceLink.evidence_id, EvidenceLink.entry_id)
                                    .where(EvidenceLink.evidence_id.in_(ids)).order_by(EvidenceLink.entry_id)).all():
            out.setdefault(eid, []).append(entry)
    return out


def _evidence_json(row: Evidence, entries: Iterable[str]) -> str:
    data = {c: iso(getattr(row, c)) for c in _EVIDENCE_COLS}
    data["entries"] = sorted(set(entries))
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def list_evidence(db: Database, ctx: Context) -> list[EvidenceItem]:
    with db.read() as s:
        return _evidence_items(s, ctx.assessment.id)


def _evidence_items(s: Session, aid: int) -> list[EvidenceItem]:
    rows = list(s.exec(select(Evidence).where(Evidence.assessment_id == aid).order_by(Evidence.code)).scalars())
    links = _links(s, [r.id for r in rows])
    return [EvidenceItem(r, tuple(links.get(r.id, ()))) for r in rows]


def evidence_by_entry(db: Database, ctx: Context) -> dict[str, list[str]]:
    """Entry id -> the codes citing it (what the report and the checklist show)."""
    out: dict[str, list[str]] = {}
    for item in list_evidence(db, ctx):
        for entry in item.entries:
            out.setdefault(entry, []).append(item.row.code)
    return out


def _catalog(catalogs: Catalogs, ctx: Context, level: int | None) -> LearningUnitCatalog:
    return catalog_for(catalogs, ctx.unit, ctx.level_or(level))


def _entry_ids(catalog: LearningUnitCatalog, raw: Iterable[str]) -> list[str]:
    out = []
    for entry_id in raw:
        entry_id = entry_id.strip()
        if not entry_id:
            continue
        try:
            out.append(catalog.entry(entry_id).id)
        except KeyError:
            raise InputError(tr("err.unknown_entry", entry=entry_id)) from None
    return out


def criterion_of(catalog: LearningUnitCatalog, raw: str) -> str:
    """A criterion id as the user types it ("C1", "c1" or "1")."""
    text = raw.strip().upper()
    for c in catalog.criteria:
        if text in (c.id.upper(), re.sub(r"\D", "", c.id)):
            return c.id
    raise InputError(tr("err.unknown_criterion", criterion=raw, choices=", ".join(c.id for c in catalog.criteria)))


def next_code(s: Session, aid: int, criterion: str, scheme: str = DEFAULT_CODE_SCHEME) -> str:
    """The first free code of ``scheme`` for a criterion: ``{criterion}`` is its number (C2 -> 2),
    ``{nn}`` counts from 1."""
    taken = set(s.execute(select(Evidence.code).where(Evidence.assessment_id == aid)).scalars())
    number = re.sub(r"\D", "", criterion) or criterion
    for nn in range(1, 10_000):
        try:
            code = scheme.format(criterion=number, nn=nn)
        except (KeyError, IndexError, ValueError) as e:
            raise HoctapError(tr("err.bad_code_scheme", scheme=scheme, error=e)) from None
        if code not in taken:
            return code
    raise HoctapError(tr("err.bad_code_scheme", scheme=scheme, error="…"))


def _get_evidence(s: Session, aid: int, code: str) -> Evidence:
    row = s.exec(select(Evidence).where(Evidence.assessment_id == aid, Evidence.code == nfc(code).strip())).scalars().first()
    if row is None:
        raise HoctapError(tr("err.no_evidence", code=code))
    return row


def add_evidence(db: Database, catalogs: Catalogs, ctx: Context, title: str, *, code: str | None = None,
                 criterion: str | None = None, number: str = "", issued_on: str | date | None = None,
                 issuer: str = "", entries: Iterable[str] = (), level: int | None = None,
                 scheme: str = DEFAULT_CODE_SCHEME, source: str = "cli") -> Written:
    """Register a piece of evidence. Without ``code`` it is numbered by ``scheme`` under
    ``criterion`` (or the criterion of its first entry)."""
    catalog = _catalog(catalogs, ctx, level)
    linked = _entry_ids(catalog, entries)
    title = parse_name(title, tr("evidence.title"))
    if not title:
        raise InputError(tr("err.required", name=tr("evidence.title")))
    if criterion is None and code is None and linked:
        criterion = next(c.id for c in catalog.criteria if any(e.id == linked[0] for e in c.entries))
    if code is None and criterion is None:
        raise InputError(tr("err.evidence_needs_code"))
    crit = criterion_of(catalog, criterion) if criterion is not None else None
    aid = ctx.assessment.id
    with db.write() as s:
        if code is None:
            code = next_code(s, aid, crit, scheme)
        else:
            code = _line(code, "evidence.code")
            if not code:
                raise InputError(tr("err.required", name=tr("evidence.code")))
            if s.exec(select(Evidence.id).where(Evidence.assessment_id == aid, Evidence.code == code)).first():
                raise HoctapError(tr("err.evidence_exists", code=code))
        row = Evidence(assessment_id=aid, code=code, title=title, number=_line(number, "evidence.number"),
                       issued_on=parse_date(issued_on, tr("evidence.issued_on")),
                       issuer=_line(issuer, "evidence.issuer"))
        s.add(row)
        s.flush()
        for entry in sorted(set(linked)):
            s.add(EvidenceLink(evidence_id=row.id, entry_id=entry))
        audit = [dict(entity="evidence", entity_id=row.id, field="*", old=None, new=_evidence_json(row, linked))]
        return Written(_batch(s, ctx, source, "evidence_add", audit, code=code), 1)


def edit_evidence(db: Database, catalogs: Catalogs, ctx: Context, code: str, *, title: str | None = None,
                  number: str | None = None, issued_on: str | date | None = None, issuer: str | None = None,
                  new_code: str | None = None, link: Iterable[str] = (), unlink: Iterable[str] = (),
                  level: int | None = None, expected_version: int | None = None, source: str = "cli") -> Written:
    """Change a register row's fields and the entries it supports (``link`` adds, ``unlink``
    removes)."""
    catalog = _catalog(catalogs, ctx, level)
    add, drop = set(_entry_ids(catalog, link)), set(_entry_ids(catalog, unlink))
    aid = ctx.assessment.id
    with db.write() as s:
        row = _get_evidence(s, aid, code)
        _check_version(row, expected_version)
        entries = set(_links(s, [row.id]).get(row.id, []))
        old = _evidence_json(row, entries)
        if title is not None:
            row.title = parse_name(title, tr("evidence.title")) or row.title
        if number is not None:
            row.number = _line(number, "evidence.number")
        if issued_on is not None:
            row.issued_on = parse_date(issued_on, tr("evidence.issued_on"))
        if issuer is not None:
            row.issuer = _line(issuer, "evidence.issuer")
        if new_code is not None and _line(new_code, "evidence.code") not in ("", row.code):
            new_code = _line(new_code, "evidence.code")
            if s.exec(select(Evidence.id).where(Evidence.assessment_id == aid, Evidence.code == new_code)).first():
                raise HoctapError(tr("err.evidence_exists", code=new_code))
            row.code = new_code
        for entry in add - entries:
            s.add(EvidenceLink(evidence_id=row.id, entry_id=entry))
        gone = (drop & entries) - add
        if gone:
            s.execute(delete(EvidenceLink).where(EvidenceLink.evidence_id == row.id, EvidenceLink.entry_id.in_(gone)))
        new = _evidence_json(row, (entries | add) - gone)
        if new == old:
            return Written(None, 0)
        row.version += 1
        audit = [dict(entity="evidence", entity_id=row.id, field="*", old=old, new=new)]
        return Written(_batch(s, ctx, source, "evidence_edit", audit, code=row.code), 1)


def remove_evidence(db: Database, ctx: Context, code: str, *, expected_version: int | None = None,
                    source: str = "cli") -> Written:
    aid = ctx.assessment.id
    with db.write() as s:
        row = _get_evidence(s, aid, code)
        _check_version(row, expected_version)
        audit = [dict(entity="evidence", entity_id=row.id, field="*",
                      old=_evidence_json(row, _links(s, [row.id]).get(row.id, [])), new=None)]
        s.execute(delete(EvidenceLink).where(EvidenceLink.evidence_id == row.id))
        s.delete(row)
        return Written(_batch(s, ctx, source, "evidence_remove", audit, code=row.code), 1)


def convert_free_text(db: Database, catalogs: Catalogs, ctx: Context, *, level: int | None = None,
                      scheme: str = DEFAULT_CODE_SCHEME, source: str = "cli") -> Written:
    """Turn the checklist's free-text evidence into register rows, one per entry whose text is
    not cited yet: the text becomes the title, the entry its link, the code the next of its
    criterion. The free text stays (imports keep filling it). One batch."""
    catalog = _catalog(catalogs, ctx, level)
    criterion_of_entry = {e.id: c.id for c in catalog.criteria for e in c.entries}
    aid = ctx.assessment.id
    with db.write() as s:
        cited = {entry for item in _evidence_items(s, aid) for entry in item.entries}
        rows = s.exec(select(UnitEntryValue).where(UnitEntryValue.assessment_id == aid)).scalars()
        todo = sorted((r for r in rows if r.evidence.strip() and r.entry_id in criterion_of_entry
                       and r.entry_id not in cited), key=lambda r: list(criterion_of_entry).index(r.entry_id))
        audit = []
        for value in todo:
            title = " ".join(value.evidence.split())[:500]
            row = Evidence(assessment_id=aid, code=next_code(s, aid, criterion_of_entry[value.entry_id], scheme),
                           title=title)
            s.add(row)
            s.flush()
            s.add(EvidenceLink(evidence_id=row.id, entry_id=value.entry_id))
            audit.append(dict(entity="evidence", entity_id=row.id, field="*", old=None,
                              new=_evidence_json(row, [value.entry_id])))
        return Written(_batch(s, ctx, source, "evidence_convert", audit, n=len(audit)), len(audit))


# ---- the narrative -----------------------------------------------------------------------------

def get_narrative(db: Database, ctx: Context) -> dict[tuple[str, str], Narrative]:
    """(criterion id, section) -> its row, for the sections written so far."""
    with db.read() as s:
        rows = s.exec(select(Narrative).where(Narrative.assessment_id == ctx.assessment.id)).scalars()
        return {(r.criterion_id, r.section): r for r in rows}


def set_narrative(db: Database, catalogs: Catalogs, ctx: Context, criterion: str, section: str, text: str, *,
                  level: int | None = None, expected_version: int | None = None, source: str = "cli") -> Written:
    crit = criterion_of(_catalog(catalogs, ctx, level), criterion)
    section = parse_section(section)
    text = _text(text)
    aid = ctx.assessment.id
    with db.write() as s:
        row = s.get(Narrative, (aid, crit, section))
        _check_version(row, expected_version)
        old = row.text if row is not None else ""
        if old == text:
            return Written(None, 0)
        if row is None:
            row = Narrative(assessment_id=aid, criterion_id=crit, section=section, version=0)
            s.add(row)
        row.text, row.version = text, row.version + 1
        audit = [dict(entity="narrative", entity_id=aid, field=f"{crit}/{section}", old=old, new=text)]
        return Written(_batch(s, ctx, source, "narrative", audit, criterion=crit, section=section), 1)


# ---- undo (called by models/undo.py) -----------------------------------------------------------

def current_values(s: Session, aid: int, keys: Iterable[tuple]) -> dict[tuple, str | None]:
    """What each audited dossier record holds now, in the form its audit rows use."""
    out: dict[tuple, str | None] = {}
    for key in keys:
        entity, entity_id, field = key
        if entity == "dossier":
            row = s.get(DossierInfo, entity_id)
            out[key] = iso(getattr(row, field)) if row is not None else iso(getattr(DossierInfo(), field))
        elif entity == "team":
            row = s.get(TeamMember, entity_id)
            out[key] = _member_json(row) if row is not None else None
        elif entity == "evidence":
            row = s.get(Evidence, entity_id)
            out[key] = _evidence_json(row, _links(s, [row.id]).get(row.id, [])) if row is not None else None
        else:  # narrative
            crit, section = field.split("/", 1)
            row = s.get(Narrative, (entity_id, crit, section))
            out[key] = row.text if row is not None else ""
    return out


def restore(s: Session, aid: int, plan: dict[tuple, str | None]) -> None:
    """Write planned values back: snapshots re-create, update or delete their rows."""
    for (entity, entity_id, field), value in plan.items():
        if entity == "dossier":
            row = s.get(DossierInfo, entity_id)
            if row is None:
                row = DossierInfo(assessment_id=entity_id, version=0)
                s.add(row)
            setattr(row, field, date.fromisoformat(value) if field == "team_decision_date" and value
                    else (value if value is not None else (None if field == "team_decision_date" else "")))
            row.version += 1
        elif entity == "team":
            row = s.get(TeamMember, entity_id)
            if value is None:
                if row is not None:
                    s.delete(row)
                continue
            if row is None:
                row = TeamMember(id=entity_id, assessment_id=aid, full_name="", version=0)
                s.add(row)
            for k, v in json.loads(value).items():
                setattr(row, k, v)
            row.version += 1
        elif entity == "evidence":
            row = s.get(Evidence, entity_id)
            s.execute(delete(EvidenceLink).where(EvidenceLink.evidence_id == entity_id))
            if value is None:
                if row is not None:
                    s.delete(row)
                continue
            data = json.loads(value)
            entries = data.pop("entries")
            if row is None:
                row = Evidence(id=entity_id, assessment_id=aid, code="", title="", version=0)
                s.add(row)
            for k, v in data.items():
                setattr(row, k, date.fromisoformat(v) if k == "issued_on" and v else v)
            row.version += 1
            s.flush()
            for entry in entries:
                s.add(EvidenceLink(evidence_id=entity_id, entry_id=entry))
        else:
            crit, section = field.split("/", 1)
            row = s.get(Narrative, (entity_id, crit, section))
            if row is None:
                row = Narrative(assessment_id=entity_id, criterion_id=crit, section=section, version=0)
                s.add(row)
            row.text, row.version = value or "", row.version + 1
    s.flush()


# ---- defaults from the tier --------------------------------------------------------------------

def authority_of(catalogs: Catalogs, ctx: Context, info: DossierInfo, lang: str = "vi") -> str:
    """The recognising authority addressed: the dossier's own, else the tier's (vocabulary)."""
    tier = catalogs.tiers.get(ctx.unit.tier)
    return info.authority or (tier.authority(lang) if tier else "")


def send_to_of(catalogs: Catalogs, ctx: Context, info: DossierInfo, lang: str = "vi") -> str:
    """Where the dossier is sent: the dossier's own, else the tier's (vocabulary)."""
    tier = catalogs.tiers.get(ctx.unit.tier)
    return info.send_to or (tier.send_to(lang) if tier else "")
