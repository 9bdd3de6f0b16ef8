"""the roster's search by index, names in Vietnamese alphabetical order

Search: every word typed must occur in ``person.search`` (``LIKE '%word%'``). On SQLite an
FTS5 trigram index (``person_search``, kept by triggers whatever path writes ``person``) serves
words of three letters or more; on PostgreSQL a ``pg_trgm`` GIN index serves the LIKE itself.
``CREATE EXTENSION pg_trgm`` needs the CREATE privilege on the database (the extension is
trusted): without it the search keeps working by scanning, and a note says how to enable it.

Order: ``person.sort_key`` becomes ``text.collation_key`` of the name, given name first
(recomputed here for every person), compared as bytes (``COLLATE "C"`` on PostgreSQL).

Revision ID: 0005_search
Revises: 0004
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = '0005_search'
down_revision = '0004'
branch_labels = None
depends_on = None

log = logging.getLogger("hoctap.migrations")


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


def _sqlite() -> None:
    op.execute("CREATE VIRTUAL TABLE person_search USING fts5(search, content='person', content_rowid='id', "
               "tokenize='trigram')")
    op.execute("INSERT INTO person_search(person_search) VALUES ('rebuild')")
    op.execute("CREATE TRIGGER person_search_ai AFTER INSERT ON person BEGIN "
               "INSERT INTO person_search(rowid, search) VALUES (new.id, new.search); END")
    op.execute("CREATE TRIGGER person_search_ad AFTER DELETE ON person BEGIN "
               "INSERT INTO person_search(person_search, rowid, search) VALUES ('delete', old.id, old.search); END")
    op.execute("CREATE TRIGGER person_search_au AFTER UPDATE OF search ON person BEGIN "
               "INSERT INTO person_search(person_search, rowid, search) VALUES ('delete', old.id, old.search); "
               "INSERT INTO person_search(rowid, search) VALUES (new.id, new.search); END")


def _postgresql() -> None:
    conn = op.get_bind()
    op.alter_column("person", "sort_key", type_=sa.String(collation="C"), existing_nullable=False)
    try:
        with conn.begin_nested():  # a refused CREATE EXTENSION must not abort the migration
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except sa.exc.DBAPIError as e:
        log.warning("pg_trgm could not be created (%s); the roster search scans instead of using an index. "
                    "A database owner can run: CREATE EXTENSION pg_trgm SCHEMA public; then re-create "
                    "ix_person_search_trgm as in migrations/versions/0005_search.py", e.orig)
        return
    # the extension is one per database, in whichever schema first created it
    schema = conn.execute(sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                  "WHERE extname = 'pg_trgm'")).scalar()
    op.execute(f'CREATE INDEX ix_person_search_trgm ON person USING gin (search "{schema}".gin_trgm_ops)')


def upgrade() -> None:
    _sort_keys()
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_person_search_trgm")
        op.alter_column("person", "sort_key", type_=sa.String(), existing_nullable=False)
    else:
        for t in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS person_search_{t}")
        op.execute("DROP TABLE IF EXISTS person_search")
