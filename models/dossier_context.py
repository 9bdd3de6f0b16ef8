"""Everything the dossier documents show, computed from the core, as one plain dict.

The numbers are those of ``status --json`` (``meters.evaluate_context``); labels are in the
language asked for (English is a working translation); what the user typed stays as typed.
Template authors see this dict's keys (README, "Dossier documents")."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.dossier import authority_of, send_to_of
from hoctap.models.evaluate import EntryResult
from hoctap.models.fields import display_entry_value
from hoctap.models.i18n import tr_in
from hoctap.models.meters import evaluate_context, unit_entry_rows
from hoctap.models.present import percent_text, threshold_text
from hoctap.models.documents_strings import DOCUMENTS, SHARED
from hoctap.models.tables import DossierInfo, Evidence, EvidenceLink, Narrative, TeamMember
from hoctap.models.units import Context, catalog_for

ROLES = ("leader", "secretary", "member")
SECTIONS = ("strengths", "weaknesses", "plan")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def labels(lang: str) -> dict[str, str]:
    """Every fixed label of the documents (``L`` in a template): the ``doc.*`` words without
    parameters, keyed without the ``doc.`` prefix (dots become underscores)."""
    own = {k[4:].replace(".", "_"): tr_in(lang, k) for k, pair in DOCUMENTS.texts.items()
           if "{" not in pair[0] and not k.startswith("doc.file.")}
    return own | {name: tr_in(lang, key) for name, key in SHARED.items()}


def word(lang: str, name: str) -> str:
    """One label by its template name (``L.<name>``)."""
    key = SHARED.get(name) or "doc." + (name.replace("_", ".", 1) if name.startswith(("role_", "col_")) else name)
    return tr_in(lang, key)


def date_text(d: date | None, lang: str) -> str:
    if d is None:
        return ""
    return d.strftime("%d/%m/%Y") if lang == "vi" else f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


def place_date_text(place: str, d: date, lang: str) -> str:
    """The date line: "Hà Nội, ngày 05 tháng 01 năm 2025" / "Hà Nội, January 5, 2025"."""
    if lang == "en":
        return tr_in(lang, "doc.date_line", place=place, day=d.day, month=_MONTHS[d.month - 1], year=d.year)
    return tr_in(lang, "doc.date_line", place=place, day=f"{d.day:02d}", month=f"{d.month:02d}", year=d.year)


def finding(catalogs: Catalogs, r: EntryResult, lang: str) -> str:
    """What was found for an applicable entry: the recorded value, or the counts of status."""
    if r.entry.kind == "unit":
        text = display_entry_value(catalogs, r.entry, r.value, lang, blank=tr_in(lang, "doc.no_data"))
        return text
    if not r.denominator:
        return f"0/0 — {tr_in(lang, 'doc.no_data')}"
    op = "≥" if r.status == "met" else "<"
    return f"{r.numerator}/{r.denominator} = {percent_text(r.percent, lang)} {op} {threshold_text(r.entry, lang)}"


def verdict(met: bool | None, lang: str) -> str:
    return word(lang, "met" if met else "not_met")


def build_context(db: Database, catalogs: Catalogs, ctx: Context, level: int | None = None, *, lang: str = "vi",
                  made: date | None = None) -> dict:
    level = ctx.level_or(level)
    made = made or date.today()
    catalog = catalog_for(catalogs, ctx.unit, level)
    result = evaluate_context(db, catalogs, ctx, level)
    aid = ctx.assessment.id
    with db.read() as s:
        info = s.get(DossierInfo, aid) or DossierInfo(assessment_id=aid)
        members = s.exec(select(TeamMember).where(TeamMember.assessment_id == aid)
                         .order_by(TeamMember.seq, TeamMember.id)).scalars().all()
        pieces = s.exec(select(Evidence).where(Evidence.assessment_id == aid).order_by(Evidence.code)).scalars().all()
        links = s.exec(select(EvidenceLink.evidence_id, EvidenceLink.entry_id)
                       .join(Evidence, Evidence.id == EvidenceLink.evidence_id)
                       .where(Evidence.assessment_id == aid)).all()
        notes = s.exec(select(Narrative).where(Narrative.assessment_id == aid)).scalars().all()
    entry_rows = unit_entry_rows(db, ctx)
    code_of = {p.id: p.code for p in pieces}
    codes: dict[str, list[str]] = {}
    entries_of: dict[int, list[str]] = {}
    for evidence_id, entry_id in links:
        codes.setdefault(entry_id, []).append(code_of[evidence_id])
        entries_of.setdefault(evidence_id, []).append(entry_id)
    narrative = {(n.criterion_id, n.section): n.text for n in notes}
    blank = tr_in(lang, "doc.blank")
    year = ctx.assessment.year

    def member(m: TeamMember) -> dict:
        role = m.role if m.role in ROLES else "member"
        return {"seq": m.seq, "name": m.full_name, "position": m.position, "role": word(lang, f"role_{role}"),
                "role_id": role}

    team = [member(m) for m in members]
    criteria = []
    for c in result.criteria:
        entries = []
        for r in c.entries:
            if not r.applicable:
                continue
            cited = sorted(codes.get(r.entry.id, []))
            free = entry_rows[r.entry.id].evidence if r.entry.id in entry_rows else ""
            entries.append({"id": r.entry.id, "label": r.entry.label(lang), "kind": r.entry.kind,
                            "finding": finding(catalogs, r, lang), "evidence_codes": cited,
                            "evidence": ", ".join(cited) or free or tr_in(lang, "doc.no_evidence"),
                            "verdict": verdict(r.met, lang), "met": bool(r.met),
                            "numerator": r.numerator, "denominator": r.denominator})
        criteria.append({"id": c.id, "label": c.criterion.label(lang), "met": c.met, "verdict": verdict(c.met, lang),
                         "entries": entries,
                         "narrative": {sec: narrative.get((c.id, sec), "") for sec in SECTIONS}})
    evidence = [{"seq": i, "code": p.code, "title": p.title, "number": p.number, "date": date_text(p.issued_on, lang),
                 "issuer": p.issuer, "entries": ", ".join(sorted(entries_of.get(p.id, [])))}
                for i, p in enumerate(pieces, 1)]
    unit_name = ctx.unit.name
    authority = authority_of(catalogs, ctx, info, lang) or blank  # else the tier's, from the vocabulary
    level_label = catalog.label(lang)
    place = info.place or "…"
    place_date = place_date_text(place, made, lang)
    return {
        "L": labels(lang),
        "lang": lang,
        "unit": {"code": ctx.unit.code, "name": unit_name, "tier": ctx.unit.tier},
        "year": year,
        "level": level,
        "level_label": level_label,
        "met": result.met,
        "header": {"governing_body": info.governing_body, "unit_name": unit_name,
                   "nation": word(lang, "nation"), "motto": word(lang, "motto")},
        "numbers": {"team_decision": info.team_decision_no or blank, "report": info.report_no or blank,
                    "request": info.request_no or blank},
        "team_decision_date": date_text(info.team_decision_date, lang),
        "place": place,
        "place_date": place_date,
        "head": {"name": info.head_name or blank, "title": info.head_title or blank},
        "team": team,
        "leader": next((m for m in team if m["role_id"] == "leader"), None),
        "criteria": criteria,
        "conclusion": info.conclusion,
        "authority": authority,
        "send_to": send_to_of(catalogs, ctx, info, lang),
        "evidence": evidence,
        "titles": {
            "decision_subject": tr_in(lang, "doc.decision_subject", year=year),
            "decision_art1": tr_in(lang, "doc.decision_art1", year=year, unit=unit_name),
            "report_subject": tr_in(lang, "doc.report_subject", year=year),
            "report_intro": tr_in(lang, "doc.report_intro", year=year, unit=unit_name),
            "request_subject": tr_in(lang, "doc.request_subject", year=year),
            "request_body": tr_in(lang, "doc.request_body", unit=unit_name, authority=authority, level=level_label),
        },
        "enclosures": [tr_in(lang, "doc.enc.report", year=year), tr_in(lang, "doc.enc.summary"),
                       tr_in(lang, "doc.enc.evidence", n=len(pieces)), tr_in(lang, "doc.enc.decision")],
    }
