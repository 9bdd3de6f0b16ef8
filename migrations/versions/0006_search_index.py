"""the roster's search by index

PostgreSQL: a ``pg_trgm`` GIN index on ``person.search`` serves ``LIKE '%word%'`` itself; GIN's
pending list (fastupdate) keeps a 100k import's write transaction as long as without it.
``CREATE EXTENSION pg_trgm`` needs the CREATE privilege (the extension is trusted): without it
the search keeps scanning and a warning says how to enable it.

SQLite: an FTS5 trigram table filled *after* the writes that add people (``search_index``),
never inside them — triggers filling it doubled a 100k import's write lock (6 s -> 14 s).
``person_search_state.watermark``: every person with a higher id is not indexed yet;
``person_search_dirty``: people renamed since they were indexed, or inserted at or below the
watermark (two cheap triggers that fire only for them). A deleted person's entry stays: the
index only proposes ids, and the roster's query finds no person under it.

Revision ID: 0006
Revises: 0005
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

log = logging.getLogger("hoctap.migrations")

_WATERMARK = "(SELECT watermark FROM person_search_state)"


def _sqlite() -> None:
    op.execute("CREATE VIRTUAL TABLE person_search USING fts5(search, tokenize='trigram')")
    op.execute("CREATE TABLE person_search_state (id INTEGER PRIMARY KEY CHECK (id = 1), watermark INTEGER NOT NULL)")
    # the people already there are indexed once here; later ones by search_index.catch_up
    op.execute("INSERT INTO person_search(rowid, search) SELECT id, search FROM person")
    op.execute("INSERT INTO person_search_state SELECT 1, coalesce(max(id), 0) FROM person")
    op.execute("CREATE TABLE person_search_dirty (person_id INTEGER PRIMARY KEY)")
    op.execute("CREATE TRIGGER person_search_renamed AFTER UPDATE OF search ON person "
               f"WHEN new.id <= {_WATERMARK} AND new.search IS NOT old.search BEGIN "
               "INSERT OR IGNORE INTO person_search_dirty VALUES (new.id); END")
    # an id at or below the watermark again: a deleted highest id reused, a person restored by undo
    op.execute("CREATE TRIGGER person_search_reinserted AFTER INSERT ON person "
               f"WHEN new.id <= {_WATERMARK} BEGIN "
               "INSERT OR IGNORE INTO person_search_dirty VALUES (new.id); END")


def _postgresql() -> None:
    conn = op.get_bind()
    try:
        with conn.begin_nested():  # a refused CREATE EXTENSION must not abort the migration
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except sa.exc.DBAPIError as e:
        log.warning("pg_trgm could not be created (%s); the roster search scans instead of using an index. "
                    "A database owner can run: CREATE EXTENSION pg_trgm SCHEMA public; then re-create "
                    "ix_person_search_trgm as in migrations/versions/0006_search_index.py", e.orig)
        return
    # the extension is one per database, in whichever schema first created it
    schema = conn.execute(sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                  "WHERE extname = 'pg_trgm'")).scalar()
    op.execute(f'CREATE INDEX ix_person_search_trgm ON person USING gin (search "{schema}".gin_trgm_ops)')


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_person_search_trgm")
    else:
        for t in ("renamed", "reinserted"):
            op.execute(f"DROP TRIGGER IF EXISTS person_search_{t}")
        for t in ("person_search", "person_search_state", "person_search_dirty"):
            op.execute(f"DROP TABLE IF EXISTS {t}")
