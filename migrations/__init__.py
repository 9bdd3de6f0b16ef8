"""Alembic migrations of the hoctap schema (run by models.db.open_database)."""

# The newest revision; tests check it matches the scripts in versions/.
HEAD = "0005"
