"""codes are upper-case

Unit and person codes are compared without regard to case by storing them upper-case
(``d001`` and ``D001`` are one person). Codes written before are upper-cased here, each
one only when its upper-case form is not already taken (two codes differing only by case
stay as they are: merging them is the unit's decision, not a migration's).

Revision ID: 0003
Revises: 0002
"""
import unicodedata

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _key(code: str) -> str:
    return unicodedata.normalize("NFC", code).strip().upper()


def upgrade() -> None:
    conn = op.get_bind()
    unit = sa.table("unit", sa.column("id"), sa.column("code"))
    person = sa.table("person", sa.column("id"), sa.column("unit_id"), sa.column("code"))
    taken = {c for (c,) in conn.execute(sa.select(unit.c.code))}
    for uid, code in conn.execute(sa.select(unit.c.id, unit.c.code)).all():
        if _key(code) != code and _key(code) not in taken:
            conn.execute(sa.update(unit).where(unit.c.id == uid).values(code=_key(code)))
            taken.add(_key(code))
    rows = conn.execute(sa.select(person.c.id, person.c.unit_id, person.c.code)).all()
    taken_p = {(u, c) for _, u, c in rows}
    for pid, uid, code in rows:
        if _key(code) != code and (uid, _key(code)) not in taken_p:
            conn.execute(sa.update(person).where(person.c.id == pid).values(code=_key(code)))
            taken_p.add((uid, _key(code)))


def downgrade() -> None:
    pass  # the original case is not kept; upper-case codes are valid in the older schema
