"""Alembic environment: runs on the engine handed over by models.db (never a URL of its own)."""

from alembic import context
from sqlmodel import SQLModel

import hoctap.models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from hoctap.models.migrations import include_name

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, include_name=include_name,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
