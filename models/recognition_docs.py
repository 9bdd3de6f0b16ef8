"""The receiving office's draft decision recognising units (template ``05_recognition.docx``)
and its annex: the units recognised in a year, per level, from the ``recognition`` table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from hoctap.models.db import Database
from hoctap.models.documents import render_document
from hoctap.models.dossier_context import date_text, labels, place_date_text, word
from hoctap.models.i18n import tr_in
from hoctap.models.tables import Recognition, Unit
from hoctap.models.fields import parse_year


def recognition_context(db: Database, year: int, *, lang: str = "vi", made: date | None = None,
                        place: str = "") -> dict:
    year = parse_year(year)
    made = made or date.today()
    with db.read() as s:
        rows = s.execute(select(Recognition, Unit).join(Unit, Unit.id == Recognition.unit_id)
                         .where(Recognition.year == year).order_by(Recognition.level, Unit.code)).all()
    blank = tr_in(lang, "doc.blank")
    recognised = [{"seq": i, "level": tr_in(lang, "doc.level_n", level=r.level), "level_number": r.level,
                   "code": u.code, "name": u.name, "decision_no": r.decision_no,
                   "decision_date": date_text(r.decision_date, lang), "issuer": r.issuer}
                  for i, (r, u) in enumerate(rows, 1)]
    # one decision recognises them all: its number, date and issuer are the rows' own when they agree
    def shared(values) -> str:
        values = {v for v in values if v}
        return values.pop() if len(values) == 1 else ""

    number = shared(r.decision_no for r, _ in rows) or blank
    when = shared(date_text(r.decision_date, lang) for r, _ in rows) or blank
    issuer = shared(r.issuer for r, _ in rows) or blank
    place_date = place_date_text(place or "…", made, lang)
    return {
        "L": labels(lang), "lang": lang, "year": year,
        "header": {"governing_body": "", "unit_name": issuer, "nation": word(lang, "nation"),
                   "motto": word(lang, "motto")},
        "numbers": {"decision": number}, "place_date": place_date, "issuer": issuer,
        "recognised": recognised,
        "levels": sorted({r["level_number"] for r in recognised}),
        "titles": {"recognition_subject": tr_in(lang, "doc.recognition_subject", year=year),
                   "recognition_art1": tr_in(lang, "doc.recognition_art1", n=len(recognised), year=year),
                   "annex_title": tr_in(lang, "doc.annex_title", year=year),
                   "annex_note": tr_in(lang, "doc.annex_note", no=number, date=when, issuer=issuer)},
    }


def render_recognition_decision(db: Database, year: int, out_path: str | Path, *, lang: str = "vi",
                                made: date | None = None) -> Path:
    """The draft decision and its annex for ``year``, written whole or not at all."""
    return render_document("05_recognition.docx", recognition_context(db, year, lang=lang, made=made), out_path)
