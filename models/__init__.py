"""hoctap's headless core: catalogs, database, evaluation, import/export. Never imports the UI."""
