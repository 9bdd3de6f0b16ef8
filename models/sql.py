"""SQL shared by the core's writers and readers: the table aliases, IN-list chunking and the
driver-level bulk inserts (``executemany``), never a loop of ORM objects."""

from __future__ import annotations

import json
from operator import itemgetter
from typing import Iterable, Iterator, Sequence

from sqlalchemy import String, bindparam, func, insert, literal_column, select
from sqlmodel import Session

from hoctap.models.tables import AuditChange, Person, PersonFact, RosterEntry

COPY_ROWS = 1000  # rows from which PostgreSQL gets COPY: ~10x faster than executemany, so the lock is held briefly
CHUNK = 500  # ids per IN (...) list: well under every backend's parameter limit

PF = PersonFact.__table__
RE = RosterEntry.__table__
PT = Person.__table__
AC = AuditChange.__table__


def chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    """Lists of ``size`` items of an iterable, as they come (``itertools.batched`` is 3.12's)."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def in_all(s: Session, column, values: Sequence):
    """``column IN (values)`` as one statement however many values: the values travel as one
    parameter, a PostgreSQL array (``unnest``) or an SQLite JSON array (``json_each``), planned
    as a semi-join through the column's index."""
    if s.connection().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY  # here: SQLite users never load the dialect (25 ms)

        array = bindparam(None, list(values), type_=ARRAY(column.type))
        return column.in_(select(func.unnest(array)))
    return column.in_(select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(list(values), ensure_ascii=False), type_=String))))


def insert_many(s: Session, table, rows: list[dict]) -> None:
    """INSERT rows of plain text and integer columns through the driver's ``executemany``:
    SQLAlchemy's per-row parameter processing costs more than SQLite's insert itself."""
    if not rows:
        return
    keys = list(rows[0])
    if len(keys) > 1:
        pick = itemgetter(*keys)
        insert_tuples(s, table, keys, [pick(r) for r in rows])
    else:
        insert_tuples(s, table, keys, [(r[keys[0]],) for r in rows])


def insert_tuples(s: Session, table, keys: Sequence[str], rows: list[tuple]) -> None:
    """Like ``insert_many`` for rows given as tuples in the order of ``keys``."""
    if not rows:
        return
    conn = s.connection()
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_ROWS:
        _copy(conn, table, keys, rows)
        return
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(keys))
    if not compiled.positional:  # named parameters (psycopg): dicts
        params = [dict(zip(keys, r)) for r in rows]
    elif list(compiled.positiontup) == list(keys):
        params = rows
    else:
        pick = itemgetter(*(list(keys).index(k) for k in compiled.positiontup))
        params = [pick(r) if len(keys) > 1 else r for r in rows]
    conn.exec_driver_sql(compiled.string, params)


def _copy(conn, table, keys: Sequence[str], rows: list[tuple]) -> None:
    """PostgreSQL's COPY … FROM STDIN through psycopg, inside the current transaction."""
    columns = ", ".join(conn.dialect.identifier_preparer.quote(k) for k in keys)
    name = conn.dialect.identifier_preparer.format_table(table)
    with conn.connection.driver_connection.cursor() as cur:
        with cur.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
