"""Alembic migrations of the hoctap schema (run by models.db.open_database)."""

# The newest revision; tests check it matches the scripts in versions/.
HEAD = "0006"

# The search index (0006) lives beside the tables, not in the models: an FTS5 table, its shadow
# tables, its watermark and its marks on SQLite; a pg_trgm index on PostgreSQL.
SEARCH_INDEX = ("person_search", "ix_person_search_trgm")


def include_name(name, type_, parent_names) -> bool:
    """Alembic's filter: leave the search index out of comparing the database to the models."""
    return not (name or "").startswith(SEARCH_INDEX)
