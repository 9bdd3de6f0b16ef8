"""Dossier completeness: what is still missing before the unit sends its dossier.

The receiving office runs the same check at intake, so its signature is an interface:
``check_dossier(db, catalogs, ctx, level, *, today=None)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.dossier import SECTIONS, evidence_by_entry, get_info, get_narrative, list_team, section_label
from hoctap.models.i18n import tr
from hoctap.models.meters import evaluate_context
from hoctap.models.units import Context

KINDS = ("no_evidence", "no_data", "unconfirmed", "no_team", "no_leader", "no_head", "empty_narrative")


@dataclass(frozen=True)
class Missing:
    kind: str  # one of KINDS
    text: str  # as shown to the user, in the process's language
    criterion: str | None = None
    entry: str | None = None
    section: str | None = None


@dataclass(frozen=True)
class DossierCheck:
    level: int
    deadline: date  # 15 January of the year after the assessed one
    days_left: int  # negative once the deadline has passed
    items: list[Missing] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.items

    def deadline_text(self) -> str:
        day = self.deadline.strftime("%d/%m/%Y")
        if self.days_left < 0:
            return tr("check.deadline_passed", date=day, days=-self.days_left)
        return tr("check.deadline", date=day, days=self.days_left)

    def as_json(self) -> dict:
        return {"complete": self.complete, "level": self.level, "deadline": self.deadline.isoformat(),
                "days_left": self.days_left,
                "missing": [{k: v for k, v in vars(m).items() if v is not None} for m in self.items]}


def deadline_of(year: int) -> date:
    """Circular 24: the head sends the dossier before 15 January of the next year."""
    return date(year + 1, 1, 15)


def check_dossier(db: Database, catalogs: Catalogs, ctx: Context, level: int | None, *,
                  today: date | None = None) -> DossierCheck:
    level = ctx.level_or(level)
    result = evaluate_context(db, catalogs, ctx, level)
    cited = evidence_by_entry(db, ctx)
    items: list[Missing] = []
    for crit in result.criteria:
        for r in crit.entries:
            if not r.applicable:
                continue
            e = r.entry
            if e.kind == "unit" and not cited.get(e.id):
                items.append(Missing("no_evidence", tr("check.no_evidence", entry=e.id), crit.id, e.id))
            if e.kind == "share" and r.status == "no_data":
                items.append(Missing("no_data", tr("check.no_data", entry=e.id, population=tr(e.population)),
                                     crit.id, e.id))
            if not e.confirmed:
                items.append(Missing("unconfirmed", tr("check.unconfirmed", entry=e.id), crit.id, e.id))
    team = list_team(db, ctx)
    if not team:
        items.append(Missing("no_team", tr("check.no_team")))
    elif not any(m.role == "leader" for m in team):
        items.append(Missing("no_leader", tr("check.no_leader")))
    if not get_info(db, ctx).head_name:
        items.append(Missing("no_head", tr("check.no_head")))
    narrative = get_narrative(db, ctx)
    for crit in result.criteria:
        for section in SECTIONS:
            row = narrative.get((crit.id, section))
            if row is None or not row.text.strip():
                items.append(Missing("empty_narrative", tr("check.empty_narrative", criterion=crit.id,
                                                           section=section_label(section).lower()),
                                     crit.id, section=section))
    deadline = deadline_of(ctx.assessment.year)
    return DossierCheck(level, deadline, (deadline - (today or date.today())).days, items)
