"""names in Vietnamese alphabetical order

``person.sort_key`` becomes ``text.collation_key`` of the name, given name first (recomputed
here for every person), compared as bytes (``COLLATE "C"`` on PostgreSQL), so both backends
order a roster alike.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _sort_keys() -> None:
    from hoctap.models.text import collation_key  # people.sort_key: the key written from now on

    def sort_key(name: str) -> str:
        words = name.split()
        return collation_key(" ".join(words[-1:] + words[:-1]))  # given name first

    conn = op.get_bind()
    person = sa.table("person", sa.column("id"), sa.column("full_name"), sa.column("sort_key"))
    rows = conn.execute(sa.select(person.c.id, person.c.full_name)).all()
    if rows:
        conn.execute(sa.update(person).where(person.c.id == sa.bindparam("pid")).values(sort_key=sa.bindparam("key")),
                     [{"pid": pid, "key": sort_key(name)} for pid, name in rows])


def upgrade() -> None:
    _sort_keys()
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("person", "sort_key", type_=sa.String(collation="C"), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("person", "sort_key", type_=sa.String(), existing_nullable=False)
