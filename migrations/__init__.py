"""Alembic migrations of the hoctap schema (run by models.db.open_database)."""

# The newest revision; tests check it matches the scripts in versions/.
HEAD = "0005_search"

# The search index (0005_search) lives beside the tables, not in the models: an FTS5 table and
# its shadow tables on SQLite, a pg_trgm index on PostgreSQL.
SEARCH_INDEX = ("person_search", "ix_person_search_trgm")


def include_name(name, type_, parent_names) -> bool:
    """Alembic's filter: leave the search index out of comparing the database to the models."""
    return not (name or "").startswith(SEARCH_INDEX)
