"""Learning Citizen queries the faces need besides the roster viewport."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select

from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.sql import PF, chunks
from hoctap.models.units import Context


def count_fully_scored(db: Database, catalogs: Catalogs, ctx: Context, person_ids: Iterable[int]) -> int:
    """How many of these people have all ten scores: for them the scores decide the title, so
    setting the Learning Citizen status does not change it."""
    names = catalogs.citizen.score_facts
    assessment_id = ctx.assessment.id
    n = 0
    with db.read() as s:
        for chunk in chunks(sorted(person_ids)):
            scored = (select(PF.c.person_id).where(PF.c.assessment_id == assessment_id, PF.c.name.in_(names),
                                                   PF.c.person_id.in_(chunk))
                      .group_by(PF.c.person_id).having(func.count() == len(names)))
            n += s.execute(select(func.count()).select_from(scored.subquery())).scalar()
    return n
